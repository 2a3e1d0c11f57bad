//! Each MIDI file of the corpus (`tests/fixtures/midi/`), imported, renders
//! with a real `scsynth -N` and every instrument sounds: each stem, read
//! back from its WAV, peaks above -50 dBFS (issue 25's acceptance).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use imbolc_core::midi_file::new_project;
use imbolc_core::render::{self, RenderOptions, SampleFormat};

struct TempDir(PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Sample peak of a WAV file in dBFS.
fn peak_dbfs(path: &Path) -> f64 {
    let mut r = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let peak = match r.spec().sample_format {
        hound::SampleFormat::Float => r.samples::<f32>().map(|s| f64::from(s.unwrap().abs())).fold(0.0, f64::max),
        hound::SampleFormat::Int => {
            let scale = (1u64 << (r.spec().bits_per_sample - 1)) as f64;
            r.samples::<i32>().map(|s| f64::from(s.unwrap()).abs() / scale).fold(0.0, f64::max)
        }
    };
    20.0 * peak.max(1e-12).log10()
}

fn every_stem_sounds(name: &str) {
    let bytes = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/midi").join(name)).unwrap();
    let (project, _) = new_project(&bytes, name).unwrap();
    let dir = TempDir(std::env::temp_dir().join(format!("imbolc-midi-render-{}-{name}", std::process::id())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let o = RenderOptions {
        out_dir: dir.0.clone(),
        stems: true,
        format: SampleFormat::Float32,
        ..RenderOptions::default()
    };
    let summary = render::render(&project, &o, &AtomicBool::new(false), &mut |_| {}).unwrap();
    let stems: Vec<_> = summary.files.iter().filter(|f| f.stem != "master").collect();
    assert_eq!(stems.len(), project.instruments.len(), "{name}: a stem per instrument");
    for f in stems {
        let db = peak_dbfs(&f.path);
        println!("{name}: stem {} peaks at {db:.1} dBFS", f.stem);
        assert!(db > -50.0, "{name}: stem {} peaks at {db:.1} dBFS", f.stem);
    }
}

#[test]
fn horses_format_0() {
    every_stem_sounds("horses.mid");
}

#[test]
fn boys_melody_and_drums() {
    every_stem_sounds("boys.mid");
}

#[test]
fn drums_gm_map() {
    every_stem_sounds("drums.mid");
}

#[test]
fn tempo_changes_with_accompaniment() {
    every_stem_sounds("tempo.mid");
}

#[test]
fn lilypond_song() {
    every_stem_sounds("song.mid");
}
