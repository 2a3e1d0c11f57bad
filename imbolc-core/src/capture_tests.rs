//! Capture, in memory: the scheduler's events for the captured arrangement
//! equal the performance's events tick for tick (launches, a follow chain,
//! a stop, a hand-back to the arrangement mid-placement), and the capture
//! is one undo step.

use std::collections::BTreeMap;

use imbolc_audio::scheduler::{Launch, NoteEvent, NoteEventKind, Scheduler, SchedulerConfig};
use imbolc_types::{
    Action, Clip, ClipId, FollowAction, FollowKind, InstrumentId, LaunchQuantize, LaunchTarget, Note, NoteId, Project,
};

use crate::capture::{CaptureError, capture_actions};
use crate::dispatch::dispatch;
use crate::session::{NullSink, Session};

const LEAD: InstrumentId = InstrumentId(0);
const BELL: InstrumentId = InstrumentId(1);
const ARRANGED: ClipId = ClipId(1);
const HALF: ClipId = ClipId(2);
const THREE: ClipId = ClipId(3);
const BAR: ClipId = ClipId(4);
const BELL_ARRANGED: ClipId = ClipId(5);

fn clip(id: ClipId, instrument: InstrumentId, length: u32, looping: bool, notes: &[(u8, u32, u32)]) -> Clip {
    let notes: BTreeMap<_, _> = notes
        .iter()
        .enumerate()
        .map(|(i, &(pitch, start, len))| (NoteId(i as u32), Note::new(pitch, 100, start, len)))
        .collect();
    Clip { id, name: String::new(), instrument, length, looping, notes: notes.into(), drums: None, audio: None }
}

/// 120 bpm (a bar is 1920 ticks, 2 s). The lead plays `ARRANGED` (notes on
/// 0 and 720 of 1440) for 8 bars, the bell `BELL_ARRANGED` for 16; `HALF`
/// (lead), `THREE` (bell, non-looping, follows to `BAR` after two loops)
/// and `BAR` (bell) are launched.
fn project() -> Project {
    let mut p = Project::new("capture");
    p.tempo = 120.0;
    for c in [
        clip(ARRANGED, LEAD, 1440, true, &[(60, 0, 720), (62, 720, 900)]),
        clip(HALF, LEAD, 960, true, &[(72, 0, 240), (74, 480, 600)]),
        clip(THREE, BELL, 1440, false, &[(80, 0, 240), (81, 960, 700)]),
        clip(BAR, BELL, 1920, true, &[(84, 0, 240), (86, 1200, 240)]),
        clip(BELL_ARRANGED, BELL, 960, true, &[(90, 0, 120)]),
    ] {
        p.clips.insert(c.id, c);
    }
    p.launcher.set(BELL, 0, Some(THREE));
    p.launcher.set(BELL, 1, Some(BAR));
    p.launcher.follow.insert(
        THREE,
        FollowAction { after_loops: 2, first: FollowKind::Next, second: FollowKind::Next, first_chance: 100 },
    );
    p.launcher.seed = 7;
    for (clip, length) in [(ARRANGED, 8 * 1920), (BELL_ARRANGED, 16 * 1920)] {
        dispatch(&mut p, Action::AddPlacement { clip, start: 0, length }).expect("place");
    }
    p
}

fn launch(instrument: InstrumentId, target: LaunchTarget) -> Launch {
    Launch { instrument, target, quantize: LaunchQuantize::Bar, group: 0 }
}

/// Plays `p` for 20 s in 0.1 s steps, launching `launches` after the step
/// that reaches their time, then stops. Events as `(microseconds, on?,
/// instrument, pitch)`, sorted.
fn perform(p: &Project, launches: &[(f64, Launch)]) -> (Vec<(i64, bool, u32, u8)>, Scheduler) {
    let mut s = Scheduler::new(&p.audio_scene(), SchedulerConfig::default());
    s.set_launcher_grid(p.launcher.clone());
    s.play(0.0);
    let mut out: Vec<NoteEvent> = Vec::new();
    for step in 1..=200 {
        let t = f64::from(step) * 0.1;
        s.advance(t, &mut out);
        for (_, l) in launches.iter().filter(|(at, _)| (at - t).abs() < 1e-9) {
            s.launch(*l);
        }
    }
    s.stop(&mut out);
    let mut events: Vec<_> = out
        .iter()
        .map(|e| ((e.time * 1e6).round() as i64, e.kind == NoteEventKind::On, e.instrument.0, e.pitch))
        .collect();
    events.sort_unstable();
    (events, s)
}

fn performance_launches() -> Vec<(f64, Launch)> {
    vec![
        (0.6, launch(LEAD, LaunchTarget::Clip(HALF))),
        (1.0, launch(BELL, LaunchTarget::Clip(THREE))),
        (6.5, launch(LEAD, LaunchTarget::Stop)),
        (9.0, launch(LEAD, LaunchTarget::Arrangement)),
        (15.1, launch(BELL, LaunchTarget::Stop)),
    ]
}

#[test]
fn the_captured_arrangement_plays_the_performance_tick_for_tick() {
    let live = project();
    let (heard, s) = perform(&live, &performance_launches());
    let perf = s.performance().clone();
    let changes: Vec<_> = perf.taken.iter().map(|t| (t.song, t.instrument.0, t.target, t.follow)).collect();
    assert_eq!(
        changes,
        vec![
            (1920, 0, LaunchTarget::Clip(HALF), false),
            (1920, 1, LaunchTarget::Clip(THREE), false),
            (1920 + 2 * 1440, 1, LaunchTarget::Clip(BAR), true),
            (4 * 1920, 0, LaunchTarget::Stop, false),
            (5 * 1920, 0, LaunchTarget::Arrangement, false),
            (8 * 1920, 1, LaunchTarget::Stop, false),
        ]
    );
    assert!(perf.end.is_some() && !perf.jumped);
    assert!(heard.iter().any(|e| e.3 == 84), "the follow action played");

    let mut captured = project();
    for action in capture_actions(&captured, &perf, 0).expect("capture") {
        dispatch(&mut captured, action).expect("apply");
    }
    captured.launcher = Default::default();
    let (replayed, _) = perform(&captured, &[]);
    assert_eq!(replayed, heard);
}

#[test]
fn capture_is_one_undo_step_and_keeps_the_seed() {
    let live = project();
    let (_, s) = perform(&live, &performance_launches());
    let mut perf = s.performance().clone();
    perf.seed = 99;
    let mut session = Session::new(project(), NullSink);
    let before = session.project().placements.clone();
    session.capture_performance(&perf, 0).expect("capture");
    assert_ne!(session.project().placements, before);
    assert_eq!(session.project().launcher.seed, 99);
    assert_eq!(session.undo_label(), Some("capture performance"));
    session.undo().expect("undo");
    assert_eq!(session.project().placements, before);
    assert_eq!(session.project().launcher.seed, 7);
}

#[test]
fn nothing_launched_or_a_loop_wrap_cannot_be_captured() {
    let p = project();
    let (_, s) = perform(&p, &[]);
    assert_eq!(capture_actions(&p, s.performance(), 0), Err(CaptureError::Empty));
    let mut perf = perform(&p, &performance_launches()).1.performance().clone();
    perf.jumped = true;
    assert_eq!(capture_actions(&p, &perf, 0), Err(CaptureError::Jumped));
}
