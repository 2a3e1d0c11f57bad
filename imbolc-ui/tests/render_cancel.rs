//! Cancelling a long render as a user does: SIGINT (Ctrl-C) or SIGTERM four
//! seconds into `imbolc render` of a long, legitimate song stops it (exit
//! 130 / 143, "render cancelled"), kills scsynth, and leaves the output
//! folder empty; a later render into the folder sweeps the temporary files
//! a SIGKILLed render left. The render dialog's Esc does the same in the
//! TUI (see `render_dialog`'s tests).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use imbolc_tests::TEST_TAG_VAR;
use imbolc_tests::corpus::base_song;

/// Minutes of music in the long song: long enough that scsynth is still
/// rendering seconds after it starts, even on a fast machine.
const MINUTES: u32 = 40;

fn long_song(path: &Path) {
    let mut p = base_song();
    let ticks = MINUTES * 60 * 2 * 480; // at 120 BPM
    for c in p.clips.values_mut() {
        c.looping = true;
    }
    for pl in p.placements.values_mut() {
        pl.length = ticks;
    }
    imbolc_core::persist::save(path, &p).unwrap();
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => Vec::new(),
    };
    v.sort();
    v
}

/// Pids of live `scsynth` processes carrying `tag` in their environment.
fn scsynth_with_tag(tag: &str) -> Vec<u32> {
    let want = format!("{TEST_TAG_VAR}={tag}");
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let comm = std::fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
        let env = std::fs::read(entry.path().join("environ")).unwrap_or_default();
        if comm.trim() == "scsynth" && env.split(|b| *b == 0).any(|kv| kv == want.as_bytes()) {
            pids.push(pid);
        }
    }
    pids
}

fn start_render(song: &Path, out: &Path, tag: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_imbolc"))
        .args(["render", song.to_str().unwrap(), "--out", out.to_str().unwrap(), "--stems"])
        .env("XDG_STATE_HOME", out.with_extension("state"))
        .env(TEST_TAG_VAR, tag)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until scsynth writes its raw output into `out`; seconds waited.
fn wait_for_raw(out: &Path) -> f64 {
    let started = Instant::now();
    while !listing(out).iter().any(|f| f.ends_with(".raw")) {
        assert!(started.elapsed() < Duration::from_secs(60), "no raw output after 60 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    started.elapsed().as_secs_f64()
}

fn setup(name: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("imbolc-render-cancel-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let song = dir.join("long.imbolc");
    long_song(&song);
    (dir, song)
}

fn cancel_with(signal: &str, code: i32) {
    let (dir, song) = setup(signal);
    let out = dir.join("out");
    let tag = format!("render-cancel-{}-{signal}", std::process::id());
    let started = Instant::now();
    let mut child = start_render(&song, &out, &tag);
    // Four seconds in, and scsynth rendering (planning takes longer on a
    // loaded machine).
    let rendering = wait_for_raw(&out);
    std::thread::sleep(Duration::from_secs(4).saturating_sub(started.elapsed()));
    eprintln!("SIG{signal}: scsynth started {rendering:.1} s in; signal at {:.1} s", started.elapsed().as_secs_f64());
    assert!(child.try_wait().unwrap().is_none(), "the render ended before the signal: make the song longer");
    assert!(!scsynth_with_tag(&tag).is_empty(), "scsynth renders when the signal comes");
    assert!(listing(&out).iter().any(|f| f.starts_with(".imbolc-render-")), "temporary files exist");
    let sent = Instant::now();
    assert!(Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().unwrap().success());
    let deadline = sent + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "still running 20 s after SIG{signal}");
        std::thread::sleep(Duration::from_millis(10));
    }
    let stopped = sent.elapsed();
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    eprintln!("SIG{signal}: stopped {:.0} ms after the signal", stopped.as_secs_f64() * 1000.0);
    assert_eq!(o.status.code(), Some(code), "{stderr}");
    assert!(stderr.contains("render cancelled"), "{stderr}");
    assert_eq!(listing(&out), Vec::<String>::new(), "nothing left in the output folder");
    assert!(scsynth_with_tag(&tag).is_empty(), "scsynth was left running");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sigint_cancels_a_long_render_and_leaves_nothing() {
    cancel_with("INT", 130);
}

#[test]
fn sigterm_cancels_a_long_render_and_leaves_nothing() {
    cancel_with("TERM", 143);
}

#[test]
fn a_later_render_sweeps_what_a_killed_one_left() {
    let (dir, song) = setup("KILL");
    let out = dir.join("out");
    let tag = format!("render-cancel-{}-KILL", std::process::id());
    let mut child = start_render(&song, &out, &tag);
    wait_for_raw(&out);
    child.kill().unwrap();
    child.wait().unwrap();
    let left = listing(&out);
    assert!(left.iter().any(|f| f.starts_with(".imbolc-render-")), "SIGKILL leaves files: {left:?}");
    // scsynth dies with its parent thread (parent-death signal).
    let gone = Instant::now() + Duration::from_secs(5);
    while !scsynth_with_tag(&tag).is_empty() {
        assert!(Instant::now() < gone, "scsynth outlived the killed render");
        std::thread::sleep(Duration::from_millis(20));
    }
    // A short render into the same folder removes them and writes its own files.
    let short = dir.join("short.imbolc");
    imbolc_core::persist::save(&short, &base_song()).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_imbolc"))
        .args(["render", short.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .env("XDG_STATE_HOME", dir.join("state"))
        .env(TEST_TAG_VAR, &tag)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(listing(&out), vec!["master.wav".to_owned()]);
    std::fs::remove_dir_all(&dir).unwrap();
}
