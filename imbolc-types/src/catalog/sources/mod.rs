//! Sound sources: what makes an instrument's voices. One SynthDef per
//! entry (`synthdefs/voices/<family>/<id>.scd`), listed here by family.

mod oscillators;

use super::ParamSpec;
use super::kind::catalog_kind;
use crate::instrument::EnvelopeDef;

/// Groups of sources, in picker order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceFamily {
    /// Classic waveforms and noise.
    Oscillator,
}

impl SourceFamily {
    /// Every family, in picker order.
    pub const ALL: [SourceFamily; 1] = [SourceFamily::Oscillator];

    /// Heading in the picker and the docs.
    pub fn label(self) -> &'static str {
        match self {
            SourceFamily::Oscillator => "Oscillators",
        }
    }

    /// Folder of its `.scd` files under `synthdefs/voices/`.
    pub fn folder(self) -> &'static str {
        match self {
            SourceFamily::Oscillator => "oscillators",
        }
    }

    /// The amplitude envelope a new instrument of this family starts with.
    pub const fn default_envelope(self) -> EnvelopeDef {
        match self {
            SourceFamily::Oscillator => EnvelopeDef { attack: 0.01, decay: 0.2, sustain: 0.7, release: 0.3 },
        }
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
const TABLES: &[(SourceFamily, &[SourceSpec])] = &[(SourceFamily::Oscillator, oscillators::SOURCES)];

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
