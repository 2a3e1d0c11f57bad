//! Effect chains: add, remove, move and bypass cost one message each,
//! because every effect processes the chain bus in place (`ReplaceOut`) and
//! its position in the group is its position in the chain.

use imbolc_types::{ChainOwner, EffectId, EffectSlot};

use super::build::effect_new;
use super::state::{Anchor, Chain};
use super::{GraphError, SignalGraph};
use crate::backend::{NodeId, ServerOp};

impl SignalGraph {
    pub(super) fn chain(&self, owner: ChainOwner) -> Result<&Chain, GraphError> {
        match owner {
            ChainOwner::Instrument(id) => {
                self.instruments.get(&id).map(|s| &s.chain).ok_or(GraphError::UnknownInstrument(id))
            }
            ChainOwner::Bus(id) => self.buses.get(&id).map(|s| &s.chain).ok_or(GraphError::UnknownBus(id)),
            ChainOwner::Master => Ok(&self.master.chain),
        }
    }

    pub(super) fn chain_mut(&mut self, owner: ChainOwner) -> Result<&mut Chain, GraphError> {
        match owner {
            ChainOwner::Instrument(id) => {
                self.instruments.get_mut(&id).map(|s| &mut s.chain).ok_or(GraphError::UnknownInstrument(id))
            }
            ChainOwner::Bus(id) => self.buses.get_mut(&id).map(|s| &mut s.chain).ok_or(GraphError::UnknownBus(id)),
            ChainOwner::Master => Ok(&mut self.master.chain),
        }
    }

    /// Where the first effect of a chain goes: after the filter (or the
    /// `lfo` group) of an instrument; at the head of a bus or master group.
    fn head_anchor(&self, owner: ChainOwner) -> Result<Anchor, GraphError> {
        match owner {
            ChainOwner::Instrument(id) => {
                let st = self.instruments.get(&id).ok_or(GraphError::UnknownInstrument(id))?;
                Ok(Anchor::After(st.filter.unwrap_or(st.lfo_group)))
            }
            _ => Ok(Anchor::Head(self.chain(owner)?.group)),
        }
    }

    /// Where an effect goes when placed after `after` (first when `None`),
    /// and its index in the chain (computed with `moving` taken out).
    fn slot_for(
        &self,
        owner: ChainOwner,
        after: Option<EffectId>,
        moving: Option<EffectId>,
    ) -> Result<(Anchor, usize), GraphError> {
        let Some(after) = after else {
            return Ok((self.head_anchor(owner)?, 0));
        };
        if Some(after) == moving {
            return Err(GraphError::AfterItself);
        }
        let chain = self.chain(owner)?;
        let unknown = GraphError::UnknownEffect { owner, effect: after };
        let node = *chain.nodes.get(&after).ok_or(unknown.clone())?;
        let mut pos = chain.position(after).ok_or(unknown)?;
        if let Some(m) = moving
            && chain.position(m).is_some_and(|p| p < pos)
        {
            pos -= 1;
        }
        Ok((Anchor::After(node), pos + 1))
    }

    pub(super) fn effect_added(
        &mut self,
        owner: ChainOwner,
        slot: &EffectSlot,
        after: Option<EffectId>,
    ) -> Result<Vec<ServerOp>, GraphError> {
        if self.chain(owner)?.nodes.contains_key(&slot.id) {
            return Err(GraphError::DuplicateEffect(slot.id));
        }
        let (anchor, pos) = self.slot_for(owner, after, None)?;
        let key = self.key_value(owner, self.chain(owner)?.bus, slot.key);
        let node = self.node_ids.next_id();
        let bpm = self.tempo;
        let chain = self.chain_mut(owner)?;
        let mut ops = Vec::with_capacity(1);
        effect_new(slot, node, anchor, chain.bus, bpm, key, &mut ops);
        chain.effects.insert(pos, slot.clone());
        chain.nodes.insert(slot.id, node);
        Ok(ops)
    }

    pub(super) fn effect_removed(&mut self, owner: ChainOwner, effect: EffectId) -> Result<Vec<ServerOp>, GraphError> {
        let chain = self.chain_mut(owner)?;
        let node = chain.nodes.remove(&effect).ok_or(GraphError::UnknownEffect { owner, effect })?;
        chain.effects.retain(|e| e.id != effect);
        let mut ops = vec![ServerOp::Free { node }];
        ops.extend(self.free_irs([node]));
        Ok(ops)
    }

    pub(super) fn effect_moved(
        &mut self,
        owner: ChainOwner,
        effect: EffectId,
        after: Option<EffectId>,
    ) -> Result<Vec<ServerOp>, GraphError> {
        let chain = self.chain(owner)?;
        let unknown = GraphError::UnknownEffect { owner, effect };
        let node = *chain.nodes.get(&effect).ok_or(unknown.clone())?;
        let from = chain.position(effect).ok_or(unknown)?;
        let (anchor, to) = self.slot_for(owner, after, Some(effect))?;
        let chain = self.chain_mut(owner)?;
        let slot = chain.effects.remove(from);
        let to = to.min(chain.effects.len());
        chain.effects.insert(to, slot);
        let op = match anchor {
            Anchor::After(target) => ServerOp::After { node, target },
            Anchor::Head(group) => ServerOp::Head { group, node },
            Anchor::Tail(group) => ServerOp::Tail { group, node },
        };
        Ok(vec![op])
    }

    /// The node and slot of an effect, for edits that change it in place.
    fn effect_slot_mut(
        &mut self,
        owner: ChainOwner,
        effect: EffectId,
    ) -> Result<(NodeId, &mut EffectSlot), GraphError> {
        let chain = self.chain_mut(owner)?;
        let unknown = GraphError::UnknownEffect { owner, effect };
        let node = *chain.nodes.get(&effect).ok_or(unknown.clone())?;
        let pos = chain.position(effect).ok_or(unknown)?;
        Ok((node, &mut chain.effects[pos]))
    }

    pub(super) fn effect_toggled(
        &mut self,
        owner: ChainOwner,
        effect: EffectId,
        enabled: bool,
    ) -> Result<Vec<ServerOp>, GraphError> {
        let (node, slot) = self.effect_slot_mut(owner, effect)?;
        if slot.enabled == enabled {
            return Ok(Vec::new());
        }
        slot.enabled = enabled;
        Ok(vec![ServerOp::Run { node, on: enabled }])
    }

    /// Sets one effect parameter (clamped through the catalog). A synced
    /// parameter keeps the new free value for later and sends nothing: the
    /// server's value follows the tempo.
    pub(super) fn effect_param(
        &mut self,
        owner: ChainOwner,
        effect: EffectId,
        param: &str,
        value: f32,
    ) -> Result<Vec<ServerOp>, GraphError> {
        let (node, slot) = self.effect_slot_mut(owner, effect)?;
        let spec = imbolc_types::catalog::find_param(slot.kind.params(), param)
            .ok_or_else(|| GraphError::UnknownParam(param.to_owned()))?;
        let v = super::build::clamp_spec(spec, value);
        super::params::store(&mut slot.params, spec.id, v);
        if spec.sync.is_some() && slot.sync.contains_key(spec.id) {
            return Ok(Vec::new());
        }
        Ok(vec![ServerOp::Set { node, controls: vec![(spec.id, v)] }])
    }
}
