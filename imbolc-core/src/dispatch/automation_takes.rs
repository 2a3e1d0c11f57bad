//! Automation segment curves and recorded takes: `SetAutomationCurve` and
//! `ReplaceAutomationPoints` (a take replaces the points of a tick range
//! in one step, so undo takes it back at once).

use std::collections::BTreeMap;

use imbolc_types::{Action, AudioDiff, Curve, LaneId, Project, Tick};

use super::{Applied, DispatchError, Redraw};

const R: Redraw = Redraw::AUTOMATION;

/// Sets the curve of the segment starting at `tick` (a point must be there).
pub(super) fn set_curve(p: &mut Project, lane: LaneId, tick: Tick, curve: Curve) -> Result<Applied, DispatchError> {
    let l = p.automation.get_mut(&lane).ok_or(DispatchError::NoSuchLane(lane))?;
    if !l.points.contains_key(&tick) {
        return Err(DispatchError::NoSuchPoint { lane, tick });
    }
    let old = match curve {
        Curve::Linear => l.curves.remove(&tick),
        other => l.curves.insert(tick, other),
    }
    .unwrap_or_default();
    let diff = AudioDiff::AutomationCurveSet { lane, tick, curve };
    Ok(Applied::one(Action::SetAutomationCurve { lane, tick, curve: old }, Some(diff), R))
}

/// Replaces the points (and curves) of `lane` in `from..=to`. Diffs name
/// only the points and curves that differ, so a take costs its own size.
pub(super) fn replace_points(
    p: &mut Project,
    lane: LaneId,
    (from, to): (Tick, Tick),
    points: Vec<(Tick, f32)>,
    curves: Vec<(Tick, Curve)>,
) -> Result<Applied, DispatchError> {
    let target = p.automation.get(&lane).ok_or(DispatchError::NoSuchLane(lane))?.target.clone();
    if from > to {
        return Err(DispatchError::InvalidLength);
    }
    let new_points: BTreeMap<Tick, f32> = points.into_iter().collect();
    for (&tick, &value) in &new_points {
        if !(from..=to).contains(&tick) {
            return Err(DispatchError::NoSuchPoint { lane, tick });
        }
        super::automation::check_point(p, &target, value)?;
    }
    let new_curves: BTreeMap<Tick, Curve> = curves.into_iter().filter(|(_, c)| *c != Curve::Linear).collect();
    if let Some(&tick) = new_curves.keys().find(|t| !new_points.contains_key(t)) {
        return Err(DispatchError::NoSuchPoint { lane, tick });
    }
    let l = p.automation.get_mut(&lane).ok_or(DispatchError::NoSuchLane(lane))?;
    let old_points: BTreeMap<Tick, f32> = l.points.range(from..=to).map(|(&t, &v)| (t, v)).collect();
    let old_curves: BTreeMap<Tick, Curve> = l.curves.range(from..=to).map(|(&t, &c)| (t, c)).collect();

    let mut diffs = Vec::new();
    for &tick in old_points.keys() {
        if !new_points.contains_key(&tick) {
            l.points.remove(&tick);
            l.curves.remove(&tick);
            diffs.push(AudioDiff::AutomationPointSet { lane, tick, value: None });
        }
    }
    for (&tick, &value) in &new_points {
        if old_points.get(&tick) != Some(&value) {
            l.points.insert(tick, value);
            diffs.push(AudioDiff::AutomationPointSet { lane, tick, value: Some(value) });
        }
        let (old, new) = (old_curves.get(&tick).copied(), new_curves.get(&tick).copied());
        if old != new && (old.is_some() || new.is_some()) {
            match new {
                Some(c) => l.curves.insert(tick, c),
                None => l.curves.remove(&tick),
            };
            diffs.push(AudioDiff::AutomationCurveSet { lane, tick, curve: new.unwrap_or_default() });
        }
    }
    let inverse = Action::ReplaceAutomationPoints {
        lane,
        from,
        to,
        points: old_points.into_iter().collect(),
        curves: old_curves.into_iter().collect(),
    };
    Ok(Applied { diffs, inverse: vec![inverse], redraw: R })
}

#[cfg(test)]
mod tests {
    use imbolc_types::{Action, AudioDiff, Curve, LaneId, ParamTarget, Project};

    use crate::dispatch::{DispatchError, apply, dispatch};

    fn project_with_tempo_lane() -> (Project, LaneId) {
        let mut p = Project::new("t");
        dispatch(&mut p, Action::AddLane { target: ParamTarget::Tempo }).unwrap();
        let lane = *p.automation.keys().next().unwrap();
        for (tick, value) in [(0, 100.0), (480, 120.0), (960, 140.0)] {
            dispatch(&mut p, Action::SetAutomationPoint { lane, tick, value }).unwrap();
        }
        (p, lane)
    }

    fn undo(p: &mut Project, inverse: Vec<Action>) {
        for a in inverse {
            apply(p, a).unwrap();
        }
    }

    #[test]
    fn a_curve_is_set_on_an_existing_point_and_undone() {
        let (mut p, lane) = project_with_tempo_lane();
        let before = p.clone();
        let out = dispatch(&mut p, Action::SetAutomationCurve { lane, tick: 480, curve: Curve::Exponential }).unwrap();
        assert_eq!(out.diffs, vec![AudioDiff::AutomationCurveSet { lane, tick: 480, curve: Curve::Exponential }]);
        assert_eq!(p.automation[&lane].curve_at(480), Curve::Exponential);
        undo(&mut p, out.undo.unwrap().inverse);
        assert_eq!(p, before);
        assert!(p.automation[&lane].curves.is_empty(), "linear is stored as absent");
        let err = dispatch(&mut p, Action::SetAutomationCurve { lane, tick: 5, curve: Curve::Step });
        assert_eq!(err.unwrap_err(), DispatchError::NoSuchPoint { lane, tick: 5 });
    }

    #[test]
    fn removing_a_point_takes_its_curve_and_undo_brings_both_back() {
        let (mut p, lane) = project_with_tempo_lane();
        dispatch(&mut p, Action::SetAutomationCurve { lane, tick: 480, curve: Curve::Smooth }).unwrap();
        let before = p.clone();
        let out = dispatch(&mut p, Action::RemoveAutomationPoint { lane, tick: 480 }).unwrap();
        assert!(p.automation[&lane].curves.is_empty());
        undo(&mut p, out.undo.unwrap().inverse);
        assert_eq!(p, before);
    }

    #[test]
    fn a_take_replaces_its_range_sends_only_what_differs_and_undoes_exactly() {
        let (mut p, lane) = project_with_tempo_lane();
        dispatch(&mut p, Action::SetAutomationCurve { lane, tick: 480, curve: Curve::Step }).unwrap();
        let before = p.clone();
        let take = Action::ReplaceAutomationPoints {
            lane,
            from: 400,
            to: 2000,
            points: vec![(480, 120.0), (1000, 90.0), (2000, 95.0)],
            curves: vec![(1000, Curve::Smooth)],
        };
        let out = dispatch(&mut p, take).unwrap();
        let l = &p.automation[&lane];
        assert_eq!(
            l.points.iter().map(|(t, v)| (*t, *v)).collect::<Vec<_>>(),
            vec![(0, 100.0), (480, 120.0), (1000, 90.0), (2000, 95.0)]
        );
        assert_eq!(l.curves.iter().map(|(t, c)| (*t, *c)).collect::<Vec<_>>(), vec![(1000, Curve::Smooth)]);
        // 960 removed, 1000 and 2000 added, 480's curve back to linear, 1000's curve.
        assert_eq!(out.diffs.len(), 5, "{:?}", out.diffs);
        undo(&mut p, out.undo.unwrap().inverse);
        assert_eq!(p, before);
    }

    #[test]
    fn lanes_saved_before_curves_existed_open_as_linear() {
        #[derive(serde::Serialize)]
        struct OldLane {
            id: LaneId,
            target: ParamTarget,
            enabled: bool,
            points: std::collections::BTreeMap<u32, f32>,
        }
        let old = OldLane { id: LaneId(4), target: ParamTarget::Tempo, enabled: true, points: [(0, 90.0)].into() };
        let bytes = rmp_serde::to_vec_named(&old).unwrap();
        let lane: imbolc_types::AutomationLane = rmp_serde::from_slice(&bytes).unwrap();
        assert!(lane.curves.is_empty());
        assert_eq!(lane.value_at(100.0), Some(90.0));
    }

    #[test]
    fn a_take_outside_its_range_or_out_of_range_is_refused() {
        let (mut p, lane) = project_with_tempo_lane();
        let before = p.clone();
        let outside =
            Action::ReplaceAutomationPoints { lane, from: 0, to: 10, points: vec![(11, 100.0)], curves: vec![] };
        assert!(dispatch(&mut p, outside).is_err());
        let silly = Action::ReplaceAutomationPoints { lane, from: 0, to: 10, points: vec![(5, 1e9)], curves: vec![] };
        assert!(dispatch(&mut p, silly).is_err());
        assert_eq!(p, before);
    }
}
