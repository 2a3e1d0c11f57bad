//! Self-contained projects (issue 14 acceptance): samples imported on pads,
//! the project saved, the source files deleted, then `imbolc render` run
//! in a fresh config and cache directory renders it identically (the
//! difference with the render made beside the sources is exactly zero),
//! reading the samples from the project file alone. De-duplication is
//! shown by the file size: a third pad on an already stored file adds no
//! copy.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use imbolc_audio::sample_cache;
use imbolc_core::dispatch;
use imbolc_core::drums::sample_pad_action;
use imbolc_types::{Action, InstrumentId, Note, PadSound, Project};

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("imbolc-self-contained-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A decaying tone (`freq` Hz, `channels` channels) of `secs` seconds.
fn tone(path: &Path, freq: f64, channels: u16, rate: u32, secs: f64) {
    let spec =
        hound::WavSpec { channels, sample_rate: rate, bits_per_sample: 24, sample_format: hound::SampleFormat::Int };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let frames = (secs * f64::from(rate)) as u32;
    for i in 0..frames {
        let t = f64::from(i) / f64::from(rate);
        let v = (t * freq * std::f64::consts::TAU).sin() * (-t * 6.0).exp() * 0.6;
        for c in 0..channels {
            let s = if c == 0 { v } else { v * 0.5 };
            w.write_sample((s * 8_388_607.0) as i32).unwrap();
        }
    }
    w.finalize().unwrap();
}

/// Runs `imbolc render` with its own config, cache and state folders.
fn render(project: &Path, out: &Path, home: &Path) {
    let o = Command::new(env!("CARGO_BIN_EXE_imbolc"))
        .args(["render", project.to_str().unwrap(), "--out", out.to_str().unwrap(), "--tail", "0.5s", "--force"])
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_STATE_HOME", home.join("state"))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "render failed: {} {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn samples(path: &Path) -> Vec<i32> {
    hound::WavReader::open(path).unwrap().samples::<i32>().map(Result::unwrap).collect()
}

#[test]
fn a_project_renders_identically_without_its_sample_files_in_a_fresh_cache() {
    let dir = tempdir("run");
    sample_cache::set_cache_dir(Some(dir.join("import-cache")));
    let sources = dir.join("sources");
    std::fs::create_dir_all(&sources).unwrap();
    let (low, high) = (sources.join("low.wav"), sources.join("high.wav"));
    tone(&low, 110.0, 1, 44_100, 0.4);
    tone(&high, 880.0, 2, 96_000, 0.3);

    let mut p = Project::new("self-contained");
    dispatch(&mut p, Action::AddDrumKit { name: "kit".into() }).unwrap();
    let kit = InstrumentId(0);
    for (pad, file) in [(0u8, &low), (1, &high)] {
        let action = sample_pad_action(kit, pad, file).unwrap();
        dispatch(&mut p, action).unwrap();
    }
    dispatch(&mut p, Action::AddClip { instrument: kit, name: "beat".into(), length: 1920 }).unwrap();
    let clip = *p.clips.keys().next().unwrap();
    // Pads 0, 1, 2 are notes 36, 37, 38.
    let notes = vec![Note::new(36, 110, 0, 240), Note::new(37, 90, 480, 240), Note::new(38, 100, 960, 240)];
    dispatch(&mut p, Action::AddNotes { clip, notes }).unwrap();
    dispatch(&mut p, Action::AddPlacement { clip, start: 0, length: 1920 }).unwrap();

    let project = dir.join("song.imbolc");
    let two_files = imbolc_core::persist::save(&project, &p).unwrap().bytes;
    // Pad 2 on a file already stored: no second copy.
    let action = sample_pad_action(kit, 2, &low).unwrap();
    dispatch(&mut p, action).unwrap();
    let three_pads = imbolc_core::persist::save(&project, &p).unwrap().bytes;
    let low_bytes = std::fs::metadata(&low).unwrap().len();
    eprintln!(
        "two samples on two pads: {two_files} B; a third pad on one of them: {three_pads} B (sample {low_bytes} B)"
    );
    assert!(three_pads < two_files + low_bytes / 10, "the third pad added a copy: {two_files} → {three_pads} B");

    let with_sources = dir.join("out-a");
    render(&project, &with_sources, &dir.join("home-a"));
    std::fs::remove_dir_all(&sources).unwrap();
    std::fs::remove_dir_all(dir.join("import-cache")).unwrap();
    let fresh_home = dir.join("home-b");
    let without = dir.join("out-b");
    render(&project, &without, &fresh_home);

    let a = samples(&with_sources.join("master.wav"));
    let b = samples(&without.join("master.wav"));
    assert_eq!(a.len(), b.len(), "same length");
    let peak = a.iter().map(|s| s.unsigned_abs()).max().unwrap();
    assert!(peak > 1 << 18, "the pads sound (peak {peak} of 2^23)");
    let max_diff = a.iter().zip(&b).map(|(x, y)| x.abs_diff(*y)).max().unwrap();
    assert_eq!(max_diff, 0, "identical renders (null)");
    let PadSound::Stored(sample) = &p.instruments[&kit].def.drums.as_ref().unwrap().pads[1].sound else { panic!() };
    let cached = fresh_home.join("cache/imbolc/samples").join(format!("{}.wav", sample.hash));
    assert!(cached.is_file(), "the fresh cache got the sample from the project file: {}", cached.display());
    eprintln!("renders with and without the sources: {} samples, peak {peak}, max difference {max_diff}", a.len());
    std::fs::remove_dir_all(&dir).unwrap();
}
