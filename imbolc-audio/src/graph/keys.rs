//! Sidechain keys: an effect that takes a key (sidechain compressor,
//! vocoder) reads another chain's audio bus through its `key` control.
//!
//! The key chain's bus holds that chain's signal after its effects (before
//! its strip's level) once its group has run, so a consumer hears it in the
//! same block only if the key chain's group runs first. Groups run in tree
//! order: instruments (in list order), then buses (in order), then the
//! master. So a key is *active* when its chain runs earlier:
//! - an instrument keys a later instrument, any bus, or the master;
//! - a bus keys a later bus or the master;
//! - the master keys nothing.
//!
//! An inactive key (a chain that runs later, or is gone) keys the effect
//! with its own chain's bus, as when no key is set. The `key` control is
//! thus a pure function of the graph's state: structural edits (instruments
//! and buses added, removed or moved) compare every keyed effect's value
//! before and after and send one `/n_set` per effect whose key changed.
//! Dispatch keeps keys active: setting a key on an instrument that runs
//! earlier than its key moves it after the key (one `/n_after`), and moves
//! that would reverse a key are refused.

use std::collections::HashMap;

use imbolc_types::catalog::mix::takes_key;
use imbolc_types::{ChainOwner, EffectId};

use super::{GraphError, SignalGraph};
use crate::backend::ServerOp;

/// The `key` control of every keyed effect, by chain and effect.
pub(super) type KeyValues = HashMap<(ChainOwner, EffectId), f32>;

impl SignalGraph {
    /// Whether `source`'s group runs before `consumer`'s in every block.
    pub(super) fn runs_before(&self, source: ChainOwner, consumer: ChainOwner) -> bool {
        let inst_pos = |id| self.order.iter().position(|x| *x == id);
        let bus_pos = |id| self.bus_order.iter().position(|x| *x == id);
        match (source, consumer) {
            (ChainOwner::Master, _) => false,
            (ChainOwner::Instrument(s), ChainOwner::Instrument(c)) => {
                matches!((inst_pos(s), inst_pos(c)), (Some(a), Some(b)) if a < b)
            }
            (ChainOwner::Instrument(s), _) => self.instruments.contains_key(&s),
            (ChainOwner::Bus(_), ChainOwner::Instrument(_)) => false,
            (ChainOwner::Bus(s), ChainOwner::Bus(c)) => matches!((bus_pos(s), bus_pos(c)), (Some(a), Some(b)) if a < b),
            (ChainOwner::Bus(s), ChainOwner::Master) => self.buses.contains_key(&s),
        }
    }

    /// The `key` control of an effect in `consumer`'s chain (whose bus is
    /// `own_bus`) keyed by `key`.
    pub(super) fn key_value(&self, consumer: ChainOwner, own_bus: u32, key: Option<ChainOwner>) -> f32 {
        let bus = match key {
            Some(source) if self.runs_before(source, consumer) => self.chain(source).map_or(own_bus, |c| c.bus),
            _ => own_bus,
        };
        bus as f32
    }

    /// Every keyed effect's `key` control as the graph stands.
    pub(super) fn key_values(&self) -> KeyValues {
        let owners = self
            .order
            .iter()
            .map(|id| ChainOwner::Instrument(*id))
            .chain(self.bus_order.iter().map(|id| ChainOwner::Bus(*id)))
            .chain([ChainOwner::Master]);
        let mut values = KeyValues::new();
        for owner in owners {
            let Ok(chain) = self.chain(owner) else { continue };
            for e in chain.effects.iter().filter(|e| takes_key(e.kind)) {
                values.insert((owner, e.id), self.key_value(owner, chain.bus, e.key));
            }
        }
        values
    }

    /// One `/n_set key` per effect that existed `before` and whose key
    /// changed since.
    pub(super) fn key_changes(&self, before: &KeyValues, ops: &mut Vec<ServerOp>) {
        let mut changed: Vec<_> = self
            .key_values()
            .into_iter()
            .filter(|(k, v)| before.get(k).is_some_and(|b| b.to_bits() != v.to_bits()))
            .collect();
        // Deterministic batches (the map's order is not).
        changed.sort_by_key(|((owner, effect), _)| (format!("{owner:?}"), effect.0));
        for ((owner, effect), v) in changed {
            if let Some(node) = self.effect_node(owner, effect) {
                ops.push(ServerOp::Set { node, controls: vec![("key", v)] });
            }
        }
    }

    /// A new key for one effect: at most one `/n_set`.
    pub(super) fn effect_key_set(
        &mut self,
        owner: ChainOwner,
        effect: EffectId,
        key: Option<ChainOwner>,
    ) -> Result<Vec<ServerOp>, GraphError> {
        let chain = self.chain(owner)?;
        let unknown = GraphError::UnknownEffect { owner, effect };
        let pos = chain.position(effect).ok_or(unknown.clone())?;
        let node = *chain.nodes.get(&effect).ok_or(unknown)?;
        let slot = &chain.effects[pos];
        let keyed = takes_key(slot.kind);
        let before = self.key_value(owner, chain.bus, slot.key);
        let after = self.key_value(owner, chain.bus, key);
        self.chain_mut(owner)?.effects[pos].key = key;
        Ok(if keyed && before.to_bits() != after.to_bits() {
            vec![ServerOp::Set { node, controls: vec![("key", after)] }]
        } else {
            Vec::new()
        })
    }
}
