//! Markov melodies: a 12 × 12 table of weights from one pitch class to the
//! next (0 = C). The melody starts on the key's root; each step is a rest
//! with probability `rest` %, else the next pitch class drawn from the
//! current one's row (weighted), lasting one of `lengths` steps. A weight
//! of zero is never taken; a row of zeros ends the melody (the rest of the
//! clip is silent). Pitches are in the octave of the generator's base.

use serde::{Deserialize, Serialize};

use super::{Generator, MAX_STEPS, StepEvents, StepNote, roll};
use crate::tuning::Key;

/// Most entries of the duration list, and the longest duration in steps.
pub const MAX_LENGTHS: usize = 8;
pub const MAX_DURATION: u8 = 16;

/// A Markov melody's parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Markov {
    /// `table[from][to]`: weight of going from pitch class `from` to `to`.
    pub table: [[u8; 12]; 12],
    /// Percent chance (0..=100) that a step is a rest.
    pub rest: u8,
    /// Durations in steps (1..=[`MAX_DURATION`]), one picked per note.
    pub lengths: Vec<u8>,
    /// Length of the melody in steps (1..=[`MAX_STEPS`]).
    pub steps: u16,
}

impl Default for Markov {
    fn default() -> Self {
        Markov::in_key(Key::default())
    }
}

impl Markov {
    /// Steps within `key`'s scale: from each scale pitch to the next and
    /// previous degree (weight 3), two degrees away (2) and itself (1).
    pub fn in_key(key: Key) -> Self {
        let steps = key.scale.steps();
        let n = steps.len();
        let mut table = [[0u8; 12]; 12];
        for (i, s) in steps.iter().enumerate() {
            let from = usize::from((s + key.root) % 12);
            let pc = |d: usize| usize::from((steps[d % n] + key.root) % 12);
            if let Some(row) = table.get_mut(from) {
                for (d, w) in [(i + 1, 3), (i + n - 1, 3), (i + 2, 2), (i + n - 2, 2), (i, 1)] {
                    if let Some(cell) = row.get_mut(pc(d)) {
                        *cell = (*cell).max(w);
                    }
                }
            }
        }
        Markov { table, rest: 10, lengths: vec![1, 1, 2], steps: 16 }
    }

    pub(super) fn check(&self) -> Result<(), String> {
        if self.rest > 100 {
            return Err("rest must be 0..=100 %".to_owned());
        }
        if self.lengths.is_empty()
            || self.lengths.len() > MAX_LENGTHS
            || self.lengths.iter().any(|l| !(1..=MAX_DURATION).contains(l))
        {
            return Err(format!("1..={MAX_LENGTHS} durations, each 1..={MAX_DURATION} steps"));
        }
        if !(1..=MAX_STEPS).contains(&u32::from(self.steps)) {
            return Err(format!("length must be 1..={MAX_STEPS} steps"));
        }
        Ok(())
    }

    /// The pitch class after `from`, drawn with `r`; `None` when the row
    /// is all zeros.
    pub fn next(&self, from: u8, r: u64) -> Option<u8> {
        let row = self.table.get(usize::from(from % 12))?;
        let total: u64 = row.iter().map(|w| u64::from(*w)).sum();
        if total == 0 {
            return None;
        }
        let mut pick = r % total;
        for (pc, w) in (0u8..).zip(row) {
            let w = u64::from(*w);
            if pick < w {
                return Some(pc);
            }
            pick -= w;
        }
        None
    }

    /// The pitch classes played, in order (rests left out).
    pub fn pitch_classes(&self, g: &Generator) -> Vec<u8> {
        self.events(g).notes.iter().map(|n| n.pitch % 12).collect()
    }

    pub(super) fn events(&self, g: &Generator) -> StepEvents {
        let total = u32::from(self.steps);
        let octave = g.base / 12 * 12;
        let mut notes = Vec::new();
        let mut current: Option<u8> = None;
        let mut step = 0u32;
        while step < total {
            let s = u64::from(step);
            if roll(g.seed, s, 1) % 100 < u64::from(self.rest) {
                step += 1;
                continue;
            }
            let pc = match current {
                None => g.key.root % 12,
                Some(from) => match self.next(from, roll(g.seed, s, 2)) {
                    Some(pc) => pc,
                    None => break,
                },
            };
            current = Some(pc);
            let choices = u64::try_from(self.lengths.len()).unwrap_or(1).max(1);
            let pick = usize::try_from(roll(g.seed, s, 3) % choices).unwrap_or(0);
            let steps = u32::from(self.lengths.get(pick).copied().unwrap_or(1).max(1)).min(total - step);
            notes.push(StepNote { step, steps, pitch: (octave + pc).min(127) });
            step += steps;
        }
        StepEvents { steps: total, notes }
    }

    pub(super) fn summary(&self) -> String {
        let lengths: Vec<String> = self.lengths.iter().map(u8::to_string).collect();
        format!("markov {} steps rest {}% dur {}", self.steps, self.rest, lengths.join(","))
    }
}
