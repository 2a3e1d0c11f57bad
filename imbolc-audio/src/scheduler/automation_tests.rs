//! Automation playback in the scheduler: values at the right times, a
//! monotonic sweep, nothing while flat, loop wraps, seeks, steps, tempo
//! lanes, live edits, and windows that partition exactly.

use imbolc_types::{
    AudioDiff, AudioScene, AutomationLane, Clip, ClipId, Curve, InstrumentId, LaneId, Note, NoteId, ParamTarget,
    Placement, PlacementId, Tick,
};

use super::ParamEvent;
use crate::scheduler::{LoopRegion, NoteEvent, NoteEventKind, PlayMode, Scheduler, SchedulerConfig};

const CUTOFF: LaneId = LaneId(1);

fn target() -> ParamTarget {
    ParamTarget::Filter { instrument: InstrumentId(0), param: "cutoff".into() }
}

fn lane(id: LaneId, target: ParamTarget, points: &[(Tick, f32)]) -> AutomationLane {
    let mut l = AutomationLane::new(id, target);
    l.points = points.iter().copied().collect();
    l
}

fn scheduler(lanes: Vec<AutomationLane>) -> Scheduler {
    let scene = AudioScene { tempo: 120.0, automation: lanes, ..AudioScene::default() };
    Scheduler::new(&scene, SchedulerConfig::default())
}

/// Plays from clock 0 and advances in 50 ms windows up to `until`.
fn play(s: &mut Scheduler, until: f64) -> Vec<ParamEvent> {
    s.play(0.0);
    windows(s, 0.05, until)
}

fn windows(s: &mut Scheduler, from: f64, until: f64) -> Vec<ParamEvent> {
    let mut notes = Vec::new();
    let mut t = from;
    while t <= until + 1e-9 {
        s.advance(t, &mut notes);
        t += 0.05;
    }
    let mut out = Vec::new();
    s.drain_param_events(&mut out);
    out
}

/// At 120 BPM a tick is 1/960 s.
fn tick_at(secs: f64) -> f64 {
    secs * 960.0
}

#[test]
fn a_sweep_is_sampled_every_few_ms_at_the_lane_values_and_rises_monotonically() {
    // 200 Hz → 5 kHz over two bars (3840 ticks = 4 s at 120 BPM).
    let l = lane(CUTOFF, target(), &[(0, 200.0), (3840, 5000.0)]);
    let mut s = scheduler(vec![l.clone()]);
    let events = play(&mut s, 5.0);
    assert_eq!(events[0].time, 0.0);
    assert_eq!(events[0].value, 200.0);
    assert!(events.windows(2).all(|w| w[0].time < w[1].time), "strictly later each time");
    assert!(events.windows(2).all(|w| w[0].value < w[1].value), "monotonic sweep");
    for e in &events {
        let expected = l.value_at(tick_at(e.time).round()).unwrap_or(0.0);
        assert!((e.value - expected).abs() < 1e-3, "{e:?} vs {expected}");
    }
    let gaps: Vec<f64> = events.windows(2).map(|w| w[1].time - w[0].time).collect();
    let max_gap = gaps.iter().copied().fold(0.0, f64::max);
    assert!(max_gap <= 0.0055, "samples at most ~5 ms apart: {max_gap}");
    let last = events.last().unwrap();
    assert_eq!(last.value, 5000.0);
    assert!((last.time - 4.0).abs() < 1e-9, "the sweep ends on its last point: {}", last.time);
}

#[test]
fn a_flat_lane_sends_its_value_once_and_then_nothing() {
    let mut s = scheduler(vec![lane(CUTOFF, target(), &[(0, 800.0), (1920, 800.0)])]);
    let events = play(&mut s, 3.0);
    assert_eq!(events, vec![ParamEvent { time: 0.0, lane: CUTOFF, value: 800.0 }]);
    // Between two ramps, the flat stretch is silent too.
    let mut s = scheduler(vec![lane(CUTOFF, target(), &[(0, 100.0), (480, 200.0), (1440, 200.0), (1920, 100.0)])]);
    let events = play(&mut s, 2.5);
    assert!(!events.iter().any(|e| e.time > 0.5 + 1e-9 && e.time < 1.5 - 1e-9), "nothing while flat");
    assert!(events.iter().any(|e| e.time > 1.5 && e.time < 2.0), "the second ramp plays");
}

#[test]
fn any_partition_into_windows_gives_the_same_events() {
    let l = lane(CUTOFF, target(), &[(0, 200.0), (700, 900.0), (1500, 300.0)]);
    let mut one = scheduler(vec![l.clone()]);
    one.play(0.0);
    one.advance(2.0, &mut Vec::new());
    let mut whole = Vec::new();
    one.drain_param_events(&mut whole);
    let mut many = scheduler(vec![l]);
    many.play(0.0);
    let mut t = 0.0;
    let mut k = 0u32;
    while t < 2.0 {
        t = (t + 0.003 + f64::from(k % 7) * 0.011).min(2.0);
        many.advance(t, &mut Vec::new());
        k += 1;
    }
    let mut parts = Vec::new();
    many.drain_param_events(&mut parts);
    // Window starts add samples only where the value changed, so compare
    // the grid and breakpoint samples: every event of the whole is there.
    for e in &whole {
        assert!(parts.iter().any(|p| (p.time - e.time).abs() < 1e-12 && p.value == e.value), "lost {e:?}");
    }
    assert!(parts.windows(2).all(|w| w[0].time < w[1].time), "none doubled");
}

#[test]
fn a_loop_wrap_jumps_back_to_the_lane_value_at_the_loop_start() {
    let mut s = scheduler(vec![lane(CUTOFF, target(), &[(0, 100.0), (960, 1060.0)])]);
    s.set_loop(LoopRegion::new(0, 960));
    let events = play(&mut s, 2.2);
    let at_wrap: Vec<_> = events.iter().filter(|e| (e.time - 1.0).abs() < 1e-9).collect();
    assert_eq!(at_wrap.len(), 1);
    assert_eq!(at_wrap[0].value, 100.0, "back to the start at the wrap");
    let second_pass: Vec<_> = events.iter().filter(|e| e.time >= 1.0 && e.time < 2.0).collect();
    assert!(second_pass.windows(2).all(|w| w[0].value < w[1].value), "rises again");
    let near_end = events.iter().rfind(|e| e.time < 1.0).unwrap();
    assert!(near_end.value > 1000.0);
}

#[test]
fn a_seek_sends_the_value_at_the_new_position_at_once() {
    let l = lane(CUTOFF, target(), &[(0, 0.0), (9600, 9600.0)]);
    let mut s = scheduler(vec![l]);
    let before = play(&mut s, 0.5);
    assert!(before.last().unwrap().value < 500.0);
    s.seek(4800);
    let after = windows(&mut s, 0.55, 0.6);
    let first = after.first().unwrap();
    assert!((first.value - 4800.0).abs() < 50.0, "value at the new position: {first:?}");
    assert!((first.time - 0.5).abs() < 2e-3, "from the horizon on");
}

#[test]
fn a_step_lands_exactly_on_its_tick_and_sends_nothing_in_between() {
    let mut l = lane(CUTOFF, target(), &[(0, 100.0), (500, 900.0), (1000, 100.0)]);
    l.curves.insert(0, Curve::Step);
    l.curves.insert(500, Curve::Step);
    let mut s = scheduler(vec![l]);
    let events = play(&mut s, 1.5);
    let got: Vec<(f64, f32)> = events.iter().map(|e| (e.time, e.value)).collect();
    assert_eq!(got, vec![(0.0, 100.0), (500.0 / 960.0, 900.0), (1000.0 / 960.0, 100.0)]);
}

#[test]
fn an_edit_while_playing_is_heard_from_the_next_window() {
    let mut s = scheduler(vec![lane(CUTOFF, target(), &[(0, 300.0)])]);
    let first = play(&mut s, 0.5);
    assert_eq!(first.len(), 1);
    s.apply(&AudioDiff::AutomationPointSet { lane: CUTOFF, tick: 0, value: Some(600.0) }).unwrap();
    let next = windows(&mut s, 0.55, 0.6);
    assert_eq!(next.len(), 1, "{next:?}");
    assert_eq!(next[0].value, 600.0);
    assert!((next[0].time - 0.5).abs() < 2e-3);
    s.apply(&AudioDiff::AutomationLaneChanged { lane: CUTOFF, target: target(), enabled: false }).unwrap();
    s.apply(&AudioDiff::AutomationPointSet { lane: CUTOFF, tick: 0, value: Some(50.0) }).unwrap();
    assert!(windows(&mut s, 0.65, 1.0).is_empty(), "a disabled lane plays nothing");
}

#[test]
fn pattern_mode_plays_no_automation() {
    let clip = Clip {
        id: ClipId(0),
        name: String::new(),
        instrument: InstrumentId(0),
        length: 960,
        looping: true,
        notes: Default::default(),
        drums: None,
        audio: None,
    };
    let scene = AudioScene {
        tempo: 120.0,
        clips: vec![clip],
        automation: vec![lane(CUTOFF, target(), &[(0, 1.0), (960, 2.0)])],
        ..AudioScene::default()
    };
    let mut s = Scheduler::new(&scene, SchedulerConfig::default());
    s.set_mode(PlayMode::Pattern(ClipId(0)));
    assert!(play(&mut s, 1.0).is_empty());
}

#[test]
fn a_tempo_lane_bends_time_without_doubling_or_losing_notes() {
    // A quarter note on every beat for 4 bars; the tempo lane doubles the
    // tempo from bar 2 on.
    let notes = (0..16).map(|k| (NoteId(k), Note::new(60, 100, k * 480, 120))).collect();
    let clip = Clip {
        id: ClipId(0),
        name: String::new(),
        instrument: InstrumentId(0),
        length: 7680,
        looping: false,
        notes,
        drums: None,
        audio: None,
    };
    let tempo = lane(LaneId(2), ParamTarget::Tempo, &[(0, 120.0), (1919, 120.0), (1920, 240.0)]);
    let scene = AudioScene {
        tempo: 120.0,
        clips: vec![clip],
        placements: vec![Placement { id: PlacementId(0), clip: ClipId(0), start: 0, length: 7680 }],
        automation: vec![tempo],
        ..AudioScene::default()
    };
    let mut s = Scheduler::new(&scene, SchedulerConfig::default());
    s.play(0.0);
    let mut events: Vec<NoteEvent> = Vec::new();
    let mut t = 0.0;
    while t < 6.0 {
        t += 0.025;
        s.advance(t, &mut events);
    }
    let ons: Vec<f64> = events.iter().filter(|e| e.kind == NoteEventKind::On).map(|e| e.time).collect();
    assert_eq!(ons.len(), 16, "every note once");
    let gaps: Vec<f64> = ons.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps[..3].iter().all(|g| (g - 0.5).abs() < 1e-9), "bar 1 at 120 BPM: {gaps:?}");
    // The change lands within one window of bar 2 (a window is 25 ms here).
    assert!(gaps[5..].iter().all(|g| (g - 0.25).abs() < 1e-9), "later bars at 240 BPM: {gaps:?}");
    assert!((ons[4] - 2.0).abs() < 0.03, "bar 2 starts about 2 s in: {}", ons[4]);
    assert_eq!(s.tempo(), 240.0);
    let mut params = Vec::new();
    s.drain_param_events(&mut params);
    assert!(params.is_empty(), "a tempo lane sends no /n_set");
}
