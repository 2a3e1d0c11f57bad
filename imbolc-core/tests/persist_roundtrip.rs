//! Property: save then load gives back an equal project, for random
//! projects, the empty one and a large one; recovery copies round-trip and
//! are reported when newer.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] fns

mod common;

use common::{build_project, op, project_from, temp_dir};
use imbolc_core::persist::{self, PersistError};
use imbolc_types::Project;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn save_then_load_is_identity(ops in proptest::collection::vec(op(), 0..80)) {
        let dir = temp_dir("roundtrip");
        let path = dir.join("p.imbolc");
        let project = project_from(&ops);
        persist::save(&path, &project).expect("save");
        let loaded = persist::load(&path).expect("load");
        prop_assert_eq!(&loaded.project, &project);
        prop_assert_eq!(&loaded.project.ids, &project.ids, "id counters survive a save");
        prop_assert_eq!(loaded.meta.name, project.name.clone());
        prop_assert!(loaded.newer_recovery.is_none());
        // Saving over it again keeps working and stays equal.
        persist::save(&path, &project).expect("second save");
        prop_assert_eq!(persist::load(&path).expect("reload").project, project);
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn empty_project_round_trips() {
    let dir = temp_dir("empty");
    let path = dir.join("empty.imbolc");
    let p = Project::default();
    persist::save(&path, &p).expect("save");
    assert_eq!(persist::load(&path).expect("load").project, p);
}

#[test]
fn large_project_round_trips() {
    let dir = temp_dir("large");
    let path = dir.join("large.imbolc");
    let p = build_project(64, 4, 100_000);
    assert_eq!(p.note_count(), 100_000);
    persist::save(&path, &p).expect("save");
    assert_eq!(persist::load(&path).expect("load").project, p);
}

#[test]
fn recovery_copy_is_reported_and_opens() {
    let dir = temp_dir("recovery");
    let path = dir.join("r.imbolc");
    let saved = project_from(&[]);
    persist::save(&path, &saved).expect("save");
    assert!(matches!(persist::load_recovery(&path), Err(PersistError::NoRecovery { .. })));
    std::thread::sleep(std::time::Duration::from_millis(5));
    let mut newer = saved.clone();
    newer.name = "edited".into();
    persist::save_recovery(&path, &newer).expect("recovery");
    let loaded = persist::load(&path).expect("load");
    assert_eq!(loaded.project, saved, "the saved copy is what opens");
    assert!(loaded.newer_recovery.is_some(), "the newer recovery copy is reported");
    assert_eq!(persist::load_recovery(&path).expect("recovery loads").0, newer);
    // A full save supersedes the recovery copy.
    persist::save(&path, &newer).expect("save again");
    assert!(persist::load(&path).expect("load").newer_recovery.is_none());
}

#[test]
fn recovery_without_a_saved_copy_opens_as_recovered() {
    let dir = temp_dir("recovery-only");
    let path = dir.join("untitled.imbolc");
    let p = Project::new("untitled");
    persist::save_recovery(&path, &p).expect("recovery");
    let loaded = persist::load(&path).expect("load");
    assert!(loaded.from_recovery);
    assert_eq!(loaded.project, p);
}

#[test]
fn a_save_keeps_the_permission_bits_and_writes_through_a_symlink() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("kind");
    let real = dir.join("real.imbolc");
    let p = build_project(2, 1, 10);
    persist::save(&real, &p).expect("save");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let link = dir.join("link.imbolc");
    std::os::unix::fs::symlink("real.imbolc", &link).expect("symlink");
    let mut changed = p.clone();
    changed.name = "changed".into();
    persist::save(&link, &changed).expect("save through the link");
    assert!(std::fs::symlink_metadata(&link).expect("link").file_type().is_symlink(), "the link stays a link");
    assert_eq!(persist::load(&real).expect("target").project, changed, "the target holds the save");
    assert_eq!(std::fs::metadata(&real).expect("meta").permissions().mode() & 0o777, 0o600, "still private");
    persist::save_recovery(&link, &p).expect("autosave through the link");
    assert!(std::fs::symlink_metadata(&link).expect("link").file_type().is_symlink());
    assert_eq!(std::fs::metadata(&real).expect("meta").permissions().mode() & 0o777, 0o600);
    let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, vec!["link.imbolc", "real.imbolc"], "no temporary file left");
    let _ = std::fs::remove_dir_all(dir);
}
