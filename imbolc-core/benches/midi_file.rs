//! Importing and exporting a MIDI file of 100,000 notes (issue 25, point
//! 5: each under 1 s). The file is 16 tracks of 6,250 notes (sixteenths,
//! with a tempo change every bar and controller moves), written by our
//! exporter from a project built here. Import is read + plan + every edit
//! applied to a fresh project (what `imbolc import` does before saving);
//! export is the project to bytes.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use criterion::Criterion;
use imbolc_core::dispatch;
use imbolc_core::midi_file::{ExportOptions, export, new_project};
use imbolc_types::{Action, Curve, Note, ParamTarget, Project, SourceKind};

const TRACKS: u32 = 16;
const NOTES_PER_TRACK: u32 = 6_250;

fn big_project() -> Project {
    let mut p = Project::new("bench");
    let mut lane_points = Vec::new();
    for bar in 0..(NOTES_PER_TRACK / 16) {
        lane_points.push((bar * 1920, 100.0 + (bar % 40) as f32));
    }
    dispatch(&mut p, Action::AddLane { target: ParamTarget::Tempo }).unwrap();
    let lane = *p.automation.keys().next().unwrap();
    let curves = lane_points.iter().map(|&(t, _)| (t, Curve::Step)).collect();
    let to = lane_points.last().unwrap().0;
    dispatch(&mut p, Action::ReplaceAutomationPoints { lane, from: 0, to, points: lane_points, curves }).unwrap();
    for t in 0..TRACKS {
        dispatch(&mut p, Action::AddInstrument { source: SourceKind::SAW, name: format!("t{t}") }).unwrap();
        let inst = *p.instruments.keys().last().unwrap();
        let length = NOTES_PER_TRACK * 120;
        dispatch(&mut p, Action::AddClip { instrument: inst, name: String::new(), length }).unwrap();
        let clip = *p.clips.keys().last().unwrap();
        let notes = (0..NOTES_PER_TRACK)
            .map(|i| Note::new(36 + ((i * 7 + t) % 60) as u8, 1 + (i % 127) as u8, i * 120, 100))
            .collect();
        dispatch(&mut p, Action::AddNotes { clip, notes }).unwrap();
        dispatch(&mut p, Action::AddPlacement { clip, start: 0, length }).unwrap();
    }
    p
}

fn main() {
    let project = big_project();
    let (bytes, summary) = export(&project, &ExportOptions::default()).unwrap();
    assert_eq!(summary.notes, 100_000);
    let t = Instant::now();
    let (imported, s) = new_project(&bytes, "bench").unwrap();
    let import_once = t.elapsed();
    assert_eq!(s.notes, 100_000);
    assert_eq!(imported.note_count(), 100_000);
    let t = Instant::now();
    black_box(export(&imported, &ExportOptions::default()).unwrap());
    let export_once = t.elapsed();
    println!(
        "100,000 notes, {} bytes: one import {:.1} ms, one export {:.1} ms",
        bytes.len(),
        import_once.as_secs_f64() * 1e3,
        export_once.as_secs_f64() * 1e3
    );

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("midi_file");
    group.sample_size(10);
    group.bench_function("import/100k-notes", |b| b.iter(|| black_box(new_project(&bytes, "bench").unwrap())));
    group.bench_function("export/100k-notes", |b| {
        b.iter(|| black_box(export(&imported, &ExportOptions::default()).unwrap()))
    });
    group.finish();
    c.final_summary();
}
