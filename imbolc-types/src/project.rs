//! [`Project`]: everything a project file holds. Plain data; all edits go
//! through `imbolc_core::dispatch`, which keeps the invariants listed on
//! [`Project`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::arrangement::Placement;
use crate::automation::AutomationLane;
use crate::diff::{AudioScene, ChainOwner};
use crate::ids::{BusId, ClipId, EffectId, IdCounters, InstrumentId, LaneId, PlacementId};
use crate::instrument::{EffectSlot, Instrument};
use crate::midi::MidiMapping;
use crate::mixer::{Bus, MasterSettings};
use crate::notes::Clip;
use crate::ordered::OrderedMap;
use crate::param::{MixerParam, ParamTarget};

/// Default tempo of a new project, in beats per minute.
pub const DEFAULT_TEMPO: f32 = 120.0;
/// Tempo range accepted by `SetParam(Tempo)`, in beats per minute.
pub const TEMPO_RANGE: (f32, f32) = (20.0, 999.0);

/// Beats per bar over the note value of one beat (4/4, 6/8, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeSignature {
    /// Beats per bar, 1..=32.
    pub numerator: u8,
    /// Note value of a beat: 1, 2, 4, 8, 16 or 32.
    pub denominator: u8,
}

impl Default for TimeSignature {
    fn default() -> Self {
        TimeSignature { numerator: 4, denominator: 4 }
    }
}

impl TimeSignature {
    /// Whether this signature can be shown and counted.
    pub fn is_valid(&self) -> bool {
        (1..=32).contains(&self.numerator) && matches!(self.denominator, 1 | 2 | 4 | 8 | 16 | 32)
    }
}

/// A whole project.
///
/// Invariants (kept by dispatch, checked by its tests):
/// - every map key equals the id inside its value;
/// - every id is below its counter in [`Project::ids`], so a fresh id is
///   never one already used;
/// - clips name an existing instrument, placements an existing clip; sends
///   and outputs name existing buses; at most one MIDI mapping per
///   `(channel, cc)`.
///
/// Equality compares the content, exactly and order-aware (instrument and
/// bus order matter). It leaves out the id counters: they are allocation
/// state that only grows, so that an id is never reused, and undo gives back
/// the same content with the counters where they are.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Project {
    pub name: String,
    /// Who made it: the artist tag of rendered FLAC, Ogg and MP3 files
    /// (empty: none). Older files have none.
    pub artist: String,
    /// Beats per minute.
    pub tempo: f32,
    pub time_signature: TimeSignature,
    /// Instruments in display (and server execution) order.
    pub instruments: OrderedMap<InstrumentId, Instrument>,
    /// Aux buses in display order.
    pub buses: OrderedMap<BusId, Bus>,
    pub master: MasterSettings,
    pub master_effects: Vec<EffectSlot>,
    pub clips: BTreeMap<ClipId, Clip>,
    pub placements: BTreeMap<PlacementId, Placement>,
    pub automation: BTreeMap<LaneId, AutomationLane>,
    pub midi_mappings: Vec<MidiMapping>,
    /// Where performance takes go (`take-folder`); `None`: a `takes/`
    /// folder beside the project file. Older files have none.
    pub take_folder: Option<String>,
    /// Bars of count-in (0, 1 or 2) before a take onto an audio track
    /// started while stopped. Older files have none (0).
    pub count_in_bars: u8,
    /// The clip launcher's slots and settings. Older files have none.
    pub launcher: crate::launcher::Launcher,
    /// Key, scale and tuning of every instrument without its own
    /// (`InstrumentDef::pitch`). Older files have C chromatic, 12-TET, A4 440.
    pub pitch: crate::tuning::PitchSettings,
    /// Generators by the clip whose notes they write (see
    /// [`crate::generate`]). Older files have none. A removed clip keeps
    /// its entry, so undoing the removal brings back a generator clip.
    pub generators: BTreeMap<ClipId, crate::generate::Generator>,
    /// Last, so a file from before id counters is the blob without it.
    pub ids: IdCounters,
}

impl PartialEq for Project {
    fn eq(&self, other: &Self) -> bool {
        // Destructured so a new field cannot be forgotten here.
        let Project {
            name,
            artist,
            tempo,
            time_signature,
            instruments,
            buses,
            master,
            master_effects,
            clips,
            placements,
            automation,
            midi_mappings,
            ids: _,
            take_folder,
            count_in_bars,
            launcher,
            pitch,
            generators,
        } = self;
        *name == other.name
            && *artist == other.artist
            && *tempo == other.tempo
            && *time_signature == other.time_signature
            && *instruments == other.instruments
            && *buses == other.buses
            && *master == other.master
            && *master_effects == other.master_effects
            && *clips == other.clips
            && *placements == other.placements
            && *automation == other.automation
            && *midi_mappings == other.midi_mappings
            && *take_folder == other.take_folder
            && *count_in_bars == other.count_in_bars
            && *launcher == other.launcher
            && *pitch == other.pitch
            && *generators == other.generators
    }
}

impl Default for Project {
    fn default() -> Self {
        Project {
            name: String::new(),
            artist: String::new(),
            tempo: DEFAULT_TEMPO,
            time_signature: TimeSignature::default(),
            instruments: OrderedMap::default(),
            buses: OrderedMap::default(),
            master: MasterSettings::default(),
            master_effects: Vec::new(),
            clips: BTreeMap::new(),
            placements: BTreeMap::new(),
            automation: BTreeMap::new(),
            midi_mappings: Vec::new(),
            take_folder: None,
            count_in_bars: 0,
            launcher: crate::launcher::Launcher::default(),
            pitch: crate::tuning::PitchSettings::default(),
            generators: BTreeMap::new(),
            ids: IdCounters::default(),
        }
    }
}

impl Project {
    /// An empty project called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Project { name: name.into(), ..Project::default() }
    }

    /// The effect chain of `owner`, if the owner exists.
    pub fn chain(&self, owner: ChainOwner) -> Option<&Vec<EffectSlot>> {
        match owner {
            ChainOwner::Instrument(id) => self.instruments.get(&id).map(|i| &i.def.effects),
            ChainOwner::Bus(id) => self.buses.get(&id).map(|b| &b.effects),
            ChainOwner::Master => Some(&self.master_effects),
        }
    }

    /// The effect chain of `owner` for editing, if the owner exists.
    pub fn chain_mut(&mut self, owner: ChainOwner) -> Option<&mut Vec<EffectSlot>> {
        match owner {
            ChainOwner::Instrument(id) => self.instruments.get_mut(&id).map(|i| &mut i.def.effects),
            ChainOwner::Bus(id) => self.buses.get_mut(&id).map(|b| &mut b.effects),
            ChainOwner::Master => Some(&mut self.master_effects),
        }
    }

    /// Everything the audio thread needs to build its graph from nothing.
    /// The one whole-project message: used on open and after a server
    /// restart, never per edit.
    pub fn audio_scene(&self) -> AudioScene {
        AudioScene {
            instruments: self.instruments.values().cloned().collect(),
            buses: self.buses.values().cloned().collect(),
            master: self.master.clone(),
            master_effects: self.master_effects.clone(),
            tempo: self.tempo,
            time_signature: self.time_signature,
            clips: self.clips.values().cloned().collect(),
            placements: self.placements.values().copied().collect(),
            automation: self.automation.values().cloned().collect(),
            pitch: self.pitch.clone(),
        }
    }

    /// The key, scale and tuning `instrument` plays in: its own, else the
    /// project's.
    pub fn pitch_of(&self, instrument: InstrumentId) -> &crate::tuning::PitchSettings {
        self.instruments.get(&instrument).and_then(|i| i.def.pitch.as_ref()).unwrap_or(&self.pitch)
    }

    /// Number of notes in all clips (for status lines and benches).
    pub fn note_count(&self) -> usize {
        self.clips.values().map(|c| c.notes.len()).sum()
    }
}

impl ParamTarget {
    /// The instrument this target belongs to, if any (effects on an
    /// instrument's chain included).
    pub fn instrument(&self) -> Option<InstrumentId> {
        match self {
            ParamTarget::Source { instrument, .. }
            | ParamTarget::Envelope { instrument, .. }
            | ParamTarget::Filter { instrument, .. }
            | ParamTarget::Lfo { instrument, .. }
            | ParamTarget::Mixer { instrument, .. } => Some(*instrument),
            ParamTarget::Effect { owner: ChainOwner::Instrument(instrument), .. } => Some(*instrument),
            _ => None,
        }
    }

    /// Whether this target stops existing when bus `bus` is removed: the
    /// bus's own strip and effects, and every send to it.
    pub fn depends_on_bus(&self, bus: BusId) -> bool {
        match self {
            ParamTarget::BusMixer { bus: b, .. } => *b == bus,
            ParamTarget::Effect { owner: ChainOwner::Bus(b), .. } => *b == bus,
            ParamTarget::Mixer { param: MixerParam::Send(b), .. } => *b == bus,
            _ => false,
        }
    }

    /// The effect this target addresses, if any.
    pub fn effect(&self) -> Option<EffectId> {
        match self {
            ParamTarget::Effect { effect, .. } => Some(*effect),
            _ => None,
        }
    }
}
