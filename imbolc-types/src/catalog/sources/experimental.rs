//! Experimental: stochastic and chaotic generators.
//! One SynthDef each under `synthdefs/voices/experimental/`.

use super::{SourceFamily, SourceSpec};
use crate::catalog::param::{AMP, p};

const FAMILY: SourceFamily = SourceFamily::Experimental;

pub(super) const SOURCES: &[SourceSpec] = &[
    SourceSpec {
        id: "gendy",
        legacy_name: None,
        synthdef: "imbolc_gendy",
        label: "Gendy",
        description: "Xenakis dynamic stochastic synthesis: random-walking waveform",
        params: &[AMP, p("amp_walk", "Amp walk", 0.5, 0.0, 1.0, ""), p("dur_walk", "Dur walk", 0.3, 0.0, 1.0, "")],
        pitched: false,
        envelope: FAMILY.default_envelope(),
        timbre: "amp_walk",
    },
    SourceSpec {
        id: "henon",
        legacy_name: None,
        synthdef: "imbolc_henon",
        label: "Hénon map",
        description: "The Hénon chaotic map, from orderly cycles to chaos",
        params: &[AMP, p("a", "a", 1.4, 1.0, 1.4, ""), p("b", "b", 0.3, 0.0, 0.3, "")],
        pitched: false,
        envelope: FAMILY.default_envelope(),
        timbre: "a",
    },
    SourceSpec {
        id: "logistic",
        legacy_name: None,
        synthdef: "imbolc_logistic",
        label: "logistic map",
        description: "The logistic map through period doublings into chaos",
        params: &[
            AMP,
            p("chaos", "Chaos (r)", 3.7, 3.0, 3.99, ""),
            p("rate", "Rate", 4.0, 1.0, 16.0, "x").exp(),
            p("tone", "Tone", 0.5, 0.0, 1.0, ""),
        ],
        pitched: false,
        envelope: FAMILY.default_envelope(),
        timbre: "chaos",
    },
    SourceSpec {
        id: "crackle",
        legacy_name: None,
        synthdef: "imbolc_crackle",
        label: "crackle",
        description: "Chaotic crackle ringing through a band-pass on the note",
        params: &[AMP, p("chaos", "Chaos", 1.9, 1.0, 2.0, ""), p("focus", "Focus", 0.5, 0.0, 1.0, "")],
        pitched: false,
        envelope: FAMILY.default_envelope(),
        timbre: "chaos",
    },
];
