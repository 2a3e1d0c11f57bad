//! The one catalog of sound sources, filters and effects: their stable ids,
//! families, descriptions, parameters (ids, defaults, ranges) and the
//! SynthDef that plays each. The UI pickers, docs/sounds.md, automation
//! targets, MIDI learn and the sound check all read it; a new sound is one
//! `.scd` plus one entry in a table here.
//!
//! - [`param`]: [`ParamSpec`], one parameter.
//! - [`sources`]: [`SourceKind`] and its tables by [`SourceFamily`].
//! - [`filters`]: [`FilterKind`], the instrument filter slot.
//! - [`effects`]: [`EffectKind`], with each effect's declared tail.
//! - [`mix`]: the mixing effects (12-band EQ and its response curve).
//!
//! Ids (of entries and parameters) are persisted, automated and MIDI-mapped,
//! so they never change once released. A test in `imbolc-audio` checks every
//! parameter id here is a control of the compiled `.scsyndef` it names.

pub mod effects;
pub mod filters;
pub(crate) mod kind;
pub mod mix;
pub mod param;
pub mod sources;

pub use effects::{EffectFamily, EffectKind, EffectSpec};
pub use filters::{FilterFamily, FilterKind, FilterSpec};
pub use param::{ParamScale, ParamSpec, SyncUnit, find_param};
pub use sources::{SourceFamily, SourceKind, SourceSpec};

/// Controls every built-in voice SynthDef has besides its own parameters:
/// the envelope stages are set from [`crate::EnvelopeDef`]; `bend`
/// (semitones), `glide` (seconds) and `seed` (of its random generators)
/// from the voice settings and the note; `done` is what the envelope's end
/// frees (2 the voice, 14 its per-voice group: see the filter envelope).
pub const VOICE_CONTROLS: [&str; 13] =
    ["out", "freq", "amp", "vel", "gate", "attack", "decay", "sustain", "release", "bend", "glide", "seed", "done"];

/// The voice controls a user's SynthDef must have to be played as a source;
/// the others are used when present.
pub const REQUIRED_VOICE_CONTROLS: [&str; 3] = ["out", "freq", "gate"];

/// SynthDef of the instrument and bus channel strip (in, out, level, pan,
/// mute, id, send0bus..send3bus, send0..send3).
pub const STRIP_SYNTHDEF: &str = "imbolc_strip";
/// SynthDef of the master strip (in, out, level, mute, id, limit,
/// ceiling): the master limiter is its last stage.
pub const MASTER_SYNTHDEF: &str = "imbolc_master";
/// SynthDef of the control-rate LFO (out, rate, depth, center, shape).
pub const LFO_SYNTHDEF: &str = "imbolc_lfo";
/// How many sends a strip carries.
pub const MAX_SENDS: usize = 4;

#[cfg(test)]
mod tests;
