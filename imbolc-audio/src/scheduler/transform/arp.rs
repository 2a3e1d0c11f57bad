//! The arpeggiator: which held notes sound, and which one each step plays.
//!
//! Steps fall on the song-tick grid of the rate (every multiple of the
//! step length, loop wraps included), timed by the tempo map like any
//! note. The pattern restarts at the first step after a note is added to
//! the held set, so an up arpeggio of a new chord starts on its lowest
//! note. The random mode picks with a hash of the seed, the instrument and
//! the step's song tick, so a render and live play choose alike.

use imbolc_types::InstrumentId;
use imbolc_types::transform::{ArpMode, ArpSettings, ChordTones, MAX_CHORD_TONES, stable_hash};

use std::collections::hash_map::Entry;

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
///
/// The notes are kept in pattern order as packed keys: a release drops its
/// tones from them, a press keeps its tones aside until the next step
/// inserts them (a busy part changes notes between most steps, and
/// inserting a few keys costs less than sorting them all again). They
/// are sorted from scratch only when the order itself changes (mode, or a
/// latch starting anew). The pattern itself is never built: a step's note
/// is found by index arithmetic over them.
#[derive(Debug, Clone, Default)]
pub(super) struct ArpState {
    /// Notes the arpeggio plays (keys down, or the latched ones), each
    /// with its chord's tones (the arpeggio plays every tone), and whether
    /// its key is down.
    notes: foldhash::HashMap<NoteKey, (Held, ChordTones, bool)>,
    /// How many keys are down.
    down: usize,
    /// The tones of `notes` in pattern order as keys (see [`Packing`]),
    /// when `ordered` says for which order, but for those in `added`.
    sorted: Vec<u64>,
    ordered: Option<bool>,
    /// Keys of tones pressed since the last step (for `ordered`'s order).
    added: Vec<u64>,
    /// A note was added since the last step: the pattern restarts.
    restart: bool,
    /// Steps played since the pattern (re)started.
    step: u64,
    order: u64,
}

impl ArpState {
    pub fn note_on(&mut self, h: Held, tones: ChordTones, latch: bool) {
        if latch && self.down == 0 {
            self.notes.clear();
            self.ordered = None;
        }
        let h = Held { order: self.order, ..h };
        self.order += 1;
        let old = self.notes.insert(h.key, (h, tones, true));
        if !old.is_some_and(|(_, _, down)| down) {
            self.down += 1;
        }
        if let Some(as_played) = self.ordered {
            let packing = Packing { as_played };
            if let Some((old, _, _)) = old {
                self.forget(packing, old.order);
            }
            self.added.extend(packing.keys(h.order, &tones));
        }
        self.restart = true;
    }

    /// Releases `key`; false when it was not held.
    pub fn note_off(&mut self, key: &NoteKey, latch: bool) -> bool {
        let Entry::Occupied(mut e) = self.notes.entry(*key) else { return false };
        if !e.get().2 {
            return false;
        }
        self.down -= 1;
        if latch {
            e.get_mut().2 = false;
        } else {
            let (h, _, _) = e.remove();
            if let Some(as_played) = self.ordered {
                self.forget(Packing { as_played }, h.order);
            }
        }
        true
    }

    /// Drops the tones of the note started `order`th from the pattern order.
    fn forget(&mut self, packing: Packing, order: u64) {
        let other = |k: &u64| packing.order(*k) / TONE_ORDERS != order;
        self.sorted.retain(other);
        self.added.retain(other);
    }

    /// Nothing held or latched: steps play nothing.
    pub fn is_idle(&self) -> bool {
        self.notes.is_empty()
    }

    /// Forgets everything (stop).
    pub fn clear(&mut self) {
        *self = ArpState::default();
    }

    /// The note of the next step at song tick `song`: (held note, pitch),
    /// or `None` when nothing is held.
    pub fn next(&mut self, s: &ArpSettings, instrument: InstrumentId, song: u64) -> Option<(Held, u8)> {
        if self.notes.is_empty() {
            return None;
        }
        if std::mem::take(&mut self.restart) {
            self.step = 0;
        }
        let packing = Packing { as_played: s.mode == ArpMode::AsPlayed };
        if self.ordered == Some(packing.as_played) {
            // Insertion: a few new keys into sorted ones.
            for k in self.added.drain(..) {
                let at = self.sorted.partition_point(|x| *x < k);
                self.sorted.insert(at, k);
            }
        } else {
            self.sorted.clear();
            for (h, tones, _) in self.notes.values() {
                self.sorted.extend(packing.keys(h.order, tones));
            }
            self.sorted.sort_unstable();
            self.added.clear();
            self.ordered = Some(packing.as_played);
        }
        let up = Up::new(&self.sorted, packing, s.octaves);
        let len = match s.mode {
            ArpMode::UpDown if up.len > 2 => 2 * up.len - 2,
            _ => up.len,
        };
        let n = u64::try_from(len).ok()?.max(1);
        let i = match s.mode {
            ArpMode::Random => stable_hash(s.seed, &[u64::from(instrument.0), song]) % n,
            _ => self.step % n,
        };
        self.step += 1;
        let i = usize::try_from(i).ok()?;
        if i >= len {
            return None;
        }
        let (order, pitch) = match s.mode {
            ArpMode::Down => up.get(up.len - 1 - i),
            ArpMode::UpDown if i >= up.len => up.get(len - i),
            _ => up.get(i),
        }?;
        let held = self.notes.values().map(|(h, _, _)| *h).find(|h| h.order == order / TONE_ORDERS)?;
        Some((held, pitch))
    }
}

/// Each held note's tones take this many consecutive start orders, in
/// pitch order (a chord played as its tones pressed lowest first).
const TONE_ORDERS: u64 = MAX_CHORD_TONES as u64;

/// A held tone as one sortable number: by pitch then start order, or (as
/// played) by start order. Start orders fit in 56 bits.
#[derive(Debug, Clone, Copy)]
struct Packing {
    as_played: bool,
}

impl Packing {
    const ORDER_MASK: u64 = (1 << 56) - 1;

    fn pack(self, pitch: u8, order: u64) -> u64 {
        let order = order & Self::ORDER_MASK;
        if self.as_played { order << 8 | u64::from(pitch) } else { u64::from(pitch) << 56 | order }
    }

    /// The keys of a note's tones (tone `i` has start order `order` ×
    /// [`TONE_ORDERS`] + `i`).
    fn keys(self, order: u64, tones: &ChordTones) -> impl Iterator<Item = u64> + '_ {
        tones.as_slice().iter().enumerate().map(move |(i, &p)| self.pack(p, order * TONE_ORDERS + i as u64))
    }

    fn pitch(self, k: u64) -> u8 {
        let byte = if self.as_played { k } else { k >> 56 };
        (byte & 0xFF) as u8
    }

    fn order(self, k: u64) -> u64 {
        if self.as_played { k >> 8 } else { k & Self::ORDER_MASK }
    }
}

/// The rising pattern: the notes, then each an octave up, up to
/// `octaves`, pitches past 127 left out.
struct Up<'a> {
    notes: &'a [u64],
    packing: Packing,
    octaves: u8,
    len: usize,
}

impl<'a> Up<'a> {
    fn new(notes: &'a [u64], packing: Packing, octaves: u8) -> Self {
        let mut up = Up { notes, packing, octaves: octaves.max(1), len: 0 };
        up.len = (0..up.octaves).map(|o| up.fitting(o)).sum();
        up
    }

    /// Highest pitch that still fits `o` octaves up.
    fn limit(o: u8) -> u8 {
        127u8.saturating_sub(12u8.saturating_mul(o))
    }

    /// How many notes fit `o` octaves up.
    fn fitting(&self, o: u8) -> usize {
        if 12 * u16::from(o) > 127 {
            return 0;
        }
        let (limit, p) = (Self::limit(o), self.packing);
        // Usually every note fits: by pitch order, the last one says so.
        if !p.as_played && self.notes.last().is_none_or(|k| p.pitch(*k) <= limit) {
            return self.notes.len();
        }
        if p.as_played {
            self.notes.iter().filter(|k| p.pitch(**k) <= limit).count()
        } else {
            self.notes.partition_point(|k| p.pitch(*k) <= limit)
        }
    }

    /// The `i`th note of the pattern: (start order, pitch).
    fn get(&self, mut i: usize) -> Option<(u64, u8)> {
        let p = self.packing;
        for o in 0..self.octaves {
            let fit = self.fitting(o);
            if i < fit {
                let limit = Self::limit(o);
                let k = if p.as_played {
                    self.notes.iter().filter(|k| p.pitch(**k) <= limit).nth(i)
                } else {
                    self.notes.get(i)
                }?;
                return Some((p.order(*k), p.pitch(*k) + 12 * o));
            }
            i -= fit;
        }
        None
    }
}

/// The notes of one cycle of the pattern, built whole: the model the
/// index arithmetic above is tested against.
#[cfg(test)]
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

#[cfg(test)]
mod tests {
    use imbolc_types::sync::Feel;
    use imbolc_types::{ClipId, NoteDivision, NoteId};
    use proptest::prelude::*;

    use super::*;

    fn key(k: u8) -> NoteKey {
        NoteKey { clip: ClipId(1), note: NoteId(u32::from(k)), placement: None, tone: 0 }
    }

    fn mode(m: u8) -> ArpMode {
        [ArpMode::Up, ArpMode::Down, ArpMode::UpDown, ArpMode::AsPlayed, ArpMode::Random][usize::from(m % 5)]
    }

    proptest! {
        /// After any presses and releases, every step plays the note the
        /// whole pattern (built and sorted as a list) has at that step.
        #[test]
        fn each_step_is_the_built_patterns_note(
            ops in prop::collection::vec((any::<bool>(), 0u8..12, 0u8..128), 0..40),
            m in 0u8..5,
            octaves in 1u8..=4,
            latch in any::<bool>(),
            steps in 1usize..12,
        ) {
            let s = ArpSettings {
                mode: mode(m),
                rate: NoteDivision::new(16, Feel::Straight).unwrap(),
                octaves,
                gate: 0.5,
                latch,
                seed: 7,
            };
            let mut state = ArpState::default();
            let mut model_step = 0u64;
            for (n, (on, k, pitch)) in ops.into_iter().enumerate() {
                if on {
                    state.note_on(Held { key: key(k), pitch, velocity: 100, order: 0 }, ChordTones::single(pitch), latch);
                    model_step = 0;
                } else {
                    state.note_off(&key(k), latch);
                }
                if n % 3 != 0 {
                    continue;
                }
                for song in 0..steps as u64 {
                    let held: Vec<Held> = state.notes.values().map(|(h, _, _)| *h).collect();
                    let whole = pattern(&held, s.mode, octaves);
                    let len = whole.len().max(1) as u64;
                    let i = match s.mode {
                        ArpMode::Random => stable_hash(s.seed, &[1, song * 120]) % len,
                        _ => model_step % len,
                    };
                    let want = if held.is_empty() { None } else { whole.get(i as usize).copied() };
                    if !held.is_empty() {
                        model_step += 1;
                    }
                    prop_assert_eq!(state.next(&s, InstrumentId(1), song * 120), want);
                }
            }
        }
    }
}
