//! Format 3 → current: `tests/fixtures/v3_notes.imbolc` was written by the
//! build that still stored notes as a MessagePack map per note (format 3).
//! It opens with every note, placement and automation point as saved, and
//! a save rewrites it in the current (compact) format.
//! `IMBOLC_REGENERATE_FIXTURES=1` rewrites the fixture with this build
//! (only meaningful on a format-3 build, which is how it was made).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::path::PathBuf;

use common::temp_dir;
use imbolc_core::dispatch;
use imbolc_core::persist::{self, FORMAT_VERSION};
use imbolc_types::{Action, MixerParam, Note, ParamTarget, Project};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v3_notes.imbolc")
}

/// Two instruments, a clip of 300 notes (some removed, so ids have gaps;
/// varied probability; starts not in id order), placements and a lane.
fn v3_project() -> Project {
    let mut p = common::build_project(2, 1, 0);
    let clip = *p.clips.keys().next().expect("clip");
    let notes: Vec<Note> = (0..300u32)
        .map(|i| {
            let mut n = Note::new((30 + i % 70) as u8, (1 + i * 7 % 127) as u8, (i * 7919) % 30_000, 1 + i % 500);
            n.probability = (1 + i % 100) as u8;
            n
        })
        .collect();
    dispatch(&mut p, Action::AddNotes { clip, notes }).expect("notes");
    let gone: Vec<_> = p.clips[&clip].notes.keys().copied().step_by(7).collect();
    dispatch(&mut p, Action::RemoveNotes { clip, notes: gone }).expect("remove");
    for i in 0..5u32 {
        dispatch(&mut p, Action::AddPlacement { clip, start: i * 1920, length: 1920 }).expect("placement");
    }
    let inst = *p.instruments.keys().next().expect("instrument");
    dispatch(&mut p, Action::AddLane { target: ParamTarget::Mixer { instrument: inst, param: MixerParam::Level } })
        .expect("lane");
    let lane = *p.automation.keys().next().expect("lane");
    for k in 0..50u32 {
        dispatch(&mut p, Action::SetAutomationPoint { lane, tick: k * 96, value: (k % 10) as f32 * 0.1 })
            .expect("point");
    }
    p
}

#[test]
fn v3_fixture_opens_with_every_note() {
    if std::env::var_os("IMBOLC_REGENERATE_FIXTURES").is_some() {
        let _ = std::fs::remove_file(fixture());
        persist::save(&fixture(), &v3_project()).expect("write fixture");
    }
    let before = std::fs::read(fixture()).expect("fixture is checked in");
    let loaded = persist::load(&fixture()).expect("v3 opens");
    assert_eq!(std::fs::read(fixture()).expect("read"), before, "opening never writes");
    assert_eq!(loaded.meta.format_version, 3, "the fixture is format 3");
    let expected = v3_project();
    let p = loaded.project;
    assert_eq!(p.clips, expected.clips, "every note as saved");
    assert_eq!(p.placements, expected.placements);
    assert_eq!(p.automation, expected.automation);
    assert_eq!(p.ids, expected.ids);

    // Saving a copy rewrites it in the current format with the same content.
    let dir = temp_dir("migrate-v3");
    let copy = dir.join("old.imbolc");
    std::fs::copy(fixture(), &copy).expect("copy");
    persist::save(&copy, &p).expect("save migrates");
    let again = persist::load(&copy).expect("reopen");
    assert_eq!(again.meta.format_version, FORMAT_VERSION);
    assert_eq!(again.project, p);
    let _ = std::fs::remove_dir_all(dir);
}
