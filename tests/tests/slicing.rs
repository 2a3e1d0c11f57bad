//! Slices on a real scsynth (NRT render): a file of four tones is sliced at
//! its detected onsets, the slices go to pads 1–4, and a pattern hits pads
//! 3 and 4. The render must play exactly segment 3 (its pitch, its length)
//! and then segment 4, never the whole file.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use imbolc_core::analysis::{DEFAULT_SENSITIVITY, Slices, decode_mono, detect_onsets, estimate_pitch};
use imbolc_core::render::{self, RenderOptions, Tail};
use imbolc_core::{dispatch, slicing};
use imbolc_types::{Action, DrumPad, DrumStep, InstrumentId, PadSound, Project, StepResolution};

const SR: u32 = 48_000;
/// Frames per segment (250 ms).
const SEGMENT: usize = 12_000;
/// The segments' pitches.
const FREQS: [f64; 4] = [220.0, 330.0, 440.0, 660.0];

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("imbolc-slicing-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Four steady tones of 250 ms, each with 3 ms fades, back to back.
fn write_segments(path: &Path) {
    let spec =
        hound::WavSpec { channels: 1, sample_rate: SR, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let fade = 144.0;
    for freq in FREQS {
        for i in 0..SEGMENT {
            let t = i as f64 / f64::from(SR);
            let env = (i as f64 / fade).min(1.0).min((SEGMENT - i) as f64 / fade);
            w.write_sample(((std::f64::consts::TAU * freq * t).sin() * env * 0.5 * 32767.0) as i16).unwrap();
        }
    }
    w.finalize().unwrap();
}

/// The master as mono floats.
fn read_mono(path: &Path) -> Vec<f32> {
    let mut r = hound::WavReader::open(path).unwrap();
    let spec = r.spec();
    let ch = usize::from(spec.channels);
    let scale = (1u64 << (spec.bits_per_sample - 1)) as f32;
    let s: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => r.samples::<f32>().map(|x| x.unwrap()).collect(),
        hound::SampleFormat::Int => r.samples::<i32>().map(|x| x.unwrap() as f32 / scale).collect(),
    };
    s.chunks(ch).map(|f| f.iter().sum::<f32>() / ch as f32).collect()
}

/// Runs of sound (above -40 dBFS in 1 ms blocks) as (start, end) frames.
fn sounding_runs(s: &[f32]) -> Vec<(usize, usize)> {
    let block = SR as usize / 1000;
    let loud: Vec<bool> = s.chunks(block).map(|c| c.iter().fold(0.0f32, |m, x| m.max(x.abs())) > 0.01).collect();
    let mut runs = Vec::new();
    let mut start = None;
    for (i, &l) in loud.iter().chain(std::iter::once(&false)).enumerate() {
        match (l, start) {
            (true, None) => start = Some(i),
            (false, Some(a)) => {
                runs.push((a * block, i * block));
                start = None;
            }
            _ => {}
        }
    }
    runs
}

#[test]
fn pad_3_after_slicing_plays_segment_3_only() {
    let dir = tempdir("pads");
    let file = dir.join("four.wav");
    write_segments(&file);

    // Slice at the detected onsets, as the slicer's `o` does.
    let audio = decode_mono(&file).unwrap();
    let onsets = detect_onsets(&audio.samples, audio.sample_rate, DEFAULT_SENSITIVITY);
    let slices = Slices::from_markers(audio.samples.len() as u64, onsets);
    assert_eq!(slices.markers().len(), 4, "{:?}", slices.markers());

    let mut p = Project::new("slices");
    p.tempo = 120.0;
    dispatch(&mut p, Action::AddDrumKit { name: "kit".into() }).unwrap();
    let kit = InstrumentId(0);
    let def = DrumPad {
        name: "four".into(),
        sound: PadSound::Sample { path: file.display().to_string() },
        level: 1.0,
        pitch: 0.0,
        region: None,
        loop_beats: None,
    };
    dispatch(&mut p, Action::SetDrumPad { instrument: kit, pad: 0, def }).unwrap();
    let (assign, n) = slicing::assign_slices_action(&p, kit, 0, &slices).unwrap();
    assert_eq!(n, 4);
    dispatch(&mut p, assign).unwrap();

    // Pad 3 (index 2) on step 1, pad 4 (index 3) on step 9: 0 s and 1 s.
    dispatch(
        &mut p,
        Action::AddDrumPattern { instrument: kit, name: "p".into(), steps: 16, resolution: StepResolution::Sixteenth },
    )
    .unwrap();
    let clip = *p.clips.keys().next().unwrap();
    let steps = vec![((0, 2), Some(DrumStep::default())), ((8, 3), Some(DrumStep::default()))];
    dispatch(&mut p, Action::SetDrumSteps { clip, steps }).unwrap();
    dispatch(&mut p, Action::AddPlacement { clip, start: 0, length: 1920 }).unwrap();

    let out = dir.join("out");
    let o = RenderOptions { out_dir: out.clone(), tail: Tail::Secs(1.0), ..RenderOptions::default() };
    render::render(&p, &o, &AtomicBool::new(false), &mut |_| {}).unwrap();
    let master =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().path()).find(|p| p.extension().is_some_and(|e| e == "wav"));
    let s = read_mono(&master.unwrap());

    let runs = sounding_runs(&s);
    assert_eq!(runs.len(), 2, "two hits, nothing else: {runs:?}");
    for ((a, b), (seg, start)) in runs.iter().zip([(2usize, 0usize), (3, SR as usize)]) {
        // Each hit lasts one segment (not the rest of the file) ...
        let len = (b - a) as f64 / f64::from(SR);
        assert!((len - 0.25).abs() < 0.01, "segment {} lasted {len} s", seg + 1);
        assert!(a.abs_diff(start) < SR as usize / 100, "hit at {a}, expected {start}");
        // ... and has that segment's pitch.
        let pitch = estimate_pitch(&s[*a..*b], SR).unwrap();
        let cents = 1200.0 * (pitch.hz / FREQS[seg]).log2();
        assert!(cents.abs() < 10.0, "segment {} sounds at {} Hz", seg + 1, pitch.hz);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
