//! `imbolc` in a real terminal (tmux): the server comes up in the status
//! line, `q` quits, the terminal is restored and no process is left behind.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use imbolc_tests::{TEST_TAG_VAR, Tmux, tagged_servers};

#[test]
fn shows_a_running_server_and_quits_cleanly_on_q() {
    let dir = std::env::temp_dir().join(format!("imbolc-tmux-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tag = format!("tmux-{}", std::process::id());
    let command = format!(
        "{TEST_TAG_VAR}={tag} XDG_STATE_HOME={state} {bin} {project} --jack dummy; echo \"EXITED:$?\"; exec sleep 60",
        state = dir.display(),
        bin = env!("CARGO_BIN_EXE_imbolc"),
        project = dir.join("x.imbolc").display(),
    );
    let tmux = Tmux::start("quit", 100, 24, &command);

    let screen = tmux.wait_for("scsynth: running", Duration::from_secs(5));
    assert!(screen.is_some(), "no 'running' within 5 s; screen:\n{}", tmux.screen());
    assert!(!tagged_servers(&tag).is_empty(), "the server processes carry the test tag");

    tmux.send_keys(&["q"]);
    let screen = tmux.wait_for("EXITED:0", Duration::from_secs(10));
    let screen = screen.unwrap_or_else(|| panic!("imbolc did not exit 0 on q; screen:\n{}", tmux.screen()));
    assert!(!screen.contains("scsynth:"), "the UI is still on screen after exit:\n{screen}");

    let deadline = Instant::now() + Duration::from_secs(5);
    while !tagged_servers(&tag).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "scsynth/jackd left running after quit");
    assert!(dir.join("imbolc/imbolc.log").exists(), "the log goes to the state directory");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The keys of a first song reach the project: add a saw, give it a
/// reverb, write three notes, save with Ctrl-s, quit without a prompt (it
/// is saved), and find it all again after a relaunch on the same file.
#[test]
fn an_instrument_effect_and_notes_survive_save_and_relaunch() {
    let dir = std::env::temp_dir().join(format!("imbolc-tmux-song-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tag = format!("tmux-song-{}", std::process::id());
    let run = format!(
        "{TEST_TAG_VAR}={tag} XDG_STATE_HOME={state} XDG_CONFIG_HOME={state} {bin} {project} --jack dummy",
        state = dir.display(),
        bin = env!("CARGO_BIN_EXE_imbolc"),
        project = dir.join("song.imbolc").display(),
    );
    // `read` holds the second run until the test has seen the first exit.
    let command = format!("{run}; echo \"FIRST:$?\"; read go; {run}; echo \"SECOND:$?\"; exec sleep 60");
    let tmux = Tmux::start("song", 100, 30, &command);
    let wait = |text: &str| {
        tmux.wait_for(text, Duration::from_secs(10))
            .unwrap_or_else(|| panic!("no {text:?} on screen:\n{}", tmux.screen()))
    };

    wait("scsynth: running");
    tmux.send_keys(&["a"]);
    wait("Add instrument");
    tmux.send_keys(&["Enter"]);
    wait(" 1  saw");
    tmux.send_keys(&["2", "a", "r", "Enter"]);
    wait("1. reverb [on]");
    tmux.send_keys(&["3", "a", "a", "a"]);
    wait("3 notes");
    assert!(tmux.screen().contains("song.imbolc*"), "unsaved changes are marked");
    tmux.send_keys(&["C-s"]);
    wait("saved ");
    tmux.send_keys(&["q"]);
    wait("FIRST:0");
    tmux.send_keys(&["Enter"]);

    // Relaunched on the same file: everything is there.
    wait(" 1  saw");
    tmux.send_keys(&["3"]);
    wait("3 notes");
    tmux.send_keys(&["2"]);
    wait("1. reverb [on]");
    // An edit makes quit ask; `n` quits without saving.
    tmux.send_keys(&["l", "q"]);
    wait("unsaved changes");
    tmux.send_keys(&["n"]);
    wait("SECOND:0");

    let deadline = Instant::now() + Duration::from_secs(5);
    while !tagged_servers(&tag).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "scsynth/jackd left running after quit");
    std::fs::remove_dir_all(&dir).unwrap();
}
