//! Takes on a real scsynth (the engine on a private realtime dummy JACK
//! server): the streaming recorder (`engine::recorder`) writing WAV files
//! with `DiskOut`.
//!
//! - A performance take of the master while a clip of notes plays matches
//!   an NRT render of the same project: every note's onset within one
//!   block (64 samples) once the first is aligned, and its level within
//!   1 dB. The dummy driver skips periods on a loaded machine, which
//!   shifts a live recording against wall time (see playback_audio.rs);
//!   timed reference bursts on the right channel (the instrument is panned
//!   hard left) measure that drift in the take itself, and it is removed
//!   before comparing.
//! - An input take: stereo bursts played on the outputs, `out_1` routed back
//!   into `in_1` with `jack_connect`, recorded as bus 1 (= `out_2`, the
//!   burst as played) and bus 2 (= `in_1`, the input), so both lie in one
//!   file: the input, moved back by the capture latency JACK reports for
//!   `in_1`, lands within a block of the burst as played. A take of the
//!   input itself carries that latency (`Take::latency_frames`). A take
//!   started while playing knows the song position at its start.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, SystemTime};

use imbolc_audio::backend::Timetag;
use imbolc_audio::engine::{AudioHandle, RECORD_METER, RecordRequest, TempoAnchor};
use imbolc_audio::server::JackMode;
use imbolc_audio::take::{self, RecordSource, Take};
use imbolc_core::dispatch;
use imbolc_core::render::{self, RenderOptions};
use imbolc_tests::engine::{engine_tree, scsynth_port, tapped_engine, wait_feedback};
use imbolc_tests::recording::{RealtimeJack, onsets, read_channel, reference_burst};
use imbolc_tests::tagged_servers;
use imbolc_types::{
    Action, AudioDiff, EnvelopeStage, InstrumentId, MixerParam, Note, ParamTarget, Project, SourceKind,
};
use rosc::{OscBundle, OscMessage, OscPacket, OscTime};

const WAIT: Duration = Duration::from_secs(20);
const RATE: f64 = 48_000.0;
const BLOCK: i64 = 64;
const QUIET: usize = 480;
const REFERENCE_NODE: i32 = 2_000_000_000;
/// Notes of the performance: one every quarter (0.5 s at 120 BPM).
const NOTES: u32 = 8;
const QUARTER: u32 = 480;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("imbolc-takes-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn apply(p: &mut Project, a: Action) {
    dispatch(p, a).unwrap();
}

/// A sine panned hard left playing `NOTES` short notes, one per quarter,
/// with rising pitch and falling velocity (so levels differ per note).
fn project() -> Project {
    let mut p = Project::new("takes");
    p.tempo = 120.0;
    apply(&mut p, Action::AddInstrument { source: SourceKind::SINE, name: "lead".into() });
    let lead: InstrumentId = *p.instruments.keys().next().unwrap();
    for (stage, value) in [(EnvelopeStage::Attack, 0.002), (EnvelopeStage::Release, 0.01)] {
        apply(&mut p, Action::SetParam { target: ParamTarget::Envelope { instrument: lead, stage }, value });
    }
    let pan = ParamTarget::Mixer { instrument: lead, param: MixerParam::Pan };
    apply(&mut p, Action::SetParam { target: pan, value: -1.0 });
    apply(&mut p, Action::AddClip { instrument: lead, name: "part".into(), length: NOTES * QUARTER });
    let clip = *p.clips.keys().next_back().unwrap();
    let notes = (0..NOTES).map(|k| Note::new(60 + k as u8, 120 - 10 * k as u8, k * QUARTER, 120)).collect();
    apply(&mut p, Action::AddNotes { clip, notes });
    apply(&mut p, Action::AddPlacement { clip, start: 0, length: NOTES * QUARTER });
    p
}

fn secs_between(a: Timetag, b: Timetag) -> f64 {
    let fixed = |t: Timetag| (i128::from(t.seconds) << 32) | i128::from(t.fraction);
    (fixed(b) - fixed(a)) as f64 / 4_294_967_296.0
}

fn add_secs(t: Timetag, secs: f64) -> Timetag {
    let fixed = ((i128::from(t.seconds) << 32) | i128::from(t.fraction)) + (secs * 4_294_967_296.0).round() as i128;
    Timetag { seconds: (fixed >> 32) as u32, fraction: (fixed & 0xFFFF_FFFF) as u32 }
}

fn time_on(line: &TempoAnchor, tick: f64) -> Timetag {
    add_secs(line.timetag, (tick - line.play_tick) * 60.0 / (f64::from(line.bpm) * 480.0))
}

fn now() -> Timetag {
    Timetag::from_system_time(SystemTime::now())
}

fn bundle(at: Timetag, message: OscMessage) -> Vec<u8> {
    let packet = OscPacket::Bundle(OscBundle {
        timetag: OscTime { seconds: at.seconds, fractional: at.fraction },
        content: vec![OscPacket::Message(message)],
    });
    rosc::encoder::encode(&packet).unwrap()
}

/// A 30 ms burst on hardware bus `out` at `at`, just before node `before`.
fn burst(socket: &UdpSocket, port: u16, node: i32, before: i32, out: f32, at: Timetag) {
    let (on, off) = reference_burst(node, before, out);
    socket.send_to(&bundle(at, on), ("127.0.0.1", port)).unwrap();
    socket.send_to(&bundle(add_secs(at, 0.03), off), ("127.0.0.1", port)).unwrap();
}

/// Starts a take and waits until its recorder runs; returns its node id.
fn start_take(audio: &mut AudioHandle, source: RecordSource, path: &Path, ended: u64) -> i32 {
    audio.record(RecordRequest { source, path: path.to_owned() }).unwrap();
    let f = wait_feedback(audio, WAIT, |f| f.recording.active.is_some() || f.recording.ended > ended);
    assert!(f.recording.ended == ended, "the take did not start: {:?}", f.recording.last);
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let tree = engine_tree(audio);
        if let Some(node) = tree.walk().into_iter().find(|n| n.def.as_deref() == Some("imbolc_disk_record")) {
            return node.id;
        }
        assert!(std::time::Instant::now() < deadline, "the recorder never started");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Stops the take, waits for its file to be closed and finishes it.
fn stop_take(audio: &mut AudioHandle, ended_before: u64) -> Take {
    audio.stop_recording().unwrap();
    let f = wait_feedback(audio, WAIT, |f| f.recording.ended > ended_before);
    let mut take = f.recording.last.clone().unwrap().expect("the take ended with a file");
    assert!(f.recording.active.is_none());
    take::finish(&mut take).unwrap();
    take
}

fn peak(x: &[f32]) -> f64 {
    x.iter().fold(0.0f64, |m, &s| m.max(f64::from(s.abs())))
}

fn db(x: f64) -> f64 {
    20.0 * x.max(1e-12).log10()
}

#[test]
fn a_performance_take_of_the_master_matches_the_nrt_render_in_onsets_and_level() {
    let tag = format!("takes-perf-{}", std::process::id());
    let dir = temp_dir("perf");
    let project = project();

    // The NRT render of the same project.
    let opts = RenderOptions { out_dir: dir.join("render"), ..RenderOptions::default() };
    let summary = render::render(&project, &opts, &AtomicBool::new(false), &mut |_| {}).unwrap();
    let master = summary.files.iter().find(|f| f.stem == "master").unwrap().path.clone();
    let nrt = read_channel(&master, 0);

    // The live take.
    let jack = RealtimeJack::start(&tag);
    let (mut audio, _tap, up) = tapped_engine(&tag, JackMode::Existing(jack.name.clone()));
    let port = scsynth_port(up.scsynth_pid.unwrap());
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(project.audio_scene()))]).unwrap();
    audio.request_tree().unwrap().recv_timeout(WAIT).unwrap();
    let path = take::prepare(&dir.join("takes")).unwrap();
    let recorder = start_take(&mut audio, RecordSource::Master, &path, 0);
    audio.play().unwrap();
    let anchor = wait_feedback(&mut audio, WAIT, |f| f.transport.playing && f.transport.anchor.is_some())
        .transport
        .anchor
        .unwrap();
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    for k in 0..NOTES {
        let at = time_on(&anchor, f64::from(k * QUARTER));
        burst(&socket, port, REFERENCE_NODE + k as i32, recorder, 1.0, at);
    }
    // The recorder's level meter shows the notes while the take runs.
    let metered =
        wait_feedback(&mut audio, WAIT, |f| f.meters.get(RECORD_METER).is_some_and(|m| m.peak_dbfs() > -30.0));
    let record_peak = metered.meters.get(RECORD_METER).map(|m| m.peak_dbfs()).unwrap_or(f32::NAN);
    let end = add_secs(time_on(&anchor, f64::from(NOTES * QUARTER)), 0.2);
    while secs_between(now(), end) > 0.0 {
        std::thread::sleep(Duration::from_millis(10));
    }
    audio.stop().unwrap();
    let take = stop_take(&mut audio, 0);
    let after = wait_feedback(&mut audio, WAIT, |f| f.meters.get(RECORD_METER).is_none());
    assert!(after.recording.active.is_none(), "the meter goes with the take");
    let counters = audio.counters();
    assert_eq!((counters.fails, counters.mismatches), (0, 0), "{counters:?}");
    audio.shutdown();
    drop(jack);
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "servers left running");

    assert_eq!(take.path, path);
    assert_eq!(take.latency_frames, 0, "a bus has no capture latency");
    assert_eq!(take.song_start, None, "started while stopped: no song position");
    let live = read_channel(&path, 0);
    let reference = onsets(&read_channel(&path, 1), QUIET);
    let played = onsets(&live, QUIET);
    let rendered = onsets(&nrt, QUIET);
    assert_eq!(rendered.len(), NOTES as usize, "NRT onsets {rendered:?}");
    assert_eq!(reference.len(), NOTES as usize, "reference onsets {reference:?}");
    assert_eq!(played.len(), NOTES as usize, "take onsets {played:?}");
    // The take's start, from its timetag against the play's anchor, in
    // samples before the song's first note (the drift of the dummy driver
    // over the 0.1 s lead is in this figure, not in the checks below).
    let start_gap = secs_between(take.start, time_on(&anchor, 0.0)) * RATE;
    let mut worst = 0;
    let mut raw_worst = 0;
    let mut level_worst = 0.0f64;
    for k in 0..NOTES as usize {
        let drift = (reference[k] - reference[0]) - (k as f64 * 0.5 * RATE).round() as i64;
        let raw = (played[k] - played[0]) - (rendered[k] - rendered[0]);
        let d = raw - drift;
        raw_worst = raw_worst.max(raw.abs());
        worst = worst.max(d.abs());
        assert!(d.abs() <= BLOCK, "note {k}: {d:+} samples from the render (drift {drift:+}, raw {raw:+})");
        let window = |x: &[f32], at: i64| peak(&x[at as usize..(at as usize + 4800).min(x.len())]);
        let level = db(window(&live, played[k])) - db(window(&nrt, rendered[k]));
        level_worst = level_worst.max(level.abs());
        assert!(level.abs() < 1.0, "note {k}: level {level:+.2} dB against the render");
    }
    eprintln!(
        "performance take: {} frames ({:.2} s), take start {start_gap:.0} samples before the first note; onsets \
         vs NRT: worst {worst} samples after drift correction ({raw_worst} before), levels within {level_worst:.3} dB; \
         record meter peak {record_peak:.1} dBFS",
        take.frames,
        take.frames as f64 / RATE
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_input_take_lands_within_a_block_of_the_played_bursts_after_the_jack_latency() {
    let tag = format!("takes-input-{}", std::process::id());
    let dir = temp_dir("input");
    let jack = RealtimeJack::start(&tag);
    let (mut audio, _tap, up) = tapped_engine(&tag, JackMode::Existing(jack.name.clone()));
    let port = scsynth_port(up.scsynth_pid.unwrap());
    let connected = Command::new("jack_connect")
        .args(["-s", &jack.name, "SuperCollider:out_1", "SuperCollider:in_1"])
        .env("JACK_NO_START_SERVER", "1")
        .status()
        .unwrap();
    assert!(connected.success());
    let reported = imbolc_audio::server::jack::capture_latency(&jack.name, "SuperCollider:in_1")
        .expect("JACK reports the input's latency");
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let folder = dir.join("takes");

    // Playing (an empty song), so the take knows its song position.
    audio.play().unwrap();
    let anchor = wait_feedback(&mut audio, WAIT, |f| f.transport.playing && f.transport.anchor.is_some())
        .transport
        .anchor
        .unwrap();

    // Bus 1 and 2: out_2 (the burst as played) and in_1 (the input).
    let path = take::prepare(&folder).unwrap();
    let recorder = start_take(&mut audio, RecordSource::Bus(1), &path, 0);
    let first = add_secs(now(), 0.3);
    for k in 0..6 {
        let at = add_secs(first, 0.25 * f64::from(k));
        // A stereo burst on buses 0-1: out_1 feeds in_1, out_2 is kept.
        burst(&socket, port, REFERENCE_NODE + k, recorder, 0.0, at);
    }
    let end = add_secs(first, 1.8);
    while secs_between(now(), end) > 0.0 {
        std::thread::sleep(Duration::from_millis(10));
    }
    let both = stop_take(&mut audio, 0);
    // The song position at the take's timetagged start, from the tempo line.
    let expected = anchor.play_tick + secs_between(anchor.timetag, both.start) * f64::from(anchor.bpm) * 8.0;
    let song_start = both.song_start.expect("started while playing: a song position");
    // To the part of a tick (a whole tick is 50 samples at 120 BPM).
    assert!((song_start - expected).abs() < 0.01, "song start {song_start} ticks, expected {expected:.4}");

    // The input itself: the take carries JACK's latency.
    let input_path = take::prepare(&folder).unwrap();
    let recorder = start_take(&mut audio, RecordSource::Input { channel: 0 }, &input_path, 1);
    let first_in = add_secs(now(), 0.3);
    for k in 0..3 {
        burst(&socket, port, REFERENCE_NODE + 100 + k, recorder, 0.0, add_secs(first_in, 0.25 * f64::from(k)));
    }
    let end = add_secs(first_in, 1.0);
    while secs_between(now(), end) > 0.0 {
        std::thread::sleep(Duration::from_millis(10));
    }
    let input = stop_take(&mut audio, 1);
    audio.shutdown();
    drop(jack);
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "servers left running");

    let played = onsets(&read_channel(&both.path, 0), QUIET);
    let heard = onsets(&read_channel(&both.path, 1), QUIET);
    assert_eq!(played.len(), 6, "played {played:?}");
    assert_eq!(heard.len(), 6, "heard {heard:?}");
    let delays: Vec<i64> = played.iter().zip(&heard).map(|(p, h)| h - p).collect();
    for d in &delays {
        let off = d - i64::from(reported);
        assert!(off.abs() <= BLOCK, "input {d} samples after the burst; JACK reports {reported}: {off:+} off");
    }
    assert_eq!(input.latency_frames, reported, "the input take carries JACK's capture latency");
    assert_eq!(onsets(&read_channel(&input.path, 0), QUIET).len(), 3, "the input take holds the bursts");
    eprintln!(
        "input take: JACK reports a capture latency of {reported} frames for SuperCollider:in_1; the routed \
         bursts arrived {delays:?} samples after they were played (latency of the input take: {} frames)",
        input.latency_frames
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
