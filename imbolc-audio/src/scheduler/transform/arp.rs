//! The arpeggiator: which held notes sound, and which one each step plays.
//!
//! Steps fall on the song-tick grid of the rate (every multiple of the
//! step length, loop wraps included), timed by the tempo map like any
//! note. The pattern restarts at the first step after a note is added to
//! the held set, so an up arpeggio of a new chord starts on its lowest
//! note. The random mode picks with a hash of the seed, the instrument and
//! the step's song tick, so a render and live play choose alike.

use imbolc_types::InstrumentId;
use imbolc_types::transform::{ArpMode, ArpSettings, stable_hash};

use crate::scheduler::event::NoteKey;

/// A note the arpeggiator holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Held {
    pub key: NoteKey,
    pub pitch: u8,
    pub velocity: u8,
    /// Start order (for as-played).
    pub order: u64,
}

/// One instrument's arpeggiator state.
#[derive(Debug, Clone, Default)]
pub(super) struct ArpState {
    /// Notes whose key is down.
    down: Vec<Held>,
    /// Notes the arpeggio plays (`down`, or the latched ones).
    playing: Vec<Held>,
    /// A note was added since the last step: the pattern restarts.
    restart: bool,
    /// Steps played since the pattern (re)started.
    step: u64,
    order: u64,
}

impl ArpState {
    pub fn note_on(&mut self, h: Held, latch: bool) {
        if latch && self.down.is_empty() {
            self.playing.clear();
        }
        let h = Held { order: self.order, ..h };
        self.order += 1;
        self.down.push(h);
        self.playing.retain(|p| p.key != h.key);
        self.playing.push(h);
        self.restart = true;
    }

    /// Releases `key`; false when it was not held.
    pub fn note_off(&mut self, key: &NoteKey, latch: bool) -> bool {
        let before = self.down.len();
        self.down.retain(|h| h.key != *key);
        if !latch {
            self.playing.retain(|h| h.key != *key);
        }
        self.down.len() != before
    }

    /// Nothing held or latched: steps play nothing.
    pub fn is_idle(&self) -> bool {
        self.playing.is_empty() && self.down.is_empty()
    }

    /// Forgets everything (stop).
    pub fn clear(&mut self) {
        *self = ArpState::default();
    }

    /// The note of the next step at song tick `song`: (held note, pitch),
    /// or `None` when nothing is held.
    pub fn next(&mut self, s: &ArpSettings, instrument: InstrumentId, song: u64) -> Option<(Held, u8)> {
        if self.playing.is_empty() {
            return None;
        }
        if std::mem::take(&mut self.restart) {
            self.step = 0;
        }
        let pattern = pattern(&self.playing, s.mode, s.octaves);
        let n = u64::try_from(pattern.len()).ok()?.max(1);
        let i = match s.mode {
            ArpMode::Random => stable_hash(s.seed, &[u64::from(instrument.0), song]) % n,
            _ => self.step % n,
        };
        self.step += 1;
        pattern.get(usize::try_from(i).ok()?).copied()
    }
}

/// The notes of one cycle of the pattern: held notes ordered for `mode`,
/// repeated an octave up `octaves − 1` times (pitches past 127 left out).
pub(super) fn pattern(held: &[Held], mode: ArpMode, octaves: u8) -> Vec<(Held, u8)> {
    let mut notes: Vec<Held> = held.to_vec();
    match mode {
        ArpMode::AsPlayed => notes.sort_by_key(|h| h.order),
        _ => notes.sort_by_key(|h| (h.pitch, h.order)),
    }
    let mut up: Vec<(Held, u8)> = Vec::with_capacity(notes.len() * usize::from(octaves.max(1)));
    for o in 0..octaves.max(1) {
        for h in &notes {
            if let Some(p) = h.pitch.checked_add(12 * o).filter(|p| *p <= 127) {
                up.push((*h, p));
            }
        }
    }
    match mode {
        ArpMode::Down => {
            up.reverse();
            up
        }
        ArpMode::UpDown if up.len() > 2 => {
            let back: Vec<(Held, u8)> = up[1..up.len() - 1].iter().rev().copied().collect();
            up.extend(back);
            up
        }
        _ => up,
    }
}
