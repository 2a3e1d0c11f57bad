//! Instruments: one group per instrument holding `voices`, `lfo`, the
//! filter, the effects and the strip. Adding or removing an instrument
//! touches only its own group and bus; a move is one `/n_after` or
//! `/g_head` of its group.

use imbolc_types::catalog::STRIP_SYNTHDEF;
use imbolc_types::{ChainOwner, FilterDef, Instrument, InstrumentId, SourceDef};

use super::build::{clamp_spec, group_new, processor_controls, processor_new, synth_new};
use super::state::{Anchor, Chain, InstrumentState, VoiceDef};
use super::voice_filter::{filter_controls, shared_runs, uses_per_voice};
use super::{GraphError, SignalGraph};
use crate::backend::{NodeId, ServerOp};

impl SignalGraph {
    /// State (ids and bus allocated) for a new instrument; no ops yet.
    pub(super) fn new_instrument_state(&mut self, inst: &Instrument) -> InstrumentState {
        // A frozen instrument has no filter, effects or LFO on the server.
        let frozen;
        let inst = if inst.def.frozen.is_some() {
            frozen = Instrument { def: inst.def.playable().into_owned(), ..inst.clone() };
            &frozen
        } else {
            inst
        };
        let group = self.node_ids.next_id();
        let voices = self.node_ids.next_id();
        let lfo_group = self.node_ids.next_id();
        let filter = inst.def.filter.as_ref().map(|_| self.node_ids.next_id());
        let input = inst.def.input.as_ref().map(|_| self.node_ids.next_id());
        let bus = self.audio_buses.alloc();
        let mut effects = Vec::with_capacity(inst.def.effects.len());
        for e in &inst.def.effects {
            if !effects.iter().any(|x: &imbolc_types::EffectSlot| x.id == e.id) {
                effects.push(e.clone());
            }
        }
        let mut chain = Chain::new(group, bus, NodeId(-1), effects);
        for e in &chain.effects {
            chain.nodes.insert(e.id, self.node_ids.next_id());
        }
        chain.strip = self.node_ids.next_id();
        let mut def = inst.def.clone();
        def.effects = Vec::new();
        InstrumentState {
            name: inst.name.clone(),
            def,
            mixer: inst.mixer.clone(),
            chain,
            voices,
            lfo_group,
            filter,
            lfo: None,
            bend: 0.0,
            voice_bus: None,
            voice_def: VoiceDef::of(&inst.def.source),
            input,
            input_sent: Vec::new(),
        }
    }

    /// Ops creating an instrument's whole group at `anchor`.
    pub(super) fn instrument_create_ops(&mut self, id: InstrumentId, anchor: Anchor) -> Vec<ServerOp> {
        let Some(st) = self.instruments.get(&id) else { return Vec::new() };
        let group = st.chain.group;
        let bus = st.chain.bus;
        let mut ops = Vec::with_capacity(6 + st.chain.effects.len());
        ops.extend(st.voice_def.load_op());
        ops.push(group_new(group, anchor));
        ops.push(group_new(st.voices, Anchor::Tail(group)));
        ops.push(group_new(st.lfo_group, Anchor::Tail(group)));
        if let (Some(node), Some(input)) = (st.input, st.def.input) {
            let controls = self.input_controls(bus, &input);
            ops.push(synth_new(super::audio_input::AUDIO_IN_SYNTHDEF, node, Anchor::Tail(st.voices), controls.clone()));
            if let Some(st) = self.instruments.get_mut(&id) {
                st.input_sent = controls;
            }
        }
        let Some(st) = self.instruments.get(&id) else { return ops };
        if let (Some(node), Some(f)) = (st.filter, &st.def.filter) {
            let controls = processor_controls(bus, f.kind.params(), &f.params);
            let run = shared_runs(st, f);
            processor_new(f.kind.synthdef(), node, Anchor::Tail(group), controls, run, &mut ops);
        }
        for e in &st.chain.effects {
            if let Some(&node) = st.chain.nodes.get(&e.id) {
                let key = self.key_value(ChainOwner::Instrument(id), bus, e.key);
                super::build::effect_new(e, node, Anchor::Tail(group), bus, self.tempo, key, &mut ops);
            }
        }
        let strip = st.chain.strip;
        let controls = self.strip_controls(ChainOwner::Instrument(id)).unwrap_or_default();
        if let Some(st) = self.instruments.get_mut(&id) {
            st.chain.strip_sent = controls.clone();
        }
        ops.push(synth_new(STRIP_SYNTHDEF, strip, Anchor::Tail(group), controls));
        ops.extend(self.sync_lfo(id));
        ops
    }

    /// Where an instrument group goes when placed after `after`.
    fn instrument_anchor(&self, after: Option<InstrumentId>) -> Result<Anchor, GraphError> {
        match after {
            None => Ok(Anchor::Head(self.roots.instruments)),
            Some(a) => {
                let st = self.instruments.get(&a).ok_or(GraphError::UnknownInstrument(a))?;
                Ok(Anchor::After(st.chain.group))
            }
        }
    }

    fn order_index_after(&self, after: Option<InstrumentId>) -> usize {
        after.and_then(|a| self.order.iter().position(|x| *x == a)).map_or(0, |p| p + 1)
    }

    pub(super) fn instrument_added(
        &mut self,
        inst: &Instrument,
        after: Option<InstrumentId>,
    ) -> Result<Vec<ServerOp>, GraphError> {
        if self.instruments.contains_key(&inst.id) {
            return Err(GraphError::DuplicateInstrument(inst.id));
        }
        if after == Some(inst.id) {
            return Err(GraphError::AfterItself);
        }
        let anchor = self.instrument_anchor(after)?;
        let st = self.new_instrument_state(inst);
        let pos = self.order_index_after(after);
        self.instruments.insert(inst.id, st);
        self.order.insert(pos, inst.id);
        let before = self.inst_solos;
        if inst.mixer.solo {
            self.inst_solos += 1;
        }
        let mut ops = self.instrument_create_ops(inst.id, anchor);
        if (before > 0) != (self.inst_solos > 0) {
            self.refresh_domain(true, &mut ops);
        }
        Ok(ops)
    }

    pub(super) fn instrument_removed(&mut self, id: InstrumentId) -> Result<Vec<ServerOp>, GraphError> {
        let st = self.instruments.remove(&id).ok_or(GraphError::UnknownInstrument(id))?;
        self.order.retain(|x| *x != id);
        self.audio_buses.free(st.chain.bus);
        if let Some(b) = st.voice_bus {
            self.audio_buses.free(b);
        }
        if let Some(lfo) = &st.lfo {
            self.control_buses.free(lfo.cbus);
        }
        let mut ops = vec![ServerOp::Free { node: st.chain.group }];
        ops.extend(self.free_irs(st.chain.nodes.values().copied()));
        if st.mixer.solo {
            let before = self.inst_solos;
            self.inst_solos = self.inst_solos.saturating_sub(1);
            if (before > 0) != (self.inst_solos > 0) {
                self.refresh_domain(true, &mut ops);
            }
        }
        Ok(ops)
    }

    pub(super) fn instrument_moved(
        &mut self,
        id: InstrumentId,
        after: Option<InstrumentId>,
    ) -> Result<Vec<ServerOp>, GraphError> {
        let group = self.instrument_group(id).ok_or(GraphError::UnknownInstrument(id))?;
        if after == Some(id) {
            return Err(GraphError::AfterItself);
        }
        let anchor = self.instrument_anchor(after)?;
        self.order.retain(|x| *x != id);
        let pos = self.order_index_after(after);
        self.order.insert(pos, id);
        let op = match anchor {
            Anchor::After(target) => ServerOp::After { node: group, target },
            Anchor::Head(g) | Anchor::Tail(g) => ServerOp::Head { group: g, node: group },
        };
        Ok(vec![op])
    }

    /// A new source: future voices use its SynthDef; sounding voices get
    /// its parameters in one `/n_set` on the `voices` group.
    pub(super) fn source_changed(&mut self, id: InstrumentId, source: &SourceDef) -> Result<Vec<ServerOp>, GraphError> {
        let st = self.instruments.get_mut(&id).ok_or(GraphError::UnknownInstrument(id))?;
        let voice_def = VoiceDef::of(source);
        let load = if voice_def == st.voice_def { None } else { voice_def.load_op() };
        let ran = st.def.filter.as_ref().map(|f| shared_runs(st, f));
        st.voice_def = voice_def;
        st.def.source = source.clone();
        // A user's SynthDef has no `done`: it keeps the shared filter.
        let run = st.def.filter.as_ref().map(|f| shared_runs(st, f));
        let mode = match (st.filter, ran, run) {
            (Some(node), Some(a), Some(b)) if a != b => Some(ServerOp::Run { node, on: b }),
            _ => None,
        };
        let controls: Vec<_> = st
            .voice_def
            .specs(source)
            .iter()
            .map(|spec| (spec.id, clamp_spec(spec, source.params.get(spec.id).copied().unwrap_or(spec.default))))
            .collect();
        let mut ops: Vec<ServerOp> = load.into_iter().collect();
        ops.push(ServerOp::Set { node: st.voices, controls });
        ops.extend(mode);
        Ok(ops)
    }

    /// A new, removed, replaced or edited filter: one `/s_new`, `/n_free`,
    /// replacing `/s_new`, or `/n_set` + `/n_run` of what changed; then the
    /// LFO follows. With per-voice filtering on (before or after), sounding
    /// per-voice filters get the changed values in one `/n_set` on the
    /// voices group, and the shared filter is paused while it is on.
    pub(super) fn filter_changed(
        &mut self,
        id: InstrumentId,
        filter: Option<&FilterDef>,
    ) -> Result<Vec<ServerOp>, GraphError> {
        let next_id = self.node_ids.next_id();
        let st = self.instruments.get_mut(&id).ok_or(GraphError::UnknownInstrument(id))?;
        let bus = st.chain.bus;
        let mut ops = Vec::new();
        let new_runs = filter.map(|f| shared_runs(st, f));
        match (st.filter, filter, st.def.filter.as_ref()) {
            (None, Some(f), _) => {
                let controls = processor_controls(bus, f.kind.params(), &f.params);
                let run = new_runs.unwrap_or(f.enabled);
                processor_new(f.kind.synthdef(), next_id, Anchor::After(st.lfo_group), controls, run, &mut ops);
                st.filter = Some(next_id);
            }
            (Some(node), None, _) => {
                ops.push(ServerOp::Free { node });
                st.filter = None;
            }
            (Some(node), Some(f), Some(old)) if old.kind == f.kind => {
                let mapped = st.lfo.as_ref().filter(|l| l.mapped_on == Some(node)).map(|l| l.target);
                let new = processor_controls(bus, f.kind.params(), &f.params);
                let was = processor_controls(bus, old.kind.params(), &old.params);
                let changed: Vec<_> = new
                    .iter()
                    .zip(was.iter())
                    .filter(|(n, w)| n.1.to_bits() != w.1.to_bits() && Some(n.0) != mapped)
                    .map(|(n, _)| *n)
                    .collect();
                if !changed.is_empty() {
                    ops.push(ServerOp::Set { node, controls: changed });
                }
                if uses_per_voice(st, old) || uses_per_voice(st, f) {
                    let (new, was) = (filter_controls(f), filter_controls(old));
                    let changed: Vec<_> = new
                        .iter()
                        .zip(was.iter())
                        .filter(|(n, w)| n.1.to_bits() != w.1.to_bits())
                        .map(|(n, _)| *n)
                        .collect();
                    if !changed.is_empty() {
                        ops.push(ServerOp::Set { node: st.voices, controls: changed });
                    }
                }
                let (ran, runs) = (shared_runs(st, old), new_runs.unwrap_or(f.enabled));
                if ran != runs {
                    ops.push(ServerOp::Run { node, on: runs });
                }
            }
            (Some(node), Some(f), _) => {
                let controls = processor_controls(bus, f.kind.params(), &f.params);
                let run = new_runs.unwrap_or(f.enabled);
                processor_new(f.kind.synthdef(), next_id, Anchor::After(node), controls, run, &mut ops);
                if let Some(ServerOp::SynthNew { action, target, .. }) = ops.first_mut() {
                    *action = crate::backend::AddAction::Replace;
                    *target = node;
                }
                st.filter = Some(next_id);
                if let Some(l) = st.lfo.as_mut() {
                    l.mapped_on = None;
                }
            }
            (None, None, _) => {}
        }
        if st.filter.is_none()
            && let Some(l) = st.lfo.as_mut()
        {
            l.mapped_on = None;
        }
        st.def.filter = filter.cloned();
        if filter.is_some_and(|f| uses_per_voice(st, f)) {
            self.voice_bus(id);
        }
        ops.extend(self.sync_lfo(id));
        Ok(ops)
    }
}
