//! Instruments: add, remove (with their clips, placements, lanes and
//! mappings), restore, rename, duplicate, reorder, and the definition slots
//! (source, filter, LFO, voices).

use imbolc_types::{
    Action, AudioDiff, AudioInputDef, Instrument, InstrumentDef, InstrumentId, Project, RemovedInstrument, SourceDef,
    SourceKind,
};

use super::param::{LFO_RATE_RANGE, UNIT_RANGE, check_params};
use super::{Applied, DispatchError, Redraw, check_insert_index, check_range, dependents};

/// Voices an instrument may sound at once.
pub(crate) const POLYPHONY_RANGE: std::ops::RangeInclusive<u16> = 1..=256;

const R: Redraw = Redraw::INSTRUMENTS;
/// Adding or removing an instrument changes its strip and its clips too.
const R_ALL: Redraw = Redraw { instruments: true, mixer: true, arrangement: true, automation: true, ..Redraw::NONE };

fn get_mut(p: &mut Project, id: InstrumentId) -> Result<&mut Instrument, DispatchError> {
    p.instruments.get_mut(&id).ok_or(DispatchError::NoSuchInstrument(id))
}

/// The id of the instrument just before `index`, for `after` fields.
fn before(p: &Project, index: usize) -> Option<InstrumentId> {
    index.checked_sub(1).and_then(|i| p.instruments.get_index(i)).map(|(id, _)| *id)
}

pub(super) fn apply(p: &mut Project, action: Action) -> Result<Applied, DispatchError> {
    match action {
        Action::AddInstrument { source, name } => {
            let id = p.ids.next_instrument().ok_or(DispatchError::IdsExhausted("instrument"))?;
            let name = if name.is_empty() { format!("{} {}", source.name(), id) } else { name };
            let inst = Instrument { id, name, def: InstrumentDef::new(source), mixer: Default::default() };
            let after = p.instruments.last().map(|(k, _)| *k);
            let diff = AudioDiff::InstrumentAdded { instrument: Box::new(inst.clone()), after };
            p.instruments.insert(id, inst);
            Ok(Applied::one(Action::RemoveInstrument { instrument: id }, Some(diff), R_ALL))
        }
        Action::AddCustomInstrument { source, name } => {
            let id = p.ids.next_instrument().ok_or(DispatchError::IdsExhausted("instrument"))?;
            let name = if name.is_empty() { format!("{} {}", source.name, id) } else { name };
            let mut def = InstrumentDef::new(SourceKind::SINE);
            def.source = SourceDef::custom(*source);
            let inst = Instrument { id, name, def, mixer: Default::default() };
            let after = p.instruments.last().map(|(k, _)| *k);
            let diff = AudioDiff::InstrumentAdded { instrument: Box::new(inst.clone()), after };
            p.instruments.insert(id, inst);
            Ok(Applied::one(Action::RemoveInstrument { instrument: id }, Some(diff), R_ALL))
        }
        Action::RemoveInstrument { instrument } => remove(p, instrument),
        Action::RestoreInstrument(removed) => restore(p, *removed),
        Action::RenameInstrument { instrument, name } => {
            let old = std::mem::replace(&mut get_mut(p, instrument)?.name, name);
            Ok(Applied::one(
                Action::RenameInstrument { instrument, name: old },
                None,
                Redraw::INSTRUMENTS.union(Redraw::MIXER),
            ))
        }
        Action::DuplicateInstrument { instrument } => {
            let index = p.instruments.get_index_of(&instrument).ok_or(DispatchError::NoSuchInstrument(instrument))?;
            let mut copy = p.instruments[index].clone();
            copy.id = p.ids.next_instrument().ok_or(DispatchError::IdsExhausted("instrument"))?;
            copy.name = format!("{} copy", copy.name);
            // The frozen clip stays with the original; the copy synthesises.
            copy.def.frozen = None;
            for slot in &mut copy.def.effects {
                slot.id = p.ids.next_effect().ok_or(DispatchError::IdsExhausted("effect"))?;
            }
            // A copy of a layer stays a layer while its lead has room.
            if copy.def.layer.is_some_and(|link| super::layer::check(p, copy.id, &link).is_err()) {
                copy.def.layer = None;
            }
            let id = copy.id;
            let diff = AudioDiff::InstrumentAdded { instrument: Box::new(copy.clone()), after: Some(instrument) };
            p.instruments.shift_insert(index + 1, id, copy);
            Ok(Applied::one(Action::RemoveInstrument { instrument: id }, Some(diff), R_ALL))
        }
        Action::MoveInstrument { instrument, index } => {
            let from = p.instruments.get_index_of(&instrument).ok_or(DispatchError::NoSuchInstrument(instrument))?;
            let len = p.instruments.len();
            if index >= len {
                return Err(DispatchError::BadIndex { index, len });
            }
            super::keys::check_move(p, instrument, from, index)?;
            p.instruments.move_index(from, index);
            let after = before(p, index);
            Ok(Applied::one(
                Action::MoveInstrument { instrument, index: from },
                Some(AudioDiff::InstrumentMoved { instrument, after }),
                R.union(Redraw::MIXER),
            ))
        }
        Action::SetSource { instrument, source } => set_source(p, instrument, source),
        Action::SetFilter { instrument, filter } => {
            if let Some(f) = &filter {
                check_params(f.kind.params(), &f.params)?;
                for spec in imbolc_types::filter_env::FILTER_ENV_PARAMS {
                    check_range(f.env.get(spec.id).unwrap_or(spec.default), (spec.min, spec.max))?;
                }
            }
            let inst = get_mut(p, instrument)?;
            let old = std::mem::replace(&mut inst.def.filter, filter.clone());
            Ok(Applied::one(
                Action::SetFilter { instrument, filter: old },
                Some(AudioDiff::FilterChanged { instrument, filter }),
                R,
            ))
        }
        Action::SetFilterEnabled { instrument, enabled } => {
            let inst = get_mut(p, instrument)?;
            let filter = inst.def.filter.as_mut().ok_or(DispatchError::NoFilter(instrument))?;
            let old = std::mem::replace(&mut filter.enabled, enabled);
            let diff = AudioDiff::FilterChanged { instrument, filter: Some(filter.clone()) };
            Ok(Applied::one(Action::SetFilterEnabled { instrument, enabled: old }, Some(diff), R))
        }
        Action::SetLfo { instrument, lfo } => {
            check_range(lfo.rate, LFO_RATE_RANGE)?;
            check_range(lfo.depth, UNIT_RANGE)?;
            let inst = get_mut(p, instrument)?;
            let old = std::mem::replace(&mut inst.def.lfo, lfo.clone());
            Ok(Applied::one(
                Action::SetLfo { instrument, lfo: old },
                Some(AudioDiff::LfoChanged { instrument, lfo }),
                R,
            ))
        }
        Action::SetVoiceSettings { instrument, voice } => {
            if !POLYPHONY_RANGE.contains(&voice.polyphony) {
                return Err(DispatchError::InvalidPolyphony);
            }
            if !voice.is_valid() {
                return Err(DispatchError::InvalidVoiceSettings);
            }
            let inst = get_mut(p, instrument)?;
            let old = std::mem::replace(&mut inst.def.voice, voice);
            Ok(Applied::one(
                Action::SetVoiceSettings { instrument, voice: old },
                Some(AudioDiff::VoiceSettingsChanged { instrument, voice }),
                R,
            ))
        }
        Action::AddAudioInput { name } => {
            let id = p.ids.next_instrument().ok_or(DispatchError::IdsExhausted("instrument"))?;
            let name = if name.is_empty() { format!("input {id}") } else { name };
            let def = InstrumentDef::audio_input(AudioInputDef::default());
            let inst = Instrument { id, name, def, mixer: Default::default() };
            let after = p.instruments.last().map(|(k, _)| *k);
            let diff = AudioDiff::InstrumentAdded { instrument: Box::new(inst.clone()), after };
            p.instruments.insert(id, inst);
            Ok(Applied::one(Action::RemoveInstrument { instrument: id }, Some(diff), R_ALL))
        }
        Action::SetAudioInput { instrument, input } => {
            if !input.is_valid() {
                return Err(DispatchError::InvalidAudioInput);
            }
            let inst = get_mut(p, instrument)?;
            let slot = inst.def.input.as_mut().ok_or(DispatchError::NotAnAudioInput(instrument))?;
            let old = std::mem::replace(slot, input);
            Ok(Applied::one(
                Action::SetAudioInput { instrument, input: old },
                Some(AudioDiff::AudioInputChanged { instrument, input }),
                R.union(Redraw::MIXER),
            ))
        }
        // `super::apply` routes only this domain's actions here.
        _ => Ok(Applied::new(Redraw::NONE)),
    }
}

fn set_source(p: &mut Project, instrument: InstrumentId, source: SourceDef) -> Result<Applied, DispatchError> {
    check_params(&imbolc_types::custom::source_specs(&source), &source.params)?;
    let inst = get_mut(p, instrument)?;
    let old = std::mem::replace(&mut inst.def.source, source.clone());
    Ok(Applied::one(
        Action::SetSource { instrument, source: old },
        Some(AudioDiff::SourceChanged { instrument, source }),
        R,
    ))
}

fn remove(p: &mut Project, instrument: InstrumentId) -> Result<Applied, DispatchError> {
    let index = p.instruments.get_index_of(&instrument).ok_or(DispatchError::NoSuchInstrument(instrument))?;
    let mut out = Applied::new(R_ALL);
    let clip_ids: Vec<_> = p.clips.values().filter(|c| c.instrument == instrument).map(|c| c.id).collect();
    let placement_ids: Vec<_> =
        p.placements.values().filter(|pl| clip_ids.contains(&pl.clip)).map(|pl| pl.id).collect();
    let mut placements = Vec::with_capacity(placement_ids.len());
    for id in placement_ids {
        if let Some(pl) = p.placements.remove(&id) {
            out.diffs.push(AudioDiff::PlacementRemoved { placement: id });
            placements.push(pl);
        }
    }
    let generators: Vec<Action> = clip_ids.iter().filter_map(|&id| super::generate::take_generator(p, id)).collect();
    let mut clips = Vec::with_capacity(clip_ids.len());
    for id in clip_ids {
        if let Some(c) = p.clips.remove(&id) {
            out.diffs.push(AudioDiff::ClipRemoved { clip: id });
            clips.push(c);
        }
    }
    let deps = dependents::take(p, |t| t.instrument() == Some(instrument), &mut out.diffs);
    let relink = super::layer::unlink_layers_of(p, instrument, &mut out);
    let Some(inst) = p.instruments.shift_remove(&instrument) else {
        return Err(DispatchError::NoSuchInstrument(instrument));
    };
    out.diffs.push(AudioDiff::InstrumentRemoved { instrument });
    out.inverse.push(Action::RestoreInstrument(Box::new(RemovedInstrument {
        index,
        instrument: inst,
        clips,
        placements,
        dependents: deps,
    })));
    // Its clips' generators and its layers' links come back once it is.
    out.inverse.extend(generators);
    out.inverse.extend(relink);
    Ok(out)
}

fn restore(p: &mut Project, r: RemovedInstrument) -> Result<Applied, DispatchError> {
    let id = r.instrument.id;
    if p.instruments.contains_key(&id) {
        return Err(DispatchError::IdInUse(format!("instrument {id}")));
    }
    check_insert_index(r.index, p.instruments.len())?;
    for c in &r.clips {
        if p.clips.contains_key(&c.id) || c.instrument != id {
            return Err(DispatchError::IdInUse(format!("clip {}", c.id)));
        }
    }
    for pl in &r.placements {
        if p.placements.contains_key(&pl.id) || !r.clips.iter().any(|c| c.id == pl.clip) {
            return Err(DispatchError::IdInUse(format!("placement {}", pl.id)));
        }
    }
    dependents::check(p, &r.dependents)?;
    let mut out = Applied::new(R_ALL);
    let after = before(p, r.index);
    out.diffs.push(AudioDiff::InstrumentAdded { instrument: Box::new(r.instrument.clone()), after });
    p.instruments.shift_insert(r.index, id, r.instrument);
    for c in r.clips {
        out.diffs.push(AudioDiff::ClipAdded { clip: Box::new(c.clone()) });
        p.clips.insert(c.id, c);
    }
    for pl in r.placements {
        out.diffs.push(AudioDiff::PlacementAdded { placement: pl });
        p.placements.insert(pl.id, pl);
    }
    dependents::restore(p, r.dependents, &mut out.diffs);
    out.inverse.push(Action::RemoveInstrument { instrument: id });
    Ok(out)
}
