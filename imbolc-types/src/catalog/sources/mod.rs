//! Sound sources: what makes an instrument's voices. One SynthDef per
//! entry (`synthdefs/voices/<family>/<id>.scd`), listed here by family.

mod experimental;
mod fm;
mod mallets;
mod oscillators;
mod physical;
mod subtractive;
mod synthesis;

use super::ParamSpec;
use super::kind::catalog_kind;
use crate::instrument::EnvelopeDef;

/// Groups of sources, in picker order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceFamily {
    /// Classic waveforms and noise.
    Oscillator,
    /// Frequency, phase and ring modulation.
    Fm,
    /// Oscillators through filters: basses, pads, leads, keys.
    Subtractive,
    /// Strings, pipes and drum heads modelled physically.
    Physical,
    /// Struck bars, tines and bells (modal synthesis).
    Mallet,
    /// Additive, wavetable, granular and pulse-train synthesis.
    Synthesis,
    /// Stochastic and chaotic generators.
    Experimental,
}

impl SourceFamily {
    /// Every family, in picker order.
    pub const ALL: [SourceFamily; 7] = [
        SourceFamily::Oscillator,
        SourceFamily::Fm,
        SourceFamily::Subtractive,
        SourceFamily::Physical,
        SourceFamily::Mallet,
        SourceFamily::Synthesis,
        SourceFamily::Experimental,
    ];

    /// Heading in the picker and the docs.
    pub fn label(self) -> &'static str {
        match self {
            SourceFamily::Oscillator => "Oscillators",
            SourceFamily::Fm => "FM and modulation",
            SourceFamily::Subtractive => "Subtractive",
            SourceFamily::Physical => "Physical models",
            SourceFamily::Mallet => "Mallets",
            SourceFamily::Synthesis => "Synthesis",
            SourceFamily::Experimental => "Experimental",
        }
    }

    /// Folder of its `.scd` files under `synthdefs/voices/`.
    pub fn folder(self) -> &'static str {
        match self {
            SourceFamily::Oscillator => "oscillators",
            SourceFamily::Fm => "fm",
            SourceFamily::Subtractive => "subtractive",
            SourceFamily::Physical => "physical",
            SourceFamily::Mallet => "mallets",
            SourceFamily::Synthesis => "synthesis",
            SourceFamily::Experimental => "experimental",
        }
    }

    /// The amplitude envelope a new instrument of this family starts with
    /// (sources that need another one declare their own).
    pub const fn default_envelope(self) -> EnvelopeDef {
        let (attack, decay, sustain, release) = match self {
            SourceFamily::Oscillator => (0.01, 0.2, 0.7, 0.3),
            SourceFamily::Fm => (0.005, 0.6, 0.5, 0.4),
            SourceFamily::Subtractive => (0.01, 0.3, 0.7, 0.3),
            // Plucked and struck: the sound decays by itself while held.
            SourceFamily::Physical => (0.001, 6.0, 0.0, 0.3),
            SourceFamily::Mallet => (0.001, 3.0, 0.0, 0.5),
            SourceFamily::Synthesis | SourceFamily::Experimental => (0.01, 0.3, 0.8, 0.4),
        };
        EnvelopeDef { attack, decay, sustain, release }
    }
}

/// Everything the rest of Imbolc knows about a source.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SourceSpec {
    /// Stable id stored in project files (never changes once released).
    pub id: &'static str,
    /// The enum variant name files written before the table existed used.
    pub legacy_name: Option<&'static str>,
    pub synthdef: &'static str,
    /// Name shown to the user.
    pub label: &'static str,
    /// One line for the picker and the docs.
    pub description: &'static str,
    /// Per-voice parameters: `amp` first, then 2–6 that shape the timbre.
    pub params: &'static [ParamSpec],
    /// Whether it plays the note's pitch (checked within 15 cents); noise
    /// and chaotic sources are not.
    pub pitched: bool,
    /// Envelope of a new instrument (its family's, unless it needs its own).
    pub envelope: EnvelopeDef,
    /// Id of the parameter the mod wheel (CC 1) moves by default.
    pub timbre: &'static str,
}

impl SourceSpec {
    /// The spec of the parameter the mod wheel moves.
    pub fn timbre_param(&self) -> Option<&'static ParamSpec> {
        super::find_param(self.params, self.timbre)
    }
}

/// The source tables, one per family, in [`SourceFamily::ALL`] order.
const TABLES: &[(SourceFamily, &[SourceSpec])] = &[
    (SourceFamily::Oscillator, oscillators::SOURCES),
    (SourceFamily::Fm, fm::SOURCES),
    (SourceFamily::Subtractive, subtractive::SOURCES),
    (SourceFamily::Physical, physical::SOURCES),
    (SourceFamily::Mallet, mallets::SOURCES),
    (SourceFamily::Synthesis, synthesis::SOURCES),
    (SourceFamily::Experimental, experimental::SOURCES),
];

catalog_kind!(
    /// What makes the sound of an instrument: a handle to an entry of the
    /// source catalog.
    SourceKind,
    SourceSpec,
    SourceFamily,
    TABLES,
    "source"
);

impl SourceKind {
    pub const SAW: SourceKind = SourceKind::at("saw");
    pub const SINE: SourceKind = SourceKind::at("sine");
    pub const SQUARE: SourceKind = SourceKind::at("square");

    /// Whether it plays the note's pitch.
    pub fn pitched(self) -> bool {
        self.spec().pitched
    }

    /// The sources of one family, in picker order.
    pub fn of_family(family: SourceFamily) -> impl Iterator<Item = SourceKind> {
        Self::ALL.into_iter().filter(move |k| k.family() == family)
    }
}
