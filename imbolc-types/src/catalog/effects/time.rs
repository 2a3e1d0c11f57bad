//! Delays and reverbs (`synthdefs/fx/time/`).

use super::{EffectSpec, fx};
use crate::catalog::param::{SyncUnit, p};

pub(super) const EFFECTS: &[EffectSpec] = &[
    EffectSpec {
        legacy_name: Some("Delay"),
        ..fx(
            "delay",
            "imbolc_delay",
            "delay",
            "Feedback delay",
            &[
                p("time", "Time", 0.3, 0.001, 2.0, "s").exp().tempo_sync(SyncUnit::Seconds),
                p("feedback", "Feedback", 0.4, 0.0, 0.95, ""),
                p("mix", "Mix", 0.3, 0.0, 1.0, ""),
            ],
            4.0,
        )
    },
    fx(
        "ping_pong",
        "imbolc_ping_pong",
        "ping-pong delay",
        "Stereo delay whose repeats bounce left and right",
        &[
            p("time", "Time", 0.3, 0.01, 2.0, "s").exp().tempo_sync(SyncUnit::Seconds),
            p("feedback", "Feedback", 0.35, 0.0, 0.9, ""),
            p("mix", "Mix", 0.3, 0.0, 1.0, ""),
        ],
        7.0,
    ),
    fx(
        "tape_delay",
        "imbolc_tape_delay",
        "tape delay",
        "Tape echo: wow bends the time, each repeat darker and saturated",
        &[
            p("time", "Time", 0.35, 0.02, 2.0, "s").exp().tempo_sync(SyncUnit::Seconds),
            p("feedback", "Feedback", 0.45, 0.0, 0.9, ""),
            p("wow", "Wow", 0.3, 0.0, 1.0, ""),
            p("saturation", "Saturation", 0.4, 0.0, 1.0, ""),
            p("mix", "Mix", 0.35, 0.0, 1.0, ""),
        ],
        5.0,
    ),
    fx(
        "multi_tap",
        "imbolc_multi_tap",
        "multi-tap delay",
        "Four taps spreading apart, panned and falling in level",
        &[
            p("time", "Time", 0.25, 0.01, 1.0, "s").exp().tempo_sync(SyncUnit::Seconds),
            p("spread", "Spread", 0.5, 0.0, 1.0, ""),
            p("feedback", "Feedback", 0.2, 0.0, 0.8, ""),
            p("mix", "Mix", 0.3, 0.0, 1.0, ""),
        ],
        5.0,
    ),
    EffectSpec {
        legacy_name: Some("Reverb"),
        ..fx(
            "reverb",
            "imbolc_reverb",
            "reverb",
            "Stereo room reverb (FreeVerb)",
            &[
                p("mix", "Mix", 0.33, 0.0, 1.0, ""),
                p("room", "Room", 0.6, 0.0, 1.0, ""),
                p("damp", "Damp", 0.5, 0.0, 1.0, ""),
            ],
            6.0,
        )
    },
    fx(
        "plate",
        "imbolc_plate",
        "plate reverb",
        "Dense, bright plate (JPverb)",
        &[
            p("decay", "Decay", 1.5, 0.1, 10.0, "s").exp(),
            p("size", "Size", 0.8, 0.5, 3.0, ""),
            p("damp", "Damp", 0.3, 0.0, 1.0, ""),
            p("mix", "Mix", 0.3, 0.0, 1.0, ""),
        ],
        6.0,
    ),
    fx(
        "hall",
        "imbolc_hall",
        "hall reverb",
        "Large hall with a long decay (GVerb)",
        &[
            p("decay", "Decay", 3.0, 0.1, 20.0, "s").exp(),
            p("damp", "Damp", 0.5, 0.0, 1.0, ""),
            p("mix", "Mix", 0.25, 0.0, 1.0, ""),
        ],
        8.0,
    ),
    fx(
        "spring",
        "imbolc_spring",
        "spring reverb",
        "Boingy spring tank: dispersive allpasses into two resonant springs",
        &[
            p("decay", "Decay", 2.0, 0.2, 8.0, "s").exp(),
            p("tone", "Tone", 3000.0, 500.0, 10000.0, "Hz").exp(),
            p("mix", "Mix", 0.3, 0.0, 1.0, ""),
        ],
        5.0,
    ),
    fx(
        "shimmer",
        "imbolc_shimmer",
        "shimmer reverb",
        "Reverb whose tail is fed back an octave up",
        &[
            p("room", "Room", 0.8, 0.0, 0.95, ""),
            p("shimmer", "Shimmer", 0.4, 0.0, 0.7, ""),
            p("mix", "Mix", 0.35, 0.0, 1.0, ""),
        ],
        10.0,
    ),
    fx(
        "convolution",
        "imbolc_convolution",
        "convolution reverb",
        "Convolves with an impulse response from the sample store (a short built-in one until set)",
        &[p("mix", "Mix", 0.35, 0.0, 1.0, "")],
        2.0,
    ),
];
