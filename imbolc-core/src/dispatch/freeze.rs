//! Freezing an instrument: its own chain, rendered (by `crate::freeze`),
//! plays as an audio clip of it instead of its voices, filter, effects and
//! LFO, which cost no CPU meanwhile and are kept for when it is unfrozen.
//! The instrument's nodes are rebuilt (one `InstrumentRemoved` and one
//! `InstrumentAdded`, nothing else), and while it is frozen its sound
//! cannot be edited (those actions are refused: unfreeze first).

use imbolc_types::{Action, AudioDiff, ChainOwner, InstrumentId, ParamTarget, Project, RemovedClip};

use super::{Applied, DispatchError, Redraw};

/// The frozen instrument `action` would change the sound of, if any.
pub(super) fn frozen_target(p: &Project, action: &Action) -> Option<InstrumentId> {
    let owner = |o: &ChainOwner| match o {
        ChainOwner::Instrument(i) => Some(*i),
        _ => None,
    };
    let id = match action {
        Action::SetSource { instrument, .. }
        | Action::SetFilter { instrument, .. }
        | Action::SetFilterEnabled { instrument, .. }
        | Action::SetLfo { instrument, .. } => Some(*instrument),
        Action::AddEffect { owner: o, .. }
        | Action::RemoveEffect { owner: o, .. }
        | Action::MoveEffect { owner: o, .. }
        | Action::SetEffectEnabled { owner: o, .. }
        | Action::SetEffectSync { owner: o, .. }
        | Action::SetEffectKey { owner: o, .. }
        | Action::SetEffectIr { owner: o, .. } => owner(o),
        Action::RestoreEffect(r) => owner(&r.owner),
        // The frozen clip goes (or is copied) only by unfreezing.
        Action::RemoveClip { clip } | Action::DuplicateClip { clip } => {
            p.instruments.values().find(|i| i.def.frozen == Some(*clip)).map(|i| i.id)
        }
        Action::SetParam { target, .. } => match target {
            ParamTarget::Source { instrument, .. }
            | ParamTarget::Filter { instrument, .. }
            | ParamTarget::Lfo { instrument, .. }
            | ParamTarget::Envelope { instrument, .. } => Some(*instrument),
            ParamTarget::Effect { owner: o, .. } => owner(o),
            _ => None,
        },
        _ => None,
    }?;
    p.instruments.get(&id).is_some_and(|i| i.def.frozen.is_some()).then_some(id)
}

/// The instrument's nodes are rebuilt with its (un)frozen definition.
fn rebuilt(p: &Project, instrument: InstrumentId, out: &mut Applied) {
    let Some(index) = p.instruments.get_index_of(&instrument) else { return };
    let after = index.checked_sub(1).and_then(|i| p.instruments.get_index(i)).map(|(k, _)| *k);
    out.diffs.push(AudioDiff::InstrumentRemoved { instrument });
    out.diffs.push(AudioDiff::InstrumentAdded { instrument: Box::new(p.instruments[index].clone()), after });
}

fn freezable(p: &Project, instrument: InstrumentId) -> Result<(), DispatchError> {
    let inst = p.instruments.get(&instrument).ok_or(DispatchError::NoSuchInstrument(instrument))?;
    if inst.def.frozen.is_some() || inst.def.audio_track || inst.def.input.is_some() {
        return Err(DispatchError::NotFreezable(instrument));
    }
    Ok(())
}

pub(super) fn apply(p: &mut Project, action: Action) -> Result<Applied, DispatchError> {
    match action {
        Action::FreezeInstrument { instrument, region, length } => {
            freezable(p, instrument)?;
            if length == 0 {
                return Err(DispatchError::InvalidLength);
            }
            if !region.is_valid() {
                return Err(DispatchError::InvalidAudioRegion);
            }
            let (mut clip, placement) = super::audio_clip::new_clip(p, instrument, *region, 0, length)?;
            clip.name = "frozen".to_owned();
            freeze_with(p, instrument, RemovedClip { clip, placements: vec![placement] })
        }
        Action::SetFrozen { instrument, frozen: Some(r) } => {
            freezable(p, instrument)?;
            let RemovedClip { clip, placements } = &*r;
            if p.clips.contains_key(&clip.id) || clip.instrument != instrument || clip.audio.is_none() {
                return Err(DispatchError::IdInUse(format!("clip {}", clip.id)));
            }
            if let Some(pl) = placements.iter().find(|pl| p.placements.contains_key(&pl.id) || pl.clip != clip.id) {
                return Err(DispatchError::IdInUse(format!("placement {}", pl.id)));
            }
            freeze_with(p, instrument, *r)
        }
        Action::SetFrozen { instrument, frozen: None } => {
            let inst = p.instruments.get(&instrument).ok_or(DispatchError::NoSuchInstrument(instrument))?;
            let clip = inst.def.frozen.ok_or(DispatchError::NotFrozen(instrument))?;
            let mut out = Applied::new(Redraw::ALL);
            let ids: Vec<_> = p.placements.values().filter(|pl| pl.clip == clip).map(|pl| pl.id).collect();
            let mut placements = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(pl) = p.placements.remove(&id) {
                    out.diffs.push(AudioDiff::PlacementRemoved { placement: id });
                    placements.push(pl);
                }
            }
            if let Some(removed) = p.clips.remove(&clip) {
                out.diffs.push(AudioDiff::ClipRemoved { clip });
                out.inverse.push(Action::SetFrozen {
                    instrument,
                    frozen: Some(Box::new(RemovedClip { clip: removed, placements })),
                });
            }
            if let Some(inst) = p.instruments.get_mut(&instrument) {
                inst.def.frozen = None;
            }
            rebuilt(p, instrument, &mut out);
            Ok(out)
        }
        // `super::apply` routes only this domain's actions here.
        _ => Ok(Applied::new(Redraw::NONE)),
    }
}

/// Freezes `instrument` with `r` (checked by the caller).
fn freeze_with(p: &mut Project, instrument: InstrumentId, r: RemovedClip) -> Result<Applied, DispatchError> {
    let RemovedClip { clip, placements } = r;
    let mut out = Applied::new(Redraw::ALL);
    if let Some(inst) = p.instruments.get_mut(&instrument) {
        inst.def.frozen = Some(clip.id);
    }
    rebuilt(p, instrument, &mut out);
    out.diffs.push(AudioDiff::ClipAdded { clip: Box::new(clip.clone()) });
    p.clips.insert(clip.id, clip);
    for pl in placements {
        out.diffs.push(AudioDiff::PlacementAdded { placement: pl });
        p.placements.insert(pl.id, pl);
    }
    out.inverse.push(Action::SetFrozen { instrument, frozen: None });
    Ok(out)
}
