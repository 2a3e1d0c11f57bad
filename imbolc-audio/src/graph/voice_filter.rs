//! Per-voice filtering: while an instrument's filter envelope or key
//! tracking is on (see [`imbolc_types::filter_env`]), each note starts as a
//! group in the `voices` group holding the voice synth (head) and a
//! per-voice filter synth (tail, `imbolc_<filter>_voice`), and the shared
//! filter node is paused.
//!
//! - The voice writes the instrument's private stereo bus; its filter reads
//!   it, clears it and adds the filtered voice to the chain bus, where the
//!   shared filter's output would be. Clearing lets every voice of the
//!   instrument use the same private bus within a block (voices run one
//!   after the other), so the bus is allocated once per instrument, never
//!   per note, and never waits for a `/n_end`.
//! - The voice starts with `done 14`: the end of its amplitude envelope
//!   frees its whole group, filter included (no leak, live or NRT).
//! - The group's id is the voice's node for the allocator: `gate`, `freq`
//!   and stealing (`/n_free`) reach both synths; a `/n_set` on the
//!   instrument's voices group reaches nested groups too. Filter parameters
//!   travel as `f_<param>` and envelope ones as `fenv_*`, so they never
//!   reach a source's own `cutoff`, `attack`, ...
//! - Entering or leaving the mode is one `/n_run` of the shared filter
//!   (plus the `/n_set` of the value that changed). Notes already sounding
//!   are not re-routed: entering the mode they play on unfiltered until
//!   they end; leaving it, their own filter and the resumed shared one
//!   both apply to them.
//! - An LFO on a filter parameter modulates the shared filter only.
//!
//! Only instruments whose voices take `done` use the mode (every catalog
//! source; a user's SynthDef when it has that control); drum kits and
//! other SynthDefs keep the shared filter.

use imbolc_types::filter_env::{FILTER_ENV_PARAMS, env_control, env_param, voice_filter_control};
use imbolc_types::{FilterDef, InstrumentId};

use super::build::clamp_spec;
use super::state::{Controls, InstrumentState, VoiceDef};
use super::{GraphError, SignalGraph};
use crate::backend::{AddAction, NodeId, ServerOp};

/// `doneAction` freeing the enclosing group (the per-voice group).
const FREE_GROUP: f32 = 14.0;

/// Whether new voices of this instrument get their own filter.
pub(super) fn per_voice(st: &InstrumentState) -> bool {
    st.def.filter.as_ref().is_some_and(|f| uses_per_voice(st, f))
}

/// Whether `f` would put this instrument's voices in per-voice mode.
pub(super) fn uses_per_voice(st: &InstrumentState, f: &FilterDef) -> bool {
    st.filter.is_some() && replaces_shared(st, f)
}

/// Whether the shared filter node should run: enabled, and not replaced
/// by per-voice filters.
pub(super) fn shared_runs(st: &InstrumentState, f: &FilterDef) -> bool {
    f.enabled && !replaces_shared(st, f)
}

/// Whether per-voice filters take the shared filter's place: the envelope
/// or tracking is on and the voices can free their group (`done`).
fn replaces_shared(st: &InstrumentState, f: &FilterDef) -> bool {
    let frees_group = match &st.voice_def {
        VoiceDef::Catalog(_) => true,
        VoiceDef::Custom(..) => st.def.source.custom.as_ref().is_some_and(|c| c.has_voice_control("done")),
        VoiceDef::Broken(_) => false,
    };
    f.per_voice() && frees_group && st.def.drums.is_none() && st.def.input.is_none()
}

/// The per-voice filter's parameter controls: every catalog parameter as
/// `f_<id>`, then the envelope and key tracking, all clamped.
pub(super) fn filter_controls(f: &FilterDef) -> Controls {
    let mut c = Vec::with_capacity(f.kind.params().len() + FILTER_ENV_PARAMS.len());
    for spec in f.kind.params() {
        if let Some(name) = voice_filter_control(spec.id) {
            c.push((name, clamp_spec(spec, f.params.get(spec.id).copied().unwrap_or(spec.default))));
        }
    }
    for spec in &FILTER_ENV_PARAMS {
        if let Some(name) = env_control(spec.id) {
            c.push((name, clamp_spec(spec, f.env.get(spec.id).unwrap_or(spec.default))));
        }
    }
    c
}

impl SignalGraph {
    /// The instrument's private voice bus, allocated on first use and kept
    /// until the instrument is removed.
    pub(super) fn voice_bus(&mut self, id: InstrumentId) -> Option<u32> {
        let st = self.instruments.get_mut(&id)?;
        if st.voice_bus.is_none() {
            st.voice_bus = Some(self.audio_buses.alloc());
        }
        st.voice_bus
    }

    /// Ops starting a note in per-voice mode: its group, the voice synth
    /// (`voice_def` with `controls`, writing the private bus) and its
    /// filter. Returns the group, which stands for the voice.
    pub(super) fn per_voice_ops(
        &mut self,
        instrument: InstrumentId,
        voice_def: &'static str,
        mut controls: Controls,
        freq: f32,
    ) -> Result<(NodeId, Vec<ServerOp>), GraphError> {
        let vbus = self.voice_bus(instrument).ok_or(GraphError::UnknownInstrument(instrument))?;
        let group = self.node_ids.next_id();
        let voice = self.node_ids.next_id();
        let filter_node = self.node_ids.next_id();
        let st = self.instruments.get(&instrument).ok_or(GraphError::UnknownInstrument(instrument))?;
        let f = st.def.filter.as_ref().ok_or(GraphError::NoFilter(instrument))?;
        for (name, v) in controls.iter_mut() {
            if *name == "out" {
                *v = vbus as f32;
            }
        }
        controls.push(("done", FREE_GROUP));
        let mut fc = vec![("in", vbus as f32), ("out", st.chain.bus as f32), ("gate", 1.0), ("freq", freq)];
        fc.extend(filter_controls(f));
        let ops = vec![
            ServerOp::GroupNew { id: group, action: AddAction::Tail, target: st.voices },
            ServerOp::SynthNew { def: voice_def, id: voice, action: AddAction::Head, target: group, controls },
            ServerOp::SynthNew {
                def: f.kind.voice_synthdef(),
                id: filter_node,
                action: AddAction::Tail,
                target: group,
                controls: fc,
            },
        ];
        Ok((group, ops))
    }

    /// An envelope or key tracking value of the filter: stored; sounding
    /// per-voice filters follow (one `/n_set` on the voices group), and
    /// the shared filter is paused or resumed when the mode changes.
    pub(super) fn filter_env_set(
        &mut self,
        id: InstrumentId,
        param: &str,
        value: f32,
    ) -> Result<Vec<ServerOp>, GraphError> {
        let spec = env_param(param).ok_or_else(|| GraphError::UnknownParam(param.to_owned()))?;
        let control = env_control(param).ok_or_else(|| GraphError::UnknownParam(param.to_owned()))?;
        let st = self.instruments.get_mut(&id).ok_or(GraphError::UnknownInstrument(id))?;
        let (Some(node), Some(f)) = (st.filter, st.def.filter.as_ref()) else {
            return Err(GraphError::NoFilter(id));
        };
        let was_pv = uses_per_voice(st, f);
        let ran = shared_runs(st, f);
        let v = clamp_spec(spec, value);
        if let Some(slot) = st.def.filter.as_mut().and_then(|f| f.env.get_mut(param)) {
            *slot = v;
        }
        let Some(f) = st.def.filter.as_ref() else { return Err(GraphError::NoFilter(id)) };
        let now_pv = uses_per_voice(st, f);
        let runs = shared_runs(st, f);
        let voices = st.voices;
        let mut ops = Vec::new();
        if was_pv || now_pv {
            ops.push(ServerOp::Set { node: voices, controls: vec![(control, v)] });
        }
        if ran != runs {
            ops.push(ServerOp::Run { node, on: runs });
        }
        if now_pv {
            self.voice_bus(id);
        }
        Ok(ops)
    }
}
