//! Aux buses: a group per bus in the `buses` group (after every
//! instrument, so sends arrive in the same block), holding the bus's
//! effects and its strip. Adding or removing a bus also re-points, with
//! one `/n_set` each, the strips whose output or sends name it.

use imbolc_types::catalog::STRIP_SYNTHDEF;
use imbolc_types::{Bus, BusId, ChainOwner, MixerSettings};

use super::build::{effect_new, group_new, synth_new};
use super::state::{Anchor, BusState, Chain};
use super::{GraphError, SignalGraph};
use crate::backend::{NodeId, ServerOp};

impl SignalGraph {
    /// State (ids and bus allocated) for a new aux bus; no ops yet.
    pub(super) fn new_bus_state(&mut self, bus: &Bus) -> BusState {
        let group = self.node_ids.next_id();
        let index = self.audio_buses.alloc();
        let mut effects = Vec::with_capacity(bus.effects.len());
        for e in &bus.effects {
            if !effects.iter().any(|x: &imbolc_types::EffectSlot| x.id == e.id) {
                effects.push(e.clone());
            }
        }
        let mut chain = Chain::new(group, index, NodeId(-1), effects);
        for e in &chain.effects {
            chain.nodes.insert(e.id, self.node_ids.next_id());
        }
        chain.strip = self.node_ids.next_id();
        BusState { name: bus.name.clone(), mixer: bus.mixer.clone(), chain }
    }

    /// Ops creating a bus group at `anchor`.
    pub(super) fn bus_create_ops(&mut self, id: BusId, anchor: Anchor) -> Vec<ServerOp> {
        let Some(st) = self.buses.get(&id) else { return Vec::new() };
        let chain = &st.chain;
        let mut ops = Vec::with_capacity(2 + chain.effects.len());
        ops.push(group_new(chain.group, anchor));
        for e in &chain.effects {
            if let Some(&node) = chain.nodes.get(&e.id) {
                let key = self.key_value(ChainOwner::Bus(id), chain.bus, e.key);
                effect_new(e, node, Anchor::Tail(chain.group), chain.bus, self.tempo, key, &mut ops);
            }
        }
        let (strip, group) = (chain.strip, chain.group);
        let controls = self.strip_controls(ChainOwner::Bus(id)).unwrap_or_default();
        if let Some(st) = self.buses.get_mut(&id) {
            st.chain.strip_sent = controls.clone();
        }
        ops.push(synth_new(STRIP_SYNTHDEF, strip, Anchor::Tail(group), controls));
        ops
    }

    pub(super) fn bus_added(&mut self, bus: &Bus, after: Option<BusId>) -> Result<Vec<ServerOp>, GraphError> {
        if self.buses.contains_key(&bus.id) {
            return Err(GraphError::DuplicateBus(bus.id));
        }
        if after == Some(bus.id) {
            return Err(GraphError::AfterItself);
        }
        let anchor = match after {
            None => Anchor::Head(self.roots.buses),
            Some(a) => Anchor::After(self.bus_group(a).ok_or(GraphError::UnknownBus(a))?),
        };
        let st = self.new_bus_state(bus);
        let pos = after.and_then(|a| self.bus_order.iter().position(|x| *x == a)).map_or(0, |p| p + 1);
        self.buses.insert(bus.id, st);
        self.bus_order.insert(pos, bus.id);
        if bus.mixer.solo {
            self.bus_solos += 1;
        }
        let mut ops = self.bus_create_ops(bus.id, anchor);
        self.refresh_domain(true, &mut ops);
        self.refresh_domain(false, &mut ops);
        Ok(ops)
    }

    pub(super) fn bus_removed(&mut self, id: BusId) -> Result<Vec<ServerOp>, GraphError> {
        let st = self.buses.remove(&id).ok_or(GraphError::UnknownBus(id))?;
        self.bus_order.retain(|x| *x != id);
        self.audio_buses.free(st.chain.bus);
        if st.mixer.solo {
            self.bus_solos = self.bus_solos.saturating_sub(1);
        }
        let mut ops = vec![ServerOp::Free { node: st.chain.group }];
        ops.extend(self.free_irs(st.chain.nodes.values().copied()));
        self.refresh_domain(true, &mut ops);
        self.refresh_domain(false, &mut ops);
        Ok(ops)
    }

    /// New mixer settings for an aux bus strip.
    pub(super) fn bus_mixer_set(&mut self, id: BusId, mixer: &MixerSettings) -> Result<Vec<ServerOp>, GraphError> {
        let st = self.buses.get_mut(&id).ok_or(GraphError::UnknownBus(id))?;
        let before = self.bus_solos;
        if st.mixer.solo != mixer.solo {
            if mixer.solo {
                self.bus_solos += 1;
            } else {
                self.bus_solos = self.bus_solos.saturating_sub(1);
            }
        }
        st.mixer = mixer.clone();
        let mut ops = Vec::new();
        self.after_solo_change(ChainOwner::Bus(id), before, &mut ops);
        Ok(ops)
    }
}
