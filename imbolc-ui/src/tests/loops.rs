//! Tempo-synced loops from the drum pane: `y` makes the cursor's sample
//! pad a loop (beats estimated from a BPM in its file name, else the
//! nearest power of two at the project tempo) or a one-shot again, `b`/`B`
//! halve and double its beats, each one undo step; voice pads and path
//! pads whose file is missing are refused with a message; the pad list
//! shows the beats (snapshot).

use imbolc_types::{Action, DrumPad, InstrumentId, PadSound, SampleFormat, SampleRef};

use super::fixture::{TestApp, demo_app, press, render};

/// A stored sample of `secs` seconds at 48 kHz named `name` (the bytes
/// are never read: the UI tests' audio side is a null sink).
fn stored(name: &str, secs: f64) -> PadSound {
    PadSound::Stored(SampleRef {
        hash: "0f".repeat(32),
        name: name.into(),
        format: SampleFormat::Wav,
        channels: 2,
        sample_rate: 48_000,
        frames: (secs * 48_000.0) as u64,
        bytes: 0,
    })
}

/// The demo app with a kit whose pad 1 is `loop_100bpm.wav` (4.8 s: two
/// bars at 100 BPM), pad 2 an unnamed 2.1 s sample and pad 3 a path pad
/// whose file is missing; the drum pane shown, cursor on pad 1.
fn loop_app() -> (TestApp, InstrumentId) {
    let mut app = demo_app();
    press(&mut app, "8 a");
    let kit = app.selected().unwrap();
    let pads = [
        ("loop", stored("loop_100bpm.wav", 4.8)),
        ("pad", stored("pad.wav", 2.1)),
        ("gone", PadSound::Sample { path: "/nonexistent/gone.wav".into() }),
    ];
    for (i, (name, sound)) in pads.into_iter().enumerate() {
        let def = DrumPad { name: name.into(), sound, level: 1.0, pitch: 0.0, region: None, loop_beats: None };
        app.session_mut().dispatch(Action::SetDrumPad { instrument: kit, pad: i as u8, def }).unwrap();
    }
    (app, kit)
}

fn beats(app: &TestApp, kit: InstrumentId, pad: usize) -> Option<f32> {
    app.session().project().instruments[&kit].def.drums.as_ref().unwrap().pads[pad].loop_beats
}

#[test]
fn y_b_and_capital_b_set_a_loops_beats_and_undo_takes_each_back() {
    let (mut app, kit) = loop_app();
    press(&mut app, "y");
    assert_eq!(beats(&app, kit, 0), Some(8.0), "two bars from 100bpm in the file name");
    press(&mut app, "b");
    assert_eq!(beats(&app, kit, 0), Some(4.0));
    press(&mut app, "B B");
    assert_eq!(beats(&app, kit, 0), Some(16.0));
    press(&mut app, "u");
    assert_eq!(beats(&app, kit, 0), Some(8.0), "undo takes one doubling back");
    press(&mut app, "y");
    assert_eq!(beats(&app, kit, 0), None, "y again plays it as a one-shot");
    press(&mut app, "u u u u");
    assert_eq!(beats(&app, kit, 0), None, "back to before the first y");
}

#[test]
fn without_a_tempo_in_the_name_the_nearest_power_of_two_at_the_project_tempo() {
    let (mut app, kit) = loop_app();
    let bpm = app.session().project().tempo;
    press(&mut app, "j y");
    let want = 2f64.powf((2.1 * f64::from(bpm) / 60.0).log2().round()) as f32;
    assert_eq!(beats(&app, kit, 1), Some(want), "2.1 s at {bpm} BPM");
}

#[test]
fn voice_pads_missing_files_and_non_loops_are_refused_with_a_message() {
    let (mut app, kit) = loop_app();
    let before = app.session().project().clone();
    press(&mut app, "j j y");
    assert!(app.message().is_some_and(|m| m.text.contains("missing")), "{:?}", app.message());
    press(&mut app, "j y");
    assert!(app.message().is_some_and(|m| m.text.contains("built-in voice")), "{:?}", app.message());
    press(&mut app, "k k b");
    assert!(app.message().is_some_and(|m| m.text.contains("not a loop")), "{:?}", app.message());
    assert_eq!(beats(&app, kit, 1), None);
    assert_eq!(app.session().project().instruments, before.instruments, "nothing changed");
}

#[test]
fn b_stops_at_the_shortest_loop_and_capital_b_at_the_longest() {
    let (mut app, kit) = loop_app();
    press(&mut app, "y b b b b b");
    assert_eq!(beats(&app, kit, 0), Some(0.25));
    press(&mut app, "b");
    assert!(app.message().is_some_and(|m| m.text.contains("short")), "{:?}", app.message());
    assert_eq!(beats(&app, kit, 0), Some(0.25));
    press(&mut app, "B B B B B B B B B B");
    assert_eq!(beats(&app, kit, 0), Some(256.0));
    press(&mut app, "B");
    assert!(app.message().is_some_and(|m| m.text.contains("long")), "{:?}", app.message());
}

#[test]
fn loop_pads_snapshot() {
    let (mut app, _) = loop_app();
    press(&mut app, "y j y k");
    insta::assert_snapshot!("drums_loops_80x24", render(&app, 80, 24));
}
