//! Saturation and degradation (`synthdefs/fx/distortion/`).

use super::{EffectSpec, fx};
use crate::catalog::param::p;

const MIX: crate::catalog::ParamSpec = p("mix", "Mix", 1.0, 0.0, 1.0, "");

pub(super) const EFFECTS: &[EffectSpec] = &[
    fx(
        "overdrive",
        "imbolc_overdrive",
        "overdrive",
        "Warm soft clipping with a tone control",
        &[p("drive", "Drive", 0.3, 0.0, 1.0, ""), p("tone", "Tone", 5000.0, 200.0, 20000.0, "Hz").exp(), MIX],
        0.1,
    ),
    fx(
        "fuzz",
        "imbolc_fuzz",
        "fuzz",
        "Huge gain into asymmetric hard clipping",
        &[p("fuzz", "Fuzz", 0.5, 0.0, 1.0, ""), p("tone", "Tone", 3500.0, 200.0, 20000.0, "Hz").exp(), MIX],
        0.2,
    ),
    fx(
        "bitcrusher",
        "imbolc_bitcrusher",
        "bit crusher",
        "Fewer bits of resolution: grit and quantisation noise",
        &[p("bits", "Bits", 6.0, 1.0, 16.0, ""), MIX],
        0.05,
    ),
    fx(
        "downsample",
        "imbolc_downsample",
        "sample-rate reducer",
        "Holds samples at a lower rate: aliasing, metallic highs",
        &[p("rate", "Rate", 6000.0, 50.0, 48000.0, "Hz").exp(), MIX],
        0.05,
    ),
    fx(
        "wavefolder",
        "imbolc_wavefolder",
        "wavefolder",
        "Peaks fold back on themselves: bright, hollow overtones",
        &[p("fold", "Fold", 0.4, 0.0, 1.0, ""), p("symmetry", "Symmetry", 0.0, -1.0, 1.0, ""), MIX],
        0.2,
    ),
    fx(
        "tape_sat",
        "imbolc_tape_sat",
        "tape saturation",
        "Soft tape compression, a low bump and rolled-off highs",
        &[p("drive", "Drive", 0.4, 0.0, 1.0, ""), p("warmth", "Warmth", 0.5, 0.0, 1.0, ""), MIX],
        0.1,
    ),
];
