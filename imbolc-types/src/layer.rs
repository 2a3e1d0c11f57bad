//! Layers: an instrument linked to a lead instrument plays every note the
//! lead plays (sequenced or live), shifted by an offset in semitones and
//! with its velocity scaled. The link is stored on the layer instrument
//! ([`crate::InstrumentDef::layer`]); the layer keeps its own strip, so
//! its own level in the mixer.
//!
//! One level only: a lead is never itself a layer, and a layer has no
//! layers of its own (so a note never loops through links).

use serde::{Deserialize, Serialize};

use crate::ids::InstrumentId;

/// Offset range of a layer, in semitones (four octaves either way).
pub const LAYER_SEMITONES: (i8, i8) = (-48, 48);
/// Velocity scale range of a layer.
pub const LAYER_VELOCITY: (f32, f32) = (0.0, 2.0);
/// Most layers one lead may have.
pub const MAX_LAYERS: usize = 8;

/// How an instrument follows its lead.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LayerLink {
    /// The instrument whose notes this one doubles.
    pub lead: InstrumentId,
    /// Semitones added to each note (octaves are 12).
    #[serde(default)]
    pub semitones: i8,
    /// Factor on each note's velocity.
    #[serde(default = "one")]
    pub velocity: f32,
}

fn one() -> f32 {
    1.0
}

impl LayerLink {
    /// A layer of `lead` in unison at the lead's velocity.
    pub fn new(lead: InstrumentId) -> Self {
        LayerLink { lead, semitones: 0, velocity: 1.0 }
    }

    pub fn is_valid(&self) -> bool {
        (LAYER_SEMITONES.0..=LAYER_SEMITONES.1).contains(&self.semitones)
            && (LAYER_VELOCITY.0..=LAYER_VELOCITY.1).contains(&self.velocity)
    }

    /// The layer's pitch for the lead's `pitch` (`None` outside 0..=127:
    /// the layer does not play that note).
    pub fn pitch(&self, pitch: u8) -> Option<u8> {
        let p = i16::from(pitch) + i16::from(self.semitones);
        u8::try_from(p).ok().filter(|p| *p <= 127)
    }

    /// The layer's velocity for the lead's `velocity` (1..=127: a layer
    /// that plays is never silent by rounding; scale 0 still plays at 1).
    pub fn velocity(&self, velocity: u8) -> u8 {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let v = (f32::from(velocity) * self.velocity).round().clamp(1.0, 127.0) as u8;
        v
    }

    /// Short label for the instrument list: `+12 ×0.80`.
    pub fn label(&self) -> String {
        format!("{:+} ×{:.2}", self.semitones, self.velocity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pitch_and_velocity_follow_the_link_and_stay_in_range() {
        let l = LayerLink { lead: InstrumentId(1), semitones: 12, velocity: 0.5 };
        assert_eq!(l.pitch(60), Some(72));
        assert_eq!(l.pitch(120), None);
        assert_eq!(LayerLink { semitones: -12, ..l }.pitch(5), None);
        assert_eq!(l.velocity(100), 50);
        assert_eq!(l.velocity(1), 1);
        assert_eq!(LayerLink { velocity: 2.0, ..l }.velocity(100), 127);
        assert!(l.is_valid());
        assert!(!LayerLink { semitones: 60, ..l }.is_valid());
        assert!(!LayerLink { velocity: f32::NAN, ..l }.is_valid());
        assert_eq!(l.label(), "+12 ×0.50");
    }
}
