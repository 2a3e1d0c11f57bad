//! [`Sounding`]: a note (or audio clip) whose note-on the scheduler
//! emitted and whose note-off it has not yet, and the events made from it.

use imbolc_types::InstrumentId;

use super::event::{NoteEvent, NoteEventKind, NoteKey};
use super::transport::Piece;

/// A note whose note-on was emitted and whose note-off was not yet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Sounding {
    pub(super) on_tick: u64,
    pub(super) off_tick: u64,
    pub(super) instrument: InstrumentId,
    pub(super) pitch: u8,
    pub(super) velocity: u8,
    pub(super) key: NoteKey,
    /// Ticks of its clip before its start, for an audio clip.
    pub(super) audio_into: Option<u64>,
}

/// The sounding note for `n` of an occurrence starting at song tick `occ`,
/// cut at song tick `cut`.
pub(super) fn sounding(
    piece: Piece,
    instrument: InstrumentId,
    n: &imbolc_types::Note,
    occ: u64,
    cut: u64,
    key: NoteKey,
) -> Sounding {
    let on_song = occ + u64::from(n.start);
    let off_song = (on_song + u64::from(n.length)).min(cut).max(on_song + 1);
    let on_play = piece.play + (on_song - piece.song_lo);
    Sounding {
        on_tick: on_play,
        off_tick: on_play + (off_song - on_song),
        instrument,
        pitch: n.pitch,
        velocity: n.velocity,
        key,
        audio_into: None,
    }
}

/// The sounding "note" of an audio clip occurrence starting at song tick
/// `occ`, started at song tick `at` (≥ `occ`), cut at song tick `cut`.
pub(super) fn audio_sounding(
    piece: Piece,
    instrument: InstrumentId,
    (occ, at, cut): (u64, u64, u64),
    key: NoteKey,
) -> Sounding {
    let on_tick = piece.play + (at - piece.song_lo);
    Sounding {
        on_tick,
        off_tick: on_tick + cut.saturating_sub(at).max(1),
        instrument,
        pitch: 60,
        velocity: 100,
        key,
        audio_into: Some(at - occ),
    }
}

pub(super) fn note_event(time: f64, kind: NoteEventKind, s: &Sounding) -> NoteEvent {
    NoteEvent { time, kind, instrument: s.instrument, pitch: s.pitch, velocity: s.velocity, key: s.key, audio: None }
}
