//! Tuning on a real scsynth (NRT renders of the master, pitch measured as
//! the sound check does: the spectral peak near the expected frequency):
//! C4 and E4 under 5-limit just intonation in C, a 19-tone Scala scale, a
//! `.kbm` reference key, and the same through a sampler zone.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use imbolc_core::dispatch;
use imbolc_core::render::{self, RenderOptions, SampleFormat, Tail};
use imbolc_tests::sound_check::analysis::partial_near;
use imbolc_types::sampler::SamplerZone;
use imbolc_types::{Action, InstrumentId, Note, PitchSettings, Project, SourceKind, TuningSystem};

const SR: usize = 48_000;
/// Ticks per second at 120 BPM.
const TPS: f64 = 960.0;
/// Each note sounds 0.5 s, one every 0.75 s.
const STEP: f64 = 0.75;
const LEN: f64 = 0.5;

fn tempdir(name: &str) -> PathBuf {
    static CACHE: std::sync::Once = std::sync::Once::new();
    let root = std::env::temp_dir().join(format!("imbolc-tuning-test-{}", std::process::id()));
    CACHE.call_once(|| imbolc_audio::sample_cache::set_cache_dir(Some(root.join("cache"))));
    let d = root.join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn render_left(p: &Project, dir: &Path) -> Vec<f32> {
    let out = dir.join("out");
    let o = RenderOptions {
        out_dir: out.clone(),
        tail: Tail::Secs(0.3),
        format: SampleFormat::Float32,
        force: true,
        ..RenderOptions::default()
    };
    render::render(p, &o, &AtomicBool::new(false), &mut |_| {}).unwrap();
    let wav = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "wav"))
        .unwrap();
    let mut r = hound::WavReader::open(&wav).unwrap();
    assert_eq!(r.spec().sample_rate as usize, SR);
    let ch = usize::from(r.spec().channels);
    let s: Vec<f32> = r.samples::<f32>().map(|x| x.unwrap()).collect();
    s.chunks(ch).map(|f| f[0]).collect()
}

/// Adds a clip playing `keys` one after another (every [`STEP`] s).
fn play_keys(p: &mut Project, id: InstrumentId, keys: &[u8]) {
    let length = ((keys.len() as f64 + 1.0) * STEP * TPS) as u32;
    dispatch(p, Action::AddClip { instrument: id, name: "c".into(), length }).unwrap();
    let clip = *p.clips.keys().last().unwrap();
    let t = |s: f64| (s * TPS).round() as u32;
    let notes = keys.iter().enumerate().map(|(i, &k)| Note::new(k, 100, t(i as f64 * STEP), t(LEN))).collect();
    dispatch(p, Action::AddNotes { clip, notes }).unwrap();
    dispatch(p, Action::AddPlacement { clip, start: 0, length }).unwrap();
}

fn sine_project(pitch: PitchSettings, keys: &[u8]) -> Project {
    let mut p = Project::new("tuning");
    dispatch(&mut p, Action::AddInstrument { source: SourceKind::SINE, name: "sine".into() }).unwrap();
    let id = *p.instruments.keys().next().unwrap();
    dispatch(&mut p, Action::SetPitch { instrument: None, pitch: Some(pitch) }).unwrap();
    play_keys(&mut p, id, keys);
    p
}

/// The measured frequency of note `i` (its steady middle), searched within
/// a semitone of `expected`.
fn measure(s: &[f32], i: usize, expected: f64) -> f64 {
    let from = ((i as f64 * STEP + 0.1) * SR as f64) as usize;
    let to = ((i as f64 * STEP + LEN - 0.05) * SR as f64) as usize;
    let p = partial_near(&s[from..to.min(s.len())], expected).expect("a note to measure");
    assert!(p.relative_db > -20.0, "note {i}: no fundamental near {expected:.2} Hz ({:.1} dB)", p.relative_db);
    p.hz
}

fn cents(a: f64, b: f64) -> f64 {
    1200.0 * (a / b).log2()
}

fn edo19_scl(dir: &Path) -> PathBuf {
    let mut text = String::from("! 19edo.scl\n19 equal divisions of 2/1\n19\n");
    for i in 1..=19 {
        text.push_str(&format!("{:.6}\n", 1200.0 * f64::from(i) / 19.0));
    }
    let path = dir.join("19edo.scl");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn c4_and_e4_under_5_limit_just_intonation_in_c_are_a_pure_major_third() {
    let dir = tempdir("just");
    let just = PitchSettings { tuning: TuningSystem::Just5, ..PitchSettings::default() };
    let s = render_left(&sine_project(just, &[60, 64]), &dir);
    let (c4, e4) = (measure(&s, 0, 261.63), measure(&s, 1, 327.03));
    println!("5-limit JI in C: C4 {c4:.3} Hz, E4 {e4:.3} Hz (ratio {:.5})", e4 / c4);
    assert!(cents(c4, 261.63).abs() < 2.0, "C4 {c4} Hz");
    assert!(cents(e4, 327.03).abs() < 2.0, "E4 {e4} Hz");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_19_tone_scala_scale_plays_19_distinct_pitches_per_octave_and_a_kbm_moves_the_reference() {
    let dir = tempdir("scala");
    let scl = edo19_scl(&dir);
    let tuning = imbolc_core::scala::load(&scl, None).unwrap();
    let settings = PitchSettings { tuning: TuningSystem::Scala(Box::new(tuning)), ..PitchSettings::default() };
    let keys: Vec<u8> = (60..=79).collect();
    let s = render_left(&sine_project(settings, &keys), &dir);
    let hz: Vec<f64> = (0..keys.len()).map(|i| measure(&s, i, 261.6256 * 2f64.powf(i as f64 / 19.0))).collect();
    for (i, w) in hz.windows(2).enumerate() {
        let step = cents(w[1], w[0]);
        assert!((step - 1200.0 / 19.0).abs() < 2.0, "step {i}: {step:.2} cents");
    }
    let octave = cents(hz[19], hz[0]);
    println!("19-EDO: {} pitches from {:.2} Hz, key 79 is {octave:.2} cents above key 60", hz.len() - 1, hz[0]);
    assert!((octave - 1200.0).abs() < 2.0);

    // A mapping putting 300 Hz on key 62 (degree 2 of 19).
    let kbm = dir.join("ref62.kbm");
    std::fs::write(&kbm, "! ref62.kbm\n0\n0\n127\n60\n62\n300.0\n19\n").unwrap();
    let tuning = imbolc_core::scala::load(&scl, Some(&kbm)).unwrap();
    let settings = PitchSettings { tuning: TuningSystem::Scala(Box::new(tuning)), ..PitchSettings::default() };
    let kdir = tempdir("kbm");
    let s = render_left(&sine_project(settings, &[62, 60]), &kdir);
    let _ = std::fs::remove_dir_all(&kdir);
    let (k62, k60) = (measure(&s, 0, 300.0), measure(&s, 1, 300.0 * 2f64.powf(-2.0 / 19.0)));
    println!(".kbm reference key 62 = 300 Hz: key 62 {k62:.3} Hz, key 60 {k60:.3} Hz");
    assert!(cents(k62, 300.0).abs() < 2.0, "key 62 {k62} Hz");
    assert!((cents(k62, k60) - 2.0 * 1200.0 / 19.0).abs() < 2.0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `secs` of a sine at `hz` with 5 ms fades, as 16-bit mono.
fn write_tone(path: &Path, hz: f64, secs: f64) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: SR as u32,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let n = (secs * SR as f64) as usize;
    for i in 0..n {
        let env = (i as f64 / 240.0).min(1.0).min((n - i) as f64 / 240.0);
        let x = (std::f64::consts::TAU * hz * i as f64 / SR as f64).sin() * 0.5 * env;
        w.write_sample((x * 32767.0).round() as i16).unwrap();
    }
    w.finalize().unwrap();
}

#[test]
fn a_sampler_zone_plays_in_the_tuning() {
    let dir = tempdir("zone");
    let wav = dir.join("a440.wav");
    write_tone(&wav, 440.0, 1.0);
    let sample = imbolc_core::store::import_sample(&wav).unwrap();
    let scl = edo19_scl(&dir);
    let edo = imbolc_core::scala::load(&scl, None).unwrap();
    let mut p = Project::new("zone");
    dispatch(&mut p, Action::AddSampler { name: "s".into(), zones: vec![SamplerZone::new(sample, 69)], env: None })
        .unwrap();
    let id = *p.instruments.keys().next().unwrap();
    let just = PitchSettings { tuning: TuningSystem::Just5, ..PitchSettings::default() };
    dispatch(&mut p, Action::SetPitch { instrument: None, pitch: Some(just) }).unwrap();
    play_keys(&mut p, id, &[64, 60]);
    let s = render_left(&p, &dir);
    let (e4, c4) = (measure(&s, 0, 327.03), measure(&s, 1, 261.63));
    println!("sampler zone (root A4 = 440 Hz) under 5-limit JI in C: E4 {e4:.3} Hz, C4 {c4:.3} Hz");
    assert!(cents(e4, 327.03).abs() < 2.0, "E4 {e4} Hz");
    assert!(cents(c4, 261.63).abs() < 2.0, "C4 {c4} Hz");

    let own = PitchSettings { tuning: TuningSystem::Scala(Box::new(edo)), ..PitchSettings::default() };
    dispatch(&mut p, Action::SetPitch { instrument: Some(id), pitch: Some(own) }).unwrap();
    let zdir = tempdir("zone19");
    let s = render_left(&p, &zdir);
    let _ = std::fs::remove_dir_all(&zdir);
    let want = 261.6256 * 2f64.powf(4.0 / 19.0);
    let k64 = measure(&s, 0, want);
    println!("sampler zone, instrument override 19-EDO: key 64 {k64:.3} Hz (want {want:.3})");
    assert!(cents(k64, want).abs() < 2.0, "key 64 {k64} Hz");
    let _ = std::fs::remove_dir_all(&dir);
}
