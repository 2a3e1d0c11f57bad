//! Opening a file that needs repair, through the loader the TUI uses: the
//! status line says what was repaired, the file stays as it is, and the
//! repaired project edits safely (issue 24: a file without id counters
//! once lost an instrument to the next add).

use std::time::{Duration, Instant};

use imbolc_core::Session;
use imbolc_core::session::NullSink;
use imbolc_tests::corpus::{Case, Writing, write_case};
use imbolc_types::{Action, Project, SourceKind};

use super::fixture::press;
use crate::app::App;
use crate::keys::Keymap;

/// Four instruments, written as a file without id counters.
fn four_without_counters(path: &std::path::Path) -> Project {
    let mut project = Project::new("four");
    for name in ["bass", "lead", "pad", "keys"] {
        imbolc_core::dispatch(&mut project, Action::AddInstrument { source: SourceKind::SAW, name: name.into() })
            .unwrap();
    }
    let case = Case {
        name: "four",
        what: "four instruments, no id counters",
        project: project.clone(),
        writing: Writing::WithoutIdCounters,
        refused: false,
    };
    write_case(&case, path);
    project
}

#[test]
fn a_file_without_id_counters_opens_repaired_and_add_then_undo_keeps_the_four() {
    let dir = std::env::temp_dir().join(format!("imbolc-ui-no-ids-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("four.imbolc");
    let written = four_without_counters(&path);
    assert_eq!(
        imbolc_core::persist::load(&path).unwrap().repairs.count(imbolc_core::persist::RepairKind::IdCounter),
        1
    );
    let bytes = std::fs::read(&path).unwrap();

    let mut app = App::new(Session::new(Project::new("empty"), NullSink), None, Keymap::default(), None);
    app.open_in_background(path.clone());
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.is_loading() {
        assert!(Instant::now() < deadline, "still loading");
        app.tick(Instant::now());
        std::thread::sleep(Duration::from_millis(5));
    }
    let message = app.message().unwrap();
    assert_eq!(message.text, "repaired on open: 1 id counter raised");
    assert!(message.is_error(), "shown as a warning");
    assert_eq!(app.session().project(), &written);
    assert!(!app.session().is_dirty(), "the file on disk is what was read; nothing to save yet");

    press(&mut app, "1 a Enter");
    let names: Vec<&str> = app.session().project().instruments.values().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["bass", "lead", "pad", "keys", "saw"], "a fifth instrument, none replaced");
    press(&mut app, "u");
    assert_eq!(app.session().project(), &written, "undo leaves the four originals");
    assert!(!app.session().is_dirty(), "back at what the file holds");
    drop(app);
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "the file is untouched");
    std::fs::remove_dir_all(&dir).unwrap();
}
