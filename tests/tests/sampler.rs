//! The sampler instrument on a real scsynth (NRT renders of the master):
//! a zone at its root key plays its sample exactly, an octave up at twice
//! the frequency for half the time, a forward loop with a crossfade has no
//! click, reversed, gated and one-shot zones and a filter behave, and an
//! SFZ instrument plays the right sample per key and velocity.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use imbolc_core::analysis::estimate_pitch;
use imbolc_core::dispatch;
use imbolc_core::render::{self, RenderOptions, SampleFormat, Tail};
use imbolc_types::sampler::{LoopMode, SamplerZone};
use imbolc_types::{Action, FilterDef, FilterKind, InstrumentId, Note, Project};

const SR: u32 = 48_000;
/// Ticks per second at 120 BPM.
const TPS: u32 = 960;

/// A fresh folder for one test. The sample cache is process-wide and the
/// tests run in parallel, so they share one cache folder, set once: a
/// cache set per test would move under another test's feet.
fn tempdir(name: &str) -> PathBuf {
    static CACHE: std::sync::Once = std::sync::Once::new();
    let root = std::env::temp_dir().join(format!("imbolc-sampler-test-{}", std::process::id()));
    CACHE.call_once(|| imbolc_audio::sample_cache::set_cache_dir(Some(root.join("cache"))));
    let d = root.join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Writes mono 16-bit samples; returns them as the server reads them.
fn write_wav(path: &Path, s: &[f64]) -> Vec<f32> {
    let spec =
        hound::WavSpec { channels: 1, sample_rate: SR, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let mut out = Vec::with_capacity(s.len());
    for &x in s {
        let v = (x * 32767.0).round().clamp(-32768.0, 32767.0) as i16;
        w.write_sample(v).unwrap();
        out.push(f32::from(v) / 32768.0);
    }
    w.finalize().unwrap();
    out
}

/// `secs` of `freqs` summed (amplitude `amp` each) with 5 ms fades.
fn tone(freqs: &[f64], amp: f64, secs: f64) -> Vec<f64> {
    let n = (secs * f64::from(SR)) as usize;
    let fade = 240.0;
    (0..n)
        .map(|i| {
            let t = i as f64 / f64::from(SR);
            let env = (i as f64 / fade).min(1.0).min((n - i) as f64 / fade);
            freqs.iter().map(|f| (std::f64::consts::TAU * f * t).sin() * amp).sum::<f64>() * env
        })
        .collect()
}

fn read_left(path: &Path) -> Vec<f32> {
    let mut r = hound::WavReader::open(path).unwrap();
    let ch = usize::from(r.spec().channels);
    let s: Vec<f32> = r.samples::<f32>().map(|x| x.unwrap()).collect();
    s.chunks(ch).map(|f| f[0]).collect()
}

/// Renders the project's master as 32-bit float; the left channel.
fn render_master(p: &Project, dir: &Path) -> Vec<f32> {
    let out = dir.join("out");
    let o = RenderOptions {
        out_dir: out.clone(),
        tail: Tail::Secs(0.5),
        format: SampleFormat::Float32,
        force: true,
        ..RenderOptions::default()
    };
    render::render(p, &o, &AtomicBool::new(false), &mut |_| {}).unwrap();
    let master = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "wav"))
        .unwrap();
    read_left(&master)
}

fn import(dir: &Path, name: &str, s: &[f64]) -> (imbolc_types::SampleRef, Vec<f32>) {
    let path = dir.join(name);
    let read = write_wav(&path, s);
    (imbolc_core::store::import_sample(&path).unwrap(), read)
}

/// A project with one sampler of `zones` playing `notes` (pitch, velocity,
/// start s, length s).
fn sampler_project(zones: Vec<SamplerZone>, notes: &[(u8, u8, f64, f64)]) -> (Project, InstrumentId) {
    let mut p = Project::new("sampler");
    p.tempo = 120.0;
    dispatch(&mut p, Action::AddSampler { name: "s".into(), zones, env: None }).unwrap();
    let id = *p.instruments.keys().next().unwrap();
    dispatch(&mut p, Action::AddClip { instrument: id, name: "c".into(), length: 16 * TPS }).unwrap();
    let clip = *p.clips.keys().next().unwrap();
    let ticks = |s: f64| (s * f64::from(TPS)).round() as u32;
    let notes = notes.iter().map(|&(k, v, at, len)| Note::new(k, v, ticks(at), ticks(len))).collect();
    dispatch(&mut p, Action::AddNotes { clip, notes }).unwrap();
    dispatch(&mut p, Action::AddPlacement { clip, start: 0, length: 16 * TPS }).unwrap();
    (p, id)
}

fn rms(s: &[f32]) -> f64 {
    (s.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>() / s.len().max(1) as f64).sqrt()
}

fn db(x: f64) -> f64 {
    20.0 * x.max(1e-300).log10()
}

/// First and one past the last frame above `thresh` in `s[from..to]`.
fn sounding(s: &[f32], from: usize, to: usize, thresh: f32) -> (usize, usize) {
    let to = to.min(s.len());
    let a = (from..to).find(|&i| s[i].abs() > thresh).unwrap_or(to);
    let b = (from..to).rev().find(|&i| s[i].abs() > thresh).map_or(a, |i| i + 1);
    (a, b)
}

/// The residual of `got` against `want` after the best lag (within ±64
/// frames of `at`) and the best gain: (lag start, gain, residual in dB
/// relative to the scaled reference).
fn align(got: &[f32], want: &[f32], at: usize) -> (usize, f64, f64) {
    let mut best = (at, 0.0f64);
    for start in at.saturating_sub(64)..at + 64 {
        let c: f64 = want.iter().zip(&got[start..]).map(|(&w, &g)| f64::from(w) * f64::from(g)).sum();
        if c > best.1 {
            best = (start, c);
        }
    }
    let start = best.0;
    let ww: f64 = want.iter().map(|&w| f64::from(w).powi(2)).sum();
    let gain = best.1 / ww;
    let res: f64 = want.iter().zip(&got[start..]).map(|(&w, &g)| (f64::from(g) - gain * f64::from(w)).powi(2)).sum();
    (start, gain, db((res / ww).sqrt() / gain))
}

#[test]
fn a_zone_at_its_root_plays_its_sample_and_an_octave_up_doubles_pitch_and_halves_length() {
    let dir = tempdir("root");
    // 440 Hz with its third harmonic, 0.5 s.
    let (sample, want) = import(&dir, "a440.wav", &tone(&[440.0, 1320.0], 0.3, 0.5));
    let mut zone = SamplerZone::new(sample, 69);
    zone.one_shot = true;
    let (p, _) = sampler_project(vec![zone], &[(69, 127, 0.5, 0.25), (81, 127, 2.5, 0.25)]);
    let s = render_master(&p, &dir);

    let (onset, _) = sounding(&s, 0, SR as usize, 1e-6);
    let (start, gain, diff) = align(&s, &want, onset);
    println!("root key: lag {start} frames, gain {gain:.4}, difference {diff:.1} dB");
    assert!(diff < -90.0, "difference {diff:.1} dB");

    // An octave up: twice the pitch, half the length (sounding above -40 dB).
    let th = 0.01 * gain as f32;
    let (a0, b0) = sounding(&s, 0, 2 * SR as usize, th);
    let (a1, b1) = sounding(&s, 2 * SR as usize, 4 * SR as usize, th);
    let ratio = (b1 - a1) as f64 / (b0 - a0) as f64;
    let f0 = estimate_pitch(&s[a0 + 1000..b0 - 1000], SR).unwrap().hz;
    let f1 = estimate_pitch(&s[a1 + 500..b1 - 500], SR).unwrap().hz;
    println!("octave up: length ratio {ratio:.4}, pitch {f0:.2} Hz -> {f1:.2} Hz (x{:.4})", f1 / f0);
    assert!((ratio - 0.5).abs() < 0.005, "length ratio {ratio}");
    assert!((f1 / f0 - 2.0).abs() < 0.02, "pitch ratio {}", f1 / f0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Largest step between neighbouring frames.
fn max_step(s: &[f32]) -> f32 {
    s.windows(2).fold(0.0f32, |m, w| m.max((w[1] - w[0]).abs()))
}

#[test]
fn a_forward_loop_with_a_crossfade_has_no_click_and_without_one_it_clicks() {
    let dir = tempdir("loop");
    let (sample, _) = import(&dir, "sine.wav", &tone(&[440.0], 0.5, 1.0));
    // Loop points that are no whole number of periods apart.
    let mut zone = SamplerZone::new(sample, 69);
    zone.loop_mode = LoopMode::Forward;
    zone.loop_start = 10_000;
    zone.loop_end = 30_123;
    zone.crossfade = 2_000;
    let mut hard = zone.clone();
    hard.crossfade = 0;
    hard.lo_key = 70;
    zone.hi_key = 69;
    // Each held 1.5 s: the loop end is passed at 0.63 s and 1.05 s.
    let (p, _) = sampler_project(vec![zone, hard], &[(69, 127, 0.0, 1.5), (70, 127, 2.0, 1.5)]);
    let s = render_master(&p, &dir);

    let sr = SR as usize;
    let (a, _) = sounding(&s, 0, sr, 1e-4);
    // The sine itself: from its onset to the first crossfade.
    let sine = max_step(&s[a + 400..a + 27_000]);
    let looped = max_step(&s[a + 400..a + sr * 14 / 10]);
    let (b, _) = sounding(&s, 2 * sr, 3 * sr, 1e-4);
    let hard_step = max_step(&s[b + 400..b + sr * 14 / 10]);
    println!(
        "loop: sine step {sine:.5}, crossfaded loop step {looped:.5} ({:.2}x), hard loop step {hard_step:.5} ({:.2}x)",
        looped / sine,
        hard_step / sine
    );
    assert!(looped <= 2.0 * sine, "crossfaded loop step {looped} vs sine {sine}");
    assert!(hard_step > 2.0 * sine, "a loop without crossfade should click: {hard_step} vs {sine}");
    // The loop kept sounding the whole time the note was held.
    assert!(rms(&s[a + sr..a + sr * 14 / 10]) > 0.5 * rms(&s[a + 2000..a + 20_000]));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn reverse_gate_one_shot_and_a_filter_work() {
    let dir = tempdir("modes");
    // 0.25 s at 220 Hz then 0.25 s at 660 Hz.
    let mut two = tone(&[220.0], 0.4, 0.25);
    two.extend(tone(&[660.0], 0.4, 0.25));
    let (two, _) = import(&dir, "two.wav", &two);
    let (long, _) = import(&dir, "long.wav", &tone(&[440.0], 0.4, 1.0));
    let (bright, _) = import(&dir, "bright.wav", &tone(&[4_000.0], 0.4, 0.5));

    let mut rev = SamplerZone::new(two, 60);
    rev.reverse = true;
    rev.one_shot = true;
    (rev.lo_key, rev.hi_key) = (60, 60);
    let mut gated = SamplerZone::new(long.clone(), 62);
    (gated.lo_key, gated.hi_key) = (62, 62);
    let mut shot = SamplerZone::new(long, 64);
    shot.one_shot = true;
    (shot.lo_key, shot.hi_key) = (64, 64);
    let mut hi = SamplerZone::new(bright, 66);
    hi.one_shot = true;
    (hi.lo_key, hi.hi_key) = (66, 66);
    let notes = [(60, 127, 0.0, 0.1), (62, 127, 1.0, 0.25), (64, 127, 2.5, 0.25), (66, 127, 4.0, 0.1)];
    let (mut p, id) = sampler_project(vec![rev, gated, shot, hi], &notes);
    let s = render_master(&p, &dir);
    let sr = SR as usize;
    let th = 0.004;

    // Reversed: 660 Hz first, then 220 Hz.
    let (a, b) = sounding(&s, 0, sr, th);
    let first = estimate_pitch(&s[a + 1000..a + 10_000], SR).unwrap().hz;
    let second = estimate_pitch(&s[b - 10_000..b - 1000], SR).unwrap().hz;
    println!("reverse: {first:.1} Hz then {second:.1} Hz over {:.3} s", (b - a) as f64 / f64::from(SR));
    assert!((first - 660.0).abs() < 5.0 && (second - 220.0).abs() < 3.0);

    // Gated: the note's 0.25 s plus the 50 ms release; one-shot: the whole 1 s.
    let (a, b) = sounding(&s, sr, 2 * sr + sr / 2, th);
    let gated_len = (b - a) as f64 / f64::from(SR);
    let (a, b) = sounding(&s, 2 * sr + sr / 2, 4 * sr, th);
    let shot_len = (b - a) as f64 / f64::from(SR);
    println!("gated {gated_len:.3} s, one-shot {shot_len:.3} s");
    assert!((0.25..0.32).contains(&gated_len), "gated zone lasted {gated_len} s");
    assert!((0.98..1.01).contains(&shot_len), "one-shot zone lasted {shot_len} s");

    // A 500 Hz low-pass on the sampler takes the 4 kHz zone down.
    let (a, b) = sounding(&s, 4 * sr, 5 * sr, th);
    let open = rms(&s[a..b]);
    let mut filter = FilterDef::new(FilterKind::LOW_PASS);
    filter.params.insert("cutoff".into(), 500.0);
    dispatch(&mut p, Action::SetFilter { instrument: id, filter: Some(filter) }).unwrap();
    let f = render_master(&p, &dir);
    let closed = rms(&f[a..b]);
    println!("low-pass 500 Hz on a 4 kHz zone: {:.1} dB", db(closed / open));
    assert!(db(closed / open) < -20.0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_sfz_instrument_plays_the_right_sample_per_key_and_velocity() {
    let dir = tempdir("sfz");
    std::fs::create_dir_all(dir.join("wav")).unwrap();
    for (name, hz) in [("low", 220.0), ("soft", 440.0), ("loud", 550.0), ("high", 880.0)] {
        write_wav(&dir.join("wav").join(format!("{name}.wav")), &tone(&[hz], 0.4, 0.6));
    }
    let sfz = dir.join("fixture.sfz");
    std::fs::write(
        &sfz,
        "// test fixture: four zones, two velocity layers\n\
         <control> default_path=wav/\n\
         <global> ampeg_release=0.05 amp_veltrack=50\n\
         <region> sample=low.wav lokey=0 hikey=b3 pitch_keycenter=a3\n\
         <group> lokey=c4 hikey=83 pitch_keycenter=69\n\
         <region> sample=soft.wav lovel=1 hivel=63\n\
         <region> sample=loud.wav lovel=64 hivel=127 volume=-3\n\
         <group>\n\
         <region> sample=high.wav lokey=c6 hikey=127 pitch_keycenter=81 loop_mode=one_shot\n",
    )
    .unwrap();
    let imported = imbolc_core::sfz::import(&sfz).unwrap();
    println!("{}", imported.message());
    assert_eq!(imported.zones, 4);
    assert!(imported.message().contains("amp_veltrack"), "{}", imported.message());

    let mut p = Project::new("sfz");
    p.tempo = 120.0;
    dispatch(&mut p, imported.action).unwrap();
    let id = *p.instruments.keys().next().unwrap();
    // (key, velocity, expected Hz): which zone plays shows in the pitch.
    let plays: [(u8, u8, f64); 5] = [
        (57, 100, 220.0),
        (69, 40, 440.0),
        (69, 100, 550.0),
        (60, 127, 550.0 * 2f64.powf(-9.0 / 12.0)),
        (84, 90, 880.0 * 2f64.powf(3.0 / 12.0)),
    ];
    dispatch(&mut p, Action::AddClip { instrument: id, name: "c".into(), length: 16 * TPS }).unwrap();
    let clip = *p.clips.keys().next().unwrap();
    let notes =
        plays.iter().enumerate().map(|(i, &(k, v, _))| Note::new(k, v, (i as u32 + 1) * TPS, TPS / 2)).collect();
    dispatch(&mut p, Action::AddNotes { clip, notes }).unwrap();
    dispatch(&mut p, Action::AddPlacement { clip, start: 0, length: 16 * TPS }).unwrap();
    let s = render_master(&p, &dir);
    let sr = SR as usize;
    for (i, &(key, vel, want)) in plays.iter().enumerate() {
        let (a, b) = sounding(&s, (i + 1) * sr, (i + 2) * sr, 0.004);
        let got = estimate_pitch(&s[a + 1000..b - 1000], SR).unwrap().hz;
        let cents = 1200.0 * (got / want).log2();
        println!("key {key} vel {vel}: {got:.2} Hz (expected {want:.2}, {cents:+.1} cents)");
        assert!(cents.abs() < 10.0, "key {key} vel {vel}: {got} Hz, expected {want}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
