//! One 50 ms lookahead window of automation: 64 lanes, each changing on
//! every beat of a 64-bar looped song (256 points, curves mixed), all
//! sampled every ~5 ms, plus the metronome. Measures the scheduler's work
//! for the window and the drain of its events (what the audio thread adds
//! per turn when a project automates heavily).

// Bench setup on fixed, valid fixtures: a failure is a bug to see at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use imbolc_audio::scheduler::{LoopRegion, Scheduler, SchedulerConfig};
use imbolc_types::{AudioScene, AutomationLane, Curve, InstrumentId, LaneId, ParamTarget};

const LANES: u32 = 64;
/// 64 bars of 4/4.
const SONG: u32 = 64 * 4 * 480;

fn scene() -> AudioScene {
    let automation = (0..LANES)
        .map(|i| {
            let target = ParamTarget::Filter { instrument: InstrumentId(i), param: "cutoff".into() };
            let mut lane = AutomationLane::new(LaneId(i), target);
            for beat in 0..SONG / 480 {
                lane.points.insert(beat * 480, 200.0 + ((beat * 37 + i * 11) % 97) as f32 * 50.0);
                lane.curves.insert(beat * 480, Curve::ALL[((beat + i) % 4) as usize]);
            }
            lane.curves.retain(|_, c| *c != Curve::Linear);
            lane
        })
        .collect();
    AudioScene { tempo: 120.0, automation, ..AudioScene::default() }
}

fn bench(c: &mut Criterion) {
    let mut s = Scheduler::new(&scene(), SchedulerConfig::default());
    s.set_loop(LoopRegion::new(0, SONG));
    s.set_metronome(true);
    s.play(0.0);
    let (mut notes, mut params, mut clicks) = (Vec::new(), Vec::with_capacity(1024), Vec::new());
    c.bench_function("automation_window/50ms_64_lanes_every_beat", |b| {
        b.iter(|| {
            notes.clear();
            params.clear();
            clicks.clear();
            s.advance(s.horizon() + 0.05, &mut notes);
            s.drain_param_events(&mut params);
            s.drain_clicks(&mut clicks);
            black_box(params.len() + clicks.len())
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
