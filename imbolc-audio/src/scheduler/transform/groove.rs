//! Groove: swing and humanize of an instrument's note-ons, with its
//! note-offs moved alike (so lengths stay).
//!
//! Swing delays a note starting exactly on an off-beat of the swung
//! division (song tick ≡ division mod 2 × division) by `swing` × division.
//! Humanize moves a note-on by up to ± `timing_ms` and its velocity by up
//! to ± `velocity`, amounts hashed from the seed, the instrument, the note
//! (clip, id, tone) and its song tick: the same note on the same pass
//! moves alike in every play and render, whatever the window partition.
//! An early move is timed before the window it was scheduled in: in a
//! render the score is sorted by time; live, it reaches the server
//! the lookahead minus the move ahead (a move longer than the lookahead
//! may play late).

use imbolc_types::InstrumentId;
use imbolc_types::transform::{GrooveSettings, division_ticks, stable_hash};

use crate::scheduler::event::NoteKey;
use crate::scheduler::tempo::TempoMap;

/// How a note-on moves: seconds later (negative: earlier) and the new
/// velocity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Move {
    pub secs: f64,
    pub velocity: u8,
}

/// Groove settings with the swung division in ticks (asked per note).
#[derive(Debug, Clone, Copy)]
pub(super) struct Groove {
    settings: GrooveSettings,
    division: u64,
}

impl Groove {
    pub fn new(settings: GrooveSettings) -> Self {
        Groove { settings, division: u64::from(division_ticks(settings.swing_division)) }
    }
}

/// The move of a note-on at song tick `song` (`secs_per_tick` at its time).
pub(super) fn groove_move(
    g: &Groove,
    instrument: InstrumentId,
    key: &NoteKey,
    song: u64,
    velocity: u8,
    secs_per_tick: f64,
) -> Move {
    let (d, g) = (g.division, &g.settings);
    let swing_ticks = if g.swing > 0.0 && song % (2 * d) == d { f64::from(g.swing) * d as f64 } else { 0.0 };
    let h = stable_hash(
        g.seed,
        &[u64::from(instrument.0), u64::from(key.clip.0), u64::from(key.note.0), u64::from(key.tone), song],
    );
    // Two independent values in [-1, 1] from the hash's halves.
    let unit = |bits: u64| (bits & 0xFFFF_FFFF) as f64 / f64::from(u32::MAX) * 2.0 - 1.0;
    let timing = unit(h) * f64::from(g.timing_ms) / 1000.0;
    let dv = (unit(h >> 32) * f64::from(g.velocity)).round();
    // Clamped to 1..=127 above.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let velocity = (f64::from(velocity) + dv).clamp(1.0, 127.0) as u8;
    Move { secs: swing_ticks * secs_per_tick + timing, velocity }
}

/// The seconds of a tick that swing uses: the tempo at the song's start.
pub(super) fn secs_per_tick(tempo: &TempoMap) -> f64 {
    tempo.time_of(1) - tempo.time_of(0)
}
