//! Ableton Link between real engines (each on its own private JACK dummy
//! server and scsynth): tempo, bar phase and start/stop follow the Link
//! session, and an engine with Link off is left alone.
//!
//! Link finds its peers by multicast on every network interface. So that
//! nothing leaves this machine, the test runs itself again inside a
//! private network namespace (`unshare -n`) whose only interface is
//! loopback, with multicast routed to it (`ip link set lo up multicast
//! on`, `ip route add 224.0.0.0/4 dev lo`). Inside, the namespace is
//! checked to hold nothing but `lo` before any engine starts. Without
//! `unshare` (util-linux) or `ip` (iproute2), or without the right to
//! make a namespace (root), the test fails saying so.
//!
//! What is measured: the timetags of the metronome's bar-line clicks each
//! engine's audio thread sends (from its tap), and of the first note of a
//! clip launched on one of them, so "in phase" is read from the bundles
//! that actually go to scsynth.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant, SystemTime};

use crossbeam_channel::Receiver;
use imbolc_audio::backend::{ServerOp, Timetag, Timing};
use imbolc_audio::engine::{AudioHandle, TapEvent, TransportCmd};
use imbolc_audio::scheduler::{Launch, midi_to_freq};
use imbolc_audio::server::JackMode;
use imbolc_tests::engine::{tapped_engine, wait_feedback};
use imbolc_tests::netns::inside_private_network;
use imbolc_tests::tagged_servers;
use imbolc_types::catalog::SourceKind;
use imbolc_types::{
    AudioDiff, AudioScene, Clip, ClipId, EnvelopeDef, Instrument, InstrumentDef, InstrumentId, LaunchQuantize,
    LaunchTarget, MixerSettings, Note, NoteId, ParamTarget, TICKS_PER_QUARTER, TimeSignature,
};

const TEMPO_WITHIN: Duration = Duration::from_secs(1);
const BAR_LINES_WITHIN: f64 = 0.001;
const LEAD: InstrumentId = InstrumentId(0);
const LAUNCHED: ClipId = ClipId(1);
const LAUNCHED_PITCH: u8 = 84;

fn seconds(t: Timetag) -> f64 {
    f64::from(t.seconds) + f64::from(t.fraction) / 4_294_967_296.0
}

/// What one engine sent, as timetags in seconds: bar-line (accented)
/// metronome clicks, and starts of the launched clip's note.
#[derive(Default)]
struct Heard {
    bars: Vec<f64>,
    launched: Vec<f64>,
}

fn control(op: &ServerOp, name: &str, mut is: impl FnMut(f32) -> bool) -> bool {
    matches!(op, ServerOp::SynthNew { controls, .. } if controls.iter().any(|(n, v)| *n == name && is(*v)))
}

/// Takes what the engine sent since the last call.
fn listen(tap: &Receiver<TapEvent>, into: &mut Heard) {
    let launched = midi_to_freq(LAUNCHED_PITCH);
    for event in tap.try_iter() {
        let TapEvent::Sent { timing: Timing::At(tag), ops, .. } = event else { continue };
        if ops.iter().any(|op| control(op, "accent", |v| v == 1.0)) {
            into.bars.push(seconds(tag));
        }
        if ops.iter().any(|op| control(op, "freq", |v| (v - launched).abs() < 0.5)) {
            into.launched.push(seconds(tag));
        }
    }
}

/// The largest distance from a bar line of `a` after `from` to the
/// nearest of `b`, and how many were compared.
fn worst_pairing(a: &[f64], b: &[f64], from: f64) -> (f64, usize) {
    let mut worst: f64 = 0.0;
    let mut n = 0;
    for x in a.iter().filter(|x| **x >= from) {
        let nearest = b.iter().map(|y| (x - y).abs()).fold(f64::INFINITY, f64::min);
        worst = worst.max(nearest);
        n += 1;
    }
    (worst, n)
}

/// 3/4 at 120 bpm, the metronome's bars, and one instrument with a
/// one-bar clip for the launcher (nothing in the arrangement).
fn scene() -> AudioScene {
    let mut def = InstrumentDef::new(SourceKind::SINE);
    def.amp_env = EnvelopeDef { attack: 0.001, decay: 0.01, sustain: 0.5, release: 0.01 };
    let instrument = Instrument { id: LEAD, name: "lead".into(), def, mixer: MixerSettings::default() };
    let bar = 3 * TICKS_PER_QUARTER;
    let clip = Clip {
        id: LAUNCHED,
        name: String::new(),
        instrument: LEAD,
        length: bar,
        looping: true,
        notes: [(NoteId(0), Note::new(LAUNCHED_PITCH, 100, 0, bar / 2))].into_iter().collect(),
        drums: None,
        audio: None,
    };
    AudioScene {
        instruments: vec![instrument],
        clips: vec![clip],
        tempo: 120.0,
        time_signature: TimeSignature { numerator: 3, denominator: 4 },
        ..AudioScene::default()
    }
}

fn engine(tag: &str) -> (AudioHandle, Receiver<TapEvent>) {
    let (audio, tap, _) = tapped_engine(tag, JackMode::Dummy);
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(scene()))]).unwrap();
    audio.transport(TransportCmd::SetMetronome(true)).unwrap();
    (audio, tap)
}

fn set_tempo(audio: &AudioHandle, bpm: f32) {
    audio.send_diffs(vec![AudioDiff::ParamSet { target: ParamTarget::Tempo, value: bpm }]).unwrap();
}

/// How long until `audio` runs at `bpm` (and its Link session says so).
fn tempo_arrives(audio: &mut AudioHandle, bpm: f32, since: Instant) -> Duration {
    wait_feedback(audio, Duration::from_secs(5), |f| {
        (f.transport.bpm - bpm).abs() < 1e-3 && (f.link.tempo - f64::from(bpm)).abs() < 1e-3
    });
    since.elapsed()
}

/// Collects both engines' bar lines for `long` and checks that every one
/// of either after `from` has one of the other's within a millisecond.
/// Without `from`, from the later of their first bar lines (an engine
/// that joined play a moment late sends its first one untimed).
fn bars_agree(
    taps: (&Receiver<TapEvent>, &Receiver<TapEvent>),
    heard: (&mut Heard, &mut Heard),
    from: Option<f64>,
    long: Duration,
) -> f64 {
    let end = Instant::now() + long;
    while Instant::now() < end {
        listen(taps.0, heard.0);
        listen(taps.1, heard.1);
        std::thread::sleep(Duration::from_millis(20));
    }
    let bars = (&heard.0.bars, &heard.1.bars);
    let first = |v: &[f64]| v.first().copied().unwrap_or(f64::INFINITY);
    let from = from.unwrap_or_else(|| first(bars.0).max(first(bars.1)) - BAR_LINES_WITHIN);
    let (worst, n) = worst_pairing(bars.0, bars.1, from);
    let (worst_back, n_back) = worst_pairing(bars.1, bars.0, from);
    assert!(n >= 2 && n_back >= 2, "too few bar lines to compare: {n} and {n_back}");
    let worst = worst.max(worst_back);
    assert!(worst < BAR_LINES_WITHIN, "bar lines {:.3} ms apart; a: {:?}, b: {:?}", worst * 1e3, bars.0, bars.1);
    worst
}

/// Both play the same bar of the song, not only in phase: their song
/// positions, read one after the other, are less than an eighth apart.
fn same_position(a: &mut AudioHandle, b: &mut AudioHandle) {
    let (pa, pb) = (a.feedback().transport.tick, b.feedback().transport.tick);
    let apart = i64::from(pa) - i64::from(pb);
    assert!(apart.abs() < i64::from(TICKS_PER_QUARTER / 2), "song positions {pa} and {pb}");
}

#[test]
fn link_shares_tempo_bar_phase_and_start_stop_between_engines() {
    if !inside_private_network("link_shares_tempo_bar_phase_and_start_stop_between_engines") {
        return;
    }
    let tag = format!("link-{}", std::process::id());
    let (mut a, tap_a) = engine(&tag);
    let (mut b, tap_b) = engine(&tag);
    let (mut c, tap_c) = engine(&tag);
    a.set_link(true).unwrap();
    b.set_link(true).unwrap();
    wait_feedback(&mut a, Duration::from_secs(10), |f| f.link.enabled && f.link.peers == 1);
    wait_feedback(&mut b, Duration::from_secs(10), |f| f.link.enabled && f.link.peers == 1);

    // A tempo change on one reaches the other.
    let since = Instant::now();
    set_tempo(&a, 132.0);
    let took = tempo_arrives(&mut b, 132.0, since);
    println!("tempo 120 → 132 on A reached B in {:.1} ms", took.as_secs_f64() * 1e3);
    assert!(took < TEMPO_WITHIN, "the tempo took {took:?} to reach the other engine");

    // Start on A: B starts too, and their bar lines agree.
    a.play().unwrap();
    wait_feedback(&mut a, Duration::from_secs(2), |f| f.transport.playing);
    wait_feedback(&mut b, Duration::from_secs(2), |f| f.transport.playing);
    let (mut heard_a, mut heard_b) = (Heard::default(), Heard::default());
    let worst = bars_agree((&tap_a, &tap_b), (&mut heard_a, &mut heard_b), None, Duration::from_secs(4));
    println!("bar lines of A and B at 132 bpm: {} compared, at most {:.1} µs apart", heard_a.bars.len(), worst * 1e6);
    same_position(&mut a, &mut b);

    // A tempo change while playing, this time on B: still in phase after.
    let since = Instant::now();
    set_tempo(&b, 100.0);
    let took = tempo_arrives(&mut a, 100.0, since);
    println!("tempo 132 → 100 on B (playing) reached A in {:.1} ms", took.as_secs_f64() * 1e3);
    assert!(took < TEMPO_WITHIN, "the tempo took {took:?} to reach the other engine");
    // Bar lines already sent when the change arrived may differ (each
    // engine had timed them on the old tempo); compare those timed from
    // now on, after every engine's lookahead (50 ms) with room to spare.
    let after = seconds(Timetag::from_system_time(SystemTime::now())) + 0.2;
    // A clip launched on B, one bar quantized, starts on a bar line of A.
    let launch =
        Launch { instrument: LEAD, target: LaunchTarget::Clip(LAUNCHED), quantize: LaunchQuantize::Bar, group: 0 };
    b.transport(TransportCmd::Launch(launch)).unwrap();
    let worst = bars_agree((&tap_a, &tap_b), (&mut heard_a, &mut heard_b), Some(after), Duration::from_secs(5));
    println!("bar lines after the change to 100 bpm: at most {:.1} µs apart", worst * 1e6);
    same_position(&mut a, &mut b);
    let start = *heard_b.launched.first().expect("the launched clip played on B");
    let off = heard_a.bars.iter().map(|t| (t - start).abs()).fold(f64::INFINITY, f64::min);
    println!("the clip launched on B started {:.1} µs from a bar line of A", off * 1e6);
    assert!(off < BAR_LINES_WITHIN, "the launch on B is {:.3} ms off A's bar lines", off * 1e3);
    assert!(heard_a.launched.is_empty(), "A launched nothing");
    let bar = 3.0 * 60.0 / 100.0;
    let late: Vec<f64> = heard_a.bars.iter().copied().filter(|t| *t >= after).collect();
    for pair in late.windows(2) {
        assert!(((pair[1] - pair[0]) - bar).abs() < 1e-4, "bars of {bar} s expected: {late:?}");
    }

    // Stop on B: A stops too.
    b.stop().unwrap();
    wait_feedback(&mut b, Duration::from_secs(2), |f| !f.transport.playing);
    wait_feedback(&mut a, Duration::from_secs(2), |f| !f.transport.playing);

    // The engine with Link off saw none of it.
    let fc = c.feedback().clone();
    assert!(!fc.link.enabled && fc.link.peers == 0, "{:?}", fc.link);
    assert!(!fc.transport.playing && (fc.transport.bpm - 120.0).abs() < 1e-3, "{:?}", fc.transport);
    let mut heard_c = Heard::default();
    listen(&tap_c, &mut heard_c);
    assert!(heard_c.bars.is_empty(), "the engine without Link played: {:?}", heard_c.bars);

    for audio in [a, b, c] {
        audio.shutdown();
    }
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "scsynth/jackd left running after shutdown");
}
