//! Automation lanes: a breakpoint curve of values over time for one
//! [`ParamTarget`]. Each segment, from a point to the next, has a
//! [`Curve`] (linear unless set).

use std::collections::BTreeMap;
use std::ops::Bound;

use serde::{Deserialize, Serialize};

use crate::curve::Curve;
use crate::ids::LaneId;
use crate::notes::Tick;
use crate::param::ParamTarget;

/// One lane of automation. Points are keyed by tick, so there is at most one
/// value per tick and they are always in time order.
///
/// Invariant (kept by dispatch): every key of `curves` is a key of
/// `points`, and no curve is [`Curve::Linear`] (absent means linear), so
/// equal lanes compare equal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutomationLane {
    pub id: LaneId,
    pub target: ParamTarget,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub points: BTreeMap<Tick, f32>,
    /// The curve of the segment starting at each point; absent = linear.
    #[serde(default)]
    pub curves: BTreeMap<Tick, Curve>,
}

fn yes() -> bool {
    true
}

impl AutomationLane {
    /// An enabled lane with no points.
    pub fn new(id: LaneId, target: ParamTarget) -> Self {
        AutomationLane { id, target, enabled: true, points: BTreeMap::new(), curves: BTreeMap::new() }
    }

    /// The curve of the segment starting at `tick`.
    pub fn curve_at(&self, tick: Tick) -> Curve {
        self.curves.get(&tick).copied().unwrap_or_default()
    }

    /// The lane's value at song tick `tick` (fractional, for smooth
    /// playback): the first point's value before it, the last point's
    /// after it, the segment's curve in between. `None` without points.
    pub fn value_at(&self, tick: f64) -> Option<f32> {
        let ((lo, a), upper) = self.segment_at(tick)?;
        let Some((hi, b)) = upper else { return Some(a) };
        if tick <= f64::from(lo) {
            return Some(a);
        }
        let x = (tick - f64::from(lo)) / f64::from(hi - lo);
        Some(self.curve_at(lo).interpolate(a, b, x))
    }

    /// The point at or before `tick` (or the first point, when `tick` is
    /// before every point) and the point after it, if any.
    #[allow(clippy::type_complexity)]
    pub fn segment_at(&self, tick: f64) -> Option<((Tick, f32), Option<(Tick, f32)>)> {
        let floor = if tick <= 0.0 || tick.is_nan() {
            None
        } else if tick >= f64::from(Tick::MAX) {
            Some(Tick::MAX)
        } else {
            Some(tick.floor() as Tick)
        };
        let lower = floor.and_then(|f| self.points.range(..=f).next_back());
        match lower {
            Some((&lo, &a)) => {
                let upper = self.points.range((Bound::Excluded(lo), Bound::Unbounded)).next();
                Some(((lo, a), upper.map(|(&t, &v)| (t, v))))
            }
            // Before the first point: its value, flat.
            None => self.points.iter().next().map(|(&t, &v)| ((t, v), None)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::LaneId;

    fn lane(points: &[(Tick, f32)], curves: &[(Tick, Curve)]) -> AutomationLane {
        let mut l = AutomationLane::new(LaneId(0), ParamTarget::Tempo);
        l.points = points.iter().copied().collect();
        l.curves = curves.iter().copied().collect();
        l
    }

    #[test]
    fn values_hold_outside_the_points_and_follow_each_segment_inside() {
        let l = lane(&[(100, 1.0), (200, 3.0), (300, 3.0), (400, 1.0)], &[(300, Curve::Step)]);
        assert_eq!(l.value_at(0.0), Some(1.0));
        assert_eq!(l.value_at(100.0), Some(1.0));
        assert_eq!(l.value_at(150.0), Some(2.0));
        assert!((l.value_at(150.5).unwrap_or(0.0) - 2.01).abs() < 1e-6);
        assert_eq!(l.value_at(250.0), Some(3.0));
        assert_eq!(l.value_at(399.0), Some(3.0), "step holds");
        assert_eq!(l.value_at(400.0), Some(1.0), "then jumps");
        assert_eq!(l.value_at(1e12), Some(1.0));
        assert_eq!(lane(&[], &[]).value_at(5.0), None);
    }
}
