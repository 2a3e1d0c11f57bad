//! Granular, lo-fi, cabinet, envelope effects and utilities
//! (`synthdefs/fx/other/`).

use super::{EffectSpec, fx};
use crate::catalog::param::{SyncUnit, p};

pub(super) const EFFECTS: &[EffectSpec] = &[
    fx(
        "granular_delay",
        "imbolc_granular_delay",
        "granular delay",
        "Grains from a delayed recording, pitched and scattered, fed back",
        &[
            p("time", "Time", 0.25, 0.02, 2.0, "s").exp().tempo_sync(SyncUnit::Seconds),
            p("size", "Grain size", 0.1, 0.01, 0.5, "s").exp(),
            p("density", "Density", 12.0, 1.0, 60.0, "Hz").exp(),
            p("pitch", "Pitch", 0.0, -12.0, 12.0, "st"),
            p("feedback", "Feedback", 0.3, 0.0, 0.8, ""),
            p("mix", "Mix", 0.4, 0.0, 1.0, ""),
        ],
        4.0,
    ),
    fx(
        "lofi",
        "imbolc_lofi",
        "vinyl / lo-fi",
        "Narrow band, wow and flutter, crackle and hiss riding on the signal",
        &[
            p("crackle", "Crackle", 0.3, 0.0, 1.0, ""),
            p("wow", "Wow", 0.3, 0.0, 1.0, ""),
            p("tone", "Tone", 4000.0, 500.0, 16000.0, "Hz").exp(),
        ],
        1.0,
    ),
    fx(
        "cabinet",
        "imbolc_cabinet",
        "guitar cabinet",
        "Speaker cabinet: low thump, presence peak, steep high roll-off",
        &[
            p("size", "Size", 0.5, 0.0, 1.0, ""),
            p("bright", "Bright", 4000.0, 1000.0, 10000.0, "Hz").exp(),
            p("mix", "Mix", 1.0, 0.0, 1.0, ""),
        ],
        0.1,
    ),
    fx(
        "env_filter",
        "imbolc_env_filter",
        "envelope follower",
        "The input's level opens a resonant low-pass: louder is brighter",
        &[
            p("sensitivity", "Sensitivity", 0.6, 0.0, 1.0, ""),
            p("cutoff", "Cutoff", 300.0, 50.0, 5000.0, "Hz").exp(),
            p("resonance", "Resonance", 0.4, 0.0, 1.0, ""),
            p("release", "Release", 0.15, 0.01, 2.0, "s").exp(),
        ],
        0.2,
    ),
    fx(
        "auto_wah",
        "imbolc_auto_wah",
        "auto-wah",
        "A resonant band-pass swept up and down by an LFO",
        &[
            p("rate", "Rate", 2.0, 0.05, 20.0, "Hz").exp().tempo_sync(SyncUnit::Hz),
            p("depth", "Depth", 0.8, 0.0, 1.0, ""),
            p("resonance", "Resonance", 0.6, 0.0, 1.0, ""),
            p("mix", "Mix", 0.7, 0.0, 1.0, ""),
        ],
        0.2,
    ),
    fx(
        "stutter",
        "imbolc_stutter",
        "beat repeat",
        "Windows that loop the last slice of input: stutters and rolls",
        &[
            p("slice", "Slice", 0.125, 0.01, 1.0, "s").exp().tempo_sync(SyncUnit::Seconds),
            p("rate", "Rate", 0.5, 0.05, 16.0, "Hz").exp().tempo_sync(SyncUnit::Hz),
            p("amount", "Amount", 0.5, 0.0, 1.0, ""),
            p("mix", "Mix", 1.0, 0.0, 1.0, ""),
        ],
        1.2,
    ),
    EffectSpec {
        gain_stage: true,
        ..fx("gain", "imbolc_gain", "gain", "Utility gain in dB", &[p("gain", "Gain", 0.0, -60.0, 24.0, "dB")], 0.05)
    },
    fx(
        "phase_invert",
        "imbolc_phase_invert",
        "phase invert",
        "Flips the polarity of the left and/or right side",
        &[p("left", "Left", 1.0, 0.0, 1.0, ""), p("right", "Right", 1.0, 0.0, 1.0, "")],
        0.0,
    ),
    fx(
        "dc_blocker",
        "imbolc_dc_blocker",
        "DC blocker",
        "Removes DC offset and subsonic rumble below freq",
        &[p("freq", "Frequency", 10.0, 1.0, 500.0, "Hz").exp()],
        0.5,
    ),
];
