//! The corpus of impossible project files (`imbolc_tests::corpus`) through
//! `imbolc render` as a user runs it: each file is refused with a message
//! naming its length, or rendered within a minute to finite WAV files of
//! bounded size, with the repairs told on stderr. No project file changes
//! on disk and no temporary file is left.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use imbolc_tests::TEST_TAG_VAR;
use imbolc_tests::corpus::{Case, Writing, base_song, write_case, write_corpus};
use imbolc_types::drums::PadSound;

/// Longest a corpus render may take.
const DEADLINE: Duration = Duration::from_secs(60);
/// Largest file a corpus render may write (its songs last seconds).
const MAX_FILE_BYTES: u64 = 64 << 20;

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => Vec::new(),
    };
    v.sort();
    v
}

#[test]
fn every_corpus_file_is_refused_or_rendered_finite_and_left_untouched() {
    let dir = std::env::temp_dir().join(format!("imbolc-hostile-corpus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut corpus = write_corpus(&dir.join("songs"));
    // A pad on a FIFO: handed to scsynth, it would block its command
    // thread (and the render) for good.
    let fifo = dir.join("pad.fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success(), "mkfifo (coreutils)");
    let mut project = base_song();
    let kit = project.instruments.values_mut().find_map(|i| i.def.drums.as_mut()).unwrap();
    kit.pads[0].sound = PadSound::Sample { path: fifo.display().to_string() };
    let case = Case { name: "fifo-sample", what: "a pad on a FIFO", project, writing: Writing::Plain, refused: false };
    let path = dir.join("songs").join("fifo-sample.imbolc");
    write_case(&case, &path);
    corpus.push((case, path));
    let songs = listing(&dir.join("songs"));
    for (case, path) in &corpus {
        let before = std::fs::read(path).unwrap();
        let repaired = !imbolc_core::persist::load(path).unwrap().repairs.is_empty();
        let out = dir.join(format!("out-{}", case.name));
        let started = Instant::now();
        let mut child = Command::new(env!("CARGO_BIN_EXE_imbolc"))
            .args(["render", path.to_str().unwrap(), "--out", out.to_str().unwrap(), "--stems"])
            .env("XDG_STATE_HOME", dir.join("state"))
            .env(TEST_TAG_VAR, "hostile-corpus")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > DEADLINE {
                let _ = child.kill();
                panic!("{}: still rendering after {DEADLINE:?}", case.name);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let o = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        eprintln!(
            "{} ({}): exit {:?} in {:.1} s",
            case.name,
            case.what,
            o.status.code(),
            started.elapsed().as_secs_f64()
        );
        assert_eq!(stderr.contains("repaired on open:"), repaired, "{}: the repairs are told: {stderr}", case.name);
        if case.refused {
            assert_eq!(o.status.code(), Some(2), "{}: {stderr}", case.name);
            assert!(stderr.contains("would last") && stderr.contains("days"), "{}: {stderr}", case.name);
            assert!(listing(&out).is_empty(), "{}: nothing written", case.name);
        } else {
            assert_eq!(o.status.code(), Some(0), "{}: {stderr}", case.name);
            let files = listing(&out);
            assert!(files.contains(&"master.wav".to_owned()), "{}: {files:?}", case.name);
            for f in &files {
                assert!(f.ends_with(".wav") && !f.starts_with('.'), "{}: stray file {f}", case.name);
                let file = out.join(f);
                let bytes = std::fs::metadata(&file).unwrap().len();
                assert!(bytes <= MAX_FILE_BYTES, "{}: {f} is {bytes} bytes", case.name);
                let mut r = hound::WavReader::open(&file).unwrap();
                let finite = match r.spec().sample_format {
                    hound::SampleFormat::Float => r.samples::<f32>().all(|s| s.is_ok_and(f32::is_finite)),
                    hound::SampleFormat::Int => r.samples::<i32>().all(|s| s.is_ok()),
                };
                assert!(finite, "{}: {f} holds a sample that is not finite", case.name);
            }
        }
        assert_eq!(std::fs::read(path).unwrap(), before, "{}: the project file changed", case.name);
        assert_eq!(listing(&dir.join("songs")), songs, "{}: files appeared beside the songs", case.name);
        assert!(repaired || case.refused, "{}: every case but the long one needs a repair", case.name);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
