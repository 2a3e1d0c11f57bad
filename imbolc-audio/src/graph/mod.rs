//! [`SignalGraph`]: turns [`AudioDiff`]s into minimal batches of
//! [`ServerOp`]s, keeping its own copy of what it needs.
//!
//! Tree on the server (node ids from [`GraphConfig::first_node_id`], never
//! reused):
//!
//! ```text
//! root(0)
//! └─ imbolc
//!    ├─ instruments
//!    │   └─ inst:<id>   voices (group), lfo (group), filter, fx…, strip
//!    ├─ buses
//!    │   └─ bus:<id>    fx…, strip
//!    └─ master          fx…, master strip (writes the hardware outputs)
//! ```
//!
//! Every chain owns one stereo audio bus: voices `Out` to it, the filter
//! and effects `ReplaceOut` it in place, and the strip reads it and writes
//! its output target and sends. A disabled filter or effect keeps its node,
//! paused with `/n_run 0`, which lets the bus pass unchanged. While an
//! instrument's filter envelope or key tracking is on, each note is a group
//! in `voices` with its own filter and the shared filter is paused (see
//! `voice_filter.rs`).
//!
//! Costs, in messages: add, remove, move or bypass an effect is one; a
//! parameter change is one `/n_set` (per-voice parameters go to the
//! `voices` group so sounding notes follow); mixer changes are `/n_set`s on
//! strips whose controls actually changed; adding or removing an instrument
//! touches only its group and bus (plus, when it changes whether anything
//! is soloed, the strips whose effective mute flips).
//!
//! Tempo sync: an effect parameter synced to a note division gets the
//! division's value at the graph's tempo; a tempo change is one `/n_set`
//! per effect node with a synced parameter, and touches nothing else.
//!
//! Solo: instruments and aux buses are separate solo domains. A strip's
//! effective mute is `mute || (any_solo_in_its_domain && !solo)`.
//!
//! Sends: the strip's send slots carry, in order, the sends of
//! `mixer.sends` whose level is above 0 and whose bus exists; unused slots
//! write level 0 to the master bus. So a send at level 0 or to a removed
//! bus costs nothing and equal mixes give equal trees. `mixer.sends` holds
//! at most [`imbolc_types::catalog::MAX_SENDS`] entries (a `SendSet` to a
//! new bus beyond that is [`GraphError::NoSendSlot`]). An output to a
//! missing bus goes to the master.

mod alloc;
mod apply;
mod audio_clip;
mod audio_input;
#[cfg(test)]
mod audio_input_tests;
mod automate;
mod build;
mod buses;
mod click;
mod convolution;
mod drums;
mod effects;
mod instrument;
mod keys;
mod lfo;
mod params;
mod sampler;
mod state;
mod strip;
mod sync;
#[cfg(test)]
mod sync_tests;
#[cfg(test)]
mod tests;
mod tuning;
mod voice;
mod voice_filter;
#[cfg(test)]
mod voice_filter_tests;

use std::collections::HashMap;

use imbolc_types::{AudioScene, BusId, ChainOwner, EffectId, InstrumentId};

pub use alloc::BusAllocator;
pub use audio_clip::audio_clip_controls;
pub use audio_input::AUDIO_IN_SYNTHDEF;
pub use convolution::{FFT_SIZE as CONVOLUTION_FFT_SIZE, spectral_frames};
pub use drums::{FIRST_PAD_NOTE, FIRST_SAMPLE_BUFFER, pad_of_note};
pub use sampler::zone_voice_controls;
pub use strip::meter_id;

use crate::backend::NodeId;
use alloc::NodeIds;
use state::{BusState, InstrumentState, MasterState, Roots};

/// Server resources the graph may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GraphConfig {
    /// First audio bus not used by hardware inputs/outputs.
    pub first_private_bus: u32,
    /// First control bus the graph may use (for LFOs).
    pub first_control_bus: u32,
    /// First node id the graph allocates.
    pub first_node_id: i32,
    /// Hardware output bus the master strip writes (stereo).
    pub hardware_out: u32,
}

impl Default for GraphConfig {
    /// scsynth defaults: 8 outputs + 8 inputs, so private buses start at 16.
    fn default() -> Self {
        GraphConfig { first_private_bus: 16, first_control_bus: 0, first_node_id: 1000, hardware_out: 0 }
    }
}

/// A diff that does not fit the graph's copy of the project. Nothing was
/// changed and nothing needs sending; the sender's state and the audio
/// thread's copy disagree, so the caller should log it and rebuild from
/// the project (`AudioDiff::SceneLoaded`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GraphError {
    #[error("unknown instrument {0}")]
    UnknownInstrument(InstrumentId),
    #[error("instrument {0} already exists")]
    DuplicateInstrument(InstrumentId),
    #[error("unknown bus {0}")]
    UnknownBus(BusId),
    #[error("bus {0} already exists")]
    DuplicateBus(BusId),
    #[error("unknown effect {effect} in {owner:?}")]
    UnknownEffect { owner: ChainOwner, effect: EffectId },
    #[error("effect {0} already exists in this chain")]
    DuplicateEffect(EffectId),
    /// The parameter id is not in the catalog for that slot.
    #[error("unknown parameter {0:?}")]
    UnknownParam(String),
    #[error("instrument {0} has no filter")]
    NoFilter(InstrumentId),
    /// Every send slot of the strip is taken by other buses.
    #[error("no free send slot for bus {0}")]
    NoSendSlot(BusId),
    /// A move or insert asked to place something after itself.
    #[error("cannot place an item after itself")]
    AfterItself,
    /// A drum hit or pad edit for an instrument without a kit, or a pad
    /// (or sample buffer) it does not have.
    #[error("instrument {0} has no such drum pad")]
    NotADrumKit(InstrumentId),
    /// Audio input settings for an instrument that is not an audio input,
    /// or a note for one (it plays its input, not notes).
    #[error("instrument {0} is an audio input (or is not one, for input settings)")]
    NotAnAudioInput(InstrumentId),
    /// A note on a sampler that no zone holds (or a zone edit out of range).
    #[error("instrument {0} has no sampler zone for that")]
    NoSamplerZone(InstrumentId),
    /// The instrument's custom SynthDef could not be read; it stays silent.
    #[error("instrument {0}'s SynthDef is broken: {1}")]
    BrokenSource(InstrumentId, String),
    /// An audio clip on an instrument that is not an audio track, or whose
    /// sample has no buffer (it plays nothing).
    #[error("instrument {0} cannot play that audio clip")]
    NoAudioClip(InstrumentId),
}

/// The incremental signal graph. See the module docs for the tree and the
/// costs it guarantees.
///
/// Lookups are by id in hash maps, so applying a diff costs the same with 1
/// or 1000 instruments (only solo changes and bus add/remove revisit every
/// strip, and they send only what changed).
#[derive(Debug, Clone)]
pub struct SignalGraph {
    config: GraphConfig,
    node_ids: NodeIds,
    audio_buses: BusAllocator,
    control_buses: BusAllocator,
    roots: Roots,
    instruments: HashMap<InstrumentId, InstrumentState>,
    order: Vec<InstrumentId>,
    buses: HashMap<BusId, BusState>,
    bus_order: Vec<BusId>,
    master: MasterState,
    /// Number of soloed instruments / buses.
    inst_solos: usize,
    bus_solos: usize,
    /// Buffers of sample pads.
    samples: drums::SampleBuffers,
    /// The sample of each audio clip (see `audio_clip.rs`).
    audio_clips: HashMap<imbolc_types::ClipId, imbolc_types::SampleRef>,
    /// The tempo synced effect parameters follow (bpm, always positive);
    /// playback keeps it equal to the scheduler's (see `sync.rs`).
    tempo: f32,
    /// The project's key, scale and tuning (see `tuning.rs`).
    pitch: imbolc_types::PitchSettings,
}

impl SignalGraph {
    /// A graph for `scene` and the ops that create it on an empty server.
    pub fn build(config: GraphConfig, scene: &AudioScene) -> (SignalGraph, Vec<crate::backend::ServerOp>) {
        let mut graph = SignalGraph::empty(config);
        graph.audio_clips_loaded(&scene.clips);
        let ops = graph.build_scene(scene);
        let ops = graph.attach_irs(ops);
        (graph, ops)
    }

    /// The ops that recreate the whole graph on a fresh server (after a
    /// server restart), from the graph's own copy. Node ids are new; buses
    /// are allocated afresh.
    pub fn rebuild(&mut self) -> Vec<crate::backend::ServerOp> {
        let scene = self.scene();
        let ops = self.build_scene(&scene);
        self.attach_irs(ops)
    }

    /// The graph's copy of the project, as a scene (e.g. to rebuild). The
    /// timeline fields (clips, automation…) are left at their defaults:
    /// the graph does not keep them. The tempo is the one synced effect
    /// parameters follow.
    pub fn scene(&self) -> AudioScene {
        let instruments = self
            .order
            .iter()
            .filter_map(|id| {
                let st = self.instruments.get(id)?;
                let mut def = st.def.clone();
                def.effects = st.chain.effects.clone();
                Some(imbolc_types::Instrument { id: *id, name: st.name.clone(), def, mixer: st.mixer.clone() })
            })
            .collect();
        let buses = self
            .bus_order
            .iter()
            .filter_map(|id| {
                let st = self.buses.get(id)?;
                Some(imbolc_types::Bus {
                    id: *id,
                    name: st.name.clone(),
                    effects: st.chain.effects.clone(),
                    mixer: st.mixer.clone(),
                })
            })
            .collect();
        AudioScene {
            instruments,
            buses,
            master: self.master.settings.clone(),
            master_effects: self.master.chain.effects.clone(),
            tempo: self.tempo,
            pitch: self.pitch.clone(),
            ..AudioScene::default()
        }
    }

    /// The graph's top group (child of root 0); freeing it frees everything.
    pub fn imbolc_group(&self) -> NodeId {
        self.roots.imbolc
    }

    /// The group of an instrument.
    pub fn instrument_group(&self, id: InstrumentId) -> Option<NodeId> {
        self.instruments.get(&id).map(|s| s.chain.group)
    }

    /// The `voices` group of an instrument (per-voice `/n_set`s go here).
    pub fn voices_group(&self, id: InstrumentId) -> Option<NodeId> {
        self.instruments.get(&id).map(|s| s.voices)
    }

    /// The input node of an audio input instrument.
    pub fn input_node(&self, id: InstrumentId) -> Option<NodeId> {
        self.instruments.get(&id).and_then(|s| s.input)
    }

    /// The filter node of an instrument, if it has a filter.
    pub fn filter_node(&self, id: InstrumentId) -> Option<NodeId> {
        self.instruments.get(&id).and_then(|s| s.filter)
    }

    /// The audio bus (first of two) of an instrument's chain.
    pub fn instrument_bus(&self, id: InstrumentId) -> Option<u32> {
        self.instruments.get(&id).map(|s| s.chain.bus)
    }

    /// The node of an effect.
    pub fn effect_node(&self, owner: ChainOwner, effect: EffectId) -> Option<NodeId> {
        self.chain(owner).ok().and_then(|c| c.nodes.get(&effect).copied())
    }

    /// The strip node of a chain.
    pub fn strip_node(&self, owner: ChainOwner) -> Option<NodeId> {
        self.chain(owner).ok().map(|c| c.strip)
    }

    /// The group of an aux bus.
    pub fn bus_group(&self, id: BusId) -> Option<NodeId> {
        self.buses.get(&id).map(|s| s.chain.group)
    }

    /// The audio bus of an aux bus's chain (what its sends write).
    pub fn aux_bus_index(&self, id: BusId) -> Option<u32> {
        self.buses.get(&id).map(|s| s.chain.bus)
    }

    /// A fresh node id for a node the engine places itself (the recorder).
    pub(crate) fn allocate_node(&mut self) -> NodeId {
        self.node_ids.next_id()
    }

    /// The master bus the master strip reads.
    pub fn master_bus(&self) -> u32 {
        self.master.chain.bus
    }

    /// The audio bus allocator (e.g. to check that buses are reused).
    pub fn audio_buses(&self) -> &BusAllocator {
        &self.audio_buses
    }

    /// The highest audio bus, control bus and sample buffer numbers in use
    /// (one past the last), for sizing the server.
    pub fn resource_high_water(&self) -> (u32, u32, u32) {
        (self.audio_buses.high_water(), self.control_buses.high_water(), self.samples.high_water())
    }

    /// Instruments in server order.
    pub fn instrument_order(&self) -> &[InstrumentId] {
        &self.order
    }
}
