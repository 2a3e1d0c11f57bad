//! Cost of an edit against project size: `dispatch(SetParam)` with undo
//! recording and `dispatch(AddNote)`, on a small project (1 instrument, 100
//! notes) and a large one (64 instruments × 4 effects, 100 000 notes).
//! Also prints the bytes held by 500 `SetParam` undo entries on the large
//! project and its file size, and times save and load of it.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, missing_docs)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion};
use imbolc_core::{UndoHistory, dispatch};
use imbolc_types::{Action, ChainOwner, ClipId, Note, ParamTarget, Project};

fn projects() -> [(&'static str, Project); 2] {
    [("small", common::build_project(1, 0, 100)), ("large", common::build_project(64, 4, 100_000))]
}

/// A parameter deep in the project: the last instrument's last effect, or
/// its source when it has no effects.
fn target(p: &Project) -> ParamTarget {
    let (&id, inst) = p.instruments.last().expect("an instrument");
    match inst.def.effects.last() {
        Some(e) => ParamTarget::Effect { owner: ChainOwner::Instrument(id), effect: e.id, param: "mix".into() },
        None => ParamTarget::Source { instrument: id, param: "amp".into() },
    }
}

fn clip(p: &Project) -> ClipId {
    *p.clips.keys().next().expect("a clip")
}

fn edits(c: &mut Criterion) {
    let mut group = c.benchmark_group("edit");
    for (name, mut p) in projects() {
        let t = target(&p);
        let mut history = UndoHistory::default();
        let t0 = Instant::now();
        let mut k: u64 = 0;
        group.bench_function(format!("set_param/{name}"), |b| {
            b.iter(|| {
                k += 1;
                let value = (k % 100) as f32 * 0.01;
                let out = dispatch(&mut p, Action::SetParam { target: t.clone(), value }).expect("set");
                // One second apart: every edit is its own undo step.
                history.push(out.undo.expect("entry"), t0 + Duration::from_secs(k));
                black_box(out.diffs);
            })
        });
        let clip = clip(&p);
        let mut history = UndoHistory::default();
        group.bench_function(format!("add_note/{name}"), |b| {
            b.iter_custom(|iters| {
                let mut spent = Duration::ZERO;
                for i in 0..iters {
                    let note = Note::new(60, 100, (i % 1000) as u32 * 10, 10);
                    let start = Instant::now();
                    let out = dispatch(&mut p, Action::AddNote { clip, note }).expect("add");
                    let entry = out.undo.expect("entry");
                    let inverse = entry.inverse.clone();
                    history.push(entry, t0 + Duration::from_secs(i));
                    black_box(out.diffs);
                    spent += start.elapsed();
                    // Untimed: take the note out again so the project keeps its size.
                    for a in inverse {
                        dispatch(&mut p, a).expect("remove");
                    }
                }
                spent
            })
        });
    }
    group.finish();
}

fn files(c: &mut Criterion) {
    let dir = common::temp_dir("bench");
    let path = dir.join("large.imbolc");
    let large = common::build_project(64, 4, 100_000);
    let mut group = c.benchmark_group("file");
    group.sample_size(10);
    group.bench_function("save/large", |b| b.iter(|| imbolc_core::persist::save(&path, &large).expect("save")));
    group.bench_function("load/large", |b| b.iter(|| imbolc_core::persist::load(&path).expect("load")));
    group.bench_function("clone_for_background_save/large", |b| {
        b.iter_batched(|| (), |()| black_box(large.clone()), BatchSize::SmallInput)
    });
    group.finish();
    let size = std::fs::metadata(&path).expect("file").len();
    println!("large project file: {size} bytes ({:.1} MiB)", size as f64 / (1024.0 * 1024.0));
    let _ = std::fs::remove_dir_all(dir);
}

/// Bytes held by 500 SetParam undo entries on the large project.
fn undo_memory() {
    let mut p = common::build_project(64, 4, 100_000);
    let t = target(&p);
    let mut history = UndoHistory::default();
    let t0 = Instant::now();
    for k in 0..500u64 {
        let out =
            dispatch(&mut p, Action::SetParam { target: t.clone(), value: (k % 100) as f32 * 0.01 }).expect("set");
        history.push(out.undo.expect("entry"), t0 + Duration::from_secs(k));
    }
    println!(
        "500 SetParam undo entries on the large project: {} steps, {} bytes ({:.1} KiB)",
        history.len(),
        history.bytes(),
        history.bytes() as f64 / 1024.0
    );
}

fn main() {
    undo_memory();
    let mut c = Criterion::default().configure_from_args();
    edits(&mut c);
    files(&mut c);
    c.final_summary();
}
