//! A pad controller on a real private scsynth: a JACK MIDI client standing
//! in for a Launchpad in programmer mode (`imbolc_tests::pad_controller`)
//! is connected to `imbolc:midi_in` and `imbolc-pads:out`, with
//! `pad_layout = "launchpad"`. While play runs (120 BPM, 1-bar launch
//! quantization) it presses the top-left pad (note 81: column 1, scene 1),
//! then the pad below it (71: scene 2).
//!
//! What is checked: each press launches its slot at the next bar line
//! after the press (the clip's first note starts, on the engine's tap with
//! its bundle timetag, within one control block of the bar line on the
//! transport's tempo line) and plays no note itself; the pads' LEDs receive
//! stopped (13) for filled slots at first, then queued (17), playing (21)
//! for each launched slot, and stopped again for the slot the second
//! launch replaced, each change once, queued before the slot starts and
//! playing after.

// Test code: a failed unwrap is a failed test. The shared rig's `set_var`
// is called once, before any thread uses JACK.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, unsafe_code)]

#[allow(dead_code)]
#[path = "midi/rig.rs"]
mod rig;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use imbolc_audio::backend::{ServerOp, Timetag, Timing};
use imbolc_audio::engine::{TapEvent, TempoAnchor};
use imbolc_core::midi::MidiConfig;
use imbolc_core::midi::timebase::wall_now;
use imbolc_tests::pad_controller::FakePads;
use imbolc_types::catalog::SourceKind;
use imbolc_types::{Action, PadLayout, TICKS_PER_QUARTER};
use rig::{Rig, WAIT, jack_server, project_with, serial};

const BAR: f64 = 4.0 * TICKS_PER_QUARTER as f64;
/// One control block at 48 kHz, in seconds.
const BLOCK: f64 = 64.0 / 48_000.0;
const STOPPED: u8 = 13;
const QUEUED: u8 = 17;
const PLAYING: u8 = 21;

fn secs_between(a: Timetag, b: Timetag) -> f64 {
    let fixed = |t: Timetag| (i128::from(t.seconds) << 32) | i128::from(t.fraction);
    (fixed(b) - fixed(a)) as f64 / 4_294_967_296.0
}

fn ntp_to_unix(t: Timetag) -> f64 {
    f64::from(t.seconds) - 2_208_988_800.0 + f64::from(t.fraction) / 4_294_967_296.0
}

/// Seconds per tick at `bpm`.
fn tick_secs(bpm: f32) -> f64 {
    60.0 / (f64::from(bpm) * f64::from(TICKS_PER_QUARTER))
}

/// Runs the UI side (poll, LEDs out) while collecting the tap's note-ons
/// (timetag, freq) and the LED messages the pads receive, by note.
struct Run {
    onsets: Vec<(Timetag, f32, i32)>,
    /// Nodes scsynth reported started (`/n_go`).
    go: std::collections::HashSet<i32>,
    leds: BTreeMap<u8, Vec<(f64, u8)>>,
    played_live: usize,
}

impl Run {
    fn pump(&mut self, rig: &mut Rig, pads: &FakePads, d: Duration) {
        let deadline = Instant::now() + d;
        while Instant::now() < deadline {
            let t = rig.transport();
            let report = rig.runtime.poll(&mut rig.session, &t);
            assert!(report.errors.is_empty(), "{:?}", report.errors);
            let columns = rig.session.audio_mut().feedback().launcher.clone();
            let leds = rig.runtime.pad_leds(rig.session.project(), &columns);
            rig.ports.send_pads(&leds);
            while let Ok(event) = rig.tap.try_recv() {
                let (timing, ops) = match event {
                    TapEvent::Sent { timing, ops, .. } => (timing, ops),
                    TapEvent::Go(node) => {
                        self.go.insert(node.0);
                        continue;
                    }
                    _ => continue,
                };
                for op in ops {
                    if let ServerOp::SynthNew { id, controls, .. } = op
                        && let Some((_, f)) = controls.iter().find(|(n, _)| *n == "freq")
                    {
                        match timing {
                            Timing::At(tag) => self.onsets.push((tag, *f, id.0)),
                            Timing::Now => self.played_live += 1,
                        }
                    }
                }
            }
            for r in pads.received() {
                if r.bytes.len() == 3 && r.bytes[0] == 0x90 {
                    self.leds.entry(r.bytes[1]).or_default().push((r.at, r.bytes[2]));
                }
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// The first onset of `freq` and the play tick it sounds at on `line`.
    fn first(&self, freq: f32, line: &TempoAnchor) -> (Timetag, f64) {
        let (tag, _, node) =
            *self.onsets.iter().find(|(_, f, _)| (f - freq).abs() < 0.01).expect("the clip never started");
        assert!(self.go.contains(&node), "scsynth never started node {node}");
        (tag, line.play_tick + secs_between(line.timetag, tag) / tick_secs(line.bpm))
    }
}

/// Checks one launch: the clip of `freq` starts on the first bar line
/// after the press (sent at `pressed`, wall time), within one block.
fn starts_on_the_next_bar(run: &Run, line: &TempoAnchor, freq: f32, pressed: f64) -> f64 {
    let (tag, tick) = run.first(freq, line);
    let pressed_tick = line.play_tick + (pressed - ntp_to_unix(line.timetag)) / tick_secs(line.bpm);
    let bar = (tick / BAR).round() * BAR;
    let off = (tick - bar) * tick_secs(line.bpm);
    assert!(off.abs() < BLOCK, "first note {off:+.6} s off the bar line {bar} (tick {tick:.2})");
    assert!(bar >= pressed_tick, "started at {bar} before the press at {pressed_tick:.0}");
    assert!(bar - pressed_tick <= BAR + 1.0, "started at {bar}, not the next bar after {pressed_tick:.0}");
    eprintln!("freq {freq}: pressed at tick {pressed_tick:.1}, first note at tick {tick:.4} ({:+.1} µs)", off * 1e6);
    ntp_to_unix(tag)
}

/// The LED values a pad got, in order, without repeats of the same value
/// (there must be none: only changes are sent).
fn values(run: &Run, note: u8) -> Vec<u8> {
    run.leds.get(&note).map(|v| v.iter().map(|(_, v)| *v).collect()).unwrap_or_default()
}

#[test]
fn a_launchpad_launches_slots_on_the_bar_and_gets_the_led_states() {
    let _serial = serial();
    jack_server();
    let (mut project, ids) = project_with(&[SourceKind::SINE]);
    let inst = ids[0];
    let notes = [(72u8, 0u16), (84, 1)];
    for (pitch, scene) in notes {
        imbolc_core::dispatch(
            &mut project,
            Action::AddClip { instrument: inst, name: format!("s{scene}"), length: 1920 },
        )
        .unwrap();
        let clip = *project.clips.keys().max().unwrap();
        let note = imbolc_types::Note::new(pitch, 100, 0, 240);
        imbolc_core::dispatch(&mut project, Action::AddNote { clip, note }).unwrap();
        imbolc_core::dispatch(&mut project, Action::SetLauncherSlot { instrument: inst, scene, clip: Some(clip) })
            .unwrap();
    }
    let config = MidiConfig {
        send_clock: false,
        auto_connect: false,
        pad_layout: PadLayout::Launchpad,
        ..MidiConfig::default()
    };
    let mut rig = Rig::start(project, &config);
    rig.runtime.pads_mut().layout = PadLayout::Launchpad;
    rig.runtime.select_instrument(Some(inst));
    let pads = FakePads::open("test-launchpad").unwrap();
    pads.connect(rig.ports.input_port(), "imbolc-pads:out", WAIT).unwrap();
    let mut run = Run { onsets: Vec::new(), go: Default::default(), leds: BTreeMap::new(), played_live: 0 };
    // A new JACK connection takes effect a cycle or more later: the first
    // frame of LEDs is sent again until it arrives.
    let deadline = Instant::now() + WAIT;
    loop {
        run.pump(&mut rig, &pads, Duration::from_millis(200));
        if run.leds.contains_key(&81) {
            break;
        }
        assert!(Instant::now() < deadline, "no LED message reached the pads");
        rig.runtime.pads_mut().forget_leds();
    }
    run.pump(&mut rig, &pads, Duration::from_millis(200));
    assert_eq!(values(&run, 81), [STOPPED], "{:?}", run.leds);
    assert_eq!(values(&run, 71), [STOPPED]);
    assert_eq!(values(&run, 82), [0], "an empty column is dark");

    rig.session.audio_mut().play().unwrap();
    let deadline = Instant::now() + WAIT;
    let line = loop {
        run.pump(&mut rig, &pads, Duration::from_millis(20));
        if let Some(a) = rig.transport().anchor.filter(|_| rig.transport().playing) {
            break a;
        }
        assert!(Instant::now() < deadline, "play never started");
    };
    // A little into the first bar, press the top-left pad.
    run.pump(&mut rig, &pads, Duration::from_millis(500));
    let first_press = wall_now();
    pads.send(&[0x90, 81, 127]);
    pads.send(&[0x80, 81, 0]);
    run.pump(&mut rig, &pads, Duration::from_millis(3_000));
    let line = rig.transport().anchor.unwrap_or(line);
    let first_start = starts_on_the_next_bar(&run, &line, imbolc_audio::scheduler::midi_to_freq(72), first_press);
    // Then the pad below it: scene 2 replaces scene 1 in the column.
    let second_press = wall_now();
    pads.send(&[0x90, 71, 127]);
    pads.send(&[0x80, 71, 0]);
    run.pump(&mut rig, &pads, Duration::from_millis(3_000));
    let line = rig.transport().anchor.unwrap_or(line);
    let second_start = starts_on_the_next_bar(&run, &line, imbolc_audio::scheduler::midi_to_freq(84), second_press);
    rig.session.audio_mut().stop().unwrap();
    run.pump(&mut rig, &pads, Duration::from_millis(200));

    assert_eq!(run.played_live, 0, "a pad press played a note");
    assert_eq!(values(&run, 81), [STOPPED, QUEUED, PLAYING, STOPPED], "{:?}", run.leds);
    assert_eq!(values(&run, 71), [STOPPED, QUEUED, PLAYING, STOPPED], "{:?}", run.leds);
    // Queued while waiting, playing once the clip sounds (the feedback
    // follows the engine's schedule, up to a lookahead and a UI frame).
    let at = |note: u8, v: u8| run.leds[&note].iter().find(|(_, x)| *x == v).unwrap().0;
    let slack = 0.15;
    assert!(at(81, QUEUED) > first_press - slack && at(81, QUEUED) < first_start);
    assert!((at(81, PLAYING) - first_start).abs() < slack + 0.1, "{} vs {first_start}", at(81, PLAYING));
    assert!(at(71, QUEUED) > second_press - slack && at(71, QUEUED) < second_start);
    assert!((at(71, PLAYING) - second_start).abs() < slack + 0.1);
    assert!((run.leds[&81][3].0 - second_start).abs() < slack + 0.1, "slot 1 stopped when slot 2 started");
}
