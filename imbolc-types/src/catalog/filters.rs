//! Filters for the instrument's filter slot (an in-place processor after
//! the voices), also offered as effects. One SynthDef per entry under
//! `synthdefs/fx/filter/`.
//!
//! Filters share parameter ids where they mean the same thing (`cutoff`,
//! `resonance`), so changing an instrument's filter type keeps them.

use super::ParamSpec;
use super::kind::catalog_kind;
use super::param::p;

/// Groups of filters, in picker order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilterFamily {
    /// Low-, high-, band-pass and notch responses.
    Pass,
    /// Comb, allpass and vowel filters: coloured, resonant characters.
    Character,
}

impl FilterFamily {
    /// Every family, in picker order.
    pub const ALL: [FilterFamily; 2] = [FilterFamily::Pass, FilterFamily::Character];

    /// Heading in the picker and the docs.
    pub fn label(self) -> &'static str {
        match self {
            FilterFamily::Pass => "Pass filters",
            FilterFamily::Character => "Comb, allpass and vowel",
        }
    }
}

/// Everything the rest of Imbolc knows about a filter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FilterSpec {
    /// Stable id stored in project files.
    pub id: &'static str,
    /// The enum variant name files written before the table existed used.
    pub legacy_name: Option<&'static str>,
    /// Processor SynthDef: reads and `ReplaceOut`s its `bus`.
    pub synthdef: &'static str,
    /// Per-voice variant (`synthdefs/fx/filter/voice/<id>.scd`): reads a
    /// voice's private bus, adds to the chain bus; controls `f_<param>`,
    /// the filter envelope and key tracking.
    pub voice_synthdef: &'static str,
    pub label: &'static str,
    /// One line for the picker and the docs.
    pub description: &'static str,
    pub params: &'static [ParamSpec],
    /// Seconds its output may go on after its input stops, at default
    /// settings (used when it is an effect: a render's automatic tail).
    pub tail_secs: f32,
}

const CUTOFF: ParamSpec = p("cutoff", "Cutoff", 2000.0, 20.0, 20000.0, "Hz").exp();
const RESONANCE: ParamSpec = p("resonance", "Resonance", 0.2, 0.0, 1.0, "");

const fn cutoff(default: f32) -> ParamSpec {
    ParamSpec { default, ..CUTOFF }
}

const fn resonance(default: f32) -> ParamSpec {
    ParamSpec { default, ..RESONANCE }
}

const PASS: &[FilterSpec] = &[
    FilterSpec {
        id: "low_pass",
        legacy_name: Some("LowPass"),
        synthdef: "imbolc_lpf",
        voice_synthdef: "imbolc_low_pass_voice",
        label: "low-pass",
        description: "Resonant low-pass (12 dB/octave)",
        params: &[CUTOFF, RESONANCE],
        tail_secs: 0.1,
    },
    FilterSpec {
        id: "ladder",
        legacy_name: None,
        synthdef: "imbolc_flt_ladder",
        voice_synthdef: "imbolc_ladder_voice",
        label: "ladder low-pass",
        description: "Four-pole ladder low-pass (24 dB/octave) with input drive",
        params: &[cutoff(1500.0), resonance(0.3), p("drive", "Drive", 0.2, 0.0, 1.0, "")],
        tail_secs: 0.2,
    },
    FilterSpec {
        id: "high_pass",
        legacy_name: None,
        synthdef: "imbolc_flt_hpf",
        voice_synthdef: "imbolc_high_pass_voice",
        label: "high-pass",
        description: "Resonant high-pass (12 dB/octave)",
        params: &[cutoff(300.0), RESONANCE],
        tail_secs: 0.1,
    },
    FilterSpec {
        id: "band_pass",
        legacy_name: None,
        synthdef: "imbolc_flt_bpf",
        voice_synthdef: "imbolc_band_pass_voice",
        label: "band-pass",
        description: "Band-pass around cutoff; resonance narrows the band",
        params: &[cutoff(1000.0), resonance(0.3)],
        tail_secs: 0.1,
    },
    FilterSpec {
        id: "notch",
        legacy_name: None,
        synthdef: "imbolc_flt_notch",
        voice_synthdef: "imbolc_notch_voice",
        label: "notch",
        description: "Band-reject around cutoff; resonance narrows the notch",
        params: &[cutoff(1000.0), resonance(0.3)],
        tail_secs: 0.1,
    },
    FilterSpec {
        id: "svf",
        legacy_name: None,
        synthdef: "imbolc_flt_svf",
        voice_synthdef: "imbolc_svf_voice",
        label: "state-variable (morph)",
        description: "Resonant filter that morphs from low-pass through band-pass to high-pass",
        params: &[cutoff(1000.0), resonance(0.3), p("morph", "Morph", 0.0, 0.0, 1.0, "")],
        tail_secs: 0.1,
    },
];

const CHARACTER: &[FilterSpec] = &[
    FilterSpec {
        id: "comb",
        legacy_name: None,
        synthdef: "imbolc_flt_comb",
        voice_synthdef: "imbolc_comb_voice",
        label: "comb",
        description: "Feedback comb tuned to cutoff: metallic, pitched resonance",
        params: &[
            p("cutoff", "Pitch", 220.0, 20.0, 5000.0, "Hz").exp(),
            resonance(0.5),
            p("mix", "Mix", 0.6, 0.0, 1.0, ""),
        ],
        tail_secs: 0.3,
    },
    FilterSpec {
        id: "allpass",
        legacy_name: None,
        synthdef: "imbolc_flt_allpass",
        voice_synthdef: "imbolc_allpass_voice",
        label: "allpass",
        description: "Eight allpass stages mixed with the dry signal into notches (static phaser)",
        params: &[cutoff(1000.0), p("resonance", "Spread", 0.5, 0.0, 1.0, ""), p("mix", "Mix", 0.5, 0.0, 1.0, "")],
        tail_secs: 0.1,
    },
    FilterSpec {
        id: "formant",
        legacy_name: None,
        synthdef: "imbolc_flt_formant",
        voice_synthdef: "imbolc_formant_voice",
        label: "vowel (formant)",
        description: "Three formant band-passes gliding through the vowels a-e-i-o-u",
        params: &[
            p("vowel", "Vowel", 0.0, 0.0, 1.0, ""),
            p("shift", "Shift", 1.0, 0.5, 2.0, "x").exp(),
            resonance(0.5),
        ],
        tail_secs: 0.2,
    },
];

/// The filter tables, one per family, in [`FilterFamily::ALL`] order.
const TABLES: &[(FilterFamily, &[FilterSpec])] = &[(FilterFamily::Pass, PASS), (FilterFamily::Character, CHARACTER)];

/// Every filter spec in catalog order (the effect catalog's filter family
/// lists the same entries).
pub(super) const SPECS: [FilterSpec; 9] =
    [PASS[0], PASS[1], PASS[2], PASS[3], PASS[4], PASS[5], CHARACTER[0], CHARACTER[1], CHARACTER[2]];

catalog_kind!(
    /// A handle to an entry of the filter catalog.
    FilterKind,
    FilterSpec,
    FilterFamily,
    TABLES,
    "filter"
);

impl FilterKind {
    pub const LOW_PASS: FilterKind = FilterKind::at("low_pass");

    /// Its per-voice variant, used while the instrument's filter envelope
    /// or key tracking is on.
    pub fn voice_synthdef(self) -> &'static str {
        self.spec().voice_synthdef
    }

    /// The filter after (or before) this one in catalog order, wrapping:
    /// what the editor's left/right keys step through.
    pub fn cycle(self, forward: bool) -> FilterKind {
        let n = Self::COUNT;
        let i = Self::ALL.iter().position(|k| *k == self).unwrap_or(0);
        Self::ALL[if forward { (i + 1) % n } else { (i + n - 1) % n }]
    }
}

const _: () = assert!(SPECS.len() == FilterKind::COUNT, "SPECS lists every filter");
