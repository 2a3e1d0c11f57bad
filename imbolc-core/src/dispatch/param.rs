//! `SetParam`: one value addressed by a [`ParamTarget`], with its range.
//! Ranges come from the catalog for source, filter and effect parameters and
//! from the constants here for envelope, LFO, mixer, master and tempo
//! (the limiter ceiling's from `imbolc_types::mixer`).

use imbolc_types::catalog::find_param;
use imbolc_types::mixer::LIMITER_CEILING_RANGE;
use imbolc_types::project::TEMPO_RANGE;
use imbolc_types::{
    Action, AudioDiff, EnvelopeStage, LfoParam, MixerParam, MixerSettings, ParamSpec, ParamTarget, Params, Project,
};

use super::{Applied, DispatchError, Redraw, check_range};

/// Envelope attack, decay and release, in seconds.
pub(crate) const ENV_TIME_RANGE: (f32, f32) = (0.0, 30.0);
/// Sustain level, LFO depth, send level.
pub(crate) const UNIT_RANGE: (f32, f32) = (0.0, 1.0);
/// LFO rate, Hz.
pub(crate) const LFO_RATE_RANGE: (f32, f32) = (0.01, 100.0);
/// Strip and master level (linear gain).
pub(crate) const LEVEL_RANGE: (f32, f32) = (0.0, 2.0);
pub(crate) const PAN_RANGE: (f32, f32) = (-1.0, 1.0);

fn spec_range(specs: &[ParamSpec], name: &str, target: &ParamTarget) -> Result<(f32, f32), DispatchError> {
    find_param(specs, name).map(|s| (s.min, s.max)).ok_or_else(|| DispatchError::NoSuchParam(target.clone()))
}

fn mixer_range(mixer: &MixerSettings, param: MixerParam, target: &ParamTarget) -> Result<(f32, f32), DispatchError> {
    match param {
        MixerParam::Level => Ok(LEVEL_RANGE),
        MixerParam::Pan => Ok(PAN_RANGE),
        MixerParam::Send(bus) if mixer.sends.iter().any(|s| s.bus == bus) => Ok(UNIT_RANGE),
        MixerParam::Send(_) => Err(DispatchError::NoSuchParam(target.clone())),
    }
}

/// The range of the value at `target`.
///
/// # Errors
///
/// [`DispatchError::NoSuchParam`] (or a missing-id error) when the target
/// does not resolve in `project`.
pub fn param_range(p: &Project, target: &ParamTarget) -> Result<(f32, f32), DispatchError> {
    let missing = || DispatchError::NoSuchParam(target.clone());
    match target {
        ParamTarget::Source { instrument, param } => {
            let inst = p.instruments.get(instrument).ok_or(DispatchError::NoSuchInstrument(*instrument))?;
            if !inst.def.source.params.contains_key(param) {
                return Err(missing());
            }
            spec_range(&imbolc_types::custom::source_specs(&inst.def.source), param, target)
        }
        ParamTarget::Envelope { instrument, stage } => {
            p.instruments.get(instrument).ok_or(DispatchError::NoSuchInstrument(*instrument))?;
            Ok(if *stage == EnvelopeStage::Sustain { UNIT_RANGE } else { ENV_TIME_RANGE })
        }
        ParamTarget::Filter { instrument, param } => {
            let inst = p.instruments.get(instrument).ok_or(DispatchError::NoSuchInstrument(*instrument))?;
            let filter = inst.def.filter.as_ref().ok_or(DispatchError::NoFilter(*instrument))?;
            if filter.value(param).is_none() {
                return Err(missing());
            }
            filter.spec(param).map(|s| (s.min, s.max)).ok_or_else(missing)
        }
        ParamTarget::Effect { owner, effect, param } => {
            let chain = p.chain(*owner).ok_or_else(missing)?;
            let slot = chain
                .iter()
                .find(|e| e.id == *effect)
                .ok_or(DispatchError::NoSuchEffect { owner: *owner, effect: *effect })?;
            if !slot.params.contains_key(param) {
                return Err(missing());
            }
            spec_range(slot.kind.params(), param, target)
        }
        ParamTarget::Lfo { instrument, param } => {
            p.instruments.get(instrument).ok_or(DispatchError::NoSuchInstrument(*instrument))?;
            Ok(if *param == LfoParam::Rate { LFO_RATE_RANGE } else { UNIT_RANGE })
        }
        ParamTarget::Mixer { instrument, param } => {
            let inst = p.instruments.get(instrument).ok_or(DispatchError::NoSuchInstrument(*instrument))?;
            mixer_range(&inst.mixer, *param, target)
        }
        ParamTarget::BusMixer { bus, param } => {
            let b = p.buses.get(bus).ok_or(DispatchError::NoSuchBus(*bus))?;
            mixer_range(&b.mixer, *param, target)
        }
        ParamTarget::MasterLevel => Ok(LEVEL_RANGE),
        ParamTarget::MasterLimiterCeiling => Ok(LIMITER_CEILING_RANGE),
        ParamTarget::Tempo => Ok(TEMPO_RANGE),
    }
}

/// The current value at `target`, if it resolves.
pub fn param_value(p: &Project, target: &ParamTarget) -> Option<f32> {
    match target {
        ParamTarget::Source { instrument, param } => {
            p.instruments.get(instrument)?.def.source.params.get(param).copied()
        }
        ParamTarget::Envelope { instrument, stage } => {
            let env = &p.instruments.get(instrument)?.def.amp_env;
            Some(match stage {
                EnvelopeStage::Attack => env.attack,
                EnvelopeStage::Decay => env.decay,
                EnvelopeStage::Sustain => env.sustain,
                EnvelopeStage::Release => env.release,
            })
        }
        ParamTarget::Filter { instrument, param } => p.instruments.get(instrument)?.def.filter.as_ref()?.value(param),
        ParamTarget::Effect { owner, effect, param } => {
            p.chain(*owner)?.iter().find(|e| e.id == *effect)?.params.get(param).copied()
        }
        ParamTarget::Lfo { instrument, param } => {
            let lfo = &p.instruments.get(instrument)?.def.lfo;
            Some(if *param == LfoParam::Rate { lfo.rate } else { lfo.depth })
        }
        ParamTarget::Mixer { instrument, param } => read_mixer(&p.instruments.get(instrument)?.mixer, *param),
        ParamTarget::BusMixer { bus, param } => read_mixer(&p.buses.get(bus)?.mixer, *param),
        ParamTarget::MasterLevel => Some(p.master.level),
        ParamTarget::MasterLimiterCeiling => Some(p.master.limiter_ceiling_db),
        ParamTarget::Tempo => Some(p.tempo),
    }
}

fn read_mixer(m: &MixerSettings, param: MixerParam) -> Option<f32> {
    match param {
        MixerParam::Level => Some(m.level),
        MixerParam::Pan => Some(m.pan),
        MixerParam::Send(bus) => m.sends.iter().find(|s| s.bus == bus).map(|s| s.level),
    }
}

fn mixer_slot(m: &mut MixerSettings, param: MixerParam) -> Option<&mut f32> {
    match param {
        MixerParam::Level => Some(&mut m.level),
        MixerParam::Pan => Some(&mut m.pan),
        MixerParam::Send(bus) => m.sends.iter_mut().find(|s| s.bus == bus).map(|s| &mut s.level),
    }
}

fn params_slot<'a>(params: &'a mut Params, name: &str) -> Option<&'a mut f32> {
    params.get_mut(name)
}

/// The storage of the value at `target`; call only after [`param_range`]
/// succeeded, so `None` here means the same as its error.
fn slot<'a>(p: &'a mut Project, target: &ParamTarget) -> Option<&'a mut f32> {
    match target {
        ParamTarget::Source { instrument, param } => {
            params_slot(&mut p.instruments.get_mut(instrument)?.def.source.params, param)
        }
        ParamTarget::Envelope { instrument, stage } => {
            let env = &mut p.instruments.get_mut(instrument)?.def.amp_env;
            Some(match stage {
                EnvelopeStage::Attack => &mut env.attack,
                EnvelopeStage::Decay => &mut env.decay,
                EnvelopeStage::Sustain => &mut env.sustain,
                EnvelopeStage::Release => &mut env.release,
            })
        }
        ParamTarget::Filter { instrument, param } => {
            p.instruments.get_mut(instrument)?.def.filter.as_mut()?.value_mut(param)
        }
        ParamTarget::Effect { owner, effect, param } => {
            params_slot(&mut p.chain_mut(*owner)?.iter_mut().find(|e| e.id == *effect)?.params, param)
        }
        ParamTarget::Lfo { instrument, param } => {
            let lfo = &mut p.instruments.get_mut(instrument)?.def.lfo;
            Some(if *param == LfoParam::Rate { &mut lfo.rate } else { &mut lfo.depth })
        }
        ParamTarget::Mixer { instrument, param } => mixer_slot(&mut p.instruments.get_mut(instrument)?.mixer, *param),
        ParamTarget::BusMixer { bus, param } => mixer_slot(&mut p.buses.get_mut(bus)?.mixer, *param),
        ParamTarget::MasterLevel => Some(&mut p.master.level),
        ParamTarget::MasterLimiterCeiling => Some(&mut p.master.limiter_ceiling_db),
        ParamTarget::Tempo => Some(&mut p.tempo),
    }
}

fn redraw_for(target: &ParamTarget) -> Redraw {
    let mut r = Redraw::default();
    match target {
        ParamTarget::Mixer { .. }
        | ParamTarget::BusMixer { .. }
        | ParamTarget::MasterLevel
        | ParamTarget::MasterLimiterCeiling => r.mixer = true,
        ParamTarget::Tempo => r.project = true,
        _ => r.instruments = true,
    }
    r
}

/// Sets one value. Emits `ParamSet` for every target, so the audio thread
/// has one path for edits, automation and MIDI.
pub(super) fn set_param(p: &mut Project, target: ParamTarget, value: f32) -> Result<Applied, DispatchError> {
    let range = param_range(p, &target)?;
    check_range(value, range)?;
    let slot = slot(p, &target).ok_or_else(|| DispatchError::NoSuchParam(target.clone()))?;
    let old = std::mem::replace(slot, value);
    let redraw = redraw_for(&target);
    Ok(Applied {
        diffs: vec![AudioDiff::ParamSet { target: target.clone(), value }],
        inverse: vec![Action::SetParam { target, value: old }],
        redraw,
    })
}

/// Checks a whole parameter map against its specs: exactly the catalog's
/// ids, each value in range.
pub(super) fn check_params(specs: &[ParamSpec], params: &Params) -> Result<(), DispatchError> {
    for (name, value) in params {
        let spec = find_param(specs, name).ok_or_else(|| DispatchError::UnknownParamName { name: name.clone() })?;
        check_range(*value, (spec.min, spec.max))?;
    }
    for spec in specs {
        if !params.contains_key(spec.id) {
            return Err(DispatchError::UnknownParamName { name: spec.id.to_owned() });
        }
    }
    Ok(())
}
