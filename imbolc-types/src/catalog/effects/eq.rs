//! Few-knob tone shaping (`synthdefs/fx/eq/`).

use super::{EffectSpec, fx};
use crate::catalog::param::p;

pub(super) const EFFECTS: &[EffectSpec] = &[
    fx(
        "tilt_eq",
        "imbolc_tilt_eq",
        "tilt EQ",
        "One knob leans the spectrum: brighter and thinner, or darker and fuller",
        &[p("tilt", "Tilt", 0.3, -1.0, 1.0, ""), p("pivot", "Pivot", 800.0, 100.0, 8000.0, "Hz").exp()],
        0.05,
    ),
    fx(
        "dj_eq",
        "imbolc_dj_eq",
        "DJ EQ",
        "Three bands (crossovers 250 Hz, 2.5 kHz) that cut to silence at -40 dB",
        &[
            p("low", "Low", 0.0, -40.0, 6.0, "dB"),
            p("mid", "Mid", 0.0, -40.0, 6.0, "dB"),
            p("high", "High", 0.0, -40.0, 6.0, "dB"),
        ],
        0.05,
    ),
];
