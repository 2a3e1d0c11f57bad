//! The mixing tools measured on a real `scsynth -N`: the 12-band EQ against
//! its own design, and the master limiter's ceiling in a render.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use imbolc_tests::sound_check::analysis::{db, rms};
use imbolc_tests::sound_check::nrt::{Rendered, Score, node_set, render, synth_new};

/// The sound check's healthy test voice: with `tone` 0 a pure sine.
const TONE: &[u8] = include_bytes!("../synthdefs/compiled/imbolc_test_good.scsyndef");

fn def(name: &str) -> &'static [u8] {
    imbolc_audio::synthdefs::find(name).unwrap_or_else(|| panic!("{name} is not an embedded SynthDef")).bytes
}

/// Seconds each test frequency sounds.
const STEP: f64 = 0.5;

/// Renders a steady sine stepping through `freqs` (`STEP` seconds each), through
/// `eq` (its controls) when given, and returns the RMS of each step's
/// second half, left channel.
fn sine_levels(freqs: &[f32], eq: Option<&[(&str, f32)]>) -> Vec<f64> {
    let mut score = Score::with_defs([TONE, def("imbolc_eq12")]);
    let tone = [("out", 0.0), ("freq", freqs[0]), ("amp", 0.3), ("tone", 0.0), ("sustain", 1.0), ("attack", 0.001)];
    let mut first = vec![synth_new("imbolc_test_good", 1000, 0, 1, &tone)];
    if let Some(eq) = eq {
        let mut controls = vec![("bus", 0.0)];
        controls.extend_from_slice(eq);
        first.push(synth_new("imbolc_eq12", 1001, 3, 1000, &controls));
    }
    score.at(0.0, first);
    for (k, f) in freqs.iter().enumerate().skip(1) {
        score.at(k as f64 * STEP, vec![node_set(1000, &[("freq", *f)])]);
    }
    score.until(freqs.len() as f64 * STEP);
    let out: Rendered = render(&score, 2).unwrap_or_else(|e| panic!("{e}"));
    (0..freqs.len())
        .map(|k| {
            let a = Rendered::index(k as f64 * STEP + STEP / 2.0);
            let b = Rendered::index((k + 1) as f64 * STEP - 0.01);
            rms(&out.channels[0][a..b])
        })
        .collect()
}

#[test]
fn a_six_db_peak_at_1_khz_measures_six_db_there_and_under_one_db_two_octaves_away() {
    let freqs = [250.0, 500.0, 1000.0, 2000.0, 4000.0];
    let peak = [("b6_freq", 1000.0), ("b6_gain", 6.0), ("b6_q", 1.0)];
    let dry = sine_levels(&freqs, None);
    let wet = sine_levels(&freqs, Some(&peak));
    let gains: Vec<f64> = dry.iter().zip(&wet).map(|(d, w)| db(*w) - db(*d)).collect();
    eprintln!("EQ +6 dB at 1 kHz, Q 1: measured {:?} dB at {freqs:?} Hz", gains);
    assert!((gains[2] - 6.0).abs() <= 0.5, "+6 ± 0.5 dB at 1 kHz: {:.2}", gains[2]);
    assert!(gains[0] < 1.0 && gains[4] < 1.0, "under +1 dB two octaves away: {gains:?}");
    assert!(gains[1] > 1.0 && gains[3] > 1.0, "the peak has a width: {gains:?}");
    // The model the editor draws agrees with what scsynth did.
    let mut params = imbolc_types::instrument::default_params(imbolc_types::catalog::mix::EQ12_PARAMS);
    for (id, v) in peak {
        params.insert(id.to_owned(), v);
    }
    for (f, g) in freqs.iter().zip(&gains) {
        let model = imbolc_types::catalog::mix::eq12_response_db(&params, f64::from(*f), 48_000.0);
        assert!((model - g).abs() < 0.2, "model {model:.2} dB vs measured {g:.2} dB at {f} Hz");
    }
}

#[test]
fn a_flat_eq_and_a_band_switched_off_leave_the_signal_as_it_was() {
    let freqs = [100.0, 1000.0, 10000.0];
    let dry = sine_levels(&freqs, None);
    let flat = sine_levels(&freqs, Some(&[]));
    let off = sine_levels(&freqs, Some(&[("b6_freq", 1000.0), ("b6_gain", 12.0), ("b6_on", 0.0)]));
    for k in 0..freqs.len() {
        assert!((db(flat[k]) - db(dry[k])).abs() < 0.01, "flat at {} Hz", freqs[k]);
        assert!((db(off[k]) - db(dry[k])).abs() < 0.01, "band off at {} Hz", freqs[k]);
    }
}

/// Fixture "kick" voice on a private bus keys a sidechain compressor on a
/// steady pad (the sound check's sine) on the output: returns the pad's
/// RMS in `windows` (seconds).
fn keyed_pad(kicks: &[f64], windows: &[(f64, f64)]) -> Vec<f64> {
    let mut score = Score::with_defs([TONE, def("imbolc_drum_kick"), def("imbolc_sc_comp")]);
    let pad = [("out", 0.0), ("freq", 220.0), ("amp", 0.3), ("tone", 0.0), ("sustain", 1.0), ("attack", 0.001)];
    score.at(
        0.0,
        vec![
            synth_new("imbolc_test_good", 1001, 0, 1, &pad),
            synth_new("imbolc_sc_comp", 1002, 3, 1001, &[("bus", 0.0), ("key", 20.0)]),
        ],
    );
    for (k, t) in kicks.iter().enumerate() {
        let id = 2000 + k as i32;
        score.at(*t, vec![synth_new("imbolc_drum_kick", id, 0, 1, &[("out", 20.0), ("amp", 0.5), ("vel", 1.0)])]);
    }
    score.until(windows.iter().fold(0.0f64, |m, w| m.max(w.1)) + 0.1);
    let out = render(&score, 2).unwrap_or_else(|e| panic!("{e}"));
    windows.iter().map(|(a, b)| rms(&out.channels[0][Rendered::index(*a)..Rendered::index(*b)])).collect()
}

#[test]
fn a_kick_keying_a_compressor_on_a_pad_ducks_it_six_db_on_each_kick_and_releases_between() {
    let kicks = [0.5, 1.5, 2.5];
    let mut windows = vec![(0.2, 0.45)];
    for t in kicks {
        windows.push((t + 0.01, t + 0.06));
        windows.push((t + 0.85, t + 0.98));
    }
    let levels = keyed_pad(&kicks, &windows);
    let reference = db(levels[0]);
    let mut report = Vec::new();
    for (k, t) in kicks.iter().enumerate() {
        let ducked = reference - db(levels[1 + 2 * k]);
        let released = reference - db(levels[2 + 2 * k]);
        report.push((ducked, released));
        assert!(ducked >= 6.0, "kick at {t} s lowers the pad by ≥ 6 dB: {ducked:.1} dB");
        assert!(released < 1.0, "the pad comes back before the next kick ({t} s): still {released:.1} dB down");
    }
    eprintln!("sidechain: pad lowered / still lowered between kicks (dB): {report:.1?}");
}

mod render_check {
    use std::path::Path;
    use std::sync::atomic::AtomicBool;

    use imbolc_core::dispatch;
    use imbolc_core::render::{self, RenderOptions, SampleFormat};
    use imbolc_types::{
        Action, ChainOwner, EffectKind, InstrumentId, MixerParam, Note, ParamTarget, Project, SourceKind,
    };

    const BAR: u32 = 1920;
    const CEILING: f64 = 0.891_250_9;

    fn apply(p: &mut Project, a: Action) {
        dispatch(p, a).unwrap();
    }

    fn read(path: &Path) -> Vec<f32> {
        let mut r = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        r.samples::<f32>().map(|s| s.unwrap()).collect()
    }

    fn rms(s: &[f32]) -> f64 {
        (s.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>() / s.len().max(1) as f64).sqrt()
    }

    fn peak(s: &[f32]) -> f64 {
        s.iter().fold(0.0f64, |m, &x| m.max(f64::from(x.abs())))
    }

    /// A loud two-bar song: a "kick" (short square notes on every beat)
    /// keys a sidechain compressor on a pad with a 12-band EQ; levels high
    /// enough that the master goes over the limiter's ceiling.
    fn song() -> Project {
        let mut p = Project::new("mix render");
        p.tempo = 120.0;
        apply(&mut p, Action::AddInstrument { source: SourceKind::SQUARE, name: "kick".into() });
        apply(&mut p, Action::AddInstrument { source: SourceKind::SAW, name: "pad".into() });
        let (kick, pad) = (InstrumentId(0), InstrumentId(1));
        let pad_chain = ChainOwner::Instrument(pad);
        apply(&mut p, Action::AddEffect { owner: pad_chain, kind: EffectKind::EQ12, index: None });
        apply(&mut p, Action::AddEffect { owner: pad_chain, kind: EffectKind::SIDECHAIN_COMPRESSOR, index: None });
        let [eq, comp] = [0, 1].map(|i| p.instruments[&pad].def.effects[i].id);
        for (param, value) in [("b6_freq", 1000.0), ("b6_gain", 6.0), ("b1_gain", -6.0)] {
            let target = ParamTarget::Effect { owner: pad_chain, effect: eq, param: param.into() };
            apply(&mut p, Action::SetParam { target, value });
        }
        apply(&mut p, Action::SetEffectKey { owner: pad_chain, effect: comp, key: Some(ChainOwner::Instrument(kick)) });
        for i in [kick, pad] {
            let level = ParamTarget::Mixer { instrument: i, param: MixerParam::Level };
            apply(&mut p, Action::SetParam { target: level, value: 2.0 });
            let amp = ParamTarget::Source { instrument: i, param: "amp".into() };
            apply(&mut p, Action::SetParam { target: amp, value: 1.0 });
        }
        for (instrument, notes) in [
            (kick, (0..8).map(|k| Note::new(36, 127, k * 480, 120)).collect::<Vec<_>>()),
            (pad, vec![Note::new(48, 110, 0, 2 * BAR), Note::new(55, 110, 0, 2 * BAR), Note::new(60, 110, 0, 2 * BAR)]),
        ] {
            apply(&mut p, Action::AddClip { instrument, name: "part".into(), length: 2 * BAR });
            let clip = *p.clips.keys().next_back().unwrap();
            apply(&mut p, Action::AddNotes { clip, notes });
            apply(&mut p, Action::AddPlacement { clip, start: 0, length: 2 * BAR });
        }
        p
    }

    fn render_to(p: &Project, name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("imbolc-mix-render-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let o = RenderOptions {
            out_dir: dir.clone(),
            stems: true,
            bus_stems: true,
            format: SampleFormat::Float32,
            ..RenderOptions::default()
        };
        render::render(p, &o, &AtomicBool::new(false), &mut |_| {}).unwrap_or_else(|e| panic!("render: {e}"));
        dir
    }

    /// Stems are post-fader and taken before the master strip (master level
    /// 1 here), so they sum to the master as it is before the limiter: the check renders that
    /// master with the limiter off; with it on, no sample passes −1 dBFS.
    #[test]
    fn sidechain_eq_and_limiter_render_limited_master_under_the_ceiling_and_stems_that_sum_to_the_unlimited_one() {
        let mut p = song();
        assert!(p.master.limiter, "the limiter is on by default");
        let dir = render_to(&p, "on");
        let limited = read(&dir.join("master.wav"));
        let limited_peak = peak(&limited);
        std::fs::remove_dir_all(&dir).unwrap();

        apply(&mut p, Action::SetMasterLimiter { on: false });
        let dir = render_to(&p, "off");
        let master = read(&dir.join("master.wav"));
        let stems: Vec<Vec<f32>> = ["kick.wav", "pad.wav"].iter().map(|n| read(&dir.join(n))).collect();
        std::fs::remove_dir_all(&dir).unwrap();
        let diff: Vec<f32> = (0..master.len()).map(|i| stems.iter().map(|s| s[i]).sum::<f32>() - master[i]).collect();
        let rel = 20.0 * (rms(&diff).max(1e-12) / rms(&master)).log10();
        eprintln!(
            "limited master peak {:.2} dBFS (unlimited {:.2} dBFS); stems vs unlimited master {rel:.1} dB",
            20.0 * limited_peak.log10(),
            20.0 * peak(&master).log10()
        );
        assert!(peak(&master) > CEILING, "the song is loud enough to need the limiter");
        assert!(limited_peak <= CEILING + 1e-6, "limited master peak {limited_peak} over −1 dBFS");
        assert!(rel < -60.0, "post-fader stems sum to the master (limiter off) within {rel:.1} dB");
    }
}

/// The vocoder's carrier (a saw-rich test tone on the output) is heard
/// only while its key (the kick, on a private bus) sounds.
#[test]
fn the_vocoder_lets_the_carrier_through_only_while_its_key_sounds() {
    let mut score = Score::with_defs([TONE, def("imbolc_drum_kick"), def("imbolc_vocoder")]);
    let carrier = [("out", 0.0), ("freq", 110.0), ("amp", 0.3), ("tone", 1.0), ("sustain", 1.0), ("attack", 0.001)];
    score.at(
        0.0,
        vec![
            synth_new("imbolc_test_good", 1001, 0, 1, &carrier),
            synth_new("imbolc_vocoder", 1002, 3, 1001, &[("bus", 0.0), ("key", 20.0)]),
        ],
    );
    score.at(1.0, vec![synth_new("imbolc_drum_kick", 2000, 0, 1, &[("out", 20.0), ("amp", 0.5), ("vel", 1.0)])]);
    score.until(2.0);
    let out = render(&score, 2).unwrap_or_else(|e| panic!("{e}"));
    let level = |a: f64, b: f64| db(rms(&out.channels[0][Rendered::index(a)..Rendered::index(b)]));
    let (silent_key, keyed) = (level(0.3, 0.9), level(1.0, 1.1));
    eprintln!("vocoder: {silent_key:.1} dBFS with a silent key, {keyed:.1} dBFS while the kick sounds");
    assert!(silent_key < -80.0, "no key signal, no output: {silent_key:.1} dBFS");
    assert!(keyed > -40.0, "the kick opens the carrier: {keyed:.1} dBFS");
}
