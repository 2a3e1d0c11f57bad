//! The sample browser driven by keys: it opens on `s` in the drum pane at
//! the pad's sample folder (else the last browsed one), Space previews
//! through the audio side and the next key stops it, Enter imports into
//! the pad in one undo step, `:` types a path; and its snapshot.

use std::path::{Path, PathBuf};

use imbolc_types::DrumPad;

use super::fixture::{TestApp, demo_app, demo_project, press, render, script_app, type_text};
use crate::audio::{Request, UiAudio};
use crate::modal::Modal;

/// A folder with `kicks/808.wav`, `snare.wav`, `clap.wav` (short real
/// WAV files, each its own bytes, so the store imports them), a broken
/// `hat.aiff` and a text file not offered.
fn tree(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("kicks")).unwrap();
    std::fs::create_dir_all(dir.join("loops")).unwrap();
    let header = b"RIFF\x2c\0\0\0WAVEfmt \x10\0\0\0\x01\0\x02\0\x80\xbb\0\0\0\xee\x02\0\x04\0\x10\0data\x08\0\0\0";
    for (i, f) in ["kicks/808.wav", "snare.wav", "clap.wav"].into_iter().enumerate() {
        let mut wav = header.to_vec();
        wav.extend_from_slice(&[1, 0, 2, 0, 3, 0, 4 + i as u8, 0]);
        std::fs::write(dir.join(f), wav).unwrap();
    }
    std::fs::write(dir.join("hat.aiff"), b"x").unwrap();
    std::fs::write(dir.join("readme.txt"), b"x").unwrap();
}

fn pad<S: UiAudio>(app: &crate::app::App<S>, i: usize) -> DrumPad {
    let kit = app.selected().unwrap();
    app.session().project().instruments[&kit].def.drums.as_ref().unwrap().pads[i].clone()
}

/// The file name of the sample pad `i` plays from the store.
fn stored<S: UiAudio>(app: &crate::app::App<S>, i: usize) -> Option<String> {
    pad(app, i).stored().map(|s| s.name.clone())
}

fn browsing<S: UiAudio>(app: &crate::app::App<S>) -> Option<PathBuf> {
    match app.modal() {
        Some(Modal::Browser(b)) => Some(b.dir.clone()),
        _ => None,
    }
}

#[test]
fn browse_preview_stop_and_import_into_a_pad() {
    super::fixture::temp_cache();
    let dir = std::env::temp_dir().join(format!("imbolc-ui-browse-{}", std::process::id()));
    tree(&dir);
    let (mut app, sink) = script_app(demo_project());
    press(&mut app, "8 a");
    // `:` in the browser types a path, as before.
    press(&mut app, "s :");
    type_text(&mut app, dir.join("kicks/808.wav").to_str().unwrap());
    press(&mut app, "Enter");
    assert_eq!(stored(&app, 0).as_deref(), Some("808.wav"));

    // It opens in the folder the pad's sample came from.
    press(&mut app, "s");
    assert_eq!(browsing(&app), Some(dir.join("kicks")));
    sink.take();
    press(&mut app, "Space");
    assert_eq!(sink.take(), vec![Request::Preview(Some(dir.join("kicks/808.wav")))]);
    press(&mut app, "j");
    assert_eq!(sink.take(), vec![Request::Preview(None)], "the next key stops the preview");
    press(&mut app, "j");
    assert!(sink.take().is_empty(), "nothing to stop");
    press(&mut app, "Space Esc");
    assert_eq!(sink.take(), vec![Request::Preview(Some(dir.join("kicks/808.wav"))), Request::Preview(None)]);
    assert_eq!(browsing(&app), None, "Esc closed it");

    // The cursor starts on the pad's own file.
    press(&mut app, "s");
    assert!(matches!(app.modal(), Some(Modal::Browser(b)) if b.file() == Some(dir.join("kicks/808.wav"))));
    press(&mut app, "Esc");
    sink.take();

    // Up, filter, import: one undo step.
    press(&mut app, "s h");
    assert_eq!(browsing(&app), Some(dir.clone()));
    let before = app.session().history().len();
    press(&mut app, "/");
    type_text(&mut app, "sna");
    press(&mut app, "Enter Enter");
    assert_eq!(browsing(&app), None);
    assert_eq!(stored(&app, 0).as_deref(), Some("snare.wav"));
    assert_eq!(app.session().history().len(), before + 1);
    press(&mut app, "u");
    assert_eq!(stored(&app, 0).as_deref(), Some("808.wav"));

    // A pad with no sample opens where the browser was last.
    press(&mut app, "j s");
    assert_eq!(browsing(&app), Some(dir.clone()));
    // A file the pad refuses: a clear error, the pad unchanged.
    press(&mut app, "/");
    type_text(&mut app, "hat");
    press(&mut app, "Enter l");
    assert!(app.message().is_some_and(|m| m.is_error()), "{:?}", app.message());
    assert!(stored(&app, 1).is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn browser_snapshot() {
    // A fixed name, so the folder line is the same on every run.
    let dir = std::env::temp_dir().join("imbolc-ui-browse-snapshot");
    tree(&dir);
    let mut app: TestApp = demo_app();
    press(&mut app, "8 a s :");
    type_text(&mut app, dir.join("snare.wav").to_str().unwrap());
    press(&mut app, "Enter s k k");
    let screen = render(&app, 80, 24).to_string().replace(&std::env::temp_dir().display().to_string(), "/tmp");
    insta::assert_snapshot!("browser_80x24", screen);
    press(&mut app, "/");
    type_text(&mut app, "zzz");
    let screen = render(&app, 80, 24).to_string().replace(&std::env::temp_dir().display().to_string(), "/tmp");
    insta::assert_snapshot!("browser_nothing_80x24", screen);
}
