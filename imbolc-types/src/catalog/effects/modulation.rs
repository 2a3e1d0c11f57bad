//! LFO-driven effects (`synthdefs/fx/modulation/`).

use super::{EffectSpec, fx};
use crate::catalog::param::{SyncUnit, p};

pub(super) const EFFECTS: &[EffectSpec] = &[
    fx(
        "chorus",
        "imbolc_chorus",
        "chorus",
        "Three modulated voices per side: thick, shimmering stereo",
        &[
            p("rate", "Rate", 0.8, 0.01, 10.0, "Hz").exp().tempo_sync(SyncUnit::Hz),
            p("depth", "Depth", 0.5, 0.0, 1.0, ""),
            p("mix", "Mix", 0.5, 0.0, 1.0, ""),
        ],
        0.1,
    ),
    fx(
        "flanger",
        "imbolc_flanger",
        "flanger",
        "Short swept delay with feedback: the jet-plane sweep",
        &[
            p("rate", "Rate", 0.3, 0.01, 10.0, "Hz").exp().tempo_sync(SyncUnit::Hz),
            p("depth", "Depth", 0.7, 0.0, 1.0, ""),
            p("feedback", "Feedback", 0.4, -0.9, 0.9, ""),
            p("mix", "Mix", 0.5, 0.0, 1.0, ""),
        ],
        0.2,
    ),
    fx(
        "phaser",
        "imbolc_phaser",
        "phaser",
        "Six allpass stages swept by an LFO into moving notches",
        &[
            p("rate", "Rate", 0.4, 0.01, 10.0, "Hz").exp().tempo_sync(SyncUnit::Hz),
            p("depth", "Depth", 0.7, 0.0, 1.0, ""),
            p("feedback", "Feedback", 0.3, 0.0, 0.9, ""),
            p("mix", "Mix", 0.5, 0.0, 1.0, ""),
        ],
        0.2,
    ),
    fx(
        "tremolo",
        "imbolc_tremolo",
        "tremolo",
        "Level swept by an LFO, from smooth sine to choppy square",
        &[
            p("rate", "Rate", 5.0, 0.05, 30.0, "Hz").exp().tempo_sync(SyncUnit::Hz),
            p("depth", "Depth", 0.5, 0.0, 1.0, ""),
            p("shape", "Shape", 0.0, 0.0, 1.0, ""),
        ],
        0.05,
    ),
    fx(
        "auto_pan",
        "imbolc_auto_pan",
        "auto-pan",
        "The balance swings left and right",
        &[
            p("rate", "Rate", 0.5, 0.01, 20.0, "Hz").exp().tempo_sync(SyncUnit::Hz),
            p("depth", "Depth", 0.8, 0.0, 1.0, ""),
        ],
        0.05,
    ),
    fx(
        "rotary",
        "imbolc_rotary",
        "rotary speaker",
        "Spinning horn and drum: Doppler, throb and swirl",
        &[
            p("rate", "Speed", 0.8, 0.1, 10.0, "Hz").exp(),
            p("depth", "Depth", 0.6, 0.0, 1.0, ""),
            p("mix", "Mix", 1.0, 0.0, 1.0, ""),
        ],
        0.1,
    ),
    fx(
        "vibrato",
        "imbolc_vibrato",
        "vibrato",
        "Pitch wobble from a swept delay",
        &[
            p("rate", "Rate", 5.0, 0.1, 20.0, "Hz").exp().tempo_sync(SyncUnit::Hz),
            p("depth", "Depth", 0.3, 0.0, 1.0, ""),
        ],
        0.05,
    ),
];
