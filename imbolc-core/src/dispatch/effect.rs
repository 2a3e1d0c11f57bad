//! Effects in any chain (instrument, bus, master), addressed by
//! [`EffectId`]: add, remove (with lanes and mappings that target them),
//! restore, move, bypass and tempo sync of a parameter.

use imbolc_types::{Action, AudioDiff, ChainOwner, EffectId, EffectSlot, Project, RemovedEffect};

use super::{Applied, DispatchError, Redraw, check_insert_index, dependents, param::check_params};

/// Catalog id of the effect that takes an impulse response.
pub const CONVOLUTION: &str = "convolution";

fn redraw(owner: ChainOwner) -> Redraw {
    match owner {
        ChainOwner::Instrument(_) => Redraw::INSTRUMENTS,
        ChainOwner::Bus(_) | ChainOwner::Master => Redraw::MIXER,
    }
}

fn owner_missing(owner: ChainOwner) -> DispatchError {
    match owner {
        ChainOwner::Instrument(id) => DispatchError::NoSuchInstrument(id),
        ChainOwner::Bus(id) => DispatchError::NoSuchBus(id),
        ChainOwner::Master => DispatchError::Empty,
    }
}

fn chain_mut(p: &mut Project, owner: ChainOwner) -> Result<&mut Vec<EffectSlot>, DispatchError> {
    p.chain_mut(owner).ok_or_else(|| owner_missing(owner))
}

fn position(chain: &[EffectSlot], owner: ChainOwner, effect: EffectId) -> Result<usize, DispatchError> {
    chain.iter().position(|e| e.id == effect).ok_or(DispatchError::NoSuchEffect { owner, effect })
}

fn before(chain: &[EffectSlot], index: usize) -> Option<EffectId> {
    index.checked_sub(1).and_then(|i| chain.get(i)).map(|e| e.id)
}

/// Whether any chain of the project already holds an effect with this id.
fn id_in_use(p: &Project, id: EffectId) -> bool {
    p.master_effects.iter().any(|e| e.id == id)
        || p.buses.values().any(|b| b.effects.iter().any(|e| e.id == id))
        || p.instruments.values().any(|i| i.def.effects.iter().any(|e| e.id == id))
}

/// Checks that `param` is a parameter of the slot's effect that the catalog
/// lets follow the tempo.
fn check_syncable(slot: &EffectSlot, param: &str) -> Result<(), DispatchError> {
    let spec = imbolc_types::catalog::find_param(slot.kind.params(), param)
        .ok_or_else(|| DispatchError::UnknownParamName { name: param.to_owned() })?;
    if spec.sync.is_none() {
        return Err(DispatchError::NotSyncable { name: param.to_owned() });
    }
    Ok(())
}

/// Checks the sync map of a slot that arrives whole (restore).
pub(super) fn check_sync_map(slot: &EffectSlot) -> Result<(), DispatchError> {
    slot.sync.keys().try_for_each(|param| check_syncable(slot, param))
}

pub(super) fn apply(p: &mut Project, action: Action) -> Result<Applied, DispatchError> {
    match action {
        Action::AddEffect { owner, kind, index } => {
            let len = chain_mut(p, owner)?.len();
            let index = index.unwrap_or(len);
            check_insert_index(index, len)?;
            let id = p.ids.next_effect().ok_or(DispatchError::IdsExhausted("effect"))?;
            let slot = EffectSlot::new(id, kind);
            let chain = chain_mut(p, owner)?;
            let after = before(chain, index);
            chain.insert(index, slot.clone());
            Ok(Applied::one(
                Action::RemoveEffect { owner, effect: id },
                Some(AudioDiff::EffectAdded { owner, effect: slot, after }),
                redraw(owner),
            ))
        }
        Action::RemoveEffect { owner, effect } => {
            let index = position(chain_mut(p, owner)?, owner, effect)?;
            let mut out = Applied::new(redraw(owner).union(Redraw::AUTOMATION));
            let deps = dependents::take(p, |t| t.effect() == Some(effect), &mut out.diffs);
            let slot = chain_mut(p, owner)?.remove(index);
            out.diffs.push(AudioDiff::EffectRemoved { owner, effect });
            out.inverse.push(Action::RestoreEffect(Box::new(RemovedEffect {
                owner,
                index,
                effect: slot,
                dependents: deps,
            })));
            Ok(out)
        }
        Action::RestoreEffect(r) => {
            let RemovedEffect { owner, index, effect, dependents: deps } = *r;
            check_params(effect.kind.params(), &effect.params)?;
            check_sync_map(&effect)?;
            check_insert_index(index, chain_mut(p, owner)?.len())?;
            if id_in_use(p, effect.id) {
                return Err(DispatchError::IdInUse(format!("effect {}", effect.id)));
            }
            dependents::check(p, &deps)?;
            let id = effect.id;
            let chain = chain_mut(p, owner)?;
            let after = before(chain, index);
            chain.insert(index, effect.clone());
            let mut out = Applied::new(redraw(owner).union(Redraw::AUTOMATION));
            out.diffs.push(AudioDiff::EffectAdded { owner, effect, after });
            dependents::restore(p, deps, &mut out.diffs);
            out.inverse.push(Action::RemoveEffect { owner, effect: id });
            Ok(out)
        }
        Action::MoveEffect { owner, effect, index } => {
            let chain = chain_mut(p, owner)?;
            let from = position(chain, owner, effect)?;
            if index >= chain.len() {
                return Err(DispatchError::BadIndex { index, len: chain.len() });
            }
            let slot = chain.remove(from);
            chain.insert(index, slot);
            let after = before(chain, index);
            Ok(Applied::one(
                Action::MoveEffect { owner, effect, index: from },
                Some(AudioDiff::EffectMoved { owner, effect, after }),
                redraw(owner),
            ))
        }
        Action::SetEffectIr { owner, effect, ir } => {
            let chain = chain_mut(p, owner)?;
            let index = position(chain, owner, effect)?;
            let slot = &mut chain[index];
            if slot.kind.id() != CONVOLUTION {
                return Err(DispatchError::NotConvolution { effect });
            }
            if let Some(s) = &ir
                && !imbolc_types::SampleRef::is_valid_hash(&s.hash)
            {
                return Err(DispatchError::InvalidSample);
            }
            let old = std::mem::replace(&mut slot.ir, ir.clone());
            Ok(Applied::one(
                Action::SetEffectIr { owner, effect, ir: old },
                Some(AudioDiff::EffectIrSet { owner, effect, ir }),
                redraw(owner),
            ))
        }
        Action::SetEffectEnabled { owner, effect, enabled } => {
            let chain = chain_mut(p, owner)?;
            let index = position(chain, owner, effect)?;
            let old = std::mem::replace(&mut chain[index].enabled, enabled);
            Ok(Applied::one(
                Action::SetEffectEnabled { owner, effect, enabled: old },
                Some(AudioDiff::EffectToggled { owner, effect, enabled }),
                redraw(owner),
            ))
        }
        Action::SetEffectSync { owner, effect, param, division } => {
            let chain = chain_mut(p, owner)?;
            let index = position(chain, owner, effect)?;
            let slot = &mut chain[index];
            check_syncable(slot, &param)?;
            let old = match division {
                Some(d) => slot.sync.insert(param.clone(), d),
                None => slot.sync.remove(&param),
            };
            Ok(Applied::one(
                Action::SetEffectSync { owner, effect, param: param.clone(), division: old },
                Some(AudioDiff::EffectSyncChanged { owner, effect, param, division }),
                redraw(owner),
            ))
        }
        // `super::apply` routes only this domain's actions here.
        _ => Ok(Applied::new(Redraw::NONE)),
    }
}
