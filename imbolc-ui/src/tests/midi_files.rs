//! MIDI files from the TUI: `C-f` asks for a path (Tab completes `*.mid`),
//! imports it as one undo step and says what it did; the render dialog's
//! `m` writes the song as a MIDI file.

use std::path::{Path, PathBuf};

use imbolc_core::Session;
use imbolc_core::session::NullSink;
use imbolc_types::Project;

use super::fixture::{demo_project, empty_app, press, type_text};
use crate::app::App;
use crate::keys::Keymap;
use crate::modal::{Modal, PathPurpose};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/midi")
}

#[test]
fn ctrl_f_imports_a_midi_file_as_one_undo_step() {
    let mut app = empty_app();
    press(&mut app, "C-f");
    assert!(matches!(app.modal(), Some(Modal::Path { purpose: PathPurpose::ImportMidi, .. })));
    type_text(&mut app, &format!("{}/hor", corpus().display()));
    press(&mut app, "Tab");
    let Some(Modal::Path { text, .. }) = app.modal() else { panic!("no prompt") };
    assert!(text.ends_with("horses.mid"), "Tab completes MIDI files: {text}");
    press(&mut app, "Enter");
    assert!(app.modal().is_none());
    let message = app.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(message.starts_with("imported 188 notes in 1 instrument"), "{message}");
    assert_eq!(app.session().project().instruments.len(), 1);
    assert_eq!(app.session().project().note_count(), 188);
    press(&mut app, "u");
    assert_eq!(app.session().project(), &Project::new("empty"), "one undo takes it all back");
}

#[test]
fn a_bad_midi_file_is_reported_and_changes_nothing() {
    let mut app = empty_app();
    press(&mut app, "C-f");
    type_text(&mut app, &format!("{}/README.md", corpus().display()));
    press(&mut app, "Enter");
    let m = app.message().unwrap();
    assert!(m.is_error() && m.text.contains("not a valid MIDI file"), "{}", m.text);
    assert_eq!(app.session().project(), &Project::new("empty"));
}

#[test]
fn m_in_the_render_dialog_writes_a_midi_file() {
    let dir = std::env::temp_dir().join(format!("imbolc-ui-midi-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tune.imbolc");
    let project = demo_project();
    let mut app = App::new(Session::new(project.clone(), NullSink), Some(path), Keymap::default(), None);
    press(&mut app, "C-e m");
    let written = dir.join("tune-render").join(format!("{}.mid", project.name));
    let song = imbolc_core::midi_file::read_song(&std::fs::read(&written).unwrap()).unwrap();
    let (_, want) = imbolc_core::midi_file::export(&project, &Default::default()).unwrap();
    assert_eq!(song.summary.notes, want.notes);
    let muted: Vec<&str> = project.instruments.values().filter(|i| i.mixer.mute).map(|i| i.name.as_str()).collect();
    assert!(!muted.is_empty(), "the demo has a muted instrument");
    assert!(song.parts.iter().all(|p| !muted.contains(&p.name.as_str())), "muted instruments are left out");
    // Again without Overwrite: refused, the file kept.
    press(&mut app, "Esc C-e m");
    assert!(std::fs::read(&written).is_ok());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_import_prompt_says_what_it_offers() {
    let mut app = empty_app();
    press(&mut app, "C-f");
    type_text(&mut app, "no-such-folder/so");
    insta::assert_snapshot!("import_midi_prompt_80x24", super::fixture::render(&app, 80, 24));
}
