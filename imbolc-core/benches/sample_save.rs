//! Save time of a project holding 100 MB of samples after a one-note edit
//! (issue 14): the save updates the file in place and leaves the sample
//! bytes alone, so it should cost about what the same project without
//! samples costs. Benched beside that project for comparison; also prints
//! the file size and the time of the first save (which stores the samples).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, missing_docs)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use criterion::Criterion;
use imbolc_core::drums::sample_pad_action;
use imbolc_core::{dispatch, persist};
use imbolc_types::{Action, Note, Project};

/// Stereo 16-bit WAVs at 48 kHz: 10 files of 10 MB (about 52 s each).
fn with_samples(dir: &std::path::Path) -> Project {
    let mut p = common::build_project(8, 2, 2_000);
    dispatch(&mut p, Action::AddDrumKit { name: "kit".into() }).unwrap();
    let kit = *p.instruments.last().unwrap().0;
    for pad in 0..10u8 {
        let file = dir.join(format!("s{pad}.wav"));
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 48_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&file, spec).unwrap();
        let mut x: u32 = 0x1234_5678 ^ u32::from(pad);
        for _ in 0..(10_000_000 / 4) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            w.write_sample((x >> 16) as i16).unwrap();
            w.write_sample((x & 0xffff) as i16).unwrap();
        }
        w.finalize().unwrap();
        let action = sample_pad_action(kit, pad, &file).unwrap();
        dispatch(&mut p, action).unwrap();
    }
    p
}

fn save_after_edit(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("imbolc-bench-samples-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    imbolc_audio::sample_cache::set_cache_dir(Some(dir.join("cache")));
    let mut group = c.benchmark_group("save_after_one_note_edit");
    group.sample_size(20);
    for (name, mut p) in [("100MB_samples", with_samples(&dir)), ("no_samples", common::build_project(8, 2, 2_000))] {
        let path = dir.join(format!("{name}.imbolc"));
        let t = Instant::now();
        persist::save(&path, &p).unwrap();
        let first = t.elapsed();
        let size = std::fs::metadata(&path).unwrap().len();
        eprintln!("{name}: file {:.1} MB, first save {first:?}", size as f64 / 1e6);
        let clip = *p.clips.keys().next().unwrap();
        let mut k = 0u32;
        group.bench_function(name, |b| {
            b.iter(|| {
                k += 1;
                let note = Note::new(60, 100, 100_000 + k * 10, 10);
                dispatch(&mut p, Action::AddNotes { clip, notes: vec![note] }).unwrap();
                persist::save(&path, &p).unwrap();
            })
        });
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    save_after_edit(&mut c);
    c.final_summary();
}
