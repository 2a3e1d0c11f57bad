//! A generator clip through a real `scsynth -N` render: a Euclidean 5 of
//! 16 sounds on exactly its pulses, and its capture (an ordinary clip)
//! renders the same steps.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use imbolc_core::dispatch;
use imbolc_core::render::{self, RenderOptions};
use imbolc_types::generate::{Algorithm, Euclid};
use imbolc_types::{Action, ClipId, EnvelopeStage, Generator, Key, ParamTarget, PlacementId, Project, SourceKind};

/// Steps of 1/8 at 120 BPM: 0.25 s.
const STEP_SECS: f64 = 0.25;
const STEPS: u32 = 16;

fn apply(p: &mut Project, a: Action) {
    dispatch(p, a).unwrap();
}

fn song() -> (Project, ClipId, Euclid) {
    let mut p = Project::new("generators");
    p.tempo = 120.0;
    apply(&mut p, Action::AddInstrument { source: SourceKind::SAW, name: "lead".into() });
    let lead = *p.instruments.keys().next().unwrap();
    let release = ParamTarget::Envelope { instrument: lead, stage: EnvelopeStage::Release };
    apply(&mut p, Action::SetParam { target: release, value: 0.02 });
    apply(&mut p, Action::AddClip { instrument: lead, name: "gen".into(), length: 1920 });
    let clip = *p.clips.keys().next().unwrap();
    let e = Euclid { pulses: 5, steps: 16, rotation: 3, ..Euclid::default() };
    let g = Generator { step: 240, ..Generator::new(Algorithm::Euclid(e.clone()), Key::default()) };
    apply(&mut p, Action::SetGenerator { clip, generator: Some(Box::new(g)) });
    apply(&mut p, Action::AddPlacement { clip, start: 0, length: 240 * STEPS });
    (p, clip, e)
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("imbolc-generators-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The master of `project`, interleaved stereo at 48 kHz.
fn render_master(project: &Project, name: &str) -> Vec<f32> {
    let dir = tempdir(name);
    let o = RenderOptions { out_dir: dir.clone(), ..RenderOptions::default() };
    render::render(project, &o, &AtomicBool::new(false), &mut |_| {}).unwrap();
    let mut r = hound::WavReader::open(dir.join("master.wav")).unwrap();
    let samples = match r.spec().sample_format {
        hound::SampleFormat::Float => r.samples::<f32>().map(|s| s.unwrap()).collect(),
        hound::SampleFormat::Int => {
            let scale = (1u64 << (r.spec().bits_per_sample - 1)) as f32;
            r.samples::<i32>().map(|s| s.unwrap() as f32 / scale).collect()
        }
    };
    std::fs::remove_dir_all(&dir).unwrap();
    samples
}

fn peak_db(samples: &[f32], a: f64, b: f64) -> f64 {
    let (i, j) = ((a * 48_000.0) as usize * 2, (b * 48_000.0) as usize * 2);
    let s = &samples[i.min(samples.len())..j.min(samples.len())];
    20.0 * s.iter().fold(0.0f64, |m, &x| m.max(f64::from(x.abs()))).max(1e-12).log10()
}

/// The steps that sound: a note lasts 90 % of its step (0.225 s) and
/// releases in 0.02 s, so the middle of a step is loud only when a note
/// starts on it.
fn sounding_steps(master: &[f32]) -> Vec<bool> {
    (0..STEPS)
        .map(|s| {
            let at = f64::from(s) * STEP_SECS;
            peak_db(master, at + 0.08, at + 0.2) > -40.0
        })
        .collect()
}

#[test]
fn a_euclidean_clip_and_its_capture_render_the_same_pulses() {
    let (mut p, clip, e) = song();
    let generated = sounding_steps(&render_master(&p, "generated"));
    assert_eq!(generated, e.pattern(), "the render sounds on the pattern's pulses");
    assert_eq!(generated.iter().filter(|s| **s).count(), 5);

    apply(&mut p, Action::CaptureGenerator { clip });
    let captured = *p.clips.keys().last().unwrap();
    let placements: Vec<PlacementId> = p.placements.keys().copied().collect();
    for placement in placements {
        apply(&mut p, Action::RemovePlacement { placement });
    }
    apply(&mut p, Action::AddPlacement { clip: captured, start: 0, length: 240 * STEPS });
    assert_eq!(sounding_steps(&render_master(&p, "captured")), generated, "the capture renders the same");
}
