//! The committed `.scsyndef` files are exactly what sclang builds from the
//! `.scd` sources, and the check notices when they are not.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn synthdefs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../synthdefs")
}

fn run_check(dir: &Path) -> (bool, String) {
    run_check_with(dir, &[])
}

fn run_check_with(dir: &Path, args: &[&Path]) -> (bool, String) {
    assert!(
        Command::new("sh").args(["-c", "command -v sclang"]).status().unwrap().success(),
        "sclang is missing: install supercollider-language (make test does)"
    );
    let out = Command::new(dir.join("compile.sh")).arg("--check").args(args).output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn committed_synthdefs_match_their_sources() {
    let (ok, log) = run_check(&synthdefs_dir());
    assert!(ok, "compiled SynthDefs differ from their sources; run `make synthdefs`:\n{log}");
}

#[test]
fn committed_test_fixtures_match_their_sources() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("synthdefs/src");
    let (ok, log) = run_check_with(&synthdefs_dir(), &[Path::new("--src"), &fixtures]);
    assert!(
        ok,
        "compiled test SynthDefs differ from their sources; run `synthdefs/compile.sh --src tests/synthdefs/src`:\n{log}"
    );
}

#[test]
fn the_check_catches_an_edited_source() {
    let copy = std::env::temp_dir().join(format!("imbolc-synthdefs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&copy);
    let status = Command::new("cp").arg("-r").arg(synthdefs_dir()).arg(&copy).status().unwrap();
    assert!(status.success());
    let source = copy.join("voices/oscillators/sine.scd");
    let text = std::fs::read_to_string(&source).unwrap();
    std::fs::write(&source, text.replace("amp = 0.3", "amp = 0.25")).unwrap();

    let (ok, log) = run_check(&copy);
    std::fs::remove_dir_all(&copy).unwrap();
    assert!(!ok, "an edited source passed the check:\n{log}");
    assert!(log.contains("imbolc_sine"), "the failing def is named:\n{log}");
}
