//! Effects: in-place processors in an instrument's, a bus's or the
//! master's chain. One SynthDef per entry under `synthdefs/fx/`.

use super::ParamSpec;
use super::filters::LOW_PASS_PARAMS;
use super::kind::catalog_kind;
use super::param::p;

/// Groups of effects, in picker order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EffectFamily {
    /// Delays and reverbs.
    Time,
    /// Filters used as effects.
    Filter,
    /// Mixing tools: EQ, limiter, sidechain (see `mix.rs`).
    Mix,
}

impl EffectFamily {
    /// Every family, in picker order.
    pub const ALL: [EffectFamily; 3] = [EffectFamily::Time, EffectFamily::Filter, EffectFamily::Mix];

    /// Heading in the picker and the docs.
    pub fn label(self) -> &'static str {
        match self {
            EffectFamily::Time => "Delay and reverb",
            EffectFamily::Filter => "Filters",
            EffectFamily::Mix => "Mixing: EQ, limiter, sidechain",
        }
    }
}

/// Everything the rest of Imbolc knows about an effect.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EffectSpec {
    /// Stable id stored in project files.
    pub id: &'static str,
    /// The enum variant name files written before the table existed used.
    pub legacy_name: Option<&'static str>,
    /// Processor SynthDef: reads and `ReplaceOut`s its `bus`.
    pub synthdef: &'static str,
    pub label: &'static str,
    /// One line for the picker and the docs.
    pub description: &'static str,
    pub params: &'static [ParamSpec],
    /// Seconds its output may go on after its input stops, at default
    /// settings (a render's automatic tail).
    pub tail_secs: f32,
}

const FILTER: &[EffectSpec] = &[EffectSpec {
    id: "low_pass",
    legacy_name: Some("LowPass"),
    synthdef: "imbolc_lpf",
    label: "low-pass",
    description: "Resonant low-pass (12 dB/octave)",
    params: LOW_PASS_PARAMS,
    tail_secs: 0.1,
}];

const TIME: &[EffectSpec] = &[
    EffectSpec {
        id: "delay",
        legacy_name: Some("Delay"),
        synthdef: "imbolc_delay",
        label: "delay",
        description: "Feedback delay",
        params: &[
            p("time", "Time", 0.3, 0.001, 2.0, "s").exp(),
            p("feedback", "Feedback", 0.4, 0.0, 0.95, ""),
            p("mix", "Mix", 0.3, 0.0, 1.0, ""),
        ],
        tail_secs: 4.0,
    },
    EffectSpec {
        id: "reverb",
        legacy_name: Some("Reverb"),
        synthdef: "imbolc_reverb",
        label: "reverb",
        description: "Stereo room reverb (FreeVerb)",
        params: &[
            p("mix", "Mix", 0.33, 0.0, 1.0, ""),
            p("room", "Room", 0.6, 0.0, 1.0, ""),
            p("damp", "Damp", 0.5, 0.0, 1.0, ""),
        ],
        tail_secs: 6.0,
    },
];

/// The effect tables, one per family, in [`EffectFamily::ALL`] order.
const TABLES: &[(EffectFamily, &[EffectSpec])] =
    &[(EffectFamily::Time, TIME), (EffectFamily::Filter, FILTER), (EffectFamily::Mix, super::mix::MIX)];

catalog_kind!(
    /// A handle to an entry of the effect catalog.
    EffectKind,
    EffectSpec,
    EffectFamily,
    TABLES,
    "effect"
);

impl EffectKind {
    pub const LOW_PASS: EffectKind = EffectKind::at("low_pass");
    pub const DELAY: EffectKind = EffectKind::at("delay");
    pub const REVERB: EffectKind = EffectKind::at("reverb");
    pub const EQ12: EffectKind = EffectKind::at("eq12");
    pub const SIDECHAIN_COMPRESSOR: EffectKind = EffectKind::at("sidechain_compressor");
    pub const VOCODER: EffectKind = EffectKind::at("vocoder");
}
