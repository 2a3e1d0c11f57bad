//! `imbolc demo PATH [--force]` as a user runs it: writes a project that
//! opens, refuses to overwrite without `--force` (exit 1, a clear message,
//! the file untouched), and overwrites with it.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn imbolc(args: &[&str], state: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_imbolc")).args(args).env("XDG_STATE_HOME", state).output().unwrap()
}

#[test]
fn demo_writes_a_project_and_never_overwrites_without_force() {
    let dir = std::env::temp_dir().join(format!("imbolc-demo-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("demo.imbolc");
    let _ = std::fs::remove_file(&path);
    let p = path.to_str().unwrap();

    let out = imbolc(&["demo", p], &dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let loaded = imbolc_core::persist::load(&path).unwrap().project;
    assert_eq!(loaded, imbolc_core::demo::demo_project());

    let before = std::fs::read(&path).unwrap();
    let out = imbolc(&["demo", p], &dir);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("already exists") && stderr.contains("--force"), "{stderr}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "the file is untouched");

    let out = imbolc(&["demo", p, "--force"], &dir);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(imbolc_core::persist::load(&path).unwrap().project, loaded);
    let _ = std::fs::remove_dir_all(&dir);
}
