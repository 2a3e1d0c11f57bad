//! Automation recording: [`AutomationRecorder`] collects the parameter
//! moves made while playing with automation-record armed, one take per
//! [`ParamTarget`], and [`thin`] reduces each take to the few points that
//! keep its shape before it is written to a lane.
//!
//! Pure: the session feeds it (see `Session::record_param`) and commits
//! the takes as one undo step (`Session::finish_take`).

use std::collections::{BTreeMap, HashMap};

use imbolc_types::{Action, LaneId, ParamTarget, Tick};

/// Tolerance of [`thin`] as a fraction of the parameter's range: a point
/// is dropped when a straight line between its kept neighbours passes
/// within this of it (0.5 %: far below what one hears on any control).
pub const THIN_TOLERANCE: f32 = 0.005;

/// The moves of one target during a take.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Take {
    /// Value by playhead tick (a later move at the same tick replaces an
    /// earlier one; after a loop wrap, the new pass merges with the old).
    pub points: BTreeMap<Tick, f32>,
    /// What undoing the take's start would do: put the parameter back as
    /// it was before the take (and resume a paused lane).
    pub restore: Vec<Action>,
    /// The enabled lane of the target, paused while the take is recorded.
    pub paused: Option<LaneId>,
}

/// The takes under way, by target.
#[derive(Debug, Clone, Default)]
pub struct AutomationRecorder {
    armed: bool,
    takes: HashMap<ParamTarget, Take>,
}

impl AutomationRecorder {
    pub fn is_armed(&self) -> bool {
        self.armed
    }

    pub fn arm(&mut self, armed: bool) {
        self.armed = armed;
    }

    /// Whether a take of `target` is under way.
    pub fn is_recording(&self, target: &ParamTarget) -> bool {
        self.takes.contains_key(target)
    }

    /// Whether any take holds points.
    pub fn has_takes(&self) -> bool {
        !self.takes.is_empty()
    }

    /// Starts the take of `target`: `restore` undoes what starting it did
    /// (the parameter's value, the pausing of lane `paused`).
    pub fn start(&mut self, target: ParamTarget, restore: Vec<Action>, paused: Option<LaneId>) {
        self.takes.entry(target).or_insert_with(|| Take { points: BTreeMap::new(), restore, paused });
    }

    /// Adds to `target`'s take (started with [`Self::start`]) its value
    /// at playhead `tick`; returns false when no take was started.
    pub fn record(&mut self, target: &ParamTarget, tick: Tick, value: f32) -> bool {
        match self.takes.get_mut(target) {
            Some(take) => {
                take.points.insert(tick, value);
                true
            }
            None => false,
        }
    }

    /// Ends every take and hands them over (in no particular order).
    pub fn take_all(&mut self) -> Vec<(ParamTarget, Take)> {
        self.takes.drain().collect()
    }
}

/// Ramer–Douglas–Peucker on `(tick, value)` points in tick order: keeps
/// the first and last point and, recursively, any point farther than
/// `tolerance` (in value units, measured vertically: a lane is read along
/// ticks) from the line between the points kept around it. So a straight
/// move becomes two points and a corner keeps its corner; every dropped
/// point lies within `tolerance` of the lane the kept ones draw.
pub fn thin(points: &[(Tick, f32)], tolerance: f32) -> Vec<(Tick, f32)> {
    if points.len() <= 2 {
        return points.to_vec();
    }
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    let mut stack = vec![(0, points.len() - 1)];
    while let Some((a, b)) = stack.pop() {
        let (ta, va) = points[a];
        let (tb, vb) = points[b];
        let mut worst = (0.0f32, 0);
        for (i, &(t, v)) in points.iter().enumerate().take(b).skip(a + 1) {
            let x = if tb == ta { 0.0 } else { f64::from(t - ta) / f64::from(tb - ta) };
            let line = f64::from(va) + (f64::from(vb) - f64::from(va)) * x;
            let d = (f64::from(v) - line).abs() as f32;
            if d > worst.0 {
                worst = (d, i);
            }
        }
        if worst.0 > tolerance {
            keep[worst.1] = true;
            stack.push((a, worst.1));
            stack.push((worst.1, b));
        }
    }
    points.iter().zip(keep).filter(|(_, k)| *k).map(|(p, _)| *p).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of the polyline through `kept` at `tick`.
    fn line_at(kept: &[(Tick, f32)], tick: Tick) -> f32 {
        let i = kept.partition_point(|(t, _)| *t <= tick);
        match (kept.get(i.wrapping_sub(1)), kept.get(i)) {
            (Some(&(ta, va)), Some(&(tb, vb))) => va + (vb - va) * (tick - ta) as f32 / (tb - ta) as f32,
            (Some(&(_, v)), None) | (None, Some(&(_, v))) => v,
            (None, None) => f32::NAN,
        }
    }

    #[test]
    fn a_straight_move_thins_to_its_ends() {
        let points: Vec<(Tick, f32)> = (0..500).map(|i| (i * 4, 100.0 + i as f32 * 2.0)).collect();
        assert_eq!(thin(&points, 1.0), vec![(0, 100.0), (1996, 1098.0)]);
    }

    #[test]
    fn a_curve_keeps_its_shape_within_the_tolerance_with_few_points() {
        // A sine-shaped move of a 0..1 control, sampled every 4 ticks.
        let points: Vec<(Tick, f32)> =
            (0..1000).map(|i| (i * 4, 0.5 + 0.5 * ((i as f32) * std::f32::consts::TAU / 500.0).sin())).collect();
        let kept = thin(&points, THIN_TOLERANCE);
        assert!(kept.len() < 80, "{} points kept of 1000", kept.len());
        assert!(kept.len() > 10, "the shape needs more than a few: {}", kept.len());
        for &(t, v) in &points {
            assert!((line_at(&kept, t) - v).abs() <= THIN_TOLERANCE + 1e-5, "off at {t}");
        }
        assert_eq!(kept.first(), points.first());
        assert_eq!(kept.last(), points.last());
    }

    #[test]
    fn a_corner_is_kept() {
        let points: Vec<(Tick, f32)> =
            (0..=200).map(|i| (i, if i <= 100 { i as f32 } else { 200.0 - i as f32 })).collect();
        assert_eq!(thin(&points, 0.1), vec![(0, 0.0), (100, 100.0), (200, 0.0)]);
    }

    #[test]
    fn short_takes_are_kept_whole() {
        assert_eq!(thin(&[], 1.0), vec![]);
        assert_eq!(thin(&[(5, 1.0)], 1.0), vec![(5, 1.0)]);
    }
}
