//! Live looping on a real private scsynth: a midir client standing in for a
//! keyboard plays into `imbolc:midi_in` while a one-bar loop is armed into
//! an empty launcher slot (120 BPM, 1-bar launch quantization).
//!
//! What is checked: the take starts at the next bar line after arming; the
//! notes played in the first pass are in the slot's clip where they were
//! played (within the window they were sent in); the clip loops from the
//! end of the first pass: its notes go out timetagged one loop later, on
//! the engine's tempo line within one control block of origin + length +
//! their start; a note played in the second pass is added as a layer, and
//! one undo removes that layer only.

// Test code: a failed unwrap is a failed test. The shared rig's `set_var`
// is called once, before any thread uses JACK.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, unsafe_code)]

#[allow(dead_code)]
#[path = "midi/rig.rs"]
mod rig;

use std::time::{Duration, Instant};

use imbolc_audio::backend::{ServerOp, Timetag, Timing};
use imbolc_audio::engine::{TapEvent, TempoAnchor};
use imbolc_audio::scheduler::midi_to_freq;
use imbolc_core::midi::timebase::{play_tick_at, wall_now};
use imbolc_types::catalog::SourceKind;
use imbolc_types::{ClipId, TICKS_PER_QUARTER, Tick};
use midir::MidiOutputConnection;
use rig::{Rig, WAIT, jack_server, keys, no_clock, project_with, serial};

const BAR: Tick = 4 * TICKS_PER_QUARTER;
const BLOCK: f64 = 64.0 / 48_000.0;

fn secs_between(a: Timetag, b: Timetag) -> f64 {
    let fixed = |t: Timetag| (i128::from(t.seconds) << 32) | i128::from(t.fraction);
    (fixed(b) - fixed(a)) as f64 / 4_294_967_296.0
}

/// Runs the UI side (poll, loop frame) and keeps the timed note-ons.
/// Also notes the wall time a live voice (untimed) of each frequency was
/// last seen going out, in `live`.
fn pump(rig: &mut Rig, onsets: &mut Vec<(Timetag, f32)>, d: Duration) -> Vec<String> {
    pump_live(rig, onsets, &mut Vec::new(), d)
}

fn pump_live(rig: &mut Rig, onsets: &mut Vec<(Timetag, f32)>, live: &mut Vec<(f64, f32)>, d: Duration) -> Vec<String> {
    let deadline = Instant::now() + d;
    let mut said = Vec::new();
    while Instant::now() < deadline {
        let t = rig.transport();
        let r = rig.runtime.poll(&mut rig.session, &t);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let perf = std::sync::Arc::clone(&rig.session.audio_mut().feedback().performance);
        let r = rig.runtime.loop_frame(&mut rig.session, &t, &perf);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        said.extend(r.pad);
        while let Ok(event) = rig.tap.try_recv() {
            if let TapEvent::Sent { timing, ops, .. } = event {
                for op in ops {
                    if let ServerOp::SynthNew { controls, .. } = op
                        && let Some((_, f)) = controls.iter().find(|(n, _)| *n == "freq")
                    {
                        match timing {
                            Timing::At(tag) => onsets.push((tag, *f)),
                            Timing::Now => live.push((wall_now(), *f)),
                        }
                    }
                }
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    said
}

/// Plays `pitch` for `hold`, pumping meanwhile; returns the song ticks
/// (on `line`) just before the note-on was sent and when the engine sent
/// its live voice: Imbolc stamps the note when JACK hands it over, between
/// the two (a period or more after the send under load).
fn play(
    rig: &mut Rig,
    keys: &mut MidiOutputConnection,
    onsets: &mut Vec<(Timetag, f32)>,
    pitch: u8,
    hold: Duration,
) -> (f64, f64) {
    let line = rig.transport().anchor.unwrap();
    let before = play_tick_at(&line, wall_now());
    keys.send(&[0x90, pitch, 100]).unwrap();
    let mut live = Vec::new();
    pump_live(rig, onsets, &mut live, hold);
    let seen = live.iter().find(|(_, f)| (f - midi_to_freq(pitch)).abs() < 0.01).expect("the key played no voice").0;
    let after = play_tick_at(&line, seen);
    keys.send(&[0x80, pitch, 0]).unwrap();
    (before, after)
}

fn wait_for_tick(rig: &mut Rig, onsets: &mut Vec<(Timetag, f32)>, tick: Tick) {
    let deadline = Instant::now() + WAIT;
    while rig.transport().tick < tick {
        assert!(Instant::now() < deadline, "play never reached tick {tick}");
        pump(rig, onsets, Duration::from_millis(5));
    }
}

fn clip_notes(rig: &Rig, clip: ClipId) -> Vec<(u8, Tick)> {
    let mut notes: Vec<(u8, Tick)> =
        rig.session.project().clips[&clip].notes.values().map(|n| (n.pitch, n.start)).collect();
    notes.sort_by_key(|n| n.1);
    notes
}

/// The first timed onset of `pitch` at or after play tick `after`, as a
/// play tick on `line`.
fn onset_tick(onsets: &[(Timetag, f32)], line: &TempoAnchor, pitch: u8, after: f64) -> f64 {
    let tick_secs = 60.0 / (f64::from(line.bpm) * f64::from(TICKS_PER_QUARTER));
    onsets
        .iter()
        .filter(|(_, f)| (f - midi_to_freq(pitch)).abs() < 0.01)
        .map(|(tag, _)| line.play_tick + secs_between(line.timetag, *tag) / tick_secs)
        .find(|t| *t >= after)
        .unwrap_or_else(|| panic!("pitch {pitch} never played back after tick {after}"))
}

#[test]
fn a_loop_records_from_the_next_bar_loops_at_once_and_overdub_layers_undo() {
    let _serial = serial();
    jack_server();
    let (project, ids) = project_with(&[SourceKind::SINE]);
    let inst = ids[0];
    let mut rig = Rig::start(project, &no_clock());
    rig.runtime.select_instrument(Some(inst));
    let mut keys = keys(&rig);
    let mut onsets = Vec::new();
    rig.session.audio_mut().play().unwrap();
    let deadline = Instant::now() + WAIT;
    while !(rig.transport().playing && rig.transport().anchor.is_some()) {
        assert!(Instant::now() < deadline, "play never started");
        pump(&mut rig, &mut onsets, Duration::from_millis(10));
    }
    pump(&mut rig, &mut onsets, Duration::from_millis(300));
    let t = rig.transport();
    let armed_at = t.tick;
    let said = rig.runtime.arm_loop(&mut rig.session, (inst, 0), Some(1), None, &t).unwrap();
    assert!(said.starts_with("loop: 1 bar"), "{said}");
    let clip = rig.session.project().launcher.clip_at(inst, 0).expect("a clip in the slot");
    let origin = (armed_at / BAR + 1) * BAR;
    // Pass 1: two notes, a quarter and a half into the bar.
    wait_for_tick(&mut rig, &mut onsets, origin + TICKS_PER_QUARTER);
    let first = play(&mut rig, &mut keys, &mut onsets, 60, Duration::from_millis(150));
    wait_for_tick(&mut rig, &mut onsets, origin + 2 * TICKS_PER_QUARTER);
    let second = play(&mut rig, &mut keys, &mut onsets, 64, Duration::from_millis(150));
    // The pass closes at origin + 1 bar: committed as the first layer.
    wait_for_tick(&mut rig, &mut onsets, origin + BAR + 60);
    pump(&mut rig, &mut onsets, Duration::from_millis(100));
    let notes = clip_notes(&rig, clip);
    assert_eq!(notes.iter().map(|n| n.0).collect::<Vec<_>>(), [60, 64], "{notes:?}");
    let line = rig.transport().anchor.unwrap();
    // Play ticks equal song ticks here (play started at 0, no loop region).
    for ((_, start), (before, after)) in notes.iter().zip([first, second]) {
        let song = f64::from(origin + start);
        assert!(song >= before.floor() - 1.0 && song <= after.ceil() + 1.0, "{song} not in {before}..{after}");
        eprintln!("recorded at tick {song}, sent at {before:.1}, played live at {after:.1}");
    }
    // Pass 2: the clip loops at once, and a third note is overdubbed.
    wait_for_tick(&mut rig, &mut onsets, origin + BAR + 3 * TICKS_PER_QUARTER);
    play(&mut rig, &mut keys, &mut onsets, 67, Duration::from_millis(150));
    wait_for_tick(&mut rig, &mut onsets, origin + 2 * BAR + 60);
    pump(&mut rig, &mut onsets, Duration::from_millis(100));
    for (pitch, start) in &notes {
        let want = f64::from(origin + BAR + start);
        let got = onset_tick(&onsets, &line, *pitch, want - 100.0);
        let off = (got - want) * 60.0 / (f64::from(line.bpm) * f64::from(TICKS_PER_QUARTER));
        assert!(off.abs() < BLOCK, "pitch {pitch} looped back {off:+.6} s off (tick {got:.2}, wanted {want})");
        eprintln!("pitch {pitch}: played back at tick {got:.3}, loop position {want} ({:+.1} µs)", off * 1e6);
    }
    let layered = clip_notes(&rig, clip);
    assert_eq!(layered.iter().map(|n| n.0).collect::<Vec<_>>(), [60, 64, 67], "{layered:?}");
    rig.session.audio_mut().stop().unwrap();
    pump(&mut rig, &mut onsets, Duration::from_millis(200));
    assert!(!rig.runtime.is_looping(), "stop ends the loop");
    rig.session.undo().unwrap();
    assert_eq!(clip_notes(&rig, clip), notes, "undo removes the last layer only");
}
