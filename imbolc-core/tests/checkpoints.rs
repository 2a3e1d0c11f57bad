//! Named checkpoints: made, listed with what changed since, restored as
//! one undoable step, kept by save and load (compactly: parts shared by
//! hash), absent from old files, and a damaged one costs only itself.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] fns

mod common;

use std::path::Path;

use common::{build_project, temp_dir};
use imbolc_core::checkpoint::CheckpointError;
use imbolc_core::demo::demo_project;
use imbolc_core::persist::{self, BackgroundSaver, PersistError};
use imbolc_core::session::{NullSink, RestoreError, Session};
use imbolc_types::{Action, Note, ParamTarget, Project};

fn first_clip(p: &Project) -> imbolc_types::ClipId {
    *p.clips.iter().find(|(_, c)| c.drums.is_none() && c.audio.is_none()).expect("a note clip").0
}

fn add_note(s: &mut Session<NullSink>, pitch: u8) {
    let clip = first_clip(s.project());
    s.dispatch(Action::AddNote { clip, note: Note::new(pitch, 100, 0, 120) }).expect("add note");
}

fn remove_first_instrument(s: &mut Session<NullSink>) {
    let instrument = *s.project().instruments.0.keys().next().expect("an instrument");
    s.dispatch(Action::RemoveInstrument { instrument }).expect("remove instrument");
}

fn save(s: &mut Session<NullSink>, path: &Path) {
    let saver = BackgroundSaver::spawn().expect("saver");
    saver.submit(s.save_job(Some(path)).expect("job")).expect("submit");
    let report = saver.wait_report().expect("report");
    assert!(s.on_saved(report).is_none(), "save succeeds");
}

#[test]
fn create_modify_restore_and_undo_the_restore() {
    let mut s = Session::new(demo_project(), NullSink);
    s.checkpoint("verse done").expect("checkpoint");
    let at_checkpoint = s.project().clone();
    for pitch in [60, 62, 64] {
        add_note(&mut s, pitch);
    }
    remove_first_instrument(&mut s);
    s.dispatch(Action::SetParam { target: ParamTarget::Tempo, value: 97.0 }).expect("tempo");
    let before_restore = s.project().clone();

    let summary = s.checkpoints()[0].changes_to(s.project()).to_string();
    assert!(summary.contains("1 instrument removed"), "{summary}");
    assert!(summary.contains("other settings changed"), "{summary}");
    let list = imbolc_core::checkpoint::list(s.checkpoints(), s.project());
    assert!(list.starts_with("\"verse done\"  "), "{list}");

    s.restore_checkpoint("verse done").expect("restore");
    assert_eq!(*s.project(), at_checkpoint, "restore gives the checkpoint's state");
    assert_eq!(s.undo_label(), Some("restore checkpoint"), "one undo step");
    assert!(s.project().ids.note >= before_restore.ids.note, "ids handed out since are not handed out again");

    s.undo().expect("undo").expect("something to undo");
    assert_eq!(*s.project(), before_restore, "undo of the restore gives the state before it");
    s.redo().expect("redo").expect("something to redo");
    assert_eq!(*s.project(), at_checkpoint);
}

#[test]
fn names_are_checked_and_unknown_names_refused() {
    let mut s = Session::new(demo_project(), NullSink);
    s.checkpoint("a").expect("checkpoint");
    assert!(matches!(s.checkpoint("a"), Err(CheckpointError::Exists(_))));
    assert!(matches!(s.checkpoint("  "), Err(CheckpointError::EmptyName)));
    let before = s.project().clone();
    assert!(matches!(s.restore_checkpoint("b"), Err(RestoreError::Checkpoint(CheckpointError::Unknown(_)))));
    assert_eq!(*s.project(), before);
    assert_eq!(s.checkpoints().len(), 1);
}

#[test]
fn save_and_load_keep_checkpoints_and_old_files_open_without() {
    let dir = temp_dir("checkpoints");
    let path = dir.join("song.imbolc");
    // A file saved without checkpoints (as before checkpoints existed).
    persist::save(&path, &demo_project()).expect("plain save");
    let (mut s, loaded) = Session::open(&path, NullSink).expect("old file opens");
    assert!(loaded.checkpoints.is_empty() && loaded.damaged_checkpoints.is_empty());
    assert!(!s.is_dirty());

    s.checkpoint_at("intro", 1_000).expect("checkpoint");
    assert!(s.is_dirty(), "an unsaved checkpoint is a change");
    let intro = s.project().clone();
    add_note(&mut s, 70);
    s.checkpoint_at("chorus", 2_000).expect("checkpoint");
    let chorus = s.project().clone();
    remove_first_instrument(&mut s);
    save(&mut s, &path);
    assert!(!s.is_dirty());

    let loaded = persist::load(&path).expect("load");
    let names: Vec<&str> = loaded.checkpoints.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["intro", "chorus"]);
    assert_eq!(*loaded.checkpoints[0].project, intro);
    assert_eq!(*loaded.checkpoints[1].project, chorus);
    assert_eq!(loaded.checkpoints[1].created_ms, 2_000);

    // Saved again (in place) with a third: the first two stay as they are.
    let (mut s, _) = Session::open(&path, NullSink).expect("open");
    s.checkpoint_at("bridge", 3_000).expect("checkpoint");
    save(&mut s, &path);
    let loaded = persist::load(&path).expect("load");
    assert_eq!(loaded.checkpoints.len(), 3);
    // A plain save (e.g. a tool that knows nothing of checkpoints) keeps them.
    persist::save(&path, &loaded.project).expect("plain save over");
    assert_eq!(persist::load(&path).expect("load").checkpoints.len(), 3);
    // Save-as to a new file takes them along.
    let copy = dir.join("copy.imbolc");
    save(&mut s, &copy);
    assert_eq!(persist::load(&copy).expect("load").checkpoints.len(), 3);
    let (restored, _) = Session::open(&copy, NullSink).expect("open");
    assert_eq!(*restored.checkpoints()[1].project, chorus);
    std::fs::remove_dir_all(&dir).expect("clean up");
}

#[test]
fn a_damaged_checkpoint_is_a_typed_error_and_costs_nothing_else() {
    let dir = temp_dir("checkpoints-damaged");
    let path = dir.join("song.imbolc");
    let mut s = Session::new(demo_project(), NullSink);
    s.checkpoint_at("good", 1_000).expect("checkpoint");
    add_note(&mut s, 71);
    s.checkpoint_at("bad", 2_000).expect("checkpoint");
    add_note(&mut s, 72);
    let now = s.project().clone();
    save(&mut s, &path);
    {
        let conn = rusqlite::Connection::open(&path).expect("open db");
        conn.execute("UPDATE checkpoint SET manifest = x'00ff00' WHERE name = 'bad'", []).expect("damage");
    }
    let loaded = persist::load(&path).expect("the project still opens");
    assert_eq!(loaded.project, now);
    assert_eq!(loaded.checkpoints.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["good"]);
    assert_eq!(loaded.damaged_checkpoints.len(), 1);
    assert!(loaded.damaged_checkpoints[0].contains("\"bad\""), "{:?}", loaded.damaged_checkpoints);
    let read = persist::read_checkpoints(&path).expect("read");
    assert!(matches!(&read.errors[..], [PersistError::CorruptCheckpoint { name, .. }] if name == "bad"));

    // A lost part is caught by its hash, and also named.
    {
        let conn = rusqlite::Connection::open(&path).expect("open db");
        conn.execute("UPDATE checkpoint_part SET data = x'c0'", []).expect("damage every part");
    }
    let loaded = persist::load(&path).expect("the project still opens");
    assert_eq!(loaded.project, now);
    assert!(loaded.checkpoints.is_empty());
    assert_eq!(loaded.damaged_checkpoints.len(), 2);
    std::fs::remove_dir_all(&dir).expect("clean up");
}

/// The acceptance figure: 20 checkpoints of the large project (64
/// instruments × 4 effects, 100 000 notes), one small edit apart, cost a
/// small part of 20 full copies. Prints the sizes.
#[test]
fn twenty_checkpoints_of_a_large_project_cost_little() {
    let dir = temp_dir("checkpoints-size");
    let plain = dir.join("plain.imbolc");
    let with = dir.join("with.imbolc");
    let mut s = Session::new(build_project(64, 4, 100_000), NullSink);
    let base = persist::save(&plain, s.project()).expect("save").bytes;
    for i in 0..20u8 {
        s.checkpoint_at(&format!("take {i}"), i64::from(i)).expect("checkpoint");
        if i % 2 == 0 {
            add_note(&mut s, 40 + i);
        } else {
            let instrument = *s.project().instruments.0.keys().nth(usize::from(i)).expect("instrument");
            let target = ParamTarget::Mixer { instrument, param: imbolc_types::MixerParam::Level };
            s.dispatch(Action::SetParam { target, value: 0.5 }).expect("level");
        }
    }
    save(&mut s, &with);
    let bytes = std::fs::metadata(&with).expect("size").len();
    let extra = bytes.saturating_sub(base);
    println!(
        "large project: {base} bytes without checkpoints, {bytes} with 20 ({extra} extra, {:.2} × one copy; \
         20 full copies would add {})",
        extra as f64 / base as f64,
        20 * base
    );
    assert!(extra < 2 * base, "20 checkpoints cost {extra} bytes over a {base}-byte file");
    let loaded = persist::load(&with).expect("load");
    assert_eq!(loaded.checkpoints.len(), 20);
    std::fs::remove_dir_all(&dir).expect("clean up");
}
