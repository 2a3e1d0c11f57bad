//! The drum pane driven by keys: add a kit, set steps (the first creates
//! the pattern), velocity, length, resolution, swing and undo; and its
//! snapshot.

use imbolc_types::{DrumPattern, InstrumentId, StepResolution};

use super::fixture::{TestApp, demo_app, empty_app, press, render};
use crate::commands::PaneKind;

fn pattern(app: &TestApp) -> Option<&DrumPattern> {
    let kit = app.selected()?;
    app.session().project().clips.values().filter(|c| c.instrument == kit).find_map(|c| c.drums.as_ref())
}

/// The demo app with a kit playing kick on 1/5/9/13, snare on 5/13 (one
/// louder) and a few hats.
fn kit_app() -> TestApp {
    let mut app = demo_app();
    press(&mut app, "8 a");
    press(&mut app, "Enter l l l l Enter l l l l Enter l l l l Enter");
    press(&mut app, "j h h h h h h h h Enter l l l l l l l l Enter +");
    press(&mut app, "j j h h h h h h h h h h h h Enter l l Enter l l Enter l l Enter");
    app
}

#[test]
fn an_empty_project_gets_its_first_kit_from_the_drum_pane() {
    let mut app = empty_app();
    press(&mut app, "8 Enter");
    assert!(app.message().is_some_and(|m| m.text.contains("press a")), "{:?}", app.message());
    press(&mut app, "a");
    let kit = app.selected().expect("the new kit is selected");
    assert!(app.session().project().instruments[&kit].def.drums.is_some());
}

#[test]
fn keys_program_a_pattern_and_undo_takes_steps_back() {
    let mut app = demo_app();
    press(&mut app, "8");
    assert_eq!(app.pane(), PaneKind::Drums);
    press(&mut app, "Enter");
    assert!(app.message().is_some_and(|m| m.text.contains("not a drum kit")), "the bass is no kit");
    press(&mut app, "a");
    let kit = app.selected().unwrap();
    assert_eq!(kit, InstrumentId(3));
    assert!(app.session().project().instruments[&kit].def.drums.is_some());

    let mut app = kit_app();
    let p = pattern(&app).expect("the first step created a pattern");
    assert_eq!((p.steps, p.resolution), (16, StepResolution::Sixteenth));
    let kicks: Vec<u8> = p.hits.keys().filter(|k| k.1 == 0).map(|k| k.0).collect();
    let snares: Vec<(u8, u8)> = p.hits.iter().filter(|(k, _)| k.1 == 1).map(|(k, s)| (k.0, s.velocity)).collect();
    assert_eq!(kicks, vec![0, 4, 8, 12]);
    assert_eq!(snares, vec![(4, 100), (12, 110)], "+ raised the velocity");
    assert_eq!(p.hits.keys().filter(|k| k.1 == 3).count(), 4);

    press(&mut app, "] ] r w w");
    let p = pattern(&app).unwrap();
    assert_eq!((p.steps, p.resolution, p.swing), (18, StepResolution::ThirtySecond, 0.1));
    press(&mut app, "[ W");
    let p = pattern(&app).unwrap();
    assert_eq!((p.steps, p.swing), (17, 0.05));

    press(&mut app, "u u u u u u u");
    let p = pattern(&app).unwrap();
    assert_eq!((p.steps, p.resolution, p.swing), (16, StepResolution::Sixteenth, 0.0));
    press(&mut app, "u");
    assert_eq!(pattern(&app).unwrap().hits.keys().filter(|k| k.1 == 3).count(), 3, "undo clears the last hat");
}

#[test]
fn drums_snapshot() {
    let mut app = kit_app();
    press(&mut app, "w w k");
    for (w, h) in [(120, 40), (80, 24)] {
        insta::assert_snapshot!(format!("drums_{w}x{h}"), render(&app, w, h));
    }
    let mut empty = demo_app();
    press(&mut empty, "8");
    insta::assert_snapshot!("drums_not_a_kit_80x24", render(&empty, 80, 24));
}

#[test]
fn a_pad_gets_a_checked_sample_file_or_the_next_voice() {
    use imbolc_types::{DrumVoice, PadSound};
    super::fixture::temp_cache();

    let pad0 = |app: &TestApp| {
        let kit = app.selected().unwrap();
        app.session().project().instruments[&kit].def.drums.as_ref().unwrap().pads[0].clone()
    };
    let mut app = demo_app();
    press(&mut app, "8 a");
    // A missing file: a clear error, the pad unchanged.
    press(&mut app, "s :");
    super::fixture::type_text(&mut app, "/nonexistent/kick.wav");
    press(&mut app, "Enter");
    let message = app.message().unwrap();
    assert!(message.is_error() && message.text.contains("/nonexistent/kick.wav"), "{message:?}");
    assert_eq!(pad0(&app).sound, PadSound::Voice(DrumVoice::Kick));

    // A stereo WAV: imported into the store, the pad plays it, named after
    // the file.
    let dir = std::env::temp_dir().join(format!("imbolc-ui-pad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("boom.wav");
    let mut wav =
        b"RIFF\x2c\0\0\0WAVEfmt \x10\0\0\0\x01\0\x02\0\x80\xbb\0\0\0\xee\x02\0\x04\0\x10\0data\x08\0\0\0".to_vec();
    wav.extend_from_slice(&[1, 0, 2, 0, 3, 0, 4, 0]);
    std::fs::write(&path, wav).unwrap();
    press(&mut app, "s :");
    super::fixture::type_text(&mut app, path.to_str().unwrap());
    press(&mut app, "Enter");
    let pad = pad0(&app);
    let stored = pad.stored().expect("imported into the store");
    assert_eq!((pad.name.as_str(), stored.name.as_str(), stored.channels, stored.frames), ("boom", "boom.wav", 2, 2));

    // `v` brings a built-in voice back, then steps through them.
    press(&mut app, "v");
    assert_eq!(pad0(&app).sound, PadSound::Voice(DrumVoice::Kick));
    press(&mut app, "v");
    assert_eq!(pad0(&app).sound, PadSound::Voice(DrumVoice::Snare));
    let _ = std::fs::remove_dir_all(&dir);
}
