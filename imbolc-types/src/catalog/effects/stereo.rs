//! Width and mid/side (`synthdefs/fx/stereo/`).

use super::{EffectSpec, fx};
use crate::catalog::param::p;

pub(super) const EFFECTS: &[EffectSpec] = &[
    fx(
        "widener",
        "imbolc_widener",
        "stereo widener",
        "Raises the side level and adds a short delayed side (Haas) to mono sounds",
        &[
            p("width", "Width", 1.5, 0.0, 2.0, ""),
            p("haas", "Haas", 0.3, 0.0, 1.0, ""),
            p("delay", "Delay", 0.012, 0.001, 0.04, "s").exp(),
        ],
        0.1,
    ),
    fx(
        "ms_balance",
        "imbolc_ms_balance",
        "mid/side balance",
        "Leans towards the mid (mono) or the side (wide, hollow)",
        &[p("balance", "Balance", 0.0, -1.0, 1.0, "")],
        0.05,
    ),
    fx(
        "mono_bass",
        "imbolc_mono_bass",
        "mono bass",
        "Makes everything below a frequency mono, leaving the highs wide",
        &[p("freq", "Frequency", 150.0, 20.0, 1000.0, "Hz").exp()],
        0.1,
    ),
];
