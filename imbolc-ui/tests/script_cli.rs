//! `imbolc run` and `imbolc repl` as a user runs them: the demo script
//! builds the demo song into a file, a failing line is named with its
//! number and exit code 2 and leaves the file as it was, a script reads
//! from standard input, and the REPL answers through a pipe.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct TempDir(PathBuf);
impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("imbolc-script-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn imbolc(args: &[&str], state: &Path, stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_imbolc"))
        .args(args)
        .env("XDG_STATE_HOME", state)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn demo_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/demo.imbolc-script")
}

#[test]
fn the_demo_script_writes_the_demo_song() {
    let dir = TempDir::new("demo");
    let song = dir.0.join("song.imbolc");
    let script = std::fs::read_to_string(demo_script()).unwrap() + "save\n";
    let out = imbolc(&["run", song.to_str().unwrap(), "-"], &dir.0, &script);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let loaded = imbolc_core::persist::load(&song).unwrap();
    assert!(loaded.project == imbolc_core::demo::demo_project(), "the file holds the demo song");
}

#[test]
fn a_failing_line_is_named_and_the_file_is_left_alone() {
    let dir = TempDir::new("fail");
    let song = dir.0.join("song.imbolc");
    imbolc_core::demo::write_demo(&song, false).unwrap();
    let before = std::fs::read(&song).unwrap();
    let script = dir.0.join("edit.txt");
    std::fs::write(&script, "tempo 90\nsave\n# a comment\ninstrument remove nobody\ntempo 80\nsave\n").unwrap();
    let out = imbolc(&["run", song.to_str().unwrap(), script.to_str().unwrap()], &dir.0, "");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("edit.txt:line 4: no instrument named \"nobody\""), "{err}");
    assert_eq!(std::fs::read(&song).unwrap(), before, "the project file is unchanged");

    std::fs::write(&script, "tempo 90\nsave\n").unwrap();
    let out = imbolc(&["run", song.to_str().unwrap(), script.to_str().unwrap()], &dir.0, "");
    assert!(out.status.success());
    assert_eq!(imbolc_core::persist::load(&song).unwrap().project.tempo, 90.0);
}

#[test]
fn the_repl_answers_through_a_pipe() {
    let dir = TempDir::new("repl");
    let song = dir.0.join("song.imbolc");
    let input = "instrument add saw --name bass\nhelp note add\nnote add bass C4 1.1 1/8\nclip add bass riff 1\n\
                 note add bass C4 1.1 1/8\nlist\nsave\nundo\nquit\ntempo 60\n";
    let out = imbolc(&["repl", song.to_str().unwrap()], &dir.0, input);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains('\x1b'), "plain text, no escape sequences: {text}");
    assert!(text.contains("note add CLIP PITCH POSITION LENGTH"), "help comes from the table: {text}");
    assert!(text.contains("error: no clip named \"bass\""), "{text}");
    assert!(text.contains("clip bass/riff: 1920 ticks, 1 notes"), "{text}");
    assert!(text.contains(&format!("saved {}", song.display())), "{text}");
    assert!(text.contains("undone"), "{text}");
    let project = imbolc_core::persist::load(&song).unwrap().project;
    assert_eq!(project.note_count(), 1, "the save came before the undo");
    assert_eq!(project.tempo, 120.0, "nothing after quit ran");
}
