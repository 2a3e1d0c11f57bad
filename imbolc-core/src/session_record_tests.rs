//! Recording automation through a session: a take becomes thinned points
//! in a (new) lane, and one undo takes all of it back.

use std::time::{Duration, Instant};

use imbolc_types::{Action, AudioDiff, InstrumentId, MixerParam, ParamTarget, Project, SourceKind};

use crate::session::{NullSink, RecordingSink, Session};

fn level() -> ParamTarget {
    ParamTarget::Mixer { instrument: InstrumentId(0), param: MixerParam::Level }
}

fn session() -> (Session<RecordingSink>, RecordingSink) {
    let sink = RecordingSink::default();
    let mut s = Session::new(Project::new("rec"), sink.clone());
    s.dispatch(Action::AddInstrument { source: SourceKind::SAW, name: "lead".into() }).unwrap();
    sink.take();
    (s, sink)
}

/// A fade from 0.2 to 1.0 over 1920 ticks and back to 0.2, one move every
/// 8 ticks, 10 ms apart.
fn fade(s: &mut Session<RecordingSink>, t0: Instant) {
    for i in 0..=480u32 {
        let x = i as f32 / 240.0;
        let v = if i <= 240 { 0.2 + 0.8 * x } else { 1.0 - 0.8 * (x - 1.0) };
        s.record_param(level(), v, Some(i * 8), t0 + Duration::from_millis(u64::from(i) * 10)).unwrap();
    }
}

#[test]
fn a_take_is_thinned_into_a_new_lane_and_one_undo_removes_it_all() {
    let (mut s, sink) = session();
    let before = s.project().clone();
    let undo_steps = s.history().len();
    let t0 = Instant::now();
    s.arm_automation(true, t0).unwrap();
    fade(&mut s, t0);
    assert_eq!(s.history().len(), undo_steps, "moves wait for the end of the take");
    assert!(sink.take().iter().all(|d| matches!(d, AudioDiff::ParamSet { .. })), "every move is heard at once");
    s.arm_automation(false, t0 + Duration::from_secs(6)).unwrap();

    let lane = s.project().automation.values().find(|l| l.target == level()).expect("a lane for the target");
    let points: Vec<(u32, f32)> = lane.points.iter().map(|(t, v)| (*t, *v)).collect();
    assert_eq!(points.len(), 3, "a straight fade in and out is three points: {points:?}");
    assert_eq!(points[0], (0, 0.2));
    assert_eq!(points[1].0, 1920);
    assert!((points[1].1 - 1.0).abs() < 1e-6);
    assert_eq!(points[2].0, 3840);
    assert_eq!(s.history().len(), undo_steps + 1, "the take is one step");
    assert_eq!(s.history().undo_label(), Some("record automation"));

    s.undo().unwrap();
    assert_eq!(s.project(), &before, "one undo removes the lane and restores the level");
    s.redo().unwrap();
    assert_eq!(s.project().automation.len(), 1);
}

#[test]
fn a_take_over_an_existing_lane_replaces_its_range_and_resumes_it() {
    let (mut s, _sink) = session();
    s.dispatch(Action::AddLane { target: level() }).unwrap();
    let lane = *s.project().automation.keys().next().unwrap();
    for (tick, value) in [(0, 0.5), (1000, 0.5), (5000, 0.9)] {
        s.dispatch(Action::SetAutomationPoint { lane, tick, value }).unwrap();
    }
    let before = s.project().clone();
    let t0 = Instant::now() + Duration::from_secs(10);
    s.arm_automation(true, t0).unwrap();
    s.record_param(level(), 0.1, Some(800), t0).unwrap();
    assert!(!s.project().automation[&lane].enabled, "paused while it is recorded");
    s.record_param(level(), 0.4, Some(1200), t0).unwrap();
    s.record_param(level(), 0.7, Some(1600), t0).unwrap();
    s.finish_take(t0).unwrap();
    let l = &s.project().automation[&lane];
    assert!(l.enabled, "resumed");
    let points: Vec<(u32, f32)> = l.points.iter().map(|(t, v)| (*t, *v)).collect();
    assert_eq!(points, vec![(0, 0.5), (800, 0.1), (1600, 0.7), (5000, 0.9)], "1000 was inside the take");
    s.undo().unwrap();
    assert_eq!(s.project(), &before);
}

#[test]
fn without_arming_or_while_stopped_a_move_is_a_plain_edit() {
    let mut s = Session::new(Project::new("rec"), NullSink);
    s.dispatch(Action::AddInstrument { source: SourceKind::SAW, name: "lead".into() }).unwrap();
    let t0 = Instant::now();
    s.record_param(level(), 0.4, Some(10), t0).unwrap();
    s.arm_automation(true, t0).unwrap();
    s.record_param(level(), 0.5, None, t0 + Duration::from_secs(1)).unwrap();
    assert_eq!(s.finish_take(t0).unwrap(), None, "nothing recorded");
    assert!(s.project().automation.is_empty());
    assert_eq!(s.history().len(), 3, "add instrument and two parameter steps");
}
