//! Tempo sync of effect parameters. A synced parameter's server value is
//! its note division's value at the graph's tempo, clamped into the
//! parameter's range; its free value stays in the slot for when sync is
//! turned off. The graph's tempo is set by playback from the scheduler's
//! (scene tempo, tempo edits and tempo lanes alike), so a tempo change
//! costs one `/n_set` per effect node with a synced parameter and one per
//! kit with a tempo-synced loop pad (on its voices group), timed where the
//! new tempo starts, and nothing for any other node.

use imbolc_types::catalog::find_param;
use imbolc_types::{ChainOwner, EffectId, EffectSlot, NoteDivision};

use super::build::clamp_spec;
use super::state::{Chain, Controls};
use super::{GraphError, SignalGraph};
use crate::backend::ServerOp;
use crate::scheduler::player::sane_tempo;

/// Controls of an effect node on `bus`: every catalog parameter, synced
/// ones at `bpm`, all clamped into their range.
pub(super) fn effect_controls(bus: u32, slot: &EffectSlot, bpm: f32) -> Controls {
    let specs = slot.kind.params();
    let mut c = Vec::with_capacity(specs.len() + 1);
    c.push(("bus", bus as f32));
    for spec in specs {
        c.push((spec.id, clamp_spec(spec, slot.effective(spec, bpm))));
    }
    c
}

/// The `/n_set` giving a chain's synced effects their values at `bpm`.
fn synced_sets(chain: &Chain, bpm: f32, ops: &mut Vec<ServerOp>) {
    for slot in chain.effects.iter().filter(|s| !s.sync.is_empty()) {
        let Some(&node) = chain.nodes.get(&slot.id) else { continue };
        let controls: Controls = slot
            .kind
            .params()
            .iter()
            .filter(|spec| spec.sync.is_some() && slot.sync.contains_key(spec.id))
            .map(|spec| (spec.id, clamp_spec(spec, slot.effective(spec, bpm))))
            .collect();
        if !controls.is_empty() {
            ops.push(ServerOp::Set { node, controls });
        }
    }
}

impl SignalGraph {
    /// The tempo synced effect parameters follow, in bpm.
    pub fn tempo(&self) -> f32 {
        self.tempo
    }

    /// Sets the tempo synced parameters follow and returns the ops: one
    /// `/n_set` per effect node with a synced parameter and one `tempo` on
    /// the voices group of each kit with a loop pad (none when the tempo is
    /// unchanged). Playback calls it whenever the scheduler's
    /// tempo moves, and times the ops where the new tempo starts.
    pub fn set_tempo(&mut self, bpm: f32) -> Vec<ServerOp> {
        let bpm = sane_tempo(bpm);
        if bpm.to_bits() == self.tempo.to_bits() {
            return Vec::new();
        }
        self.tempo = bpm;
        let mut ops = Vec::new();
        for st in self.instruments.values() {
            synced_sets(&st.chain, bpm, &mut ops);
        }
        for st in self.buses.values() {
            synced_sets(&st.chain, bpm, &mut ops);
        }
        synced_sets(&self.master.chain, bpm, &mut ops);
        ops.extend(self.loop_groups().into_iter().map(|node| ServerOp::Set { node, controls: vec![("tempo", bpm)] }));
        ops
    }

    /// A parameter now follows `division`, or its free value again: one
    /// `/n_set` on the effect's node with the value the server now needs.
    ///
    /// # Errors
    /// [`GraphError`] when the chain, the effect or a syncable parameter
    /// of that id does not exist.
    pub(super) fn effect_sync_changed(
        &mut self,
        owner: ChainOwner,
        effect: EffectId,
        param: &str,
        division: Option<NoteDivision>,
    ) -> Result<Vec<ServerOp>, GraphError> {
        let bpm = self.tempo;
        let chain = self.chain_mut(owner)?;
        let unknown = GraphError::UnknownEffect { owner, effect };
        let node = *chain.nodes.get(&effect).ok_or(unknown.clone())?;
        let pos = chain.position(effect).ok_or(unknown)?;
        let slot = &mut chain.effects[pos];
        let spec = find_param(slot.kind.params(), param)
            .filter(|s| s.sync.is_some())
            .ok_or_else(|| GraphError::UnknownParam(param.to_owned()))?;
        match division {
            Some(d) => slot.sync.insert(spec.id.to_owned(), d),
            None => slot.sync.remove(spec.id),
        };
        let v = clamp_spec(spec, slot.effective(spec, bpm));
        Ok(vec![ServerOp::Set { node, controls: vec![(spec.id, v)] }])
    }
}
