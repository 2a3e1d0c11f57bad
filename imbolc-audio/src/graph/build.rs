//! Building the whole graph from a scene: at start, on `SceneLoaded`, and
//! after a server restart. Incremental edits reuse the same per-chain
//! builders, so "edited" and "built from scratch" cannot drift apart.

use imbolc_types::catalog::MASTER_SYNTHDEF;
use imbolc_types::{AudioScene, ChainOwner, EffectSlot, ParamSpec, Params};

use super::alloc::{BusAllocator, NodeIds};
use super::state::{Anchor, Chain, Controls, MasterState, Roots};
use super::{GraphConfig, SignalGraph};
use crate::backend::{AddAction, NodeId, ServerOp};

/// The add action and target that realise an anchor.
pub(super) fn placement(anchor: Anchor) -> (AddAction, NodeId) {
    match anchor {
        Anchor::After(n) => (AddAction::After, n),
        Anchor::Head(g) => (AddAction::Head, g),
        Anchor::Tail(g) => (AddAction::Tail, g),
    }
}

/// A new group at `anchor`.
pub(super) fn group_new(id: NodeId, anchor: Anchor) -> ServerOp {
    let (action, target) = placement(anchor);
    ServerOp::GroupNew { id, action, target }
}

/// A new synth at `anchor`.
pub(super) fn synth_new(def: &'static str, id: NodeId, anchor: Anchor, controls: Controls) -> ServerOp {
    let (action, target) = placement(anchor);
    ServerOp::SynthNew { def, id, action, target, controls }
}

/// Clamps a value into a spec's range; NaN becomes the default.
pub(super) fn clamp_spec(spec: &ParamSpec, value: f32) -> f32 {
    if value.is_nan() { spec.default } else { spec.clamp(value) }
}

/// Controls of an in-place processor on `bus`: every catalog parameter,
/// clamped, defaulted when missing.
pub(super) fn processor_controls(bus: u32, specs: &'static [ParamSpec], params: &Params) -> Controls {
    let mut c = Vec::with_capacity(specs.len() + 1);
    c.push(("bus", bus as f32));
    for spec in specs {
        c.push((spec.id, clamp_spec(spec, params.get(spec.id).copied().unwrap_or(spec.default))));
    }
    c
}

/// Ops that create a processor node, paused when disabled (in the same
/// bundle, so it never runs).
pub(super) fn processor_new(
    def: &'static str,
    id: NodeId,
    anchor: Anchor,
    controls: Controls,
    enabled: bool,
    ops: &mut Vec<ServerOp>,
) {
    ops.push(synth_new(def, id, anchor, controls));
    if !enabled {
        ops.push(ServerOp::Run { node: id, on: false });
    }
}

/// Ops that create an effect node; synced parameters get their value at
/// `bpm`, and `key` is its `key` control when it takes one (see `keys.rs`).
pub(super) fn effect_new(
    slot: &EffectSlot,
    id: NodeId,
    anchor: Anchor,
    bus: u32,
    bpm: f32,
    key: f32,
    ops: &mut Vec<ServerOp>,
) {
    let mut controls = super::sync::effect_controls(bus, slot, bpm);
    if imbolc_types::catalog::mix::takes_key(slot.kind) {
        controls.insert(1, ("key", key));
    }
    processor_new(slot.kind.synthdef(), id, anchor, controls, slot.enabled, ops);
}

impl SignalGraph {
    /// A graph with no nodes; only valid until `build_scene` runs.
    pub(super) fn empty(config: GraphConfig) -> SignalGraph {
        let none = NodeId(-1);
        SignalGraph {
            config,
            node_ids: NodeIds::new(config.first_node_id),
            audio_buses: BusAllocator::new(config.first_private_bus, 2),
            control_buses: BusAllocator::new(config.first_control_bus, 1),
            roots: Roots { imbolc: none, instruments: none, buses: none },
            instruments: Default::default(),
            order: Vec::new(),
            buses: Default::default(),
            bus_order: Vec::new(),
            master: MasterState { settings: Default::default(), chain: Chain::new(none, 0, none, Vec::new()) },
            inst_solos: 0,
            bus_solos: 0,
            samples: Default::default(),
            audio_clips: Default::default(),
            tempo: imbolc_types::project::DEFAULT_TEMPO,
            pitch: imbolc_types::PitchSettings::default(),
        }
    }

    /// Replaces the graph's state with `scene` and returns the ops creating
    /// it under the root. Node ids keep counting up.
    pub(super) fn build_scene(&mut self, scene: &AudioScene) -> Vec<ServerOp> {
        self.audio_buses.reset();
        self.control_buses.reset();
        self.instruments.clear();
        self.order.clear();
        self.buses.clear();
        self.bus_order.clear();
        self.tempo = crate::scheduler::player::sane_tempo(scene.tempo);
        self.pitch = scene.pitch.clone();

        let imbolc = self.node_ids.next_id();
        let instruments = self.node_ids.next_id();
        let buses = self.node_ids.next_id();
        let master_group = self.node_ids.next_id();
        self.roots = Roots { imbolc, instruments, buses };
        let mut ops = vec![
            group_new(imbolc, Anchor::Tail(NodeId::ROOT)),
            group_new(instruments, Anchor::Tail(imbolc)),
            group_new(buses, Anchor::Tail(imbolc)),
            group_new(master_group, Anchor::Tail(imbolc)),
        ];

        let master_bus = self.audio_buses.alloc();
        let master_strip = self.node_ids.next_id();
        let mut chain = Chain::new(master_group, master_bus, master_strip, scene.master_effects.clone());
        for e in &scene.master_effects {
            chain.nodes.entry(e.id).or_insert_with(|| self.node_ids.next_id());
        }
        self.master = MasterState { settings: scene.master.clone(), chain };

        // All state first, so strips can resolve outputs to any bus.
        for bus in &scene.buses {
            if !self.buses.contains_key(&bus.id) {
                let st = self.new_bus_state(bus);
                self.buses.insert(bus.id, st);
                self.bus_order.push(bus.id);
            }
        }
        for inst in &scene.instruments {
            if !self.instruments.contains_key(&inst.id) {
                let st = self.new_instrument_state(inst);
                self.instruments.insert(inst.id, st);
                self.order.push(inst.id);
            }
        }
        self.inst_solos = self.instruments.values().filter(|s| s.mixer.solo).count();
        self.bus_solos = self.buses.values().filter(|s| s.mixer.solo).count();

        for id in self.order.clone() {
            ops.extend(self.instrument_create_ops(id, Anchor::Tail(instruments)));
        }
        for id in self.bus_order.clone() {
            ops.extend(self.bus_create_ops(id, Anchor::Tail(buses)));
        }
        let chain = &self.master.chain;
        for e in &chain.effects {
            if let Some(&node) = chain.nodes.get(&e.id) {
                let key = self.key_value(ChainOwner::Master, chain.bus, e.key);
                effect_new(e, node, Anchor::Tail(master_group), chain.bus, self.tempo, key, &mut ops);
            }
        }
        let controls = self.strip_controls(ChainOwner::Master).unwrap_or_default();
        self.master.chain.strip_sent = controls.clone();
        ops.push(synth_new(MASTER_SYNTHDEF, master_strip, Anchor::Tail(master_group), controls));
        ops.extend(self.reload_samples());
        ops
    }
}
