//! The harness of the loop-timing tests (`playback_audio.rs`,
//! `arp_timing.rs`): a one-bar loop played through the engine on a private
//! scsynth while `DiskOut` records its output; the tempo changes from 120
//! to 150 BPM in the second pass and the loop wraps twice. For every 16th
//! the test sends its own timed sine burst to the right channel, from the
//! transport's published tempo anchors; the engine's instrument is panned
//! hard left. Every reference onset must have exactly one engine onset
//! within one control block (64 samples at 48 kHz), once aligned on the
//! first pair, and the left channel no other onset (see
//! docs/onset-timing.md for why the reference, not the wall clock).

use std::net::UdpSocket;
use std::time::{Duration, SystemTime};

use imbolc_audio::backend::{ServerOp, Timetag, Timing};
use imbolc_audio::engine::{TapEvent, TempoAnchor};
use imbolc_audio::scheduler::LoopRegion;
use imbolc_audio::server::JackMode;
use imbolc_types::{AudioDiff, AudioScene, ClipId, InstrumentId, TICKS_PER_QUARTER, Tick};
use rosc::{OscBundle, OscMessage, OscPacket, OscTime};

use crate::engine::{scsynth_port, tapped_engine, wait_feedback};
use crate::recording::{DiskRecorder, RealtimeJack, on_realtime_jack, onsets, read_channel, reference_burst};
use crate::tagged_servers;

pub const SIXTEENTH: Tick = TICKS_PER_QUARTER / 4;
pub const LOOP_END: Tick = 4 * TICKS_PER_QUARTER;
pub const STEPS: u32 = LOOP_END / SIXTEENTH;
pub const RATE: f64 = 48_000.0;
/// One control block, in samples.
pub const BLOCK: f64 = 64.0;
/// Silence that must precede an onset: 30 ms.
pub const QUIET: usize = 1440;
pub const INST: InstrumentId = InstrumentId(0);
pub const CLIP: ClipId = ClipId(1);
pub const WAIT: Duration = Duration::from_secs(5);
/// The recorder's node and buffer, and the first reference node: far from
/// what the engine allocates.
pub const RECORDER_NODE: i32 = 2_100_000_000;
pub const RECORDER_BUFFER: i32 = 1000;
pub const REFERENCE_NODE: i32 = 2_000_000_000;
/// The tempo changes just after this step (mid second pass) ...
pub const TEMPO_STEP: u32 = 24;
/// ... and play stops before this step is sent.
pub const END_STEP: u32 = 40;

/// Seconds from `a` to `b`, exact on the NTP fixed point.
pub fn secs_between(a: Timetag, b: Timetag) -> f64 {
    let fixed = |t: Timetag| (i128::from(t.seconds) << 32) | i128::from(t.fraction);
    (fixed(b) - fixed(a)) as f64 / 4_294_967_296.0
}

pub fn seconds_per_tick(bpm: f32) -> f64 {
    60.0 / (f64::from(bpm) * f64::from(TICKS_PER_QUARTER))
}

/// `t` plus `secs` (which may be negative), on the NTP fixed point.
pub fn add_secs(t: Timetag, secs: f64) -> Timetag {
    let fixed = ((i128::from(t.seconds) << 32) | i128::from(t.fraction)) + (secs * 4_294_967_296.0).round() as i128;
    Timetag { seconds: (fixed >> 32) as u32, fraction: (fixed & 0xFFFF_FFFF) as u32 }
}

/// The wall time at which play tick `tick` sounds on `line`.
pub fn time_on(line: &TempoAnchor, tick: f64) -> Timetag {
    add_secs(line.timetag, (tick - line.play_tick) * seconds_per_tick(line.bpm))
}

/// The fractional play tick (never wrapping) now, on `line`.
pub fn play_tick_now(line: &TempoAnchor) -> f64 {
    let now = Timetag::from_system_time(SystemTime::now());
    line.play_tick + secs_between(line.timetag, now) / seconds_per_tick(line.bpm)
}

fn bundle(at: Timetag, message: OscMessage) -> Vec<u8> {
    let packet = OscPacket::Bundle(OscBundle {
        timetag: OscTime { seconds: at.seconds, fractional: at.fraction },
        content: vec![OscPacket::Message(message)],
    });
    rosc::encoder::encode(&packet).unwrap()
}

/// Sends the reference burst of `step` at `at`: an `imbolc_sine` writing
/// to bus 1 (the right channel), before the recorder, gate closed 30 ms on.
fn send_reference(socket: &UdpSocket, port: u16, step: u32, at: Timetag) {
    let (on, off) = reference_burst(REFERENCE_NODE + step as i32, RECORDER_NODE, 1.0);
    socket.send_to(&bundle(at, on), ("127.0.0.1", port)).unwrap();
    socket.send_to(&bundle(add_secs(at, 0.03), off), ("127.0.0.1", port)).unwrap();
}

/// What one run recorded.
struct Run {
    /// Onsets (samples) of the engine (left) and the reference (right).
    engine: Vec<i64>,
    reference: Vec<i64>,
    /// Ideal time of every step sent, seconds after step 0.
    ideal: Vec<f64>,
    /// Per engine note-on bundle seen by the tap: timetag − ideal
    /// (samples) and lead (ms) over the moment the test saw it.
    engine_sent: Vec<(f64, f64)>,
}

/// Collects the engine's timed note-on bundles, with when they were seen.
fn drain_tap(rx: &crossbeam_channel::Receiver<TapEvent>, out: &mut Vec<(Timetag, Timetag)>) {
    while let Ok(event) = rx.try_recv() {
        if let TapEvent::Sent { timing: Timing::At(t), ops, .. } = event
            && ops.iter().any(|op| matches!(op, ServerOp::SynthNew { .. }))
        {
            out.push((t, Timetag::from_system_time(SystemTime::now())));
        }
    }
}

fn play_and_record(dir: &std::path::Path, tag: &str, jack: &RealtimeJack, scene: AudioScene) -> Run {
    let (mut audio, tap_rx, up) = tapped_engine(tag, JackMode::Existing(jack.name.clone()));
    let port = scsynth_port(up.scsynth_pid.expect("the engine reports scsynth's pid"));
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(scene))]).unwrap();
    audio.request_tree().unwrap().recv_timeout(WAIT).expect("the scene is on the server");

    let recorder = DiskRecorder::start(port, RECORDER_NODE, RECORDER_BUFFER, &dir.join("master.wav"));
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    audio.set_loop(LoopRegion::new(0, LOOP_END)).unwrap();
    audio.play().unwrap();
    let a0 = wait_feedback(&mut audio, WAIT, |f| f.transport.playing && f.transport.anchor.is_some())
        .transport
        .anchor
        .unwrap();
    assert_eq!(a0.bpm, 120.0);
    let tick_of = |step: u32| f64::from(step * SIXTEENTH);
    let mut sent = Vec::new();
    for step in 0..=TEMPO_STEP {
        sent.push(time_on(&a0, tick_of(step)));
        send_reference(&socket, port, step, time_on(&a0, tick_of(step)));
    }

    // Just after step 24 (mid second pass): 150 BPM. The new line starts a
    // lookahead later, before step 25.
    let mut tap = Vec::new();
    while play_tick_now(&a0) < tick_of(TEMPO_STEP) + 10.0 {
        drain_tap(&tap_rx, &mut tap);
        std::thread::sleep(Duration::from_millis(2));
    }
    audio.set_tempo(150.0).unwrap();
    let a1 = wait_feedback(&mut audio, WAIT, |f| f.transport.anchor.is_some_and(|a| a.bpm == 150.0))
        .transport
        .anchor
        .unwrap();
    assert!(a1.play_tick > tick_of(TEMPO_STEP) && a1.play_tick < tick_of(TEMPO_STEP + 1), "{a1:?}");
    for step in TEMPO_STEP + 1..END_STEP {
        sent.push(time_on(&a1, tick_of(step)));
        send_reference(&socket, port, step, time_on(&a1, tick_of(step)));
    }
    // Stop once the last step is sent, before the next one is (the
    // scheduler looks 50 ms = 60 ticks ahead at 150 BPM).
    while play_tick_now(&a1) < tick_of(END_STEP) - 100.0 {
        drain_tap(&tap_rx, &mut tap);
        std::thread::sleep(Duration::from_millis(2));
    }
    drain_tap(&tap_rx, &mut tap);
    audio.stop().unwrap();
    wait_feedback(&mut audio, WAIT, |f| !f.transport.playing && f.transport.voices == 0);
    recorder.wait_written_past_now();
    let path = recorder.finish();
    let counters = audio.counters();
    assert_eq!((counters.fails, counters.mismatches, counters.dropped), (0, 0, 0), "{counters:?}");
    audio.shutdown();

    let ideal = sent.iter().map(|&t| secs_between(sent[0], t)).collect();
    // The engine's note-on timetags against the ideal ones, and how far
    // ahead of their time the test saw them go out.
    let engine_sent = tap
        .iter()
        .map(|(t, seen)| {
            let nearest = sent.iter().map(|&s| secs_between(s, *t)).min_by(|a, b| a.abs().total_cmp(&b.abs()));
            (nearest.unwrap_or(f64::NAN) * RATE, secs_between(*seen, *t) * 1e3)
        })
        .collect();
    Run {
        engine: onsets(&read_channel(&path, 0), QUIET),
        reference: onsets(&read_channel(&path, 1), QUIET),
        ideal,
        engine_sent,
    }
}

/// Plays `scene` (one instrument panned left, looping the first bar) and
/// checks every 16th's onset against its reference, within a block;
/// `label` names the servers and the temporary folder.
pub fn onsets_land_within_a_block(label: &str, scene: AudioScene) {
    let tag = format!("{label}-{}", std::process::id());
    let dir = std::env::temp_dir().join(format!("imbolc-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    on_realtime_jack(&tag, 256, |jack| check_onsets(play_and_record(&dir, &tag, jack, scene.clone())));
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "scsynth/jackd left running after the test");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The checks of [`onsets_land_within_a_block`] on one run.
fn check_onsets(run: Run) {
    let Run { engine, reference, ideal, engine_sent } = run;

    assert_eq!(reference.len(), END_STEP as usize, "every reference burst sounded: {reference:?}");
    assert!(!engine.is_empty(), "the engine played nothing");
    let offset = engine[0] - reference[0];
    // Each step: exactly one engine onset within a block of its reference.
    let mut deviations = Vec::new();
    let mut problems = Vec::new();
    for (step, &r) in reference.iter().enumerate() {
        let near: Vec<i64> = engine.iter().map(|&e| e - r - offset).filter(|d| d.abs() as f64 <= BLOCK).collect();
        match near.as_slice() {
            [d] => deviations.push(*d),
            [] => {
                let nearest = engine.iter().map(|&e| e - r - offset).min_by_key(|d| d.abs()).unwrap_or(i64::MAX);
                problems.push(format!("step {step}: nearest engine onset {nearest:+} samples from the reference"));
            }
            more => problems.push(format!("step {step}: {} engine onsets {more:?}", more.len())),
        }
    }
    // No other engine onset.
    for &e in &engine {
        if !reference.iter().any(|&r| ((e - r - offset).abs() as f64) <= BLOCK) {
            problems.push(format!("extra engine onset at sample {e}"));
        }
    }
    // The wall clock's view: the reference against the ideal times.
    let wall: Vec<f64> = reference.iter().zip(&ideal).map(|(&r, &t)| (r - reference[0]) as f64 - t * RATE).collect();
    let (wall_min, wall_max) = wall.iter().fold((0.0f64, 0.0f64), |(lo, hi), &d| (lo.min(d), hi.max(d)));
    let timetag_worst = engine_sent.iter().map(|(d, _)| d.abs()).fold(0.0, f64::max);
    let least_lead = engine_sent.iter().map(|(_, l)| *l).fold(f64::INFINITY, f64::min);
    eprintln!(
        "engine timetags: {} note-ons, worst {timetag_worst:.3} samples from ideal; least lead seen {least_lead:.1} ms",
        engine_sent.len()
    );
    let worst = deviations.iter().map(|d| d.abs()).max().unwrap_or(0);
    eprintln!(
        "{} steps over {:.2} s (120→150 BPM after step {TEMPO_STEP}, 2 wraps): {} engine onsets; engine vs \
         reference: worst deviation {worst} samples (limit {BLOCK:.0}), offset {offset} samples; reference vs \
         wall clock: {wall_min:+.0}..{wall_max:+.0} samples (the dummy driver)",
        reference.len(),
        ideal.last().unwrap(),
        engine.len(),
    );
    assert!(
        problems.is_empty(),
        "{problems:#?}\ndeviations: {deviations:?}\nwall: {wall:.0?}\nsent (samples, lead ms): {engine_sent:.1?}"
    );
}
