//! Cost of an edit against project size, for every family of edit (a
//! parameter, a note, master and bus levels, a bus effect, an automation
//! point, a drum step, a placement, the tempo), with its undo entry
//! recorded, on a small project (1 instrument, 100 notes, 1 placement, 10
//! automation points) and a large one (64 instruments × 4 effects, 100 000
//! notes, 1000 placements, 64 lanes of 1000 points).
//! Also prints the bytes held by 500 `SetParam` undo entries on the large
//! project and its file size, and times save and load of it.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, missing_docs)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion};
use imbolc_core::{UndoHistory, dispatch};
use imbolc_types::{
    Action, ChainOwner, ClipId, EffectKind, InstrumentId, MixerParam, Note, ParamTarget, Project, StepResolution,
};

fn projects() -> [(&'static str, Project); 2] {
    [
        ("small", with_extras(common::build_project(1, 0, 100), 1, 10)),
        ("large", with_extras(common::build_project(64, 4, 100_000), 1000, 1000)),
    ]
}

/// Adds what `build_project` leaves out, scaled like the project: a drum
/// kit with a pattern, `placements` placements of the first clip, and an
/// automation lane with `points` points on every instrument's level.
fn with_extras(mut p: Project, placements: u32, points: u32) -> Project {
    let apply = |p: &mut Project, a: Action| {
        dispatch(p, a).expect("setup action applies");
    };
    let clip = clip(&p);
    for i in 0..placements {
        apply(&mut p, Action::AddPlacement { clip, start: i * 480 * 4, length: 480 * 4 });
    }
    let ids: Vec<InstrumentId> = p.instruments.keys().copied().collect();
    for id in ids {
        apply(&mut p, Action::AddLane { target: ParamTarget::Mixer { instrument: id, param: MixerParam::Level } });
        let lane = *p.automation.keys().last().expect("lane");
        for k in 0..points {
            apply(&mut p, Action::SetAutomationPoint { lane, tick: k * 120, value: (k % 10) as f32 * 0.1 });
        }
    }
    apply(&mut p, Action::AddDrumKit { name: "kit".into() });
    let kit = *p.instruments.keys().last().expect("kit");
    apply(
        &mut p,
        Action::AddDrumPattern {
            instrument: kit,
            name: "beat".into(),
            steps: 16,
            resolution: StepResolution::default(),
        },
    );
    p
}

/// A parameter deep in the project: the last instrument's last effect, or
/// its source when it has no effects.
fn target(p: &Project) -> ParamTarget {
    let (&id, inst) = p.instruments.iter().rev().find(|(_, i)| i.def.drums.is_none()).expect("an instrument");
    match inst.def.effects.last() {
        Some(e) => ParamTarget::Effect { owner: ChainOwner::Instrument(id), effect: e.id, param: "mix".into() },
        None => ParamTarget::Source { instrument: id, param: "amp".into() },
    }
}

fn clip(p: &Project) -> ClipId {
    *p.clips.keys().next().expect("a clip")
}

/// One edit of each family, made from the project and a counter.
type Edit = fn(&Project, u64) -> Action;

fn level(k: u64) -> f32 {
    (k % 100) as f32 * 0.01
}

const FAMILIES: &[(&str, Edit)] = &[
    ("set_param", |p, k| Action::SetParam { target: target(p), value: level(k) }),
    ("add_note", |p, k| Action::AddNote { clip: clip(p), note: Note::new(60, 100, (k % 1000) as u32 * 10, 10) }),
    ("master_level", |_, k| Action::SetParam { target: ParamTarget::MasterLevel, value: level(k) }),
    ("bus_level", |p, k| {
        let bus = *p.buses.keys().next().expect("bus");
        Action::SetParam { target: ParamTarget::BusMixer { bus, param: MixerParam::Level }, value: level(k) }
    }),
    ("bus_effect", |p, k| {
        let bus = *p.buses.keys().next().expect("bus");
        let kind = EffectKind::ALL[k as usize % EffectKind::ALL.len()];
        Action::AddEffect { owner: ChainOwner::Bus(bus), kind, index: None }
    }),
    ("automation_point", |p, k| {
        let lane = *p.automation.keys().last().expect("lane");
        Action::SetAutomationPoint { lane, tick: (k % 1000) as u32 * 120 + 60, value: level(k) }
    }),
    ("drum_step", |p, k| {
        let kit = p.clips.values().find(|c| c.drums.is_some()).expect("pattern").id;
        Action::ToggleDrumStep { clip: kit, key: ((k % 8) as u8, (k % 16) as u8) }
    }),
    ("placement", |p, k| {
        let placement = *p.placements.keys().last().expect("placement");
        Action::MovePlacement { placement, start: (k % 1000) as u32 * 480 }
    }),
    ("tempo", |_, k| Action::SetParam { target: ParamTarget::Tempo, value: 90.0 + (k % 60) as f32 }),
];

/// Each family's edit with its undo entry recorded (timed), then undone
/// (untimed) so the project keeps its size.
fn edits(c: &mut Criterion) {
    let mut group = c.benchmark_group("edit");
    for (name, mut p) in projects() {
        for (family, edit) in FAMILIES {
            let mut history = UndoHistory::default();
            let t0 = Instant::now();
            group.bench_function(format!("{family}/{name}"), |b| {
                b.iter_custom(|iters| {
                    let mut spent = Duration::ZERO;
                    for i in 0..iters {
                        let action = edit(&p, i);
                        let start = Instant::now();
                        let out = dispatch(&mut p, action).expect("edit applies");
                        let entry = out.undo.expect("entry");
                        let inverse = entry.inverse.clone();
                        // One second apart: every edit is its own undo step.
                        history.push(entry, t0 + Duration::from_secs(i));
                        black_box(out.diffs);
                        spent += start.elapsed();
                        for a in inverse {
                            dispatch(&mut p, a).expect("undo applies");
                        }
                    }
                    spent
                })
            });
        }
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
    // No file when a filter left the save out.
    if let Ok(meta) = std::fs::metadata(&path) {
        let size = meta.len();
        println!("large project file: {size} bytes ({:.1} MiB)", size as f64 / (1024.0 * 1024.0));
    }
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
