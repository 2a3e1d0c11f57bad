//! Plain data shared by every Imbolc crate, with no behaviour beyond
//! construction and lookup.
//!
//! - [`ids`]: stable id newtypes and the counters that allocate them.
//! - [`catalog`]: the one list of sources, effects and their parameters
//!   (stable string ids, defaults, ranges, SynthDef names).
//! - [`instrument`]: what an instrument *is* ([`InstrumentDef`]).
//! - [`mixer`]: how it is set *now* ([`MixerSettings`]), plus the master.
//! - [`param`]: [`ParamTarget`], the address of any automatable value.
//! - [`diff`]: [`AudioDiff`], the facts the audio thread applies.

pub mod catalog;
pub mod diff;
pub mod ids;
pub mod instrument;
pub mod mixer;
pub mod param;

pub use catalog::{EffectKind, FilterKind, ParamSpec, SourceKind};
pub use diff::{AudioDiff, AudioScene, ChainOwner, InstrumentSnapshot};
pub use ids::{BusId, ClipId, EffectId, IdCounters, InstrumentId, LaneId, NoteId, PlacementId};
pub use instrument::{
    EffectSlot, EnvelopeDef, FilterDef, Instrument, InstrumentDef, LfoDef, LfoShape, Params, SourceDef, StealStrategy,
    VoiceSettings,
};
pub use mixer::{Bus, MasterSettings, MixerSettings, OutputTarget, SendSettings};
pub use param::{EnvelopeStage, LfoParam, MixerParam, ParamTarget};
