//! [`Curve`]: how an automation lane moves from one point to the next.

use serde::{Deserialize, Serialize};

/// The shape of one automation segment, from its start point to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Curve {
    /// A straight line (the default; a segment with no curve is linear).
    #[default]
    Linear,
    /// Constant ratio per tick (`a · (b/a)^x`): even steps on a log scale,
    /// right for frequencies and gains. Needs both ends above zero; a
    /// segment touching zero or a negative value falls back to linear.
    Exponential,
    /// Holds the start value until the next point, then jumps.
    Step,
    /// Eases in and out (half a cosine): no corner at either end.
    Smooth,
}

impl Curve {
    /// All curves, in the order a UI cycles through them.
    pub const ALL: [Curve; 4] = [Curve::Linear, Curve::Exponential, Curve::Step, Curve::Smooth];

    /// The value a fraction `x` (clamped to 0..=1) of the way from `a` to
    /// `b`. Exact at both ends (`Step` gives `a` until `x` reaches 1).
    pub fn interpolate(self, a: f32, b: f32, x: f64) -> f32 {
        let x = if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) };
        if x <= 0.0 {
            return a;
        }
        if x >= 1.0 {
            return b;
        }
        let (fa, fb) = (f64::from(a), f64::from(b));
        let v = match self {
            Curve::Linear => fa + (fb - fa) * x,
            Curve::Exponential if a > 0.0 && b > 0.0 => fa * (fb / fa).powf(x),
            Curve::Exponential => fa + (fb - fa) * x,
            Curve::Step => fa,
            Curve::Smooth => fa + (fb - fa) * (1.0 - (std::f64::consts::PI * x).cos()) / 2.0,
        };
        v as f32
    }

    /// Whether the segment from `a` to `b` changes value anywhere inside.
    pub fn is_flat(self, a: f32, b: f32) -> bool {
        self == Curve::Step || a == b
    }

    /// A short name for lane editors.
    pub fn label(self) -> &'static str {
        match self {
            Curve::Linear => "linear",
            Curve::Exponential => "exponential",
            Curve::Step => "step",
            Curve::Smooth => "smooth",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_curve_meets_both_ends() {
        for c in Curve::ALL {
            assert_eq!(c.interpolate(200.0, 5000.0, 0.0), 200.0, "{c:?}");
            assert_eq!(c.interpolate(200.0, 5000.0, 1.0), 5000.0, "{c:?}");
            assert_eq!(c.interpolate(200.0, 5000.0, -3.0), 200.0, "{c:?}");
            assert_eq!(c.interpolate(200.0, 5000.0, 7.0), 5000.0, "{c:?}");
        }
    }

    #[test]
    fn midpoints_have_each_shape() {
        let mid = |c: Curve| c.interpolate(100.0, 400.0, 0.5);
        assert_eq!(mid(Curve::Linear), 250.0);
        assert!((mid(Curve::Exponential) - 200.0).abs() < 1e-3, "geometric mean");
        assert_eq!(mid(Curve::Step), 100.0);
        assert!((mid(Curve::Smooth) - 250.0).abs() < 1e-3, "symmetric");
        assert!(Curve::Smooth.interpolate(100.0, 400.0, 0.1) < Curve::Linear.interpolate(100.0, 400.0, 0.1));
    }

    #[test]
    fn exponential_needs_positive_ends_and_falls_back_to_linear() {
        assert_eq!(Curve::Exponential.interpolate(0.0, 1.0, 0.25), 0.25);
        assert_eq!(Curve::Exponential.interpolate(-1.0, 1.0, 0.5), 0.0);
    }

    #[test]
    fn every_curve_is_monotonic_between_its_ends() {
        for c in Curve::ALL {
            let mut last = f32::MIN;
            for i in 0..=100 {
                let v = c.interpolate(200.0, 5000.0, f64::from(i) / 100.0);
                assert!(v >= last, "{c:?} went down at {i}");
                last = v;
            }
        }
    }
}
