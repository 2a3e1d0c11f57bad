//! Pitch, frequency and spectral processing (`synthdefs/fx/pitch/`).

use super::{EffectSpec, fx};
use crate::catalog::param::p;

pub(super) const EFFECTS: &[EffectSpec] = &[
    fx(
        "pitch_shift",
        "imbolc_pitch_shift",
        "pitch shifter",
        "Granular pitch shift by semitones and cents (100 ms windows)",
        &[
            p("semitones", "Semitones", 7.0, -24.0, 24.0, "st"),
            p("fine", "Fine", 0.0, -100.0, 100.0, "ct"),
            p("mix", "Mix", 0.5, 0.0, 1.0, ""),
        ],
        0.3,
    ),
    fx(
        "freq_shift",
        "imbolc_freq_shift",
        "frequency shifter",
        "Moves every partial by the same Hz: harmonics turn inharmonic",
        &[p("shift", "Shift", 100.0, -2000.0, 2000.0, "Hz"), p("mix", "Mix", 0.5, 0.0, 1.0, "")],
        0.1,
    ),
    fx(
        "ring_mod",
        "imbolc_ring_mod",
        "ring modulator",
        "Multiplies by a sine: sum and difference tones, bells and robots",
        &[p("freq", "Frequency", 440.0, 1.0, 8000.0, "Hz").exp(), p("mix", "Mix", 0.5, 0.0, 1.0, "")],
        0.05,
    ),
    fx(
        "spectral_freeze",
        "imbolc_spectral_freeze",
        "spectral freeze",
        "Holds the spectrum of the moment freeze is switched on (2048-point FFT); off, passes through",
        &[p("freeze", "Freeze", 0.0, 0.0, 1.0, "")],
        0.2,
    ),
    fx(
        "spectral_blur",
        "imbolc_spectral_blur",
        "spectral blur",
        "Smears the spectrum across frequency and smooths it over time",
        &[
            p("smear", "Smear", 8.0, 0.0, 64.0, "bins"),
            p("smooth", "Smooth", 0.6, 0.0, 0.95, ""),
            p("mix", "Mix", 1.0, 0.0, 1.0, ""),
        ],
        1.0,
    ),
];
