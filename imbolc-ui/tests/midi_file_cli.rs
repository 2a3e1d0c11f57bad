//! `imbolc import` and `imbolc export` as a user runs them: a MIDI file of
//! the corpus becomes a project that opens, the project goes back out as
//! a MIDI file, `--help` lists both, and bad input exits 2 naming what is
//! wrong, touching nothing.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn imbolc(args: &[&str], state: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_imbolc")).args(args).env("XDG_STATE_HOME", state).output().unwrap()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/midi").join(name)
}

struct TempDir(PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn import_then_export_round_trips_and_help_lists_both() {
    let dir = TempDir(std::env::temp_dir().join(format!("imbolc-midi-cli-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let song = dir.0.join("song.imbolc");
    let mid = dir.0.join("song.mid");
    let (s, m) = (song.to_str().unwrap(), mid.to_str().unwrap());
    let src = fixture("song.mid");

    let out = imbolc(&["import", src.to_str().unwrap(), "-o", s], &dir.0);
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("imported") && stdout.contains("instruments"), "{stdout}");
    let project = imbolc_core::persist::load(&song).unwrap().project;
    assert_eq!(project.instruments.len(), 3);

    let out = imbolc(&["export", s, "-o", m], &dir.0);
    assert!(out.status.success(), "{}", stderr(&out));
    let back = imbolc_core::midi_file::read_song(&std::fs::read(&mid).unwrap()).unwrap();
    assert_eq!(back.summary.notes, project.note_count());

    // Without --force nothing is replaced (exit 2), with it the file is.
    let before = std::fs::read(&mid).unwrap();
    let out = imbolc(&["export", s, "-o", m, "--range", "1-2"], &dir.0);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&mid).unwrap(), before);
    let out = imbolc(&["export", s, "-o", m, "--range", "1-2", "--force"], &dir.0);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(std::fs::read(&mid).unwrap(), before);

    let out = imbolc(&["export", s, "-o", m, "--range", "5-2", "--force"], &dir.0);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad export range"), "{}", stderr(&out));

    let help = imbolc(&["--help"], &dir.0);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("import") && help.contains("export"), "{help}");
}

#[test]
fn a_bad_midi_file_exits_2_naming_the_problem() {
    let dir = TempDir(std::env::temp_dir().join(format!("imbolc-midi-cli-bad-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let good = std::fs::read(fixture("horses.mid")).unwrap();
    let cases: [(&str, Vec<u8>, &str); 3] = [
        ("truncated.mid", good[..good.len() / 2].to_vec(), "not a valid MIDI file"),
        ("text.mid", b"hello, not MIDI".to_vec(), "not a valid MIDI file"),
        (
            "format2.mid",
            {
                let mut b = good.clone();
                b[9] = 2;
                b
            },
            "format 2",
        ),
    ];
    for (name, bytes, expect) in cases {
        let path = dir.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        let out_path = dir.0.join(format!("{name}.imbolc"));
        let out = imbolc(&["import", path.to_str().unwrap(), "-o", out_path.to_str().unwrap()], &dir.0);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        assert!(stderr(&out).contains(expect), "{name}: {}", stderr(&out));
        assert!(!out_path.exists(), "{name}: no project written");
    }
}
