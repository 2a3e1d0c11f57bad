//! Synthesis: additive, wavetable, granular and pulse-train synthesis.
//! One SynthDef each under `synthdefs/voices/synthesis/`.

use super::{SourceFamily, SourceSpec};
use crate::catalog::param::{AMP, p};

const FAMILY: SourceFamily = SourceFamily::Synthesis;

pub(super) const SOURCES: &[SourceSpec] = &[
    SourceSpec {
        id: "additive",
        legacy_name: None,
        synthdef: "imbolc_additive",
        label: "additive",
        description: "24 harmonics rolling off as 1/n^k, odd/even balance and shimmer",
        params: &[
            AMP,
            p("rolloff", "Roll-off", 1.2, 0.3, 3.0, ""),
            p("odd", "Odd only", 0.0, 0.0, 1.0, ""),
            p("shimmer", "Shimmer", 0.2, 0.0, 1.0, ""),
        ],
        pitched: true,
        envelope: FAMILY.default_envelope(),
        timbre: "rolloff",
    },
    SourceSpec {
        id: "wavetable",
        legacy_name: None,
        synthdef: "imbolc_wavetable",
        label: "wavetable",
        description: "Morphs across four single-cycle wavetables, with an LFO scan",
        params: &[
            AMP,
            p("position", "Position", 0.3, 0.0, 1.0, ""),
            p("scan", "Scan", 0.3, 0.0, 1.0, ""),
            p("bright", "Bright", 0.6, 0.0, 1.0, ""),
        ],
        pitched: true,
        envelope: FAMILY.default_envelope(),
        timbre: "position",
    },
    SourceSpec {
        id: "granular",
        legacy_name: None,
        synthdef: "imbolc_granular",
        label: "granular",
        description: "A cloud of sine grains on the note, scattered in pitch and space",
        params: &[
            AMP,
            p("density", "Density", 40.0, 5.0, 200.0, "/s").exp(),
            p("grain", "Grain", 0.06, 0.01, 0.2, "s").exp(),
            p("scatter", "Scatter", 0.2, 0.0, 1.0, ""),
        ],
        pitched: true,
        envelope: crate::EnvelopeDef { attack: 0.05, decay: 0.3, sustain: 0.8, release: 0.5 },
        timbre: "density",
    },
    SourceSpec {
        id: "vosim",
        legacy_name: None,
        synthdef: "imbolc_vosim",
        label: "VOSIM",
        description: "Trains of decaying squared-sine pulses: vocal, nasal (VOSIM)",
        params: &[AMP, p("formant", "Formant", 3.0, 1.0, 8.0, "x"), p("damp", "Damp", 0.8, 0.1, 0.99, "")],
        pitched: true,
        envelope: FAMILY.default_envelope(),
        timbre: "formant",
    },
];
