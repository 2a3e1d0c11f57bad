//! Audio tracks by keys: `A` in the instrument list adds one; in the
//! arrangement `a` browses for a file and places it at the cursor; `<`/`>`
//! and `(`/`)` trim, `s` splits, `[`/`]` and `,`/`.` fade, `+`/`-` change
//! the gain, `A-l` moves, `D` duplicates, `x` deletes: each one undo step
//! back to the exact project before it. The clip shows its waveform.

use std::path::PathBuf;

use imbolc_types::{Placement, Project};

use super::fixture::{TestApp, empty_app, press, render, temp_cache};
use crate::commands::PaneKind;

struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A folder with `take.wav`: 6 s of a loud sine (3 bars at 120 bpm).
fn folder(tag: &str) -> Dir {
    folder_with(tag, |_| 1.0)
}

/// As [`folder`], the sine's amplitude shaped by `env` (of seconds).
fn folder_with(tag: &str, env: fn(f64) -> f64) -> Dir {
    let dir = std::env::temp_dir().join(format!("imbolc-ui-audio-tracks-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    temp_cache();
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(dir.join("take.wav"), spec).unwrap();
    for i in 0..48_000 * 6 {
        let t = f64::from(i) / 48_000.0;
        w.write_sample(((std::f64::consts::TAU * 220.0 * t).sin() * 30_000.0 * env(t)) as i16).unwrap();
    }
    w.finalize().unwrap();
    Dir(dir)
}

fn project(app: &TestApp) -> Project {
    app.session().project().clone()
}

fn only_placement(app: &TestApp) -> Placement {
    let p = app.session().project();
    assert_eq!(p.placements.len(), 1);
    *p.placements.values().next().unwrap()
}

/// Presses `keys`, checks they changed the project, that `u` gives back
/// the project from before exactly and `C-r` the edit again.
fn edit_undo_redo(app: &mut TestApp, keys: &str) {
    let before = project(app);
    press(app, keys);
    let after = project(app);
    assert_ne!(after, before, "{keys} changed nothing: {:?}", app.message());
    press(app, "u");
    assert_eq!(project(app), before, "undo of {keys}");
    press(app, "C-r");
    assert_eq!(project(app), after, "redo of {keys}");
}

fn screen(app: &TestApp) -> String {
    let b = render(app, 120, 20);
    b.buffer().content().iter().map(ratatui::buffer::Cell::symbol).collect()
}

#[test]
fn add_a_track_import_a_file_and_edit_the_clip_with_keys() {
    let dir = folder("edit");
    let mut app = empty_app();
    app.set_browse_dir(dir.0.clone());
    press(&mut app, "1 A");
    let track = app.selected().expect("the new track is selected");
    assert!(app.session().project().instruments[&track].def.audio_track);
    press(&mut app, "6 a");
    assert!(matches!(app.modal(), Some(crate::modal::Modal::Browser(_))), "a on an audio track opens the browser");
    press(&mut app, "Enter");
    assert_eq!(app.pane(), PaneKind::Arrangement);
    let pl = only_placement(&app);
    assert_eq!((pl.start, pl.length), (0, 5760), "6 s at 120 bpm, at the cursor");
    let s = screen(&app);
    assert!(s.contains("take.wav") && s.contains('█'), "title and waveform:\n{s}");

    edit_undo_redo(&mut app, "<");
    assert_eq!(only_placement(&app).length, 5280);
    press(&mut app, ">");
    press(&mut app, ">");
    assert!(app.message().is_some_and(|m| m.text.contains("audio ends")), "{:?}", app.message());
    edit_undo_redo(&mut app, ")");
    let pl = only_placement(&app);
    assert_eq!((pl.start, pl.length), (480, 5280));
    let offset = app.session().project().clips[&pl.clip].audio.as_ref().unwrap().offset;
    assert!((offset - 0.5).abs() < 1e-9);
    edit_undo_redo(&mut app, "(");
    for k in ["]", "[", ".", ",", "+", "-"] {
        edit_undo_redo(&mut app, k);
    }
    press(&mut app, "] .");
    let region = app.session().project().clips[&pl.clip].audio.clone().unwrap();
    assert!((region.fade_in - 0.05).abs() < 1e-6 && (region.fade_out - 0.05).abs() < 1e-6);
    // Split at bar 2, move, duplicate, delete.
    press(&mut app, "l");
    edit_undo_redo(&mut app, "s");
    assert_eq!(app.session().project().clips.len(), 2);
    // The second half is the next row; it starts at the cursor.
    press(&mut app, "j");
    edit_undo_redo(&mut app, "A-l");
    edit_undo_redo(&mut app, "D");
    edit_undo_redo(&mut app, "x");
}

#[test]
fn a_with_no_audio_track_still_places_note_clips_and_explains() {
    let mut app = empty_app();
    press(&mut app, "6 a");
    assert!(app.message().is_some_and(|m| m.text.contains("audio track")), "{:?}", app.message());
    assert!(app.modal().is_none());
}

#[test]
fn an_audio_clip_shows_its_waveform_and_settings() {
    // Swells over each 2 s bar, so the cells show the shape.
    let dir = folder_with("snapshot", |t| (t % 2.0) / 2.0);
    let mut app = empty_app();
    app.set_browse_dir(dir.0.clone());
    press(&mut app, "1 A 6 a Enter ] ] . + +");
    for (w, h) in [(120, 12), (80, 12)] {
        insta::assert_snapshot!(format!("arrangement_audio_{w}x{h}"), render(&app, w, h));
    }
}

/// Polls the app until `done`, for at most 60 s (a render runs).
fn poll_until(app: &mut TestApp, done: impl Fn(&TestApp) -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !done(app) {
        assert!(std::time::Instant::now() < deadline, "timed out: {:?}", app.message());
        app.tick(std::time::Instant::now());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn f_freezes_the_selected_instrument_in_the_background_and_f_or_undo_unfreezes() {
    temp_cache();
    let mut app = super::fixture::demo_app();
    let before = project(&app);
    press(&mut app, "1");
    let id = app.selected().expect("an instrument");
    press(&mut app, "F");
    assert!(app.freezing(), "{:?}", app.message());
    poll_until(&mut app, |a| !a.freezing());
    let frozen = app.session().project().instruments[&id].def.frozen;
    assert!(frozen.is_some(), "{:?}", app.message());
    assert!(screen(&app).contains("(frozen)"));
    // Its sound cannot be edited while frozen.
    press(&mut app, "2 l");
    assert!(app.message().is_some_and(|m| m.text.contains("frozen")), "{:?}", app.message());
    press(&mut app, "1 u");
    assert_eq!(project(&app), before, "undo unfreezes exactly");
    press(&mut app, "C-r");
    assert_eq!(app.session().project().instruments[&id].def.frozen, frozen, "redo freezes again");
    press(&mut app, "F");
    assert_eq!(project(&app), before, "F unfreezes");
}
