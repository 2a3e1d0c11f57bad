//! Note probability in files and edits: notes saved before the field
//! existed load at 100 %, a probability survives save and load, and
//! dispatch refuses one outside 1..=100.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] fns

mod common;

use common::{build_project, temp_dir};
use imbolc_core::{DispatchError, dispatch, persist};
use imbolc_types::{Action, Note};
use serde::Serialize;

/// A note as written before probability existed.
#[derive(Serialize)]
struct NoteBefore {
    pitch: u8,
    velocity: u8,
    start: u32,
    length: u32,
}

#[test]
fn a_note_saved_without_probability_loads_at_full_probability() {
    let old = NoteBefore { pitch: 64, velocity: 90, start: 480, length: 240 };
    let bytes = rmp_serde::to_vec_named(&old).expect("encode");
    let note: Note = rmp_serde::from_slice(&bytes).expect("decode");
    assert_eq!(note, Note::new(64, 90, 480, 240));
    assert_eq!(note.probability, 100);
}

#[test]
fn probability_survives_save_and_load_and_is_checked() {
    let mut project = build_project(1, 0, 4);
    let clip = *project.clips.keys().next().expect("a clip");
    let (id, note) = project.clips[&clip].notes.iter().map(|(i, n)| (*i, *n)).next().expect("a note");
    let edit = Action::ReplaceNotes { clip, notes: vec![(id, Note { probability: 40, ..note })] };
    dispatch(&mut project, edit).expect("40 % is valid");

    let dir = temp_dir("probability");
    let path = dir.join("p.imbolc");
    persist::save(&path, &project).expect("save");
    let loaded = persist::load(&path).expect("load").project;
    assert_eq!(loaded.clips[&clip].notes[&id].probability, 40);
    assert_eq!(loaded, project);
    let _ = std::fs::remove_dir_all(dir);

    for bad in [0, 101] {
        let edit = Action::ReplaceNotes { clip, notes: vec![(id, Note { probability: bad, ..note })] };
        assert!(matches!(dispatch(&mut project, edit), Err(DispatchError::InvalidNote)), "{bad} % is refused");
    }
    assert_eq!(project.clips[&clip].notes[&id].probability, 40);
}
