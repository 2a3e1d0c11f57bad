//! [`Playback`] on a real graph: timed batches stay in order, live voices
//! never overtake timed ones, stop releases at the horizon, and edits end
//! exactly the notes they touch.

use imbolc_types::{
    AudioDiff, AudioScene, Clip, ClipId, Instrument, InstrumentDef, InstrumentId, MixerSettings, Note, NoteDelta,
    NoteId, SourceKind,
};

use super::*;
use crate::backend::Timetag;
use crate::graph::GraphConfig;
use crate::scheduler::PlayMode;

const I: InstrumentId = InstrumentId(0);
const C: ClipId = ClipId(1);

/// One instrument and a one-bar clip of four quarter notes.
fn setup() -> (Playback, SignalGraph) {
    let inst = Instrument {
        id: I,
        name: "x".into(),
        def: InstrumentDef::new(SourceKind::SINE),
        mixer: MixerSettings::default(),
    };
    let notes = (0..4).map(|i| (NoteId(i), Note::new(60 + i as u8, 100, i * 480, 240))).collect();
    let clip = Clip {
        id: C,
        name: String::new(),
        instrument: I,
        length: 1920,
        looping: true,
        notes,
        drums: None,
        audio: None,
    };
    let scene = AudioScene { instruments: vec![inst], clips: vec![clip], tempo: 120.0, ..AudioScene::default() };
    let (graph, _) = SignalGraph::build(GraphConfig::default(), &scene);
    // Releases follow timetags here; `releases_wait_for_the_servers_n_go`
    // checks the real-time rule.
    let mut p = Playback::new(SchedulerConfig { lookahead: 0.05 }, VoiceConfig::default()).trusting_timetags();
    p.diff(&AudioDiff::SceneLoaded(Box::new(scene)), &mut Vec::new());
    (p, graph)
}

fn tag(b: &Batch) -> Timetag {
    match b.timing {
        Timing::At(t) => t,
        Timing::Now => panic!("untimed batch {b:?}"),
    }
}

#[test]
fn timeline_batches_are_timed_in_order_and_live_voices_wait_for_them() {
    let (mut p, mut g) = setup();
    let mut out = Vec::new();
    p.voice_on(VoiceId(0), I, 440.0, 0.5, &mut g, &mut out).unwrap();
    assert_eq!(out[0].timing, Timing::Now, "nothing timed pending: a live voice goes at once");
    p.voice_off(VoiceId(0), &g, &mut out);
    let idle = out[0].started[0];
    out.clear();

    p.transport(TransportCmd::SetMode(PlayMode::Pattern(C)), &mut g, &mut out);
    p.transport(TransportCmd::Play, &mut g, &mut out);
    let at = p.scheduler.horizon();
    p.advance(at + 0.6, &mut g, &mut out);
    let ons: Vec<&Batch> = out.iter().filter(|b| !b.started.is_empty()).collect();
    assert_eq!(ons.len(), 2, "two quarter notes in the first 0.6 s at 120 BPM");
    let step = tag(ons[1]).as_secs_f64() - tag(ons[0]).as_secs_f64();
    assert!((step - 0.5).abs() < 1e-6, "a quarter note apart: {step}");
    assert!(out.windows(2).all(|w| tag(&w[0]) <= tag(&w[1])), "batches in time order");
    let last = tag(&out[out.len() - 1]);

    let mut live = Vec::new();
    p.voice_on(VoiceId(1), I, 330.0, 0.5, &mut g, &mut live).unwrap();
    assert!(tag(&live[0]) >= last, "a live voice never runs before what is already timed");

    let mut stop = Vec::new();
    p.transport(TransportCmd::Stop, &mut g, &mut stop);
    assert!(!stop.is_empty() && stop.iter().all(|b| tag(b) >= tag(&live[0])), "stop releases at the horizon");
    let gates: usize = stop.iter().flat_map(|b| &b.ops).filter(|op| matches!(op, ServerOp::Set { .. })).count();
    assert_eq!(gates, 2, "the sounding timeline note and the live voice");
    for b in out.iter().chain(&live) {
        for node in &b.started {
            p.node_ended(*node);
        }
    }
    p.node_ended(idle);
    let fb = p.feedback();
    assert_eq!((fb.voices, fb.playing, fb.tick), (0, false, 0), "stop returns to where play started");
}

#[test]
fn editing_a_sounding_note_ends_it_and_only_it() {
    let (mut p, mut g) = setup();
    let mut out = Vec::new();
    p.transport(TransportCmd::SetMode(PlayMode::Pattern(C)), &mut g, &mut out);
    p.transport(TransportCmd::Play, &mut g, &mut out);
    let at = p.scheduler.horizon();
    p.advance(at + 0.1, &mut g, &mut out);
    let first = out[0].started[0];
    out.clear();
    let delta = NoteDelta { removed: vec![NoteId(0), NoteId(3)], ..NoteDelta::default() };
    p.diff(&AudioDiff::NotesChanged { clip: C, delta }, &mut out);
    p.advance(at + 0.2, &mut g, &mut out);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0].ops, vec![g.voice_off(first)]);
    assert!((tag(&out[0]).as_secs_f64() - p.clock.timetag(at + 0.1).as_secs_f64()).abs() < 1e-6, "at the horizon");
}

#[test]
fn a_lost_server_forgets_voices_and_stops() {
    let (mut p, mut g) = setup();
    let mut out = Vec::new();
    p.transport(TransportCmd::Play, &mut g, &mut out);
    p.voice_on(VoiceId(0), I, 440.0, 0.5, &mut g, &mut out).unwrap();
    p.server_lost();
    let fb = p.feedback();
    assert_eq!((fb.voices, fb.playing), (0, false));
    assert_eq!(freq_to_midi(440.0), 69);
    assert_eq!(freq_to_midi(f32::NAN), 69);
}

#[test]
fn a_note_shorter_than_a_block_is_released_after_the_minimum_gate() {
    use crate::engine::gates::MIN_GATE;
    let (mut p, mut g) = setup();
    let mut out = Vec::new();
    let short = Note::new(90, 100, 0, 1);
    let delta = NoteDelta { upserted: vec![(NoteId(0), short)], removed: vec![] };
    p.diff(&AudioDiff::NotesChanged { clip: C, delta }, &mut out);
    p.transport(TransportCmd::SetMode(PlayMode::Pattern(C)), &mut g, &mut out);
    p.transport(TransportCmd::Play, &mut g, &mut out);
    let at = p.scheduler.horizon();
    p.advance(at + 0.1, &mut g, &mut out);
    let node = out[0].started[0];
    let release = out.iter().find(|b| b.ops == vec![g.voice_off(node)]).expect("released");
    let gate = tag(release).as_secs_f64() - tag(&out[0]).as_secs_f64();
    assert!((gate - MIN_GATE).abs() < 1e-6, "a one-tick note (1 ms) keeps its gate open {gate} s");
    assert!(out.windows(2).all(|w| tag(&w[0]) <= tag(&w[1])), "still in time order");
}

#[test]
fn a_live_voice_on_an_instrument_the_timeline_does_not_play_goes_at_once() {
    let (mut p, mut g) = setup();
    let j = InstrumentId(9);
    let other = Instrument {
        id: j,
        name: "live".into(),
        def: InstrumentDef::new(SourceKind::SAW),
        mixer: MixerSettings::default(),
    };
    let mut out = Vec::new();
    let diff = AudioDiff::InstrumentAdded { instrument: Box::new(other), after: Some(I) };
    g.apply(&diff).unwrap();
    p.diff(&diff, &mut out);
    p.transport(TransportCmd::SetMode(PlayMode::Pattern(C)), &mut g, &mut out);
    p.transport(TransportCmd::Play, &mut g, &mut out);
    let at = p.scheduler.horizon();
    p.advance(at + 0.6, &mut g, &mut out);
    assert!(out.iter().any(|b| !b.started.is_empty()), "the timeline plays instrument I");

    let mut live = Vec::new();
    p.voice_on(VoiceId(5), j, 440.0, 0.5, &mut g, &mut live).unwrap();
    assert_eq!(live[0].timing, Timing::Now, "nothing of J is timed: no wait");
    let mut same = Vec::new();
    p.voice_on(VoiceId(6), I, 440.0, 0.5, &mut g, &mut same).unwrap();
    assert!(matches!(same[0].timing, Timing::At(_)), "I waits for its timed notes");
}

#[test]
fn releases_wait_for_the_servers_n_go_and_then_go_at_the_time_asked() {
    let inst = Instrument {
        id: I,
        name: "x".into(),
        def: InstrumentDef::new(SourceKind::SINE),
        mixer: MixerSettings::default(),
    };
    let scene = AudioScene { instruments: vec![inst], tempo: 120.0, ..AudioScene::default() };
    let (mut g, _) = SignalGraph::build(GraphConfig::default(), &scene);
    let mut p = Playback::new(SchedulerConfig { lookahead: 0.05 }, VoiceConfig::default());
    p.diff(&AudioDiff::SceneLoaded(Box::new(scene)), &mut Vec::new());

    // A live voice goes out untimed; its release, asked at once, waits.
    let mut out = Vec::new();
    p.voice_on(VoiceId(0), I, 440.0, 0.5, &mut g, &mut out).unwrap();
    assert_eq!(out[0].timing, Timing::Now);
    let node = out[0].started[0];
    out.clear();
    p.voice_off(VoiceId(0), &g, &mut out);
    std::thread::sleep(std::time::Duration::from_millis(10));
    p.housekeeping(&mut out);
    assert!(out.is_empty(), "no /n_go yet: the untimed /s_new may not have run");
    assert!(p.window_period().is_some(), "the loop keeps polling while a release waits");
    p.node_started(node);
    p.housekeeping(&mut out);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].ops, vec![g.voice_off(node)]);
    let now = p.clock.timetag(p.clock.now());
    assert!(
        matches!(out[0].timing, Timing::Now) || matches!(out[0].timing, Timing::At(t) if t <= now),
        "it goes at once: {:?}",
        out[0].timing
    );
    assert!(p.window_period().is_none());
}

#[test]
fn panic_releases_every_voices_group_then_frees_them_and_later_notes_wait() {
    let (mut p, mut g) = setup();
    let mut out = Vec::new();
    p.voice_on(VoiceId(0), I, 440.0, 0.5, &mut g, &mut out).unwrap();
    p.voice_on(VoiceId(1), I, 550.0, 0.5, &mut g, &mut out).unwrap();
    p.voice_off(VoiceId(1), &g, &mut out);
    out.clear();
    p.release_everything(&g, &mut out);
    let group = g.voices_group(I).unwrap();
    assert_eq!(out.len(), 2, "{out:?}");
    assert_eq!(out[0].ops, vec![ServerOp::Set { node: group, controls: vec![("gate", 0.0)] }]);
    assert_eq!(out[1].ops, vec![ServerOp::FreeAll { group }]);
    let (release, freed) = (tag(&out[0]).as_secs_f64(), tag(&out[1]).as_secs_f64());
    assert!((freed - release - PANIC_FADE).abs() < 1e-6, "freed a fade after the release");
    assert_eq!(p.feedback().voices, 0, "the allocator forgot every voice, releasing ones too");
    let mut next = Vec::new();
    p.voice_on(VoiceId(2), I, 440.0, 0.5, &mut g, &mut next).unwrap();
    assert!(tag(&next[0]).as_secs_f64() >= freed, "a new voice starts after the free, not inside it");
}

/// Fault 11 of issue 24: after a stall of the audio thread every note
/// missed during it went out at once.
#[test]
fn after_a_stall_notes_more_than_a_lookahead_late_are_dropped_not_burst() {
    let (mut p, mut g) = setup();
    let mut out = Vec::new();
    p.transport(TransportCmd::SetMode(PlayMode::Pattern(C)), &mut g, &mut out);
    p.transport(TransportCmd::Play, &mut g, &mut out);
    p.window(&mut g, &mut out);
    out.clear();
    // The thread stalls for 1.2 s: the clock jumps ahead of the horizon.
    let ahead = std::time::Duration::from_secs_f64(p.clock.now() + 1.2);
    let wall = p.clock.timetag(0.0);
    p.clock = Clock::anchored(std::time::Instant::now() - ahead, wall);
    let now = p.clock.now();
    p.window(&mut g, &mut out);
    let lookahead = p.scheduler.config().lookahead;
    let late: Vec<&Batch> = out
        .iter()
        .filter(|b| !b.started.is_empty())
        .filter(|b| {
            matches!(b.timing, Timing::Now) || tag(b).as_secs_f64() < p.clock.timetag(now - lookahead).as_secs_f64()
        })
        .collect();
    assert!(late.is_empty(), "no note-on more than a lookahead late: {late:?}");
    assert!(p.stats().late_dropped >= 2, "quarter notes missed in 1.2 s are counted: {:?}", p.stats());
    // Play goes on: the next notes are sent on time.
    out.clear();
    p.advance(now + 1.0, &mut g, &mut out);
    assert!(out.iter().any(|b| !b.started.is_empty()), "later notes play");
}

/// A stop that arrives after a stall, before any window sent what fell due
/// during it: those notes are not sent and they are counted.
#[test]
fn a_stop_after_a_stall_counts_the_notes_due_before_it_that_were_never_sent() {
    let (mut p, mut g) = setup();
    let mut out = Vec::new();
    p.transport(TransportCmd::SetMode(PlayMode::Pattern(C)), &mut g, &mut out);
    p.transport(TransportCmd::Play, &mut g, &mut out);
    p.window(&mut g, &mut out);
    out.clear();
    let ahead = std::time::Duration::from_secs_f64(p.clock.now() + 1.2);
    let wall = p.clock.timetag(0.0);
    p.clock = Clock::anchored(std::time::Instant::now() - ahead, wall);
    p.transport(TransportCmd::Stop, &mut g, &mut out);
    assert!(out.iter().all(|b| b.started.is_empty()), "no note starts at a stop: {out:?}");
    assert!(p.stats().late_dropped >= 2, "quarter notes due in 1.2 s are counted: {:?}", p.stats());
    assert!(!p.is_playing());
}

#[test]
fn play_cut_by_a_lost_server_resumes_from_the_playhead_and_stop_returns_to_the_start() {
    let (mut p, mut g) = setup();
    let mut out = Vec::new();
    p.transport(TransportCmd::Seek(480), &mut g, &mut out);
    p.transport(TransportCmd::Play, &mut g, &mut out);
    assert_eq!(p.resume_point().map(|r| (r.position, r.started_from)), Some((480, 480)), "before play starts");
    let ahead = std::time::Duration::from_secs_f64(p.clock.now() + 0.55);
    let wall = p.clock.timetag(0.0);
    p.clock = Clock::anchored(std::time::Instant::now() - ahead, wall);
    p.window(&mut g, &mut out);
    let r = p.resume_point().expect("playing");
    assert!(r.position >= 480 + 480 && r.position < 480 + 600, "about a second in at 120 BPM: {}", r.position);
    p.server_lost();
    assert!(!p.is_playing());
    p.resume(r);
    assert!(p.is_playing());
    assert_eq!(p.feedback().tick, r.position, "resumes where it was cut, one lookahead from now");
    out.clear();
    p.transport(TransportCmd::Stop, &mut g, &mut out);
    assert_eq!(p.feedback().tick, 480, "stop returns to where the user started play");
}

#[test]
fn a_stepped_wall_clock_is_followed_while_playing() {
    let (mut p, mut g) = setup();
    let mut out = Vec::new();
    p.transport(TransportCmd::Play, &mut g, &mut out);
    let offset = p.clock.now();
    let stale =
        crate::backend::Timetag::from_system_time(std::time::SystemTime::now() - std::time::Duration::from_secs(60));
    p.clock = Clock::anchored(std::time::Instant::now() - std::time::Duration::from_secs_f64(offset), stale);
    let step = (0..10).find_map(|_| p.follow_wall_clock()).expect("the step is seen");
    assert!((step - 60.0).abs() < 0.1, "{step}");
    assert_eq!(p.stats().clock_steps, 1);
    assert!(p.follow_wall_clock().is_none(), "followed: no step left");
    let now = crate::backend::Timetag::from_system_time(std::time::SystemTime::now()).as_secs_f64();
    assert!((p.clock.timetag(p.clock.now()).as_secs_f64() - now).abs() < 0.01, "timetags are wall time again");
}

#[test]
fn after_stop_nothing_is_tagged_before_the_stops_releases_and_the_clock_reanchors_once_idle() {
    let (mut p, mut g) = setup();
    let mut out = Vec::new();
    p.transport(TransportCmd::SetMode(PlayMode::Pattern(C)), &mut g, &mut out);
    p.transport(TransportCmd::Play, &mut g, &mut out);
    // The anchor has drifted 2 ms ahead of the wall clock (less than a step).
    let offset = p.clock.now();
    let ahead = Timetag::from_system_time(std::time::SystemTime::now() + std::time::Duration::from_millis(2));
    p.clock = Clock::anchored(std::time::Instant::now() - std::time::Duration::from_secs_f64(offset), ahead);
    let drifted = p.clock.timetag(0.0);
    p.advance(p.scheduler.horizon() + 0.6, &mut g, &mut out);
    let mut stop = Vec::new();
    p.transport(TransportCmd::Stop, &mut g, &mut stop);
    let latest = stop.iter().map(tag).max().expect("stop releases what sounds");

    let mut live = Vec::new();
    p.voice_on(VoiceId(0), I, 440.0, 0.5, &mut g, &mut live).unwrap();
    assert!(tag(&live[0]) >= latest, "a voice after stop runs after the stop's releases");

    p.housekeeping(&mut Vec::new());
    assert_eq!(p.clock.timetag(0.0), drifted, "not re-anchored while batches are pending");
    std::thread::sleep(std::time::Duration::from_secs_f64(p.timed_until - p.clock.now() + SETTLED + 0.01));
    p.housekeeping(&mut Vec::new());
    let wall = Timetag::from_system_time(std::time::SystemTime::now()).as_secs_f64();
    let drift = p.clock.timetag(p.clock.now()).as_secs_f64() - wall;
    assert!(drift.abs() < 0.001, "re-anchored to the wall clock once idle: {drift}");
}
