//! Names to ids: instruments and buses by name, clips as
//! `INSTRUMENT/CLIP`, effects by kind or `fxN`, parameters by path
//! (`bass.cutoff`, `reverb.reverb.mix`, `master.level`, `tempo`).

use imbolc_types::{
    BusId, ChainOwner, ClipId, EffectId, EnvelopeStage, InstrumentId, LfoParam, MixerParam, ParamTarget, Project,
    catalog::find_param,
};

use super::ScriptError;

fn no(what: &str, name: &str) -> ScriptError {
    ScriptError::Invalid(format!("no {what} named {name:?}"))
}

/// The instrument named `name` (the first, when names repeat).
///
/// # Errors
/// [`ScriptError::Invalid`] when there is none.
pub fn instrument(p: &Project, name: &str) -> Result<InstrumentId, ScriptError> {
    p.instruments.values().find(|i| i.name == name).map(|i| i.id).ok_or_else(|| no("instrument", name))
}

/// The bus named `name`.
///
/// # Errors
/// [`ScriptError::Invalid`] when there is none.
pub fn bus(p: &Project, name: &str) -> Result<BusId, ScriptError> {
    p.buses.values().find(|b| b.name == name).map(|b| b.id).ok_or_else(|| no("bus", name))
}

/// A chain's owner: an instrument, else a bus, else `master`.
///
/// # Errors
/// [`ScriptError::Invalid`] when `name` is none of them.
pub fn owner(p: &Project, name: &str) -> Result<ChainOwner, ScriptError> {
    if let Ok(i) = instrument(p, name) {
        return Ok(ChainOwner::Instrument(i));
    }
    if let Ok(b) = bus(p, name) {
        return Ok(ChainOwner::Bus(b));
    }
    if name == "master" {
        return Ok(ChainOwner::Master);
    }
    Err(no("instrument or bus", name))
}

/// A clip: `INSTRUMENT/CLIP`, or `INSTRUMENT` for its newest clip.
///
/// # Errors
/// [`ScriptError::Invalid`] when there is no such clip.
pub fn clip(p: &Project, path: &str) -> Result<ClipId, ScriptError> {
    let (inst, name) = match path.split_once('/') {
        Some((i, c)) => (i, Some(c)),
        None => (path, None),
    };
    let inst = instrument(p, inst)?;
    let mut clips = p.clips.values().filter(|c| c.instrument == inst);
    let found = match name {
        Some(name) => clips.find(|c| c.name == name),
        None => clips.next_back(),
    };
    found.map(|c| c.id).ok_or_else(|| no("clip", path))
}

/// An effect of `owner`'s chain: the first of a kind (`reverb`), or the
/// Nth (`fx1`).
///
/// # Errors
/// [`ScriptError::Invalid`] when there is no such effect.
pub fn effect(p: &Project, owner: ChainOwner, word: &str) -> Result<EffectId, ScriptError> {
    let chain = p.chain(owner).ok_or_else(|| no("chain", word))?;
    let by_index = word.strip_prefix("fx").and_then(|n| n.parse::<usize>().ok()).and_then(|n| n.checked_sub(1));
    let found = match by_index {
        Some(i) => chain.get(i),
        None => chain.iter().find(|e| e.kind.id() == word),
    };
    found.map(|e| e.id).ok_or_else(|| no("effect", word))
}

fn stage(word: &str) -> Option<EnvelopeStage> {
    match word {
        "attack" => Some(EnvelopeStage::Attack),
        "decay" => Some(EnvelopeStage::Decay),
        "sustain" => Some(EnvelopeStage::Sustain),
        "release" => Some(EnvelopeStage::Release),
        _ => None,
    }
}

fn mixer(p: &Project, parts: &[&str]) -> Result<Option<MixerParam>, ScriptError> {
    Ok(match parts {
        ["level"] => Some(MixerParam::Level),
        ["pan"] => Some(MixerParam::Pan),
        ["send", b] => Some(MixerParam::Send(bus(p, b)?)),
        _ => None,
    })
}

/// The parameter a path names (see `param set` in the command table).
///
/// # Errors
/// [`ScriptError::Invalid`] naming the part that matches nothing.
pub fn param(p: &Project, path: &str) -> Result<ParamTarget, ScriptError> {
    let parts: Vec<&str> = path.split('.').collect();
    let bad = || ScriptError::Invalid(format!("no parameter {path:?} (see help param set)"));
    match parts.as_slice() {
        ["tempo"] => return Ok(ParamTarget::Tempo),
        ["master", "level"] => return Ok(ParamTarget::MasterLevel),
        ["master", "ceiling"] => return Ok(ParamTarget::MasterLimiterCeiling),
        _ => {}
    }
    let (first, rest) = parts.split_first().ok_or_else(bad)?;
    let owner = owner(p, first)?;
    if let ChainOwner::Instrument(instrument) = owner {
        if let Some(param) = mixer(p, rest)? {
            return Ok(ParamTarget::Mixer { instrument, param });
        }
        let inst = p.instruments.get(&instrument).ok_or_else(bad)?;
        let in_source = |name: &str| inst.def.source.params.contains_key(name);
        let in_filter =
            |name: &str| inst.def.filter.as_ref().is_some_and(|f| find_param(f.kind.params(), name).is_some());
        let named = |param: &str| param.to_owned();
        match rest {
            [s] | ["env", s] if stage(s).is_some() => {
                return Ok(ParamTarget::Envelope { instrument, stage: stage(s).ok_or_else(bad)? });
            }
            [s] if in_source(s) => return Ok(ParamTarget::Source { instrument, param: named(s) }),
            [s] if in_filter(s) => return Ok(ParamTarget::Filter { instrument, param: named(s) }),
            ["source", s] if in_source(s) => return Ok(ParamTarget::Source { instrument, param: named(s) }),
            ["filter", s] if in_filter(s) => return Ok(ParamTarget::Filter { instrument, param: named(s) }),
            ["lfo", "rate"] => return Ok(ParamTarget::Lfo { instrument, param: LfoParam::Rate }),
            ["lfo", "depth"] => return Ok(ParamTarget::Lfo { instrument, param: LfoParam::Depth }),
            _ => {}
        }
    } else if let ChainOwner::Bus(bus) = owner
        && let Some(param) = mixer(p, rest)?
    {
        return Ok(ParamTarget::BusMixer { bus, param });
    }
    match rest {
        [fx, param] => {
            let effect = effect(p, owner, fx)?;
            Ok(ParamTarget::Effect { owner, effect, param: (*param).to_owned() })
        }
        _ => Err(bad()),
    }
}

/// A pad of a kit: its number from 1, or its name (`kick`, `closed_hat`,
/// `"closed hat"`).
///
/// # Errors
/// [`ScriptError::Invalid`] when there is no such pad.
pub fn pad(p: &Project, instrument: InstrumentId, word: &str) -> Result<u8, ScriptError> {
    let kit = p
        .instruments
        .get(&instrument)
        .and_then(|i| i.def.drums.as_ref())
        .ok_or_else(|| ScriptError::Invalid("that clip's instrument is not a drum kit".into()))?;
    if let Ok(n) = word.parse::<usize>() {
        if (1..=kit.pads.len()).contains(&n) {
            return u8::try_from(n - 1).map_err(|_| no("pad", word));
        }
        return Err(no("pad", word));
    }
    let wanted = word.replace(['_', '-'], " ").to_lowercase();
    kit.pads
        .iter()
        .position(|pad| pad.name.to_lowercase() == wanted)
        .and_then(|i| u8::try_from(i).ok())
        .ok_or_else(|| no("pad", word))
}
