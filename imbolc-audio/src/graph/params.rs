//! `ParamSet`: one `/n_set` on the node that owns the value. Per-voice
//! values (source, envelope) go to the `voices` group so sounding notes
//! follow; values are clamped through the catalog first.

use imbolc_types::catalog::find_param;
use imbolc_types::{ChainOwner, EnvelopeStage, LfoParam, MixerParam, MixerSettings, ParamTarget, Params, SendSettings};

use super::build::clamp_spec;
use super::lfo::{clamp_depth, clamp_rate};
use super::strip::{clamp_gain, clamp_pan};
use super::voice_filter::per_voice;
use super::{GraphError, SignalGraph};
use crate::backend::ServerOp;
use imbolc_types::filter_env::voice_filter_control;

/// Longest envelope stage, in seconds (the catalog has no envelope specs).
pub(super) const MAX_STAGE_SECS: f32 = 30.0;

/// Clamps an envelope stage: times 0..=30 s, sustain 0..=1.
pub(super) fn clamp_stage(stage: EnvelopeStage, v: f32) -> f32 {
    let max = if stage == EnvelopeStage::Sustain { 1.0 } else { MAX_STAGE_SECS };
    if v.is_nan() { 0.0 } else { v.clamp(0.0, max) }
}

/// Stores a value without allocating a key when it is already there.
pub(super) fn store(params: &mut Params, id: &str, v: f32) {
    match params.get_mut(id) {
        Some(x) => *x = v,
        None => {
            params.insert(id.to_owned(), v);
        }
    }
}

/// Applies a mixer parameter to a copy of mixer settings.
///
/// # Errors
/// [`GraphError::NoSendSlot`] when a new send finds every slot taken.
pub(super) fn set_mixer_param(mixer: &mut MixerSettings, param: MixerParam, value: f32) -> Result<(), GraphError> {
    match param {
        MixerParam::Level => mixer.level = clamp_gain(value),
        MixerParam::Pan => mixer.pan = clamp_pan(value),
        MixerParam::Send(bus) => set_send(mixer, bus, value)?,
    }
    Ok(())
}

/// Sets the send to `bus`, taking the next free slot if there is none yet.
pub(super) fn set_send(mixer: &mut MixerSettings, bus: imbolc_types::BusId, level: f32) -> Result<(), GraphError> {
    let level = clamp_gain(level);
    if let Some(s) = mixer.sends.iter_mut().find(|s| s.bus == bus) {
        s.level = level;
    } else if mixer.sends.len() < imbolc_types::catalog::MAX_SENDS {
        mixer.sends.push(SendSettings { bus, level });
    } else {
        return Err(GraphError::NoSendSlot(bus));
    }
    Ok(())
}

impl SignalGraph {
    pub(super) fn param_set(&mut self, target: &ParamTarget, value: f32) -> Result<Vec<ServerOp>, GraphError> {
        let unknown = |p: &str| GraphError::UnknownParam(p.to_owned());
        match target {
            ParamTarget::Source { instrument, param } => {
                let st = self.instruments.get_mut(instrument).ok_or(GraphError::UnknownInstrument(*instrument))?;
                let spec = find_param(st.voice_def.specs(&st.def.source), param).ok_or_else(|| unknown(param))?;
                let v = clamp_spec(spec, value);
                store(&mut st.def.source.params, spec.id, v);
                Ok(vec![ServerOp::Set { node: st.voices, controls: vec![(spec.id, v)] }])
            }
            ParamTarget::Envelope { instrument, stage } => {
                let st = self.instruments.get_mut(instrument).ok_or(GraphError::UnknownInstrument(*instrument))?;
                let v = clamp_stage(*stage, value);
                let env = &mut st.def.amp_env;
                match stage {
                    EnvelopeStage::Attack => env.attack = v,
                    EnvelopeStage::Decay => env.decay = v,
                    EnvelopeStage::Sustain => env.sustain = v,
                    EnvelopeStage::Release => env.release = v,
                }
                Ok(vec![ServerOp::Set { node: st.voices, controls: vec![(stage.control(), v)] }])
            }
            ParamTarget::Filter { instrument, param } if imbolc_types::filter_env::env_param(param).is_some() => {
                self.filter_env_set(*instrument, param, value)
            }
            ParamTarget::Filter { instrument, param } => {
                let id = *instrument;
                let st = self.instruments.get_mut(&id).ok_or(GraphError::UnknownInstrument(id))?;
                let pv = per_voice(st);
                let (Some(f), Some(node)) = (st.def.filter.as_mut(), st.filter) else {
                    return Err(GraphError::NoFilter(id));
                };
                let spec = find_param(f.kind.params(), param).ok_or_else(|| unknown(param))?;
                let v = clamp_spec(spec, value);
                store(&mut f.params, spec.id, v);
                let mapped = st.lfo.as_ref().is_some_and(|l| l.target == spec.id && l.mapped_on == Some(node));
                // Sounding per-voice filters follow too (their own control name).
                let voices = match voice_filter_control(spec.id) {
                    Some(name) if pv => Some(ServerOp::Set { node: st.voices, controls: vec![(name, v)] }),
                    _ => None,
                };
                let mut ops = if mapped {
                    // The LFO's center follows; a /n_set would unmap it.
                    self.sync_lfo(id)
                } else {
                    vec![ServerOp::Set { node, controls: vec![(spec.id, v)] }]
                };
                ops.extend(voices);
                Ok(ops)
            }
            ParamTarget::Effect { owner, effect, param } => self.effect_param(*owner, *effect, param, value),
            ParamTarget::Lfo { instrument, param } => {
                let st = self.instruments.get_mut(instrument).ok_or(GraphError::UnknownInstrument(*instrument))?;
                match param {
                    LfoParam::Rate => st.def.lfo.rate = clamp_rate(value),
                    LfoParam::Depth => st.def.lfo.depth = clamp_depth(value),
                }
                Ok(self.sync_lfo(*instrument))
            }
            ParamTarget::Mixer { instrument, param } => {
                let st = self.instruments.get_mut(instrument).ok_or(GraphError::UnknownInstrument(*instrument))?;
                set_mixer_param(&mut st.mixer, *param, value)?;
                Ok(self.refresh_strip(ChainOwner::Instrument(*instrument)).into_iter().collect())
            }
            ParamTarget::BusMixer { bus, param } => {
                let st = self.buses.get_mut(bus).ok_or(GraphError::UnknownBus(*bus))?;
                set_mixer_param(&mut st.mixer, *param, value)?;
                Ok(self.refresh_strip(ChainOwner::Bus(*bus)).into_iter().collect())
            }
            ParamTarget::MasterLevel => {
                self.master.settings.level = clamp_gain(value);
                Ok(self.refresh_strip(ChainOwner::Master).into_iter().collect())
            }
            // Clamped (and NaN refused) by `limiter_ceiling` when sent.
            ParamTarget::MasterLimiterCeiling => {
                self.master.settings.limiter_ceiling_db = value;
                Ok(self.refresh_strip(ChainOwner::Master).into_iter().collect())
            }
            // Tempo lives in the scheduler, not in the graph.
            ParamTarget::Tempo => Ok(Vec::new()),
        }
    }
}
