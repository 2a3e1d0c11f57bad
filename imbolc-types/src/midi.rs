//! MIDI CC mappings (MIDI learn): a controller on a channel drives one
//! [`ParamTarget`] between `min` and `max` along a curve.

use serde::{Deserialize, Serialize};

use crate::param::ParamTarget;

/// How the 0..=127 controller value is spread over `min..=max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum MidiCurve {
    #[default]
    Linear,
    /// Finer control at the low end (value²); suits frequencies and gains.
    Exponential,
    /// Finer control at the high end (√value).
    Logarithmic,
}

/// One controller mapped to one parameter. At most one mapping per
/// `(channel, cc)` pair in a project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MidiMapping {
    /// MIDI channel, 0..=15.
    pub channel: u8,
    /// Controller number, 0..=127.
    pub cc: u8,
    pub target: ParamTarget,
    pub min: f32,
    pub max: f32,
    #[serde(default)]
    pub curve: MidiCurve,
}

impl MidiMapping {
    /// The parameter value for a 7-bit controller value.
    pub fn value_for(&self, cc_value: u8) -> f32 {
        let x = f32::from(cc_value.min(127)) / 127.0;
        let shaped = match self.curve {
            MidiCurve::Linear => x,
            MidiCurve::Exponential => x * x,
            MidiCurve::Logarithmic => x.sqrt(),
        };
        self.min + (self.max - self.min) * shaped
    }
}
