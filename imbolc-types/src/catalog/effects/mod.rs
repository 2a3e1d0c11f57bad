//! Effects: in-place processors in an instrument's, a bus's or the
//! master's chain. One SynthDef per entry under `synthdefs/fx/<family>/`,
//! listed here by family (one file each).
//!
//! Time parameters (delay times, LFO rates) are in seconds and Hz; those
//! marked `tempo_sync` can follow the tempo as a note division.

mod distortion;
mod dynamics;
mod eq;
mod filter;
mod modulation;
mod other;
mod pitch;
mod stereo;
mod time;

use super::ParamSpec;
use super::kind::catalog_kind;

/// Groups of effects, in picker order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EffectFamily {
    /// Delays and reverbs.
    Time,
    /// Compressors, gates, expanders, transient shapers.
    Dynamics,
    /// Chorus, flanger, phaser, tremolo and other LFO-driven effects.
    Modulation,
    /// Saturation, clipping and digital degradation.
    Distortion,
    /// Tone shaping with few knobs.
    Eq,
    /// Width and mid/side.
    Stereo,
    /// Pitch, frequency and spectral processing.
    Pitch,
    /// Everything else: granular, lo-fi, cabinet, utilities.
    Other,
    /// The instrument filters used as effects.
    Filter,
    /// Mixing tools: the 12-band EQ and the effects a key input drives
    /// (see `catalog/mix.rs`).
    Mix,
}

impl EffectFamily {
    /// Every family, in picker order.
    pub const ALL: [EffectFamily; 10] = [
        EffectFamily::Time,
        EffectFamily::Dynamics,
        EffectFamily::Modulation,
        EffectFamily::Distortion,
        EffectFamily::Eq,
        EffectFamily::Stereo,
        EffectFamily::Pitch,
        EffectFamily::Other,
        EffectFamily::Filter,
        EffectFamily::Mix,
    ];

    /// Heading in the picker and the docs.
    pub fn label(self) -> &'static str {
        match self {
            EffectFamily::Time => "Delay and reverb",
            EffectFamily::Dynamics => "Dynamics",
            EffectFamily::Modulation => "Modulation",
            EffectFamily::Distortion => "Distortion",
            EffectFamily::Eq => "EQ",
            EffectFamily::Stereo => "Stereo",
            EffectFamily::Pitch => "Pitch and spectrum",
            EffectFamily::Other => "Other",
            EffectFamily::Filter => "Filters",
            EffectFamily::Mix => "Mixing: EQ, limiter, sidechain",
        }
    }

    /// Folder of its `.scd` files under `synthdefs/fx/`.
    pub fn folder(self) -> &'static str {
        match self {
            EffectFamily::Time => "time",
            EffectFamily::Dynamics => "dynamics",
            EffectFamily::Modulation => "modulation",
            EffectFamily::Distortion => "distortion",
            EffectFamily::Eq => "eq",
            EffectFamily::Stereo => "stereo",
            EffectFamily::Pitch => "pitch",
            EffectFamily::Other => "other",
            EffectFamily::Filter => "filter",
            EffectFamily::Mix => "mix",
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
    /// A gain stage by definition (utility gain): allowed to raise the
    /// level by more than 6 dB over its input.
    pub gain_stage: bool,
}

/// An effect entry with no gain stage (the table shorthand).
pub(super) const fn fx(
    id: &'static str,
    synthdef: &'static str,
    label: &'static str,
    description: &'static str,
    params: &'static [ParamSpec],
    tail_secs: f32,
) -> EffectSpec {
    EffectSpec { id, legacy_name: None, synthdef, label, description, params, tail_secs, gain_stage: false }
}

/// The effect tables, one per family, in [`EffectFamily::ALL`] order.
const TABLES: &[(EffectFamily, &[EffectSpec])] = &[
    (EffectFamily::Time, time::EFFECTS),
    (EffectFamily::Dynamics, dynamics::EFFECTS),
    (EffectFamily::Modulation, modulation::EFFECTS),
    (EffectFamily::Distortion, distortion::EFFECTS),
    (EffectFamily::Eq, eq::EFFECTS),
    (EffectFamily::Stereo, stereo::EFFECTS),
    (EffectFamily::Pitch, pitch::EFFECTS),
    (EffectFamily::Other, other::EFFECTS),
    (EffectFamily::Filter, filter::EFFECTS),
    (EffectFamily::Mix, super::mix::MIX),
];

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

    /// Seconds its output may go on after its input stops, at defaults.
    pub fn tail_secs(self) -> f32 {
        self.spec().tail_secs
    }

    /// The effects of one family, in picker order.
    pub fn of_family(family: EffectFamily) -> impl Iterator<Item = EffectKind> {
        Self::ALL.into_iter().filter(move |k| k.family() == family)
    }
}
