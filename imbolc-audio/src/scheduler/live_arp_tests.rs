//! Live keys into the arpeggiator (the scheduler's side of musical typing
//! and MIDI): stopped, it runs on its own clock from the key press;
//! playing, held keys join the song's grid; nothing hangs across play and
//! stop.

use std::collections::HashMap;

use imbolc_types::transform::{ArpMode, ArpSettings, NoteTransforms};
use imbolc_types::{AudioScene, Instrument, InstrumentDef, InstrumentId, SourceKind};

use crate::scheduler::{NoteEvent, NoteEventKind, NoteKey, Scheduler, SchedulerConfig};

const ARP: InstrumentId = InstrumentId(1);
/// A 1/16 step at 120 BPM, in seconds.
const STEP: f64 = 0.125;

fn scene() -> AudioScene {
    let mut def = InstrumentDef::new(SourceKind::SINE);
    def.transforms = NoteTransforms {
        arp: Some(ArpSettings { mode: ArpMode::Up, gate: 0.5, ..ArpSettings::default() }),
        ..NoteTransforms::default()
    };
    AudioScene {
        tempo: 120.0,
        instruments: vec![Instrument { id: ARP, name: "arp".into(), def, mixer: Default::default() }],
        ..AudioScene::default()
    }
}

/// Windows of 20 ms from `from` to `to`.
fn run(s: &mut Scheduler, from: f64, to: f64, out: &mut Vec<NoteEvent>) {
    let mut t = from;
    while t < to - 1e-9 {
        t += 0.02;
        s.advance(t, out);
    }
}

fn ons(events: &[NoteEvent]) -> Vec<(f64, u8)> {
    events.iter().filter(|e| e.kind == NoteEventKind::On).map(|e| (e.time, e.pitch)).collect()
}

fn assert_no_hanging(events: &[NoteEvent]) {
    let mut open: HashMap<(InstrumentId, NoteKey), f64> = HashMap::new();
    for e in events {
        match e.kind {
            NoteEventKind::On => assert!(open.insert((e.instrument, e.key), e.time).is_none(), "{e:?} twice"),
            NoteEventKind::Off => {
                let on = open.remove(&(e.instrument, e.key));
                assert!(on.is_some_and(|t| t <= e.time + 1e-9), "{e:?} without its note-on");
            }
        }
    }
    assert!(open.is_empty(), "hanging: {open:?}");
}

#[test]
fn stopped_the_arpeggio_runs_from_the_key_press_until_the_keys_are_released() {
    let mut s = Scheduler::new(&scene(), SchedulerConfig::default());
    assert!(s.arpeggiates(ARP));
    let mut out = Vec::new();
    s.live_note_on(ARP, 60, 100, 7, 1.0);
    s.live_note_on(ARP, 64, 100, 8, 1.0);
    assert!(s.is_free_running());
    run(&mut s, 1.0, 1.44, &mut out);
    let got = ons(&out);
    let want: Vec<(f64, u8)> = (0..4).map(|k| (1.0 + k as f64 * STEP, [60, 64][k % 2])).collect();
    assert_eq!(got.len(), want.len(), "{got:?}");
    for ((t, p), (wt, wp)) in got.iter().zip(&want) {
        assert!((t - wt).abs() < 1e-9 && p == wp, "{got:?} vs {want:?}");
    }
    assert!(s.live_note_off(7, 1.44) && s.live_note_off(8, 1.44));
    assert!(!s.live_note_off(9, 1.44), "a key it never held");
    run(&mut s, 1.44, 2.0, &mut out);
    assert!(!s.is_free_running(), "nothing held: the own clock stops");
    assert_eq!(ons(&out).len(), 4, "no step after the release");
    assert_no_hanging(&out);
}

#[test]
fn playing_held_keys_join_the_song_grid_and_stop_hands_them_back_to_the_own_clock() {
    let mut s = Scheduler::new(&scene(), SchedulerConfig::default());
    let mut out = Vec::new();
    s.play(0.0);
    run(&mut s, 0.0, 0.3, &mut out);
    s.live_note_on(ARP, 67, 90, 1, 0.31);
    assert!(!s.is_free_running());
    run(&mut s, 0.3, 0.8, &mut out);
    let got = ons(&out);
    assert!(
        got.first().is_some_and(|(t, _)| (t - 3.0 * STEP).abs() < 1e-9),
        "the first grid step after the key: {got:?}"
    );
    assert!(got.iter().all(|(t, p)| (t / STEP - (t / STEP).round()).abs() < 1e-6 && *p == 67), "{got:?}");
    s.stop(&mut out);
    assert!(s.is_free_running(), "the key is still held");
    let at = 0.8;
    run(&mut s, at, 1.1, &mut out);
    let after: Vec<(f64, u8)> = ons(&out).into_iter().filter(|(t, _)| *t >= at).collect();
    assert!(after.first().is_some_and(|(t, _)| (t - at).abs() < 1e-9), "the own clock starts at the stop: {after:?}");
    s.live_note_off(1, 1.1);
    run(&mut s, 1.1, 1.4, &mut out);
    assert!(!s.is_free_running());
    assert_no_hanging(&out);
}

#[test]
fn play_ends_the_own_clocks_notes_and_latched_notes_run_until_stop() {
    let mut sc = scene();
    if let Some(a) = sc.instruments[0].def.transforms.arp.as_mut() {
        a.latch = true;
    }
    let mut s = Scheduler::new(&sc, SchedulerConfig::default());
    let mut out = Vec::new();
    s.live_note_on(ARP, 60, 100, 1, 0.0);
    run(&mut s, 0.0, 0.2, &mut out);
    s.live_note_off(1, 0.2);
    run(&mut s, 0.2, 0.6, &mut out);
    assert!(s.is_free_running(), "latched: it plays on after the release");
    assert!(ons(&out).len() >= 4);
    s.play(0.6);
    run(&mut s, 0.6, 0.9, &mut out);
    assert!(!s.is_free_running());
    s.stop(&mut out);
    assert!(!s.is_free_running(), "nothing held: stop ends it");
    assert_no_hanging(&out);
}
