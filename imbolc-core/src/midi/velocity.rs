//! [`VelocityCurve`]: how hard a key must be struck for a given loudness,
//! chosen per input (keyboards differ).

use serde::{Deserialize, Serialize};

/// Maps an incoming MIDI velocity (1..=127) to the one played.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VelocityCurve {
    /// As played.
    #[default]
    Linear,
    /// Loud with little force (square root): for stiff keyboards.
    Soft,
    /// Needs more force for the same level (square): for light keyboards.
    Hard,
    /// Every note at this velocity (1..=127), whatever the touch.
    Fixed(u8),
}

impl VelocityCurve {
    /// The velocity to play for an incoming one; always 1..=127.
    pub fn apply(self, velocity: u8) -> u8 {
        let v = velocity.clamp(1, 127);
        let x = f32::from(v) / 127.0;
        let shaped = match self {
            VelocityCurve::Linear => return v,
            VelocityCurve::Fixed(f) => return f.clamp(1, 127),
            VelocityCurve::Soft => x.sqrt(),
            VelocityCurve::Hard => x * x,
        };
        (shaped * 127.0).round().clamp(1.0, 127.0) as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curves_keep_the_ends_and_bend_the_middle() {
        for curve in [VelocityCurve::Linear, VelocityCurve::Soft, VelocityCurve::Hard] {
            assert_eq!(curve.apply(127), 127);
            assert!(curve.apply(1) >= 1);
            let mut last = 0;
            for v in 1..=127 {
                let out = curve.apply(v);
                assert!(out >= last, "{curve:?} is monotonic");
                last = out;
            }
        }
        assert!(VelocityCurve::Soft.apply(64) > 64);
        assert!(VelocityCurve::Hard.apply(64) < 64);
        assert_eq!(VelocityCurve::Fixed(100).apply(3), 100);
        assert_eq!(VelocityCurve::Fixed(0).apply(3), 1);
        assert_eq!(VelocityCurve::Linear.apply(0), 1);
    }
}
