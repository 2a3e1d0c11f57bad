//! What a removal took with it ([`RemovedInstrument`], [`RemovedBus`],
//! [`RemovedEffect`], [`RemovedClip`]), carried by the `Restore*`
//! [`crate::Action`]s that undo it.

use serde::{Deserialize, Serialize};

use crate::arrangement::Placement;
use crate::automation::AutomationLane;
use crate::diff::ChainOwner;
use crate::ids::InstrumentId;
use crate::instrument::{EffectSlot, Instrument};
use crate::midi::MidiMapping;
use crate::mixer::{Bus, MixerSettings};
use crate::notes::Clip;

/// Automation lanes and MIDI mappings that pointed at something removed;
/// kept so undo can put them back where they were.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dependents {
    pub lanes: Vec<AutomationLane>,
    /// Each mapping with its index in `Project::midi_mappings`, ascending.
    pub mappings: Vec<(usize, MidiMapping)>,
}

/// An instrument as it was removed, with everything that went with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemovedInstrument {
    /// Its position in the instrument order.
    pub index: usize,
    pub instrument: Instrument,
    pub clips: Vec<Clip>,
    pub placements: Vec<Placement>,
    pub dependents: Dependents,
}

/// A bus as it was removed, with the strips that sent or wrote to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemovedBus {
    pub index: usize,
    pub bus: Bus,
    /// Mixer settings, before the removal, of instruments that sent or
    /// wrote to the bus.
    pub mixers: Vec<(InstrumentId, MixerSettings)>,
    pub dependents: Dependents,
}

/// An effect as it was removed from its chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemovedEffect {
    pub owner: ChainOwner,
    pub index: usize,
    pub effect: EffectSlot,
    pub dependents: Dependents,
}

/// A clip as it was removed, with its placements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemovedClip {
    pub clip: Clip,
    pub placements: Vec<Placement>,
}
