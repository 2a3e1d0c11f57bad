//! Compressors, gates and shapers (`synthdefs/fx/dynamics/`).

use super::{EffectSpec, fx};
use crate::catalog::param::p;

pub(super) const EFFECTS: &[EffectSpec] = &[
    fx(
        "compressor",
        "imbolc_compressor",
        "compressor",
        "Stereo-linked compressor with makeup gain",
        &[
            p("threshold", "Threshold", -18.0, -60.0, 0.0, "dB"),
            p("ratio", "Ratio", 4.0, 1.0, 20.0, ":1").exp(),
            p("attack", "Attack", 0.01, 0.0005, 0.5, "s").exp(),
            p("release", "Release", 0.15, 0.005, 2.0, "s").exp(),
            p("makeup", "Makeup", 0.0, 0.0, 24.0, "dB"),
        ],
        0.5,
    ),
    fx(
        "gate",
        "imbolc_gate",
        "noise gate",
        "Closes below the threshold, lowering the level by range",
        &[
            p("threshold", "Threshold", -45.0, -90.0, 0.0, "dB"),
            p("range", "Range", -60.0, -90.0, 0.0, "dB"),
            p("attack", "Attack", 0.002, 0.0001, 0.5, "s").exp(),
            p("release", "Release", 0.1, 0.005, 2.0, "s").exp(),
        ],
        0.5,
    ),
    fx(
        "expander",
        "imbolc_expander",
        "expander",
        "Downward expander: quiet passages get quieter, gentler than a gate",
        &[
            p("threshold", "Threshold", -30.0, -80.0, 0.0, "dB"),
            p("ratio", "Ratio", 2.0, 1.0, 8.0, ":1").exp(),
            p("release", "Release", 0.1, 0.005, 2.0, "s").exp(),
        ],
        0.5,
    ),
    fx(
        "transient",
        "imbolc_transient",
        "transient shaper",
        "Boosts or softens the attacks and the ringing after them",
        &[p("attack", "Attack", 0.3, -1.0, 1.0, ""), p("sustain", "Sustain", 0.0, -1.0, 1.0, "")],
        0.5,
    ),
    fx(
        "multiband",
        "imbolc_multiband",
        "three-band compressor",
        "Compresses lows, mids and highs apart (crossovers 200 Hz, 2.5 kHz), each with its gain",
        &[
            p("threshold", "Threshold", -20.0, -60.0, 0.0, "dB"),
            p("ratio", "Ratio", 3.0, 1.0, 20.0, ":1").exp(),
            p("low", "Low", 0.0, -24.0, 12.0, "dB"),
            p("mid", "Mid", 0.0, -24.0, 12.0, "dB"),
            p("high", "High", 0.0, -24.0, 12.0, "dB"),
        ],
        0.5,
    ),
];
