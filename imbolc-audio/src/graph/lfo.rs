//! The instrument LFO: a control-rate synth in the `lfo` group writing a
//! control bus, with one filter parameter mapped to that bus (`/n_map`).
//!
//! It runs when the LFO is enabled, the instrument has a filter and the
//! LFO's target is one of the filter's parameters. Its `center` is the
//! parameter's value, so while mapped a change of that parameter is one
//! `/n_set` of `center` (a `/n_set` on the filter would unmap it). Its
//! `depth` is the LFO depth (0..=1) times half the parameter's range.

use imbolc_types::InstrumentId;
use imbolc_types::catalog::{LFO_SYNTHDEF, find_param};

use super::SignalGraph;
use super::build::{clamp_spec, synth_new};
use super::state::{Anchor, Controls, LfoNode};
use crate::backend::{ControlName, NodeId, ServerOp};

/// LFO rate range in Hz.
pub(super) const RATE_RANGE: (f32, f32) = (0.01, 100.0);

pub(super) fn clamp_rate(v: f32) -> f32 {
    if v.is_nan() { 1.0 } else { v.clamp(RATE_RANGE.0, RATE_RANGE.1) }
}

pub(super) fn clamp_depth(v: f32) -> f32 {
    if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) }
}

impl SignalGraph {
    /// What the LFO should be now: its target control, the filter node,
    /// the filter's current value of the target, and the LFO controls
    /// without `out`.
    fn desired_lfo(&self, id: InstrumentId) -> Option<(ControlName, NodeId, f32, Controls)> {
        let st = self.instruments.get(&id)?;
        let lfo = &st.def.lfo;
        let f = st.def.filter.as_ref()?;
        let node = st.filter?;
        let spec = find_param(f.kind.params(), lfo.target.as_deref()?)?;
        if !lfo.enabled {
            return None;
        }
        let center = clamp_spec(spec, f.params.get(spec.id).copied().unwrap_or(spec.default));
        let depth = clamp_depth(lfo.depth) * (spec.max - spec.min) * 0.5;
        let controls = vec![
            ("rate", clamp_rate(lfo.rate)),
            ("depth", depth),
            ("center", center),
            ("shape", lfo.shape.control_value()),
        ];
        Some((spec.id, node, center, controls))
    }

    /// Brings the LFO node and the filter mapping in line with the
    /// instrument's state; sends nothing when they already are.
    pub(super) fn sync_lfo(&mut self, id: InstrumentId) -> Vec<ServerOp> {
        let desired = self.desired_lfo(id);
        let Some(st) = self.instruments.get_mut(&id) else { return Vec::new() };
        let mut ops = Vec::new();
        match (st.lfo.take(), desired) {
            (None, None) => {}
            (Some(cur), None) => {
                ops.push(ServerOp::Free { node: cur.node });
                if let (Some(m), Some(f)) = (cur.mapped_on, st.filter)
                    && m == f
                {
                    // Setting the control unmaps it and restores its value.
                    ops.push(ServerOp::Set { node: f, controls: vec![(cur.target, current(st, cur.target))] });
                }
                self.control_buses.free(cur.cbus);
            }
            (cur, Some((target, filter, _, controls))) => {
                let mut lfo = match cur {
                    Some(l) => l,
                    None => {
                        let node = self.node_ids.next_id();
                        let cbus = self.control_buses.alloc();
                        let mut all = vec![("out", cbus as f32)];
                        all.extend(controls.iter().copied());
                        ops.push(synth_new(LFO_SYNTHDEF, node, Anchor::Head(st.lfo_group), all));
                        LfoNode { node, cbus, target, mapped_on: None, sent: controls.clone() }
                    }
                };
                if lfo.mapped_on == Some(filter) && lfo.target != target {
                    ops.push(ServerOp::Set { node: filter, controls: vec![(lfo.target, current(st, lfo.target))] });
                    lfo.mapped_on = None;
                }
                if lfo.mapped_on != Some(filter) {
                    ops.push(ServerOp::Map { node: filter, control: target, bus: Some(lfo.cbus) });
                    lfo.mapped_on = Some(filter);
                }
                lfo.target = target;
                let changed: Controls = controls
                    .iter()
                    .zip(lfo.sent.iter())
                    .filter(|(d, s)| d.1.to_bits() != s.1.to_bits())
                    .map(|(d, _)| *d)
                    .collect();
                if !changed.is_empty() {
                    ops.push(ServerOp::Set { node: lfo.node, controls: changed });
                }
                lfo.sent = controls;
                st.lfo = Some(lfo);
            }
        }
        ops
    }
}

/// The filter's current (clamped) value of `control`.
fn current(st: &super::state::InstrumentState, control: ControlName) -> f32 {
    st.def
        .filter
        .as_ref()
        .and_then(|f| find_param(f.kind.params(), control).map(|s| (f, s)))
        .map_or(0.0, |(f, s)| clamp_spec(s, f.params.get(s.id).copied().unwrap_or(s.default)))
}
