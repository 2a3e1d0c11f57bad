//! Automation on a real private scsynth, through the engine
//! ([`AudioHandle`]): a filter-cutoff lane from 200 Hz to 5 kHz over two
//! bars at 120 BPM. While it plays, the test asks the server for the
//! filter node's `cutoff` with `/s_get` every 40 ms from its own socket
//! (reply `/n_set id name value`): the values must rise monotonically from
//! about 200 to 5000, each within the lane's values around the moment the
//! server had reached.
//!
//! That moment is read from the server itself, not from the wall clock:
//! the dummy JACK driver skips periods under load, so the server's clock
//! falls behind wall time by tens of milliseconds. The test schedules its
//! own reference clock on the server (a node whose control it sets to the
//! play tick every 10 ms, with timetags on the engine's tempo line) and
//! reads it in the same bundle as the cutoff: both went through the same
//! timetag-to-sample mapping, so any drift cancels (the method of
//! `docs/onset-timing.md`).
//!
//! The same method checks a lane on the master limiter's ceiling (−1 to
//! −12 dBFS): the master strip's `ceiling` control follows it.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::UdpSocket;
use std::time::{Duration, Instant, SystemTime};

use crossbeam_channel::Receiver;

use imbolc_audio::backend::{Timetag, Timing};
use imbolc_audio::engine::{TapEvent, TempoAnchor};
use imbolc_audio::server::JackMode;
use imbolc_tests::engine::{scsynth_port, tapped_engine, wait_feedback};
use imbolc_tests::{TreeNode, tagged_servers};
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
/// Node id of the test's reference clock (far above the engine's ids).
const CLOCK_NODE: i32 = 900_000;
/// An audio bus nothing else uses, for the reference clock's filter to run on.
const CLOCK_BUS: i32 = 1000;
/// Spacing of the reference clock's timed updates.
const CLOCK_STEP: f64 = 0.01;
/// How far behind the reference clock the lane's last value may be: the
/// engine samples a changing lane about every 5 ms, plus one control block.
const LANE_BEHIND: f64 = 0.008;

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

/// How many timed bundles the engine sent after their timetag, and the
/// latest by how many seconds (a stalled audio thread shows here).
fn late_sends(tap: &Receiver<TapEvent>, line: &TempoAnchor) -> (usize, f64) {
    let (now, wall) = (Instant::now(), SystemTime::now());
    let mut late = (0, 0.0f64);
    while let Ok(event) = tap.try_recv() {
        if let TapEvent::Sent { timing: Timing::At(t), at, .. } = event {
            let sent = Timetag::from_system_time(wall - now.duration_since(at)).as_secs_f64();
            let by = sent - t.as_secs_f64();
            if by > 0.0 && t.as_secs_f64() >= line.timetag.as_secs_f64() {
                late = (late.0 + 1, late.1.max(by));
            }
        }
    }
    late
}

/// `line`'s timetag moved by `secs` seconds.
fn after(line: &TempoAnchor, secs: f64) -> Timetag {
    let fixed = (i128::from(line.timetag.seconds) << 32) | i128::from(line.timetag.fraction);
    let moved = fixed + (secs * 4_294_967_296.0) as i128;
    Timetag { seconds: (moved >> 32) as u32, fraction: (moved & 0xffff_ffff) as u32 }
}

fn send(socket: &UdpSocket, port: u16, packet: OscPacket) {
    socket.send_to(&rosc::encoder::encode(&packet).unwrap(), ("127.0.0.1", port)).unwrap();
}

/// The reference clock: bundles timed like the engine's, every
/// [`CLOCK_STEP`] of the tempo line, that set the clock node's `cutoff`
/// control to the play tick of that moment. Sent a little ahead as the test
/// goes (as the engine sends its windows), not all at once: a burst of
/// hundreds of datagrams would queue in front of the engine's.
struct RefClock {
    line: TempoAnchor,
    next_step: u32,
}

impl RefClock {
    /// Sends every step due within `ahead` seconds of wall time.
    fn send_ahead(&mut self, socket: &UdpSocket, port: u16, ahead: f64) {
        let per_sec = f64::from(self.line.bpm) * f64::from(TICKS_PER_QUARTER) / 60.0;
        let horizon = Timetag::from_system_time(SystemTime::now()).as_secs_f64() + ahead;
        loop {
            let at = f64::from(self.next_step) * CLOCK_STEP;
            let timetag = after(&self.line, at);
            if timetag.as_secs_f64() > horizon {
                return;
            }
            let tick = self.line.play_tick + at * per_sec;
            let set = OscPacket::Message(OscMessage {
                addr: "/n_set".into(),
                args: vec![OscType::Int(CLOCK_NODE), OscType::String("cutoff".into()), OscType::Float(tick as f32)],
            });
            let timetag = rosc::OscTime { seconds: timetag.seconds, fractional: timetag.fraction };
            send(socket, port, OscPacket::Bundle(rosc::OscBundle { timetag, content: vec![set] }));
            self.next_step += 1;
        }
    }
}

/// The server's values of each (node, control), asked with `/s_get` in one
/// bundle, so all are read in the same control block.
fn s_get(socket: &UdpSocket, port: u16, reads: &[(i32, &str)]) -> Vec<f32> {
    let nodes: Vec<i32> = reads.iter().map(|r| r.0).collect();
    let content = reads
        .iter()
        .map(|&(node, name)| {
            OscPacket::Message(OscMessage {
                addr: "/s_get".into(),
                args: vec![OscType::Int(node), OscType::String(name.into())],
            })
        })
        .collect();
    // Timed "now", not immediate: scsynth performs immediate bundles as they
    // arrive but queues timed ones, late ones included, so an immediate
    // read could run before reference steps this thread sent late (after a
    // stall) and see a stale reference. Queued, it runs after them.
    let now = Timetag::from_system_time(SystemTime::now());
    let now = rosc::OscTime { seconds: now.seconds, fractional: now.fraction };
    send(socket, port, OscPacket::Bundle(rosc::OscBundle { timetag: now, content }));
    let mut values = vec![None; nodes.len()];
    let mut buf = [0u8; 1024];
    while values.iter().any(Option::is_none) {
        let (n, _) = socket.recv_from(&mut buf).expect("no /n_set reply to /s_get within the timeout");
        let (_, packet) = rosc::decoder::decode_udp(&buf[..n]).unwrap();
        let OscPacket::Message(m) = packet else { continue };
        let Some(OscType::Int(node)) = m.args.first() else { continue };
        if m.addr != "/n_set" {
            continue;
        }
        if let Some(at) = nodes.iter().position(|n| n == node) {
            match m.args.get(2) {
                Some(OscType::Float(v)) => values[at] = Some(*v),
                other => panic!("unexpected /n_set value {other:?}"),
            }
        }
    }
    values.into_iter().flatten().collect()
}

/// Starts the test's reference clock node (see the module docs).
fn start_clock(socket: &UdpSocket, port: u16) {
    send(
        socket,
        port,
        OscPacket::Message(OscMessage {
            addr: "/s_new".into(),
            args: vec![
                OscType::String("imbolc_lpf".into()),
                OscType::Int(CLOCK_NODE),
                OscType::Int(1),
                OscType::Int(0),
                OscType::String("bus".into()),
                OscType::Int(CLOCK_BUS),
                OscType::String("cutoff".into()),
                OscType::Float(-1.0),
            ],
        }),
    );
}

/// Plays, and samples control `control` of `node` with its reference tick
/// every 40 ms until a beat after the lane's last point: (reference tick,
/// value, lowest and highest value the lane allows around that tick, both
/// through `to_control`, the mapping from lane value to control value).
/// Returns the tempo line too.
fn play_and_sample(
    audio: &mut imbolc_audio::engine::AudioHandle,
    socket: &UdpSocket,
    port: u16,
    node: i32,
    control: &str,
    lane: &AutomationLane,
    to_control: impl Fn(f32) -> f32,
) -> (TempoAnchor, Vec<(f64, f32, f32, f32)>) {
    audio.play().unwrap();
    let playing = wait_feedback(audio, WAIT, |f| f.transport.playing && f.transport.anchor.is_some());
    let line = playing.transport.anchor.unwrap();
    let per_sec = f64::from(line.bpm) * f64::from(TICKS_PER_QUARTER) / 60.0;
    let last = lane.points.keys().next_back().copied().unwrap_or(0);
    let end = f64::from(last) + 480.0;
    let mut clock = RefClock { line, next_step: 0 };
    let mut samples = Vec::new();
    loop {
        clock.send_ahead(socket, port, 0.2);
        let [value, reference] = s_get(socket, port, &[(node, control), (CLOCK_NODE, "cutoff")])[..] else {
            unreachable!()
        };
        let tick = f64::from(reference);
        if tick > end {
            break;
        }
        // A stall of this thread between the two calls longer than the 0.2 s
        // sent ahead leaves the reference behind: not a sample.
        let covered = after(&line, f64::from(clock.next_step) * CLOCK_STEP).as_secs_f64();
        let stale = Timetag::from_system_time(SystemTime::now()).as_secs_f64() > covered;
        if tick > 20.0 && !stale {
            let a = to_control(lane.value_at(tick - LANE_BEHIND * per_sec).unwrap());
            let b = to_control(lane.value_at(tick + CLOCK_STEP * per_sec).unwrap());
            samples.push((tick, value, a.min(b), a.max(b)));
        }
        std::thread::sleep(Duration::from_millis(40));
    }
    (line, samples)
}

/// The tests here time the engine's bundles against a realtime server;
/// three engines, jackds and scsynths at once on two cores made the audio
/// thread send late (seen 4.6 ms), so they run one at a time.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ONE.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[test]
fn a_filter_cutoff_lane_sweeps_the_servers_control_from_200_to_5000_hz() {
    let _one_at_a_time = one_at_a_time();
    let tag = format!("automation-{}", std::process::id());
    let (mut audio, tap, up) = tapped_engine(&tag, JackMode::Dummy);
    let port = scsynth_port(up.scsynth_pid.expect("the engine reports scsynth's pid"));
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(scene()))]).unwrap();
    let reply = audio.request_tree().unwrap().recv_timeout(WAIT).expect("no tree from the engine");
    let tree = TreeNode::parse(&reply).unwrap();
    let filter = tree.walk().into_iter().find(|n| n.def.as_deref() == Some("imbolc_lpf")).expect("the filter node").id;

    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    assert_eq!(s_get(&socket, port, &[(filter, "cutoff")])[0], 2000.0, "the filter's own value before play");
    start_clock(&socket, port);
    let lane = sweep();
    let (line, samples) = play_and_sample(&mut audio, &socket, port, filter, "cutoff", &lane, |v| v);
    audio.stop().unwrap();
    let late = late_sends(&tap, &line);
    assert!(samples.len() > 60, "about 100 samples over 4 s: {}", samples.len());
    let values: Vec<f32> = samples.iter().map(|s| s.1).collect();
    assert!(values.windows(2).all(|w| w[0] <= w[1]), "monotonic: {values:?}");
    assert!(values[0] < 400.0, "starts near 200 Hz (sampled from 20 ticks in): {}", values[0]);
    assert_eq!(*values.last().unwrap(), 5000.0, "ends at 5 kHz");
    let mut worst = 0.0f32;
    for (tick, value, lo, hi) in &samples {
        assert!(
            *value >= lo - 0.5 && *value <= hi + 0.5,
            "at reference tick {tick:.0} the server had {value} Hz, the lane {lo}..{hi} Hz; the engine sent {} \
             bundles after their time, the latest {:.1} ms late",
            late.0,
            late.1 * 1000.0
        );
        worst = worst.max((value - lo).abs().max((hi - value).abs()));
    }
    let counters = audio.counters();
    assert_eq!((counters.fails, counters.mismatches), (0, 0), "{counters:?}");
    eprintln!(
        "{} /s_get samples of the cutoff over the 4 s sweep: {:.0} → {:.0} Hz, monotonic; widest distance from the \
         lane's bounds {worst:.1} Hz",
        samples.len(),
        values[0],
        values[values.len() - 1]
    );
    audio.shutdown();
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "scsynth/jackd left running after shutdown");
}

/// The master limiter's ceiling as an automation target: a lane from −1 to
/// −12 dBFS over two bars moves the master strip's `ceiling` control
/// (linear amplitude) down with it, each value within the lane's around
/// the moment the server had reached (same method as the cutoff sweep).
#[test]
fn a_limiter_ceiling_lane_moves_the_master_strips_ceiling_from_minus_1_to_minus_12_dbfs() {
    let _one_at_a_time = one_at_a_time();
    let tag = format!("ceiling-{}", std::process::id());
    let (mut audio, tap, up) = tapped_engine(&tag, JackMode::Dummy);
    let port = scsynth_port(up.scsynth_pid.expect("the engine reports scsynth's pid"));
    let mut lane = AutomationLane::new(LaneId(0), ParamTarget::MasterLimiterCeiling);
    lane.points = [(0, -1.0), (SWEEP_END, -12.0)].into();
    let mut s = scene();
    s.automation = vec![lane.clone()];
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(s))]).unwrap();
    let reply = audio.request_tree().unwrap().recv_timeout(WAIT).expect("no tree from the engine");
    let tree = TreeNode::parse(&reply).unwrap();
    let master =
        tree.walk().into_iter().find(|n| n.def.as_deref() == Some("imbolc_master")).expect("the master strip").id;

    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let linear = |db: f32| 10f32.powf(db / 20.0);
    let before = s_get(&socket, port, &[(master, "ceiling")])[0];
    assert!((before - linear(-1.0)).abs() < 1e-6, "the default ceiling before play: {before}");
    start_clock(&socket, port);
    let (line, samples) = play_and_sample(&mut audio, &socket, port, master, "ceiling", &lane, linear);
    audio.stop().unwrap();
    let late = late_sends(&tap, &line);
    assert!(samples.len() > 60, "about 100 samples over 4 s: {}", samples.len());
    let values: Vec<f32> = samples.iter().map(|s| s.1).collect();
    assert!(values.windows(2).all(|w| w[0] >= w[1]), "falling: {values:?}");
    assert!(values[0] > linear(-2.0), "starts near -1 dBFS: {}", values[0]);
    assert!((values[values.len() - 1] - linear(-12.0)).abs() < 1e-6, "ends at -12 dBFS: {values:?}");
    for (tick, value, lo, hi) in &samples {
        assert!(
            *value >= lo - 1e-5 && *value <= hi + 1e-5,
            "at reference tick {tick:.0} the server's ceiling was {value}, the lane's {lo}..{hi}; the engine sent {} \
             bundles after their time, the latest {:.1} ms late",
            late.0,
            late.1 * 1000.0
        );
    }
    let counters = audio.counters();
    assert_eq!((counters.fails, counters.mismatches), (0, 0), "{counters:?}");
    eprintln!(
        "{} /s_get samples of the master ceiling over the 4 s lane: {:.3} → {:.3}, falling",
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
    let _one_at_a_time = one_at_a_time();
    use std::collections::HashSet;

    use imbolc_audio::backend::ServerOp;
    use imbolc_audio::engine::TransportCmd;
    use imbolc_types::{Clip, ClipId, Note, NoteId, Placement, PlacementId};

    let tag = format!("metronome-{}", std::process::id());
    let (mut audio, tap_rx, _) = tapped_engine(&tag, JackMode::Dummy);
    let notes = [(NoteId(0), Note::new(60, 100, 0, 240))].into();
    let clip = Clip {
        id: ClipId(0),
        name: "one".into(),
        instrument: INST,
        length: 1920,
        looping: false,
        notes,
        drums: None,
        audio: None,
    };
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
