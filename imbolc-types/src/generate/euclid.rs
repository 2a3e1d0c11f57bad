//! Euclidean rhythms: `pulses` onsets spread as evenly as possible over
//! `steps` (the gaps between onsets differ by at most one step), rotated
//! left by `rotation` steps. Onset `i` of the unrotated pattern is at the
//! steps where `i * pulses mod steps < pulses` (the line-drawing form of
//! Bjorklund's result).

use serde::{Deserialize, Serialize};

use super::{Generator, StepEvents, StepNote, roll};

/// Most steps of a Euclidean pattern.
pub const MAX_EUCLID_STEPS: u8 = 64;

/// What pitch each pulse plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum EuclidPitch {
    /// Every pulse plays the generator's base pitch.
    #[default]
    Fixed,
    /// Pulse `n` plays scale degree `n` (wrapping after an octave).
    Walk,
    /// Each pulse plays a degree of the scale within an octave, picked by
    /// a hash of the seed and the pulse.
    Random,
}

impl EuclidPitch {
    pub fn name(self) -> &'static str {
        match self {
            EuclidPitch::Fixed => "fixed",
            EuclidPitch::Walk => "walk",
            EuclidPitch::Random => "random",
        }
    }
}

/// A Euclidean rhythm's parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Euclid {
    pub pulses: u8,
    /// 1..=[`MAX_EUCLID_STEPS`].
    pub steps: u8,
    /// Below `steps`.
    pub rotation: u8,
    pub pitch: EuclidPitch,
}

impl Default for Euclid {
    /// The tresillo-like 5 of 16.
    fn default() -> Self {
        Euclid { pulses: 5, steps: 16, rotation: 0, pitch: EuclidPitch::Fixed }
    }
}

impl Euclid {
    pub(super) fn check(&self) -> Result<(), String> {
        if !(1..=MAX_EUCLID_STEPS).contains(&self.steps) {
            return Err(format!("steps must be 1..={MAX_EUCLID_STEPS}"));
        }
        if self.pulses > self.steps || self.rotation >= self.steps {
            return Err("pulses must be at most steps, rotation below steps".to_owned());
        }
        Ok(())
    }

    /// Which steps hold an onset.
    pub fn pattern(&self) -> Vec<bool> {
        let (k, n) = (u32::from(self.pulses), u32::from(self.steps.max(1)));
        let r = u32::from(self.rotation) % n;
        (0..n).map(|i| ((i + r) % n) * k % n < k).collect()
    }

    pub(super) fn events(&self, g: &Generator) -> StepEvents {
        let len = u64::try_from(g.key.scale.steps().len()).unwrap_or(12).max(1);
        let notes = self
            .pattern()
            .into_iter()
            .zip(0u32..)
            .filter(|(on, _)| *on)
            .zip(0u64..)
            .map(|((_, step), pulse)| {
                let degree = match self.pitch {
                    EuclidPitch::Fixed => None,
                    EuclidPitch::Walk => Some(pulse % len),
                    EuclidPitch::Random => Some(roll(g.seed, pulse, 0) % len),
                };
                let pitch = degree.map_or(g.base, |d| g.key.degree_pitch(g.base, i32::try_from(d).unwrap_or(0)));
                StepNote { step, steps: 1, pitch }
            })
            .collect();
        StepEvents { steps: u32::from(self.steps), notes }
    }

    pub(super) fn summary(&self) -> String {
        format!("euclid {}/{} rot {} {}", self.pulses, self.steps, self.rotation, self.pitch.name())
    }
}
