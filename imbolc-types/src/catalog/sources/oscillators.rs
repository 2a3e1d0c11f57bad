//! Oscillators: classic waveforms and noise.

use super::{SourceFamily, SourceSpec};
use crate::catalog::param::{AMP, p};

const ENV: crate::EnvelopeDef = SourceFamily::Oscillator.default_envelope();

pub(super) const SOURCES: &[SourceSpec] = &[
    SourceSpec {
        id: "saw",
        legacy_name: Some("Saw"),
        synthdef: "imbolc_saw",
        label: "saw",
        description: "Two slightly detuned saws through a low-pass that opens with velocity",
        params: &[AMP, p("detune", "Detune", 0.1, 0.0, 1.0, ""), p("bright", "Bright", 0.7, 0.0, 1.0, "")],
        pitched: true,
        envelope: ENV,
        timbre: "bright",
    },
    SourceSpec {
        id: "sine",
        legacy_name: Some("Sine"),
        synthdef: "imbolc_sine",
        label: "sine",
        description: "A pure sine; drive saturates it, sub adds the octave below",
        params: &[AMP, p("drive", "Drive", 0.0, 0.0, 1.0, ""), p("sub", "Sub", 0.0, 0.0, 1.0, "")],
        pitched: true,
        envelope: ENV,
        timbre: "drive",
    },
    SourceSpec {
        id: "square",
        legacy_name: Some("Square"),
        synthdef: "imbolc_square",
        label: "square",
        description: "Band-limited pulse, a square at width 0.5, thinner below",
        params: &[AMP, p("width", "Width", 0.5, 0.05, 0.5, ""), p("bright", "Bright", 0.7, 0.0, 1.0, "")],
        pitched: true,
        envelope: ENV,
        timbre: "width",
    },
];
