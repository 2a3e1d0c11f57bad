//! Audio tracks rendered with a real `scsynth -N`: a project of 8 audio
//! tracks and 50 clips renders stems of equal length in which every clip
//! sounds where it is placed, and a clip that play enters in the middle
//! plays from the right offset (a burst in its audio lands within one
//! block, 64 samples, of where it belongs).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::Once;
use std::sync::atomic::AtomicBool;

use imbolc_core::dispatch;
use imbolc_core::render::{self, RenderOptions, RenderRange, Tail};
use imbolc_types::audio_clip::ticks_for_secs;
use imbolc_types::{Action, AudioRegion, InstrumentId, Project, SampleRef};

const RATE: u32 = 48_000;

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("imbolc-audio-tracks-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// One sample cache for this test process, in a temp dir.
fn cache() {
    static INIT: Once = Once::new();
    INIT.call_once(|| imbolc_audio::sample_cache::set_cache_dir(Some(tempdir("cache"))));
}

/// Writes a mono 32-bit float WAV of `samples` at 48 kHz.
fn write_wav(path: &Path, samples: &[f32]) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for &s in samples {
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
}

fn import(dir: &Path, name: &str, samples: &[f32]) -> SampleRef {
    let path = dir.join(name);
    write_wav(&path, samples);
    imbolc_core::store::import_sample(&path).unwrap()
}

/// Interleaved stereo samples of a rendered file.
fn read(path: &Path) -> (u32, Vec<f32>) {
    let mut r = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let spec = r.spec();
    let samples: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => r.samples::<f32>().map(|s| s.unwrap()).collect(),
        hound::SampleFormat::Int => {
            let scale = (1u64 << (spec.bits_per_sample - 1)) as f32;
            r.samples::<i32>().map(|s| s.unwrap() as f32 / scale).collect()
        }
    };
    (r.len() / u32::from(spec.channels), samples)
}

fn left(samples: &[f32]) -> Vec<f32> {
    samples.iter().step_by(2).copied().collect()
}

fn rms(s: &[f32]) -> f64 {
    (s.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>() / s.len().max(1) as f64).sqrt()
}

fn opts(dir: &Path) -> RenderOptions {
    RenderOptions {
        out_dir: dir.to_owned(),
        stems: true,
        tail: Tail::Secs(0.5),
        format: render::SampleFormat::Float32,
        ..RenderOptions::default()
    }
}

fn add_track(p: &mut Project, name: &str) -> InstrumentId {
    let id = InstrumentId(p.ids.instrument);
    dispatch(p, Action::AddAudioTrack { name: name.into() }).unwrap();
    id
}

#[test]
fn eight_audio_tracks_with_fifty_clips_render_stems_of_equal_length_sounding_where_placed() {
    cache();
    let dir = tempdir("fifty");
    // Half a second of a sine per track, each track its own pitch.
    let mut p = Project::new("tracks");
    let beat = 480; // 0.5 s at 120 bpm
    let mut placed: Vec<(usize, u32)> = Vec::new();
    let mut tracks = Vec::new();
    for t in 0..8 {
        let hz = 220.0 * (1.0 + t as f32 * 0.25);
        let tone: Vec<f32> =
            (0..RATE / 2).map(|i| 0.3 * (std::f32::consts::TAU * hz * i as f32 / RATE as f32).sin()).collect();
        let sample = import(&dir, &format!("tone{t}.wav"), &tone);
        let track = add_track(&mut p, &format!("track{t}"));
        tracks.push((track, sample));
    }
    for k in 0..50u32 {
        let t = (k % 8) as usize;
        let (track, sample) = &tracks[t];
        // Each track's clips a beat long, every other beat, staggered.
        let start = (k / 8) * 2 * beat * 2 + (t as u32 % 2) * beat * 2;
        let region =
            Box::new(AudioRegion { gain_db: -3.0, fade_in: 0.005, fade_out: 0.01, ..AudioRegion::new(sample.clone()) });
        dispatch(&mut p, Action::AddAudioClip { instrument: *track, region, start, length: beat }).unwrap();
        placed.push((t, start));
    }
    assert_eq!(p.clips.len(), 50);
    let summary = render::render(&p, &opts(&dir), &AtomicBool::new(false), &mut |_| {}).unwrap();
    let (master_frames, master) = read(&dir.join("master.wav"));
    assert_eq!(u64::from(master_frames), summary.frames);
    assert!(rms(&master) > 0.01, "the master sounds");
    for t in 0..8 {
        let (frames, stem) = read(&dir.join(format!("track{t}.wav")));
        assert_eq!(frames, master_frames, "stem {t} as long as the master");
        let l = left(&stem);
        let mut level = None;
        for &(_, start) in placed.iter().filter(|(tt, _)| *tt == t) {
            // 0.1..0.4 s into each clip the tone sounds, every clip alike
            // (the clip gain, the strip's level and pan law apply).
            let a = start as usize * 50; // 48 000 frames per 960 ticks
            let inside = rms(&l[a + 4800..a + 19_200]);
            let first = *level.get_or_insert(inside);
            assert!(inside > 0.05 && (inside / first - 1.0).abs() < 0.01, "track {t} clip at {start}: rms {inside}");
            // After its end (and fade) the track is silent until its next clip.
            let after = rms(&l[a + 24_500..a + 45_000]);
            assert!(after < 1e-4, "track {t} after the clip at {start}: rms {after}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_clip_entered_mid_way_plays_from_the_right_offset_within_one_block() {
    cache();
    let dir = tempdir("offset");
    // Four seconds of silence with a 10 ms burst at 2.0 s.
    let mut audio = vec![0.0f32; RATE as usize * 4];
    let burst = 2 * RATE as usize;
    for (i, s) in audio[burst..burst + 480].iter_mut().enumerate() {
        *s = if i % 2 == 0 { 0.8 } else { -0.8 };
    }
    let sample = import(&dir, "burst.wav", &audio);
    let mut p = Project::new("offset");
    let track = add_track(&mut p, "take");
    // The clip starts at 0.5 s (tick 480); the render starts at bar 2
    // (tick 1920, 2 s), 1.5 s into the clip: the burst (2 s into the
    // audio) belongs at 0.5 s of the render.
    let length = ticks_for_secs(4.0, 120.0);
    let region = Box::new(AudioRegion::new(sample));
    dispatch(&mut p, Action::AddAudioClip { instrument: track, region, start: 480, length }).unwrap();
    let o = RenderOptions { range: RenderRange::Bars { first: 2, last: 2 }, ..opts(&dir) };
    render::render(&p, &o, &AtomicBool::new(false), &mut |_| {}).unwrap();
    let (_, stem) = read(&dir.join("take.wav"));
    let l = left(&stem);
    let onset = l.iter().position(|x| x.abs() > 0.1).expect("the burst sounds");
    let expected = RATE as usize / 2;
    let error = onset as i64 - expected as i64;
    println!("mid-clip onset error: {error} samples");
    assert!(error.abs() <= 64, "onset at {onset}, expected {expected}");
    // Nothing before it: play entered the clip in silence.
    assert!(l[..onset].iter().all(|x| x.abs() < 1e-3));
    std::fs::remove_dir_all(&dir).unwrap();
}
