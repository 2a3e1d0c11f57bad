//! The arpeggiated instruments of the stage, one lane each: settings,
//! arpeggiator state and the window's written notes side by side, so a
//! window visits each lane once without a map lookup per instrument; and
//! the rate grids, each computed once per window however many
//! instruments share a rate.

use imbolc_types::transform::{ArpSettings, ChordSettings, ChordTones, NoteTransforms};
use imbolc_types::{InstrumentId, Key};

use super::arp::{ArpState, Held};
use super::{IdMap, Window, groove};
use crate::scheduler::event::{NoteEvent, NoteEventKind, NoteKey};

/// One instrument with an arpeggiator.
#[derive(Debug, Clone)]
pub(super) struct ArpLane {
    pub id: InstrumentId,
    arp: ArpSettings,
    /// The arpeggiator's step in ticks.
    step: u64,
    pub chord: Option<ChordSettings>,
    /// The chord of each pitch, made once per pitch and key (every
    /// note-on asks).
    chords: ChordCache,
    groove: Option<groove::Groove>,
    pub state: ArpState,
    /// The window's written notes of this instrument, in time order.
    pub input: Vec<NoteEvent>,
}

/// The lanes of `settings`' arpeggiators in id order; lanes of `old`
/// that stay keep their state.
pub(super) fn lanes(settings: &IdMap<InstrumentId, NoteTransforms>, old: Vec<ArpLane>) -> Vec<ArpLane> {
    let mut old: IdMap<InstrumentId, ArpLane> = old.into_iter().map(|l| (l.id, l)).collect();
    let mut lanes: Vec<ArpLane> = settings
        .iter()
        .filter_map(|(id, t)| {
            let arp = t.arp?;
            let (state, input) = old.remove(id).map(|l| (l.state, l.input)).unwrap_or_default();
            let step = u64::from(arp.step_ticks());
            let groove = t.groove.map(groove::Groove::new);
            Some(ArpLane { id: *id, arp, step, chord: t.chord, chords: ChordCache::default(), groove, state, input })
        })
        .collect();
    lanes.sort_unstable_by_key(|l| l.id);
    lanes
}

/// An arpeggio note-off, grooved like its note-on, and that move (a stop
/// ends the note at the stop time moved alike, so never before its on).
#[derive(Debug, Clone, Copy)]
pub(super) struct PendingOff {
    pub off: NoteEvent,
    pub secs: f64,
}

/// A step of a rate grid: play tick, song tick, time.
type Step = (u64, u64, f64);

/// The window's steps of each rate in use (reused buffers).
#[derive(Debug, Clone, Default)]
pub(super) struct Grids {
    grids: Vec<(u64, Vec<Step>)>,
    /// How many of `grids` hold this window's steps.
    fresh: usize,
}

impl Grids {
    /// A new window: every grid is computed again when asked for.
    pub fn start(&mut self) {
        self.fresh = 0;
    }

    /// The window's steps every `step` song ticks (loop wraps included).
    fn steps(&mut self, step: u64, w: Window<'_>) -> &[Step] {
        let i = match self.grids.iter().take(self.fresh).position(|g| g.0 == step) {
            Some(i) => i,
            None => {
                if self.fresh == self.grids.len() {
                    self.grids.push((step, Vec::new()));
                }
                let i = self.fresh;
                self.fresh += 1;
                let Some((s, steps)) = self.grids.get_mut(i) else { return &[] };
                *s = step;
                steps.clear();
                w.cursor.pieces(w.lo, w.hi, |piece| {
                    let mut song = piece.song_lo.div_ceil(step) * step;
                    while song < piece.song_hi {
                        let play = piece.play + (song - piece.song_lo);
                        steps.push((play, song, w.tempo.time_of(play)));
                        song += step;
                    }
                });
                i
            }
        };
        self.grids.get(i).map_or(&[], |g| g.1.as_slice())
    }
}

/// Where a lane's window goes: generated notes to `made` (their offs to
/// `pending`), written note-offs it did not hold to `out`.
pub(super) struct Sinks<'a> {
    pub out: &'a mut Vec<NoteEvent>,
    pub made: &'a mut Vec<NoteEvent>,
    pub pending: &'a mut Vec<PendingOff>,
}

impl ArpLane {
    /// Replaces the lane's written notes of the window by its arpeggio
    /// steps, grooved. `key` is the instrument's key (diatonic chords).
    pub fn arpeggiate(&mut self, w: Window<'_>, grids: &mut Grids, key: Key, sinks: Sinks<'_>) {
        if self.input.is_empty() && self.state.is_idle() {
            return;
        }
        let (s, id, step) = (self.arp, self.id, self.step);
        let (chord, chords) = (self.chord, &mut self.chords);
        let mut tones = |pitch| chord.map_or(ChordTones::single(pitch), |c| chords.tones(c, pitch, key));
        let spt = groove::secs_per_tick(w.tempo);
        let mut next = self.input.iter().peekable();
        for &(play, song, time) in grids.steps(step, w) {
            while let Some(e) = next.next_if(|e| e.time <= time) {
                sinks.out.extend(feed(&mut self.state, e, s.latch, &mut tones));
            }
            let Some((held, pitch)) = self.state.next(&s, id, song) else { continue };
            // Alternate keys so that a step's note-off can never end the
            // next step's note (gate 1: they meet).
            let key = NoteKey { tone: 0x80 | u8::from(song / step % 2 == 1), ..held.key };
            let mut on = NoteEvent {
                time,
                kind: NoteEventKind::On,
                instrument: id,
                pitch,
                velocity: held.velocity,
                key,
                audio: None,
            };
            let off_tick = play as f64 + f64::from(s.gate) * step as f64;
            let mut off_time = w.tempo.time_of_fractional(off_tick);
            let mut secs = 0.0;
            if let Some(g) = &self.groove {
                let m = groove::groove_move(g, id, &key, song, on.velocity, spt);
                on.time += m.secs;
                on.velocity = m.velocity;
                off_time += m.secs;
                secs = m.secs;
            }
            sinks.made.push(on);
            sinks.pending.push(PendingOff { off: NoteEvent { time: off_time, kind: NoteEventKind::Off, ..on }, secs });
        }
        for e in next {
            sinks.out.extend(feed(&mut self.state, e, s.latch, &mut tones));
        }
        self.input.clear();
    }
}

/// Chord tones by pitch, for the key they were made in.
#[derive(Debug, Clone, Default)]
struct ChordCache {
    key: Option<Key>,
    tones: Vec<Option<ChordTones>>,
}

impl ChordCache {
    fn tones(&mut self, chord: ChordSettings, pitch: u8, key: Key) -> ChordTones {
        if self.key != Some(key) {
            self.key = Some(key);
            self.tones.clear();
            self.tones.resize(128, None);
        }
        let slot = self.tones.get_mut(usize::from(pitch));
        match slot {
            Some(Some(t)) => *t,
            Some(empty) => *empty.insert(chord.chord_tones(pitch, key)),
            None => chord.chord_tones(pitch, key),
        }
    }
}

/// Feeds a written note, as its chord's tones, to the arpeggiator. A
/// note-off it did not hold (a note that started before the arpeggiator
/// was on) passes through.
fn feed(
    state: &mut ArpState,
    e: &NoteEvent,
    latch: bool,
    tones: &mut impl FnMut(u8) -> ChordTones,
) -> Option<NoteEvent> {
    match e.kind {
        NoteEventKind::On => {
            let tones = tones(e.pitch);
            state.note_on(Held { key: e.key, pitch: e.pitch, velocity: e.velocity, order: 0 }, tones, latch);
            None
        }
        NoteEventKind::Off => (!state.note_off(&e.key, latch)).then_some(*e),
    }
}
