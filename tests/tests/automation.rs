//! Automation on a real private scsynth, through the engine
//! ([`AudioHandle`]): a filter-cutoff lane from 200 Hz to 5 kHz over two
//! bars at 120 BPM. While it plays, the test asks the server for the
//! filter node's `cutoff` with `/s_get` every 40 ms from its own socket
//! (reply `/n_set id name value`): the values must rise monotonically from
//! about 200 to 5000, each within the lane's values over the request's
//! time window, widened by 40 ms each way (the server's output latency,
//! one period, one sampling step and the dummy driver's clock wander):
//! about ±50 Hz on this sweep.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::UdpSocket;
use std::time::{Duration, SystemTime};

use imbolc_audio::backend::Timetag;
use imbolc_audio::engine::{AudioHandle, EngineConfig, TempoAnchor};
use imbolc_audio::status::ServerState;
use imbolc_tests::engine::{scsynth_port, wait_feedback};
use imbolc_tests::{TEST_TAG_VAR, TreeNode, tagged_servers, test_config};
use imbolc_types::catalog::SourceKind;
use imbolc_types::{
    AudioDiff, AudioScene, AutomationLane, FilterDef, FilterKind, Instrument, InstrumentDef, InstrumentId, LaneId,
    MixerSettings, ParamTarget, TICKS_PER_QUARTER, Tick,
};
use rosc::{OscMessage, OscPacket, OscType};

const INST: InstrumentId = InstrumentId(0);
/// Two bars of 4/4.
const SWEEP_END: Tick = 8 * TICKS_PER_QUARTER;
const WAIT: Duration = Duration::from_secs(5);
/// How early a value may be seen: the server runs a timed bundle up to its
/// output latency (10.7 ms at `-p 256`) plus one period (5.3 ms) before
/// its timetag, and on the dummy JACK driver its wall clock wanders by up
/// to ~20 ms (see tests/tests/playback.rs).
const EARLY: f64 = 0.04;
/// How late a value may be seen: the request waits for the next period
/// (5.3 ms), the lane is sampled every 5 ms, and the same clock wander.
const LATE: f64 = 0.04;

fn sweep() -> AutomationLane {
    let mut lane = AutomationLane::new(LaneId(0), ParamTarget::Filter { instrument: INST, param: "cutoff".into() });
    lane.points = [(0, 200.0), (SWEEP_END, 5000.0)].into();
    lane
}

fn scene() -> AudioScene {
    let mut def = InstrumentDef::new(SourceKind::SAW);
    def.filter = Some(FilterDef::new(FilterKind::LOW_PASS));
    AudioScene {
        instruments: vec![Instrument { id: INST, name: "swept".into(), def, mixer: MixerSettings::default() }],
        tempo: 120.0,
        automation: vec![sweep()],
        ..AudioScene::default()
    }
}

fn secs_between(a: Timetag, b: Timetag) -> f64 {
    let fixed = |t: Timetag| (i128::from(t.seconds) << 32) | i128::from(t.fraction);
    (fixed(b) - fixed(a)) as f64 / 4_294_967_296.0
}

/// Fractional play tick at wall time `at` on the tempo line `line`.
fn tick_at(line: &TempoAnchor, at: Timetag) -> f64 {
    line.play_tick + secs_between(line.timetag, at) * f64::from(line.bpm) * f64::from(TICKS_PER_QUARTER) / 60.0
}

fn wall() -> Timetag {
    Timetag::from_system_time(SystemTime::now())
}

/// The server's value of control `name` of `node`, asked with `/s_get`.
fn s_get(socket: &UdpSocket, port: u16, node: i32, name: &str) -> f32 {
    let msg = OscPacket::Message(OscMessage {
        addr: "/s_get".into(),
        args: vec![OscType::Int(node), OscType::String(name.into())],
    });
    socket.send_to(&rosc::encoder::encode(&msg).unwrap(), ("127.0.0.1", port)).unwrap();
    let mut buf = [0u8; 1024];
    loop {
        let (n, _) = socket.recv_from(&mut buf).expect("no /n_set reply to /s_get within the timeout");
        let (_, packet) = rosc::decoder::decode_udp(&buf[..n]).unwrap();
        if let OscPacket::Message(m) = packet
            && m.addr == "/n_set"
            && m.args.first() == Some(&OscType::Int(node))
        {
            match m.args.get(2) {
                Some(OscType::Float(v)) => return *v,
                other => panic!("unexpected /n_set value {other:?}"),
            }
        }
    }
}

#[test]
fn a_filter_cutoff_lane_sweeps_the_servers_control_from_200_to_5000_hz() {
    let tag = format!("automation-{}", std::process::id());
    let mut config = test_config();
    config.child_env = vec![(TEST_TAG_VAR.to_owned(), tag.clone())];
    let mut audio = AudioHandle::spawn(EngineConfig::new(config)).unwrap();
    let up = wait_feedback(&mut audio, Duration::from_secs(10), |f| matches!(f.server, ServerState::Running { .. }));
    let port = scsynth_port(up.scsynth_pid.expect("the engine reports scsynth's pid"));
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(scene()))]).unwrap();
    let reply = audio.request_tree().unwrap().recv_timeout(WAIT).expect("no tree from the engine");
    let tree = TreeNode::parse(&reply).unwrap();
    let filter = tree.walk().into_iter().find(|n| n.def.as_deref() == Some("imbolc_lpf")).expect("the filter node").id;

    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    assert_eq!(s_get(&socket, port, filter, "cutoff"), 2000.0, "the filter's own value before play");

    audio.play().unwrap();
    let playing = wait_feedback(&mut audio, WAIT, |f| f.transport.playing && f.transport.anchor.is_some());
    let line = playing.transport.anchor.unwrap();
    let lane = sweep();
    // (value, lowest and highest lane value the request could have seen, lane value mid-request)
    let mut samples = Vec::new();
    let end = f64::from(SWEEP_END) + 480.0;
    loop {
        let sent = wall();
        let value = s_get(&socket, port, filter, "cutoff");
        let received = wall();
        let (t0, t1) = (tick_at(&line, sent), tick_at(&line, received));
        if t1 > end {
            break;
        }
        if t0 > 20.0 {
            let per_sec = f64::from(line.bpm) * f64::from(TICKS_PER_QUARTER) / 60.0;
            let lo = lane.value_at(t0 - LATE * per_sec).unwrap();
            let hi = lane.value_at(t1 + EARLY * per_sec).unwrap();
            let mid = lane.value_at((t0 + t1) / 2.0).unwrap();
            samples.push((t0, value, lo, hi, mid));
        }
        std::thread::sleep(Duration::from_millis(40));
    }
    audio.stop().unwrap();

    assert!(samples.len() > 60, "about 100 samples over 4 s: {}", samples.len());
    let values: Vec<f32> = samples.iter().map(|s| s.1).collect();
    assert!(values.windows(2).all(|w| w[0] <= w[1]), "monotonic: {values:?}");
    assert!(values[0] < 400.0, "starts near 200 Hz (sampled from 20 ticks in): {}", values[0]);
    assert_eq!(*values.last().unwrap(), 5000.0, "ends at 5 kHz");
    let mut worst = 0.0f32;
    for (tick, value, lo, hi, mid) in &samples {
        assert!(
            *value >= lo - 0.5 && *value <= hi + 0.5,
            "at tick {tick:.0} the server had {value} Hz, the lane {lo}..{hi} Hz"
        );
        worst = worst.max((value - mid).abs());
    }
    let counters = audio.counters();
    assert_eq!((counters.fails, counters.mismatches), (0, 0), "{counters:?}");
    eprintln!(
        "{} /s_get samples of the cutoff over the 4 s sweep: {:.0} → {:.0} Hz, monotonic; largest distance from the \
         lane's value mid-request {worst:.1} Hz",
        samples.len(),
        values[0],
        values[values.len() - 1]
    );
    audio.shutdown();
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "scsynth/jackd left running after shutdown");
}

/// Metronome with a one-bar count-in on the real server: every click
/// bundle the engine sends (from its tap) is timed on a beat of the
/// published tempo line, the bar's first beat is accented, the song's
/// first note comes right after the four count-in clicks, and every click
/// synth starts and frees itself on the server.
#[test]
fn metronome_clicks_are_timed_on_the_beats_after_a_one_bar_count_in() {
    use std::collections::HashSet;

    use imbolc_audio::backend::{ServerOp, Timing};
    use imbolc_audio::engine::{TapEvent, TransportCmd};
    use imbolc_audio::server::JackMode;
    use imbolc_tests::engine::tapped_engine;
    use imbolc_types::{Clip, ClipId, Note, NoteId, Placement, PlacementId};

    let tag = format!("metronome-{}", std::process::id());
    let (mut audio, tap_rx, _) = tapped_engine(&tag, JackMode::Dummy);
    let notes = [(NoteId(0), Note::new(60, 100, 0, 240))].into();
    let clip =
        Clip { id: ClipId(0), name: "one".into(), instrument: INST, length: 1920, looping: false, notes, drums: None };
    let mut s = scene();
    s.automation.clear();
    s.clips = vec![clip];
    s.placements = vec![Placement { id: PlacementId(0), clip: ClipId(0), start: 0, length: 1920 }];
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(s))]).unwrap();
    audio.request_tree().unwrap().recv_timeout(WAIT).expect("no tree from the engine");
    audio.transport(TransportCmd::SetMetronome(true)).unwrap();
    audio.transport(TransportCmd::SetCountIn(1)).unwrap();
    audio.play().unwrap();
    let playing = wait_feedback(&mut audio, WAIT, |f| f.transport.playing && f.transport.anchor.is_some());
    assert!(playing.transport.counting_in, "the count-in is shown");
    assert_eq!(playing.transport.tick, 0);
    let line = playing.transport.anchor.unwrap();
    std::thread::sleep(Duration::from_millis(3300));
    audio.stop().unwrap();
    std::thread::sleep(Duration::from_millis(300));

    let (mut clicks, mut note_ons, mut go, mut end) = (Vec::new(), Vec::new(), HashSet::new(), HashSet::new());
    while let Ok(event) = tap_rx.try_recv() {
        match event {
            TapEvent::Sent { timing: Timing::At(t), ops, .. } => {
                for op in ops {
                    if let ServerOp::SynthNew { def, id, controls, .. } = op {
                        let accent = controls.iter().any(|(n, v)| *n == "accent" && *v == 1.0);
                        if def == "imbolc_click" { clicks.push((t, id.0, accent)) } else { note_ons.push(t) }
                    }
                }
            }
            TapEvent::Go(n) => _ = go.insert(n.0),
            TapEvent::End(n) => _ = end.insert(n.0),
            TapEvent::Sent { .. } => {}
        }
    }
    let spt = 60.0 / (f64::from(line.bpm) * f64::from(TICKS_PER_QUARTER));
    let beat_of = |t: Timetag| (secs_between(line.timetag, t) / spt + line.play_tick) / f64::from(TICKS_PER_QUARTER);
    assert!(clicks.len() >= 7, "a bar of count-in and more than half a bar of song: {}", clicks.len());
    for (k, (t, node, accent)) in clicks.iter().enumerate() {
        let beat = beat_of(*t);
        let error = (beat - k as f64).abs() * 0.5;
        assert!(error < 1e-6, "click {k} is {error} s off beat {k}");
        assert_eq!(*accent, k % 4 == 0, "click {k}");
        assert!(go.contains(node) && end.contains(node), "click {node} played and freed itself");
    }
    assert_eq!(note_ons.len(), 1, "the song's one note");
    assert!((beat_of(note_ons[0]) - 4.0).abs() < 1e-6, "the song starts after the count-in");
    let counters = audio.counters();
    assert_eq!((counters.fails, counters.mismatches), (0, 0), "{counters:?}");
    eprintln!("{} clicks on the beats (4 of count-in), the first note on beat 4", clicks.len());
    audio.shutdown();
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "scsynth/jackd left running after shutdown");
}
