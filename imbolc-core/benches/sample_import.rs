//! Importing a long sample for the slicer: decoding a 10-minute stereo
//! 48 kHz WAV (16-bit, generated into a temp folder first) and building
//! its waveform overview while streaming, so the audio itself is never
//! held. Prints the bytes the overview keeps. Also times onset detection
//! and pitch estimation on 10 s of audio.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::Criterion;
use imbolc_core::analysis::{DEFAULT_SENSITIVITY, Overview, detect_onsets, estimate_pitch};

const SR: u32 = 48_000;

fn temp_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("imbolc-bench-import-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// A decaying tone every half second, alternating channels' pitch.
fn signal(i: usize) -> (f32, f32) {
    let t = (i % (SR as usize / 2)) as f32 / SR as f32;
    let env = (-t / 0.08).exp() * 0.5;
    let phase = std::f32::consts::TAU * i as f32 / SR as f32;
    ((phase * 220.0).sin() * env, (phase * 330.0).sin() * env)
}

fn write_wav(path: &Path, secs: usize) {
    let spec =
        hound::WavSpec { channels: 2, sample_rate: SR, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut w = hound::WavWriter::create(path, spec).expect("create");
    for i in 0..secs * SR as usize {
        let (l, r) = signal(i);
        w.write_sample((l * 32767.0) as i16).expect("sample");
        w.write_sample((r * 32767.0) as i16).expect("sample");
    }
    w.finalize().expect("finalize");
}

fn main() {
    let dir = temp_dir();
    let path = dir.join("ten-minutes.wav");
    write_wav(&path, 600);
    let size = std::fs::metadata(&path).expect("file").len();
    let o = Overview::from_file(&path).expect("overview");
    println!(
        "10-minute stereo 48 kHz WAV: {size} bytes on disk; {} frames; overview {} levels, {} bytes ({:.2} MiB) held",
        o.frames,
        o.level_count(),
        o.bytes(),
        o.bytes() as f64 / (1024.0 * 1024.0)
    );

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.bench_function("decode+overview/10min-stereo-48k", |b| {
        b.iter(|| black_box(Overview::from_file(&path).expect("overview")))
    });
    let ten_secs: Vec<f32> = (0..10 * SR as usize).map(|i| signal(i).0).collect();
    group.bench_function("onsets/10s", |b| b.iter(|| black_box(detect_onsets(&ten_secs, SR, DEFAULT_SENSITIVITY))));
    group.bench_function("pitch/10s", |b| b.iter(|| black_box(estimate_pitch(&ten_secs, SR))));
    group.finish();
    c.final_summary();
    let _ = std::fs::remove_dir_all(dir);
}
