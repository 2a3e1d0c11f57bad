//! Analysis against generated signals with known answers, and decoding
//! errors on hand-made bad files.

use std::f64::consts::TAU;
use std::path::{Path, PathBuf};

use super::*;

const SR: u32 = 48_000;

/// Deterministic white noise in -1..1.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }
}

/// 16 events at known frames: sines, harmonic tones and noise bursts at
/// levels from 0 to -24 dB, each with a 2 ms attack, an exponential decay
/// and a 10 ms fade, at irregular gaps. Returns the signal and its onsets.
fn sixteen_onsets() -> (Vec<f32>, Vec<u64>) {
    let sr = f64::from(SR);
    let gaps_ms =
        [180.0, 240.0, 150.0, 300.0, 210.0, 170.0, 260.0, 190.0, 230.0, 160.0, 280.0, 200.0, 220.0, 175.0, 250.0];
    let mut onsets = vec![(0.1 * sr) as u64];
    for g in gaps_ms {
        let last = *onsets.last().unwrap_or(&0);
        onsets.push(last + (g / 1000.0 * sr) as u64);
    }
    let total = onsets.last().copied().unwrap_or(0) as usize + (0.4 * sr) as usize;
    let mut out = vec![0.0f32; total];
    let mut noise = Noise(7);
    for (k, &at) in onsets.iter().enumerate() {
        let level = 10f64.powf(-(k as f64 * 1.6) % 25.0 / 20.0);
        let freq = 110.0 * 2f64.powf((k * 7 % 36) as f64 / 12.0);
        let len = (0.12 * sr) as usize;
        let decay = 0.03 + 0.01 * (k % 4) as f64;
        for i in 0..len {
            let t = i as f64 / sr;
            let attack = (t / 0.002).min(1.0);
            let fade = ((len - i) as f64 / (0.01 * sr)).min(1.0);
            let env = level * attack * fade * (-t / decay).exp();
            let v = match k % 3 {
                0 => (TAU * freq * t).sin(),
                1 => noise.next(),
                _ => (1..=6).map(|h| (TAU * freq * h as f64 * t).sin() / h as f64).sum::<f64>() * 0.5,
            };
            if let Some(slot) = out.get_mut(at as usize + i) {
                *slot += (env * v) as f32;
            }
        }
    }
    (out, onsets)
}

#[test]
fn sixteen_known_onsets_are_found_within_5_ms_with_no_extras() {
    let (signal, truth) = sixteen_onsets();
    let found = detect_onsets(&signal, SR, DEFAULT_SENSITIVITY);
    let tolerance = u64::from(SR) * 5 / 1000;
    assert_eq!(found.len(), truth.len(), "found {found:?}\nexpected {truth:?}");
    for (f, t) in found.iter().zip(&truth) {
        assert!(f.abs_diff(*t) <= tolerance, "onset at {f}, expected {t} (±{tolerance})\n{found:?}");
    }
    let worst = found.iter().zip(&truth).map(|(f, t)| f.abs_diff(*t)).max().unwrap_or(0);
    eprintln!("worst onset error: {:.2} ms", worst as f64 * 1000.0 / f64::from(SR));
}

#[test]
fn sensitivity_orders_the_number_of_onsets() {
    let (signal, _) = sixteen_onsets();
    let low = detect_onsets(&signal, SR, 0.0).len();
    let high = detect_onsets(&signal, SR, 1.0).len();
    assert!(low <= 16 && high >= 16, "{low} {high}");
    assert!(detect_onsets(&vec![0.0; 48_000], SR, 1.0).is_empty());
}

fn cents(a: f64, b: f64) -> f64 {
    1200.0 * (a / b).log2()
}

fn tone(freq: f64, harmonics: usize, secs: f64) -> Vec<f32> {
    let sr = f64::from(SR);
    (0..(secs * sr) as usize)
        .map(|i| {
            let t = i as f64 / sr;
            let v: f64 = (1..=harmonics).map(|h| (TAU * freq * h as f64 * t).sin() / h as f64).sum();
            (0.5 * v * (-t / 1.5).exp()) as f32
        })
        .collect()
}

#[test]
fn the_pitch_of_sines_is_within_10_cents() {
    for freq in [55.0, 110.0, 261.63, 440.0, 987.77, 1760.0] {
        let est = estimate_pitch(&tone(freq, 1, 1.0), SR).expect("a pitch");
        assert!(cents(est.hz, freq).abs() < 10.0, "{freq} Hz read as {} Hz", est.hz);
    }
}

#[test]
fn the_pitch_of_a_harmonic_tone_is_its_fundamental() {
    for freq in [73.42, 196.0, 440.0] {
        let est = estimate_pitch(&tone(freq, 8, 1.0), SR).expect("a pitch");
        assert!(cents(est.hz, freq).abs() < 10.0, "{freq} Hz read as {} Hz", est.hz);
        assert_eq!(f64::from(est.root_key()), (69.0 + 12.0 * (freq / 440.0).log2()).round());
    }
    let mut noise = Noise(3);
    let hiss: Vec<f32> = (0..48_000).map(|_| noise.next() as f32 * 0.3).collect();
    assert!(estimate_pitch(&hiss, SR).is_none());
    assert!(estimate_pitch(&[0.0; 48_000], SR).is_none());
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let d = std::env::temp_dir().join(format!("imbolc-analysis-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("temp dir");
        TempDir(d)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write_wav(path: &Path, channels: u16, frames: usize) {
    let spec =
        hound::WavSpec { channels, sample_rate: SR, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut w = hound::WavWriter::create(path, spec).expect("create");
    for i in 0..frames * usize::from(channels) {
        w.write_sample(((i % 100) as i16 - 50) * 300).expect("sample");
    }
    w.finalize().expect("finalize");
}

#[test]
fn a_wav_decodes_to_its_frames_and_overview() {
    let dir = TempDir::new("ok");
    let path = dir.0.join("s.wav");
    write_wav(&path, 2, 10_000);
    let mono = decode_mono(&path).expect("decodes");
    assert_eq!((mono.sample_rate, mono.channels, mono.samples.len()), (SR, 2, 10_000));
    let o = Overview::from_file(&path).expect("overview");
    assert_eq!((o.frames, o.channels), (10_000, 2));
    let (lo, hi) = o.peaks(0, 10_000, 1)[0].range();
    assert!(lo < -0.4 && hi > 0.4, "{lo} {hi}");
}

#[test]
fn bad_files_are_typed_errors() {
    let dir = TempDir::new("bad");
    let text = dir.0.join("notes.wav");
    std::fs::write(&text, "not audio at all, just some words").expect("write");
    assert!(matches!(decode_mono(&text), Err(DecodeError::NotAudio { .. })), "{:?}", decode_mono(&text));

    let missing = dir.0.join("gone.wav");
    assert!(matches!(decode_mono(&missing), Err(DecodeError::Io { .. })));

    let empty = dir.0.join("empty.wav");
    write_wav(&empty, 1, 0);
    assert!(matches!(decode_mono(&empty), Err(DecodeError::NoFrames { .. })), "{:?}", decode_mono(&empty));

    let six = dir.0.join("six.wav");
    write_wav(&six, 6, 100);
    let err = decode_mono(&six).expect_err("six channels");
    assert!(matches!(err, DecodeError::TooManyChannels { channels: 6, .. }), "{err:?}");

    let cut = dir.0.join("cut.wav");
    write_wav(&cut, 1, 10_000);
    let bytes = std::fs::read(&cut).expect("read");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("truncate");
    let err = decode_mono(&cut).expect_err("truncated");
    assert!(matches!(err, DecodeError::Truncated { expected: 10_000, .. }), "{err:?}");
    assert!(err.to_string().contains("cut.wav"), "{err}");
}
