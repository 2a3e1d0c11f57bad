//! One 50 ms lookahead window of drum patterns: 64 kits, each with a
//! 64-step 1/32 pattern with all 16 pads set on every step (65 536 steps
//! in all), swing 30 %, placed over 64 bars in song mode and looped. Also
//! the cost of a one-step edit (`DrumStepsChanged`) on that project.
//! Target: a window well under 1 ms, an edit independent of pattern size.

// Bench setup on fixed, valid fixtures: a failure is a bug to see at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use imbolc_audio::scheduler::{LoopRegion, Scheduler, SchedulerConfig};
use imbolc_types::{
    AudioDiff, AudioScene, Clip, ClipId, DrumPattern, DrumStep, InstrumentId, Placement, PlacementId, StepDelta,
    StepResolution,
};

const KITS: u32 = 64;
/// 64 bars of 4/4.
const SONG: u32 = 64 * 4 * 480;

fn scene() -> AudioScene {
    let mut clips = Vec::new();
    let mut placements = Vec::new();
    for i in 0..KITS {
        let mut p = DrumPattern::new(64, StepResolution::ThirtySecond);
        p.swing = 0.3;
        for step in 0..64 {
            for pad in 0..16 {
                p.hits.insert(
                    (step, pad),
                    DrumStep { probability: if pad % 4 == 0 { 50 } else { 100 }, ..DrumStep::default() },
                );
            }
        }
        clips.push(Clip {
            id: ClipId(i),
            name: String::new(),
            instrument: InstrumentId(i),
            length: p.length_ticks(),
            looping: true,
            notes: Default::default(),
            drums: Some(p),
            audio: None,
        });
        placements.push(Placement { id: PlacementId(i), clip: ClipId(i), start: 0, length: SONG });
    }
    AudioScene { tempo: 120.0, clips, placements, ..AudioScene::default() }
}

fn bench(c: &mut Criterion) {
    let mut s = Scheduler::new(&scene(), SchedulerConfig::default());
    s.set_loop(LoopRegion::new(0, SONG));
    s.play(0.0);
    let (mut out, mut hits) = (Vec::new(), Vec::with_capacity(8192));
    c.bench_function("drum_window/50ms_64_kits_65k_steps", |b| {
        b.iter(|| {
            hits.clear();
            s.advance(s.horizon() + 0.05, &mut out);
            s.take_hits(&mut hits);
            black_box(hits.len())
        })
    });

    let mut k = 0u8;
    c.bench_function("drum_window/steps_changed_one_step_65k", |b| {
        b.iter(|| {
            k = (k + 1) % 64;
            let delta =
                StepDelta { set: vec![((k, 3), DrumStep { velocity: 1 + k, ..DrumStep::default() })], cleared: vec![] };
            s.apply(&AudioDiff::DrumStepsChanged { clip: ClipId(0), delta }).unwrap();
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
