//! `imbolc render` as a user runs it: files written, the summary table,
//! and exit codes: 0 done, 2 bad input, 1 render failure (scsynth missing,
//! simulated with an empty `PATH` for the child). Nothing half-written is
//! ever left in the output folder.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use imbolc_types::{Action, Note, Project, SourceKind};

fn song(path: &Path) {
    let mut p = Project::new("cli song");
    let mut apply = |a: Action| {
        imbolc_core::dispatch(&mut p, a).unwrap();
    };
    apply(Action::AddInstrument { source: SourceKind::SAW, name: "lead".into() });
    let mut p2 = p.clone();
    let inst = *p2.instruments.keys().next().unwrap();
    imbolc_core::dispatch(&mut p2, Action::AddClip { instrument: inst, name: "c".into(), length: 1920 }).unwrap();
    let clip = *p2.clips.keys().next().unwrap();
    let notes = (0..4).map(|k| Note::new(60 + k as u8, 100, k * 480, 240)).collect();
    imbolc_core::dispatch(&mut p2, Action::AddNotes { clip, notes }).unwrap();
    imbolc_core::dispatch(&mut p2, Action::AddPlacement { clip, start: 0, length: 1920 }).unwrap();
    imbolc_core::persist::save(path, &p2).unwrap();
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("imbolc-render-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn imbolc(args: &[&str], path_env: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_imbolc"));
    cmd.args(args);
    let logs = std::env::temp_dir().join(format!("imbolc-render-cli-logs-{}", std::process::id()));
    cmd.env("XDG_STATE_HOME", &logs).env("HOME", &logs);
    if let Some(p) = path_env {
        cmd.env("PATH", p);
    }
    cmd.output().unwrap()
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn render_writes_the_files_and_prints_a_summary() {
    let dir = tempdir("ok");
    let song_path = dir.join("song.imbolc");
    song(&song_path);
    let out = dir.join("out");
    let s = out.to_str().unwrap();
    let o = imbolc(&["render", song_path.to_str().unwrap(), "--out", s, "--stems", "--tail", "0.5s"], None);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{stdout} {}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(listing(&out), vec!["lead.wav", "master.wav"]);
    assert!(stdout.contains("peak dBFS") && stdout.contains("LUFS"), "{stdout}");
    assert!(stdout.contains("master.wav") && stdout.contains("2.500"), "{stdout}");
    let master = stdout.lines().find(|l| l.starts_with("master.wav")).unwrap_or_default();
    assert!(stdout.contains("waveform") && master.contains(['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█']), "{stdout}");

    // Existing files: refused (2) and kept, replaced with --force (0).
    let before = std::fs::read(out.join("master.wav")).unwrap();
    let o = imbolc(&["render", song_path.to_str().unwrap(), "--out", s, "--format", "16"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    assert_eq!(std::fs::read(out.join("master.wav")).unwrap(), before);
    let o = imbolc(&["render", song_path.to_str().unwrap(), "--out", s, "--format", "16", "--force"], None);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(hound::WavReader::open(out.join("master.wav")).unwrap().spec().bits_per_sample, 16);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_input_exits_2_and_a_failed_render_exits_1_leaving_nothing() {
    let dir = tempdir("bad");
    let song_path = dir.join("song.imbolc");
    song(&song_path);
    let song_s = song_path.to_str().unwrap();
    let out = dir.join("out");
    let out_s = out.to_str().unwrap();

    let missing = dir.join("missing.imbolc");
    let o = imbolc(&["render", missing.to_str().unwrap(), "--out", out_s], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.imbolc"));

    let corrupt = dir.join("corrupt.imbolc");
    std::fs::write(&corrupt, b"garbage").unwrap();
    let o = imbolc(&["render", corrupt.to_str().unwrap(), "--out", out_s], None);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));

    let o = imbolc(&["render", song_s, "--out", out_s, "--format", "8"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--format"));

    let blocked = song_path.join("out");
    let o = imbolc(&["render", song_s, "--out", blocked.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot write"));

    let o = imbolc(&["render", song_s, "--out", out_s], Some(""));
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("scsynth not found") && err.contains("supercollider-server"), "{err}");
    assert!(out.exists() && listing(&out).is_empty(), "nothing left behind: {:?}", listing(&out));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_render_longer_than_the_limit_is_refused_with_its_length_and_the_flag_raises_it() {
    let dir = tempdir("limit");
    let song_path = dir.join("song.imbolc");
    song(&song_path);
    let out = dir.join("out");
    let args = |limit: &str| {
        vec!["render".to_owned(), song_path.display().to_string(), "--out".into(), out.display().to_string()]
            .into_iter()
            .chain(["--max-length".to_owned(), limit.to_owned()])
            .collect::<Vec<_>>()
    };
    let run = |limit: &str| {
        let a = args(limit);
        imbolc(&a.iter().map(String::as_str).collect::<Vec<_>>(), None)
    };
    let o = run("3s");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("would last 4 s, longer than the 3 s limit") && stderr.contains("--max-length"),
        "{stderr}"
    );
    assert!(listing(&dir).iter().all(|f| f != "out"), "nothing written, not even the folder");
    assert_eq!(run("a fortnight").status.code(), Some(2));
    let o = run("5s");
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(listing(&out), vec!["master.wav"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn formats_and_their_options_from_the_command_line() {
    let dir = tempdir("formats");
    let song_path = dir.join("song.imbolc");
    song(&song_path);
    let song_s = song_path.to_str().unwrap();
    let out = dir.join("out");
    let out_s = out.to_str().unwrap();
    let base = ["render", song_s, "--out", out_s, "--tail", "0.5s", "--force"];
    let run = |extra: &[&str]| imbolc(&[&base[..], extra].concat(), None);
    for (extra, file) in [
        (&["--format", "flac", "--bits", "16"][..], "master.flac"),
        (&["--format", "ogg", "--quality", "3"][..], "master.ogg"),
        (&["--format", "mp3", "--bitrate", "192"][..], "master.mp3"),
        (&["--format", "mp3", "--quality", "V2"][..], "master.mp3"),
    ] {
        let o = run(extra);
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(0), "{extra:?}: {stdout} {}", String::from_utf8_lossy(&o.stderr));
        assert!(stdout.contains(file), "{stdout}");
        assert!(std::fs::metadata(out.join(file)).unwrap().len() > 1000, "{file} written");
    }
    assert_eq!(listing(&out), vec!["master.flac", "master.mp3", "master.ogg"], "no temporary file left");

    for (extra, names) in [
        (&["--format", "aiff"][..], "wav, flac, ogg or mp3"),
        (&["--format", "ogg", "--quality", "11"][..], "0 to 10"),
        (&["--format", "mp3", "--bitrate", "100"][..], "320"),
        (&["--format", "ogg", "--bitrate", "320"][..], "--bitrate is for mp3"),
        (&["--format", "mp3", "--bits", "16"][..], "--bits is for wav and flac"),
        (&["--format", "mp3", "--quality", "10"][..], "0 (best) to 9"),
        (&["--format", "mp3", "--quality", "2", "--bitrate", "320"][..], "not both"),
        (&["--format", "flac", "--quality", "5"][..], "--quality is for ogg and mp3"),
        (&["--format", "flac", "--bits", "32f"][..], "16 or 24"),
        (&["--format", "mp3", "--rate", "96000"][..], "48000"),
    ] {
        let o = run(extra);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains(names), "{extra:?}: {stderr}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
