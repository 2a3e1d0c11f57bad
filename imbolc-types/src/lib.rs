//! Plain data shared by every Imbolc crate, with no behaviour beyond
//! construction and lookup.
//!
//! - [`ids`]: stable id newtypes and the counters that allocate them.
//! - [`catalog`]: the one list of sources, filters, effects and their
//!   parameters (stable string ids, families, descriptions, defaults,
//!   ranges, SynthDef names).
//! - [`instrument`]: what an instrument *is* ([`InstrumentDef`]), its source
//!   a catalog entry or a user's own SynthDef ([`custom`]).
//! - [`mixer`]: how it is set *now* ([`MixerSettings`]), plus the master.
//! - [`param`]: [`ParamTarget`], the address of any automatable value.
//! - [`diff`]: [`AudioDiff`], the facts the audio thread applies.
//! - [`project`]: [`Project`], everything a project file holds, built from
//!   [`ordered`] maps, [`notes`] (clips), [`arrangement`] (placements),
//!   [`automation`] lanes (with [`curve`] segments) and [`midi`] CC mappings.
//! - [`action`]: [`Action`], the intents `imbolc_core::dispatch` applies.
//! - [`audio_clip`]: audio tracks' clips (a stored sample, offset, gain, fades).
//! - [`audio_input`]: the audio input source (hardware inputs or a bus).
//! - [`drums`]: drum kits (pads) and drum patterns (step clips).
//! - [`sample`]: [`SampleRef`], a sample in the project file's store.
//! - [`sampler`]: pitched multi-sample instruments (zones).
//! - [`filter_env`]: the filter slot's per-voice envelope and key tracking.
//! - [`layer`]: layers, instruments that double a lead's notes.
//! - [`launcher`]: the clip launcher's slots, scenes and launch quantization.
//! - [`performance`]: the launches a run of the transport took, for capture.
//! - [`tuning`]: key, scale and tuning ([`PitchSettings`]): MIDI note to Hz.
//! - [`sync`]: [`NoteDivision`], the note length a tempo-synced effect
//!   parameter follows.

pub mod action;
mod action_removed;
pub mod arrangement;
pub mod audio_clip;
pub mod audio_input;
pub mod automation;
pub mod catalog;
pub mod curve;
pub mod custom;
pub mod diff;
pub mod drums;
pub mod filter_env;
pub mod generate;
pub mod ids;
pub mod instrument;
pub mod launcher;
pub mod layer;
pub mod midi;
pub mod mixer;
pub mod note_columns;
pub mod notes;
pub mod ordered;
pub mod pads;
pub mod param;
pub mod performance;
pub mod project;
pub mod sample;
pub mod sampler;
pub mod shared_notes;
pub mod sync;
pub mod transform;
pub mod tuning;

pub use action::{Action, Dependents, RemovedBus, RemovedClip, RemovedEffect, RemovedInstrument};
pub use arrangement::Placement;
pub use audio_clip::{AudioRegion, TrackInput};
pub use audio_input::{AudioInputDef, InputSource};
pub use automation::AutomationLane;
pub use catalog::{EffectKind, FilterKind, ParamSpec, SourceFamily, SourceKind};
pub use curve::Curve;
pub use custom::{CustomParam, CustomSource};
pub use diff::{AudioDiff, AudioScene, ChainOwner, InstrumentSnapshot};
pub use drums::{DrumKit, DrumPad, DrumPattern, DrumStep, DrumVoice, PadSound, StepDelta, StepKey, StepResolution};
pub use filter_env::FilterEnvDef;
pub use generate::{GeneratedClip, Generator};
pub use ids::{BusId, ClipId, EffectId, IdCounters, InstrumentId, LaneId, NoteId, PlacementId};
pub use instrument::{
    EffectSlot, EnvelopeDef, FilterDef, Instrument, InstrumentDef, LfoDef, LfoShape, Params, SourceDef, StealStrategy,
    VoiceSettings,
};
pub use launcher::{FollowAction, FollowKind, LaunchQuantize, LaunchTarget, Launcher, Slot};
pub use layer::LayerLink;
pub use midi::{MidiCurve, MidiMapping};
pub use mixer::{Bus, MasterSettings, MixerSettings, OutputTarget, SendSettings};
pub use notes::{Clip, Note, NoteDelta, TICKS_PER_QUARTER, Tick};
pub use ordered::OrderedMap;
pub use pads::{PadControl, PadLayout, PadMapping, PadState, PadTarget};
pub use param::{EnvelopeStage, LfoParam, MixerParam, ParamTarget};
pub use performance::{Performance, Taken};
pub use project::{Project, TimeSignature};
pub use sample::{SampleFormat, SampleRef};
pub use shared_notes::Notes;
pub use sync::NoteDivision;
pub use tuning::{Key, PitchSettings, Scale, TuningSystem};
