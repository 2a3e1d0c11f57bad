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
