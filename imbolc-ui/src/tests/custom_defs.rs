//! The user's own SynthDefs reached from keys: the folder scanned at start
//! shows in the source picker (a refused file with its reason), Enter adds
//! an instrument playing the def, whose parameters the editor lists; a
//! project whose stored def is corrupt opens with that instrument marked
//! broken.

use std::time::{Duration, Instant};

use imbolc_audio::synthdefs::custom::custom_source;
use imbolc_audio::synthdefs::reader::renamed;
use imbolc_core::Session;
use imbolc_core::session::NullSink;
use imbolc_types::{Action, InstrumentId, Project};

use super::fixture::{TestApp, empty_app, press, render, type_text};
use crate::app::App;
use crate::keys::Keymap;

/// The built-in saw's compiled def under the name `name`, as a user's
/// `.scsyndef` would be.
fn user_def(name: &str) -> Vec<u8> {
    renamed(imbolc_audio::synthdefs::find("imbolc_saw").unwrap().bytes, name).unwrap()
}

fn wait(app: &mut TestApp, done: &dyn Fn(&TestApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(app) {
        assert!(Instant::now() < deadline, "timed out; status: {:?}", app.message());
        app.tick(Instant::now());
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("imbolc-ui-custom-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_picker_offers_the_users_defs_and_enter_adds_one() {
    let dir = tempdir("picker");
    std::fs::write(dir.join("my_saw.scsyndef"), user_def("my_saw")).unwrap();
    std::fs::write(dir.join("junk.scsyndef"), b"not a def").unwrap();
    let mut app = empty_app();
    app.scan_user_synthdefs(dir.clone(), None);
    wait(&mut app, &|a| a.message().is_some_and(|m| m.text.contains("junk.scsyndef refused")));

    press(&mut app, "a");
    type_text(&mut app, "your");
    let screen = format!("{:?}", render(&app, 80, 24));
    assert!(screen.contains("Your SynthDefs") && screen.contains("my_saw"), "{screen}");
    assert!(screen.contains("junk.scsyndef (refused)"), "{screen}");
    insta::assert_snapshot!("custom_picker_80x24", render(&app, 80, 24));

    press(&mut app, "Enter");
    let inst = app.session().project().instruments.values().next().expect("an instrument was added");
    let custom = inst.def.source.custom.as_ref().expect("playing the user's def");
    assert_eq!((inst.name.as_str(), custom.name.as_str()), ("my_saw", "my_saw"));
    assert_eq!(inst.def.source.params.keys().map(String::as_str).collect::<Vec<_>>(), ["amp", "bright", "detune"]);
    let id = inst.id;

    // Its parameters in the editor, changed with the keys every source uses.
    press(&mut app, "2 j l");
    let detune = app.session().project().instruments[&id].def.source.params["detune"];
    assert!((detune - 0.1).abs() > 1e-4, "detune moved from its default: {detune}");
    let screen = format!("{:?}", render(&app, 80, 24));
    assert!(screen.contains("Source: my_saw") && screen.contains("your SynthDef"), "{screen}");
    press(&mut app, "u");
    assert_eq!(app.session().project().instruments[&id].def.source.params["detune"], 0.1);

    // Picking the refused file says why, and adds nothing.
    press(&mut app, "1 a");
    type_text(&mut app, "junk");
    press(&mut app, "Enter");
    assert!(app.message().is_some_and(|m| m.text.contains("not a readable SynthDef")), "{:?}", app.message());
    assert_eq!(app.session().project().instruments.len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_project_with_a_corrupt_def_opens_with_the_instrument_marked_broken() {
    let dir = tempdir("broken");
    let mut project = Project::new("broken");
    let mut mine = custom_source(user_def("my_saw")).unwrap();
    mine.bytes.truncate(100);
    imbolc_core::dispatch(&mut project, Action::AddCustomInstrument { source: Box::new(mine), name: "lead".into() })
        .unwrap();
    let file = dir.join("broken.imbolc");
    imbolc_core::persist::save(&file, &project).unwrap();

    let mut app = App::new(Session::new(Project::new("empty"), NullSink), None, Keymap::default(), None);
    press(&mut app, "C-o");
    type_text(&mut app, &file.display().to_string());
    press(&mut app, "Enter");
    wait(&mut app, &|a| !a.is_loading());
    assert_eq!(app.session().project().instruments.len(), 1, "it opened");
    let note = app.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(note.contains("instrument lead is silent, its SynthDef is broken: not a readable SynthDef"), "{note}");
    let screen = format!("{:?}", render(&app, 80, 24));
    assert!(screen.contains("my_saw (broken)"), "{screen}");
    let inst = InstrumentId(0);
    assert!(app.session().project().instruments[&inst].def.source.custom.as_ref().unwrap().broken.is_some());
    std::fs::remove_dir_all(&dir).unwrap();
}
