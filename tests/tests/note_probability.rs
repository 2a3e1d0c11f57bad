//! Note probability through a real `scsynth -N` render: a 50 % note placed
//! on twelve bars sounds exactly on the bars `note_plays` picks (about
//! half), is silent on the others, and a second render plays the same bars.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use imbolc_core::dispatch;
use imbolc_core::render::{self, RenderOptions};
use imbolc_types::notes::note_plays;
use imbolc_types::{Action, EnvelopeStage, Note, ParamTarget, Project, SourceKind};

const BAR: u32 = 1920;
/// At 120 BPM.
const BAR_SECS: f64 = 2.0;
const BARS: u32 = 12;

fn apply(p: &mut Project, a: Action) {
    dispatch(p, a).unwrap();
}

fn song() -> Project {
    let mut p = Project::new("probability");
    p.tempo = 120.0;
    apply(&mut p, Action::AddInstrument { source: SourceKind::SAW, name: "lead".into() });
    let lead = *p.instruments.keys().next().unwrap();
    let release = ParamTarget::Envelope { instrument: lead, stage: EnvelopeStage::Release };
    apply(&mut p, Action::SetParam { target: release, value: 0.05 });
    apply(&mut p, Action::AddClip { instrument: lead, name: "maybe".into(), length: BAR });
    let clip = *p.clips.keys().next().unwrap();
    let note = Note { probability: 50, ..Note::new(60, 100, 0, 480) };
    apply(&mut p, Action::AddNote { clip, note });
    for bar in 0..BARS {
        apply(&mut p, Action::AddPlacement { clip, start: bar * BAR, length: BAR });
    }
    p
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("imbolc-probability-test-{}-{name}", std::process::id()));
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
    let rate = f64::from(r.spec().sample_rate);
    assert!((rate - 48_000.0).abs() < 1.0, "{rate}");
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

#[test]
fn a_half_probability_note_sounds_on_the_bars_the_hash_picks_and_renders_repeat() {
    let p = song();
    let clip = *p.clips.keys().next().unwrap();
    let note = *p.clips[&clip].notes.keys().next().unwrap();
    let expected: Vec<u32> = (0..BARS).filter(|&b| note_plays(clip, note, u64::from(b), 50)).collect();
    assert!((3..=9).contains(&expected.len()), "about half of {BARS} bars: {expected:?}");

    let first = render_master(&p, "a");
    assert_eq!(sounding_bars(&first), expected, "the note sounds on exactly the picked bars");
    for b in (0..BARS).filter(|b| !expected.contains(b)) {
        let at = f64::from(b) * BAR_SECS;
        let level = peak_db(&first, at + 0.01, at + BAR_SECS - 0.01);
        assert!(level < -90.0, "bar {} is silent: {level:.1} dB", b + 1);
    }
    // The oscillators' start phases may differ between runs; which bars
    // sound may not.
    let second = render_master(&p, "b");
    assert_eq!(sounding_bars(&second), expected, "a second render plays the same bars");
}

/// The bars (from 0) where the note sounds: up to a control block early,
/// within its quarter (0.5 s).
fn sounding_bars(master: &[f32]) -> Vec<u32> {
    (0..BARS)
        .filter(|&b| {
            let at = f64::from(b) * BAR_SECS;
            peak_db(master, at, at + 0.5) > -40.0
        })
        .collect()
}
