//! The graph's own copy of the project, with the server nodes and buses
//! that realise each part of it.

use std::collections::HashMap;

use imbolc_types::{EffectId, EffectSlot, InstrumentDef, MasterSettings, MixerSettings, ParamSpec, SourceDef};

use crate::backend::{ControlName, NodeId, ServerOp};
use crate::synthdefs::custom::{ServerDef, server_def};

/// Control values as sent to one node, in a fixed order per SynthDef.
pub(super) type Controls = Vec<(ControlName, f32)>;

/// An in-place chain on one stereo bus: effects in order, then the strip.
/// Shared by instruments, aux buses and the master.
#[derive(Debug, Clone)]
pub(super) struct Chain {
    /// The group holding the chain (the instrument or bus group, or master).
    pub group: NodeId,
    /// First index of the chain's stereo audio bus.
    pub bus: u32,
    /// Effects in chain order (the source of truth for the order).
    pub effects: Vec<EffectSlot>,
    /// Node of every effect, by id.
    pub nodes: HashMap<EffectId, NodeId>,
    pub strip: NodeId,
    /// Strip controls as last sent, to send only what changed.
    pub strip_sent: Controls,
}

impl Chain {
    pub fn new(group: NodeId, bus: u32, strip: NodeId, effects: Vec<EffectSlot>) -> Self {
        Chain { group, bus, effects, nodes: HashMap::new(), strip, strip_sent: Vec::new() }
    }

    /// Position of an effect in the chain (chains are short: a scan is
    /// cheaper than keeping an index map in sync).
    pub fn position(&self, id: EffectId) -> Option<usize> {
        self.effects.iter().position(|e| e.id == id)
    }
}

/// The running LFO of an instrument: a control-rate synth writing a control
/// bus that one filter parameter is mapped to.
#[derive(Debug, Clone)]
pub(super) struct LfoNode {
    pub node: NodeId,
    pub cbus: u32,
    /// The filter control it modulates.
    pub target: ControlName,
    /// The filter node whose `target` is mapped, if any.
    pub mapped_on: Option<NodeId>,
    pub sent: Controls,
}

/// One instrument: its definition (effects live in `chain.effects`, so
/// `def.effects` is kept empty), mixer, and nodes.
#[derive(Debug, Clone)]
pub(super) struct InstrumentState {
    pub name: String,
    pub def: InstrumentDef,
    pub mixer: MixerSettings,
    pub chain: Chain,
    pub voices: NodeId,
    pub lfo_group: NodeId,
    pub filter: Option<NodeId>,
    pub lfo: Option<LfoNode>,
    /// Pitch bend in force, semitones: new voices start with it.
    pub bend: f32,
    /// Private stereo bus of per-voice filtering (`voice_filter.rs`),
    /// allocated the first time the mode is on.
    pub voice_bus: Option<u32>,
    /// The SynthDef its voices play.
    pub voice_def: VoiceDef,
    /// The persistent input node of an audio input instrument
    /// (`audio_input.rs`), and its controls as last sent.
    pub input: Option<NodeId>,
    pub input_sent: Controls,
}

/// The SynthDef an instrument's voices play.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum VoiceDef {
    /// A built-in def, loaded at boot.
    Catalog(&'static str),
    /// A user's def stored in the project, loaded with the instrument, and
    /// its parameters (made once here, not per note).
    Custom(ServerDef, Vec<ParamSpec>),
    /// A user's def that cannot play, and why: its voices stay silent.
    Broken(String),
}

impl VoiceDef {
    pub fn of(source: &SourceDef) -> VoiceDef {
        match &source.custom {
            None => VoiceDef::Catalog(source.kind.synthdef()),
            Some(custom) => match server_def(custom) {
                Ok(def) => VoiceDef::Custom(def, custom.specs()),
                Err(why) => VoiceDef::Broken(why),
            },
        }
    }

    /// The parameters of `source`, whose def this is.
    pub fn specs<'a>(&'a self, source: &SourceDef) -> &'a [ParamSpec] {
        match self {
            VoiceDef::Custom(_, specs) => specs,
            VoiceDef::Catalog(_) | VoiceDef::Broken(_) => source.kind.params(),
        }
    }

    /// The `/d_recv` that loads it (custom defs only).
    pub fn load_op(&self) -> Option<ServerOp> {
        match self {
            VoiceDef::Custom(def, _) => Some(ServerOp::DefRecv { name: def.name, bytes: def.bytes.clone() }),
            VoiceDef::Catalog(_) | VoiceDef::Broken(_) => None,
        }
    }
}

/// One aux bus (`effects` in `chain`).
#[derive(Debug, Clone)]
pub(super) struct BusState {
    pub name: String,
    pub mixer: MixerSettings,
    pub chain: Chain,
}

/// The master chain.
#[derive(Debug, Clone)]
pub(super) struct MasterState {
    pub settings: MasterSettings,
    pub chain: Chain,
}

/// The fixed groups under the root.
#[derive(Debug, Clone, Copy)]
pub(super) struct Roots {
    pub imbolc: NodeId,
    pub instruments: NodeId,
    pub buses: NodeId,
}

/// Where a node goes: after a node, or at the head of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Anchor {
    After(NodeId),
    Head(NodeId),
    Tail(NodeId),
}
