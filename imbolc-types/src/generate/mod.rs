//! Generative patterns: a [`Generator`] attached to a clip writes that
//! clip's notes. Three algorithms, each in its own file: [`euclid`]
//! (pulses spread evenly over steps), [`markov`] (a pitch-class transition
//! table) and [`lsystem`] (a rewritten string read as notes).
//!
//! The output ([`Generator::render`]) is a pure function of the generator:
//! its parameters, its own key and its seed (hashed with
//! `splitmix64`, never the clock), so the same generator writes the same
//! notes in every session, play and render. Every size is bounded (steps,
//! iterations, symbols) so no parameter can make it grow without limit.

pub mod euclid;
pub mod lsystem;
pub mod markov;

use serde::{Deserialize, Serialize};

pub use euclid::{Euclid, EuclidPitch};
pub use lsystem::LSystem;
pub use markov::Markov;

use crate::notes::{Note, Tick};
use crate::tuning::Key;

/// Shortest and longest step, in ticks (1/128 note to a whole note).
pub const STEP_RANGE: (Tick, Tick) = (15, 1920);
/// Most steps any generator writes (its clip is at most this many steps).
pub const MAX_STEPS: u32 = 512;

/// Which algorithm, with its own parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Algorithm {
    Euclid(Euclid),
    Markov(Markov),
    LSystem(LSystem),
}

impl Algorithm {
    /// `euclid`, `markov`, `lsystem`.
    pub fn name(&self) -> &'static str {
        match self {
            Algorithm::Euclid(_) => "euclid",
            Algorithm::Markov(_) => "markov",
            Algorithm::LSystem(_) => "lsystem",
        }
    }
}

/// A clip's generator: the algorithm and what every algorithm shares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generator {
    pub algorithm: Algorithm,
    /// The key "in scale" means (taken from the instrument when attached).
    #[serde(default)]
    pub key: Key,
    /// The fixed pitch, and the octave scale degrees count from.
    pub base: u8,
    /// Length of one step in ticks ([`STEP_RANGE`]).
    pub step: Tick,
    /// Velocity of every note, 1..=127.
    pub velocity: u8,
    /// Percent of a step (or duration) a note sounds, 10..=100.
    pub gate: u8,
    pub seed: u64,
}

impl Generator {
    /// A generator with `algorithm`'s defaults in `key`: from C4 (the
    /// key's root in octave 4), 1/16 steps, velocity 100, gate 90 %, seed 1.
    pub fn new(algorithm: Algorithm, key: Key) -> Self {
        Generator { algorithm, key, base: 60 + key.root % 12, step: 120, velocity: 100, gate: 90, seed: 1 }
    }

    /// The next algorithm (euclid, markov, lsystem, then `None`), with its
    /// defaults; the shared settings stay.
    pub fn cycled(current: Option<&Generator>, key: Key) -> Option<Generator> {
        let next = match current.map(|g| &g.algorithm) {
            None => Algorithm::Euclid(Euclid::default()),
            Some(Algorithm::Euclid(_)) => Algorithm::Markov(Markov::in_key(key)),
            Some(Algorithm::Markov(_)) => Algorithm::LSystem(LSystem::default()),
            Some(Algorithm::LSystem(_)) => return None,
        };
        Some(match current {
            Some(g) => Generator { algorithm: next, ..g.clone() },
            None => Generator::new(next, key),
        })
    }

    /// Whether every parameter is in range; the message names the first
    /// one that is not.
    ///
    /// # Errors
    /// A message naming the parameter and its range.
    pub fn check(&self) -> Result<(), String> {
        if !(STEP_RANGE.0..=STEP_RANGE.1).contains(&self.step) {
            return Err(format!("step must be {}..={} ticks", STEP_RANGE.0, STEP_RANGE.1));
        }
        if !(1..=127).contains(&self.velocity) || self.base > 127 || !self.key.is_valid() {
            return Err("velocity must be 1..=127, base 0..=127".to_owned());
        }
        if !(10..=100).contains(&self.gate) {
            return Err("gate must be 10..=100 %".to_owned());
        }
        match &self.algorithm {
            Algorithm::Euclid(e) => e.check(),
            Algorithm::Markov(m) => m.check(),
            Algorithm::LSystem(l) => l.check(),
        }
    }

    /// The clip length and the notes (sorted by start, then pitch): what
    /// the generator's clip holds. At most [`MAX_STEPS`] steps.
    pub fn render(&self) -> (Tick, Vec<Note>) {
        let events = match &self.algorithm {
            Algorithm::Euclid(e) => e.events(self),
            Algorithm::Markov(m) => m.events(self),
            Algorithm::LSystem(l) => l.events(self),
        };
        let steps = events.steps.clamp(1, MAX_STEPS);
        let mut notes: Vec<Note> = events
            .notes
            .iter()
            .filter(|e| e.step < steps)
            .map(|e| {
                let span = e.steps.clamp(1, steps - e.step) * self.step;
                let length = (span * u32::from(self.gate) / 100).max(1);
                Note::new(e.pitch.min(127), self.velocity, e.step * self.step, length)
            })
            .collect();
        notes.sort_by_key(|n| (n.start, n.pitch));
        (steps * self.step, notes)
    }

    /// One line: `euclid 5/16 rot 2 walk · C major · base 60 · 1/16 steps · seed 1`.
    pub fn summary(&self) -> String {
        let what = match &self.algorithm {
            Algorithm::Euclid(e) => e.summary(),
            Algorithm::Markov(m) => m.summary(),
            Algorithm::LSystem(l) => l.summary(),
        };
        format!(
            "{what} · {} · base {} · step {} · vel {} · gate {}% · seed {}",
            self.key.name(),
            self.base,
            self.step,
            self.velocity,
            self.gate,
            self.seed
        )
    }
}

/// A generator clip as it was: what undoing a generator change puts back
/// exactly (the generator, if any, and the clip's length, looping and
/// notes with their ids).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeneratedClip {
    pub clip: crate::ids::ClipId,
    pub generator: Option<Generator>,
    pub length: Tick,
    pub looping: bool,
    pub notes: Vec<(crate::ids::NoteId, Note)>,
}

/// A note an algorithm writes, in steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepNote {
    pub step: u32,
    /// Duration in steps (at least one).
    pub steps: u32,
    pub pitch: u8,
}

/// What an algorithm writes: its length in steps and its notes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepEvents {
    pub steps: u32,
    pub notes: Vec<StepNote>,
}

/// A stable hash of the seed and up to three numbers: the only source of
/// chance in generators.
pub fn roll(seed: u64, a: u64, b: u64) -> u64 {
    use crate::drums::splitmix64;
    splitmix64(seed ^ splitmix64(a ^ splitmix64(b.wrapping_add(0x5eed))))
}

#[cfg(test)]
mod tests;
