//! Crash safety: a child process saves in a loop and is killed with SIGKILL
//! (`Child::kill`) at varying moments; the file then opens and holds one of
//! the projects the child saved whole, never a broken one.
//!
//! Every save after the first updates the file in place (one SQLite
//! transaction); a kill in the middle leaves a hot journal beside it, which
//! `load` rolls back before reading.
//!
//! The child is this same test binary, re-run with `IMBOLC_CRASH_PATH` set
//! and filtered to `child_save_loop`.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] fns

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use common::{build_project, temp_dir};
use imbolc_core::persist;
use imbolc_types::Project;

const ENV: &str = "IMBOLC_CRASH_PATH";
const ROUNDS: u32 = 16;

/// The project of generation `n`: same content, name and tempo tell `n`.
fn generation(base: &Project, n: u32) -> Project {
    let mut p = base.clone();
    p.name = format!("gen {n}");
    p.tempo = 60.0 + (n % 500) as f32;
    p
}

fn base() -> Project {
    build_project(8, 2, 20_000)
}

/// In the child: save generations 1, 2, 3... to the path until killed.
#[test]
fn child_save_loop() {
    let Ok(path) = std::env::var(ENV) else { return };
    let base = base();
    let start: u32 = std::env::var("IMBOLC_CRASH_START").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    for n in start.. {
        persist::save(Path::new(&path), &generation(&base, n)).expect("child save");
        println!("saved {n}");
    }
}

#[test]
fn sigkill_during_saves_leaves_a_whole_project() {
    let dir = temp_dir("crash");
    let path = dir.join("crash.imbolc");
    let base = base();
    persist::save(&path, &generation(&base, 0)).expect("initial save");
    let exe = std::env::current_exe().expect("test binary");
    let mut killed_mid_save = 0;
    for round in 0..ROUNDS {
        let mut child = Command::new(&exe)
            .args(["child_save_loop", "--exact", "--nocapture", "--test-threads=1"])
            .env(ENV, &path)
            .env("IMBOLC_CRASH_START", (round * 100_000 + 1).to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn child");
        // Wait until the child is in its save loop, then kill it at a
        // different moment of the save cycle each round (not an assertion
        // on time: any moment must be safe).
        let mut out = BufReader::new(child.stdout.take().expect("child stdout"));
        let mut next_save = || {
            let mut line = String::new();
            while !line.starts_with("saved") {
                line.clear();
                if out.read_line(&mut line).expect("read child") == 0 {
                    panic!("child ended before saving");
                }
            }
            Instant::now()
        };
        let first = next_save();
        let period = next_save().duration_since(first);
        std::thread::sleep(period.mul_f64(f64::from(round) / f64::from(ROUNDS)));
        child.kill().expect("SIGKILL the child");
        let status = child.wait().expect("reap child");
        assert!(!status.success(), "child was killed, not finished");

        let leftovers = std::fs::read_dir(&dir).expect("dir").count() > 1;
        if leftovers {
            killed_mid_save += 1;
        }
        let loaded = persist::load(&path).expect("the file opens after a kill");
        let n: u32 = loaded.project.name.strip_prefix("gen ").and_then(|s| s.parse().ok()).expect("a generation name");
        assert_eq!(loaded.project, generation(&base, n), "round {round}: generation {n} is whole");
    }
    eprintln!("killed during a save (journal or temp file left) in {killed_mid_save} of {ROUNDS} rounds");
    // Nothing that killed saves left behind survives the next open and save.
    persist::save(&path, &generation(&base, 0)).expect("save after crashes");
    assert_eq!(std::fs::read_dir(&dir).expect("dir").count(), 1, "stale temporary files removed");
}
