//! Sidechain keys: which chain's signal keys an effect that takes one
//! (sidechain compressor, vocoder). A key must run earlier in the block
//! than its consumer (see docs/architecture.md): an instrument keys a later
//! instrument, any bus or the master; a bus keys a later bus or the master.
//!
//! Setting an instrument's key to an instrument listed after it moves the
//! consumer right after its key (one `InstrumentMoved`, the same undo
//! step), unless that would put a chain keyed by the consumer before it
//! (which includes every cycle): that is refused. Moving an instrument so
//! that a key would run after its consumer is refused too.

use imbolc_types::catalog::mix::takes_key;
use imbolc_types::{Action, AudioDiff, ChainOwner, EffectId, InstrumentId, Project};

use super::{Applied, DispatchError, Redraw};

/// Whether instrument `consumer` has an effect keyed by `key`.
fn keyed_by(p: &Project, consumer: InstrumentId, key: ChainOwner) -> bool {
    p.instruments.get(&consumer).is_some_and(|i| i.def.effects.iter().any(|e| e.key == Some(key)))
}

fn bad(consumer: ChainOwner, key: ChainOwner, why: &'static str) -> DispatchError {
    DispatchError::BadKey { consumer, key, why }
}

/// `SetEffectKey`: checks, moves the consumer after its key if needed, sets.
pub(super) fn set_key(
    p: &mut Project,
    owner: ChainOwner,
    effect: EffectId,
    key: Option<ChainOwner>,
) -> Result<Applied, DispatchError> {
    let chain = p.chain(owner).ok_or(match owner {
        ChainOwner::Instrument(id) => DispatchError::NoSuchInstrument(id),
        ChainOwner::Bus(id) => DispatchError::NoSuchBus(id),
        ChainOwner::Master => DispatchError::Empty,
    })?;
    let pos = chain.iter().position(|e| e.id == effect).ok_or(DispatchError::NoSuchEffect { owner, effect })?;
    if !takes_key(chain[pos].kind) {
        return Err(DispatchError::NotKeyed(effect));
    }
    let mut applied = Applied::new(match owner {
        ChainOwner::Instrument(_) => Redraw::INSTRUMENTS.union(Redraw::MIXER),
        _ => Redraw::MIXER,
    });
    if let Some(k) = key {
        match k {
            ChainOwner::Instrument(id) if !p.instruments.contains_key(&id) => {
                return Err(DispatchError::NoSuchInstrument(id));
            }
            ChainOwner::Bus(id) if !p.buses.contains_key(&id) => return Err(DispatchError::NoSuchBus(id)),
            ChainOwner::Master => return Err(bad(owner, k, "the master runs last, so it cannot key anything")),
            _ => {}
        }
        if k == owner {
            return Err(bad(owner, k, "a chain keys itself when no key is set"));
        }
        match (k, owner) {
            (ChainOwner::Bus(_), ChainOwner::Instrument(_)) => {
                return Err(bad(owner, k, "buses run after every instrument, so an instrument's key is an instrument"));
            }
            (ChainOwner::Bus(b), ChainOwner::Bus(c)) => {
                if p.buses.get_index_of(&b) > p.buses.get_index_of(&c) {
                    return Err(bad(owner, k, "a bus's key is an instrument or an earlier bus"));
                }
            }
            (ChainOwner::Instrument(o), ChainOwner::Instrument(c)) => {
                let (Some(io), Some(ic)) = (p.instruments.get_index_of(&o), p.instruments.get_index_of(&c)) else {
                    return Err(DispatchError::NoSuchInstrument(o));
                };
                if io > ic {
                    move_after_key(p, c, ic, io, &mut applied)?;
                }
            }
            _ => {}
        }
    }
    let slot =
        p.chain_mut(owner).and_then(|ch| ch.get_mut(pos)).ok_or(DispatchError::NoSuchEffect { owner, effect })?;
    let old = std::mem::replace(&mut slot.key, key);
    applied.diffs.push(AudioDiff::EffectKeySet { owner, effect, key });
    // Undo: the key first, then the move back.
    applied.inverse.insert(0, Action::SetEffectKey { owner, effect, key: old });
    Ok(applied)
}

/// Moves instrument `c` (at `ic`) right after its new key at `io` > `ic`,
/// unless a chain keyed by `c` lies in between (it would then run before
/// its key; when it is the key itself, that is a cycle).
fn move_after_key(
    p: &mut Project,
    c: InstrumentId,
    ic: usize,
    io: usize,
    applied: &mut Applied,
) -> Result<(), DispatchError> {
    let key = ChainOwner::Instrument(c);
    for i in ic + 1..=io {
        let Some((&x, _)) = p.instruments.get_index(i) else { continue };
        if keyed_by(p, x, key) {
            let why = if i == io {
                "that would make a cycle: the key is itself keyed by this instrument"
            } else {
                "an instrument between them is keyed by this one and would run before its key"
            };
            return Err(bad(key, ChainOwner::Instrument(x), why));
        }
    }
    p.instruments.move_index(ic, io);
    let after = io.checked_sub(1).and_then(|i| p.instruments.get_index(i)).map(|(id, _)| *id);
    applied.diffs.push(AudioDiff::InstrumentMoved { instrument: c, after });
    applied.inverse.push(Action::MoveInstrument { instrument: c, index: ic });
    Ok(())
}

/// Refuses moving instrument `id` from `from` to `to` when that makes a key
/// run after its consumer (only pairs that were in order before count, so
/// a project loaded out of order can still be fixed by moving).
pub(super) fn check_move(p: &Project, id: InstrumentId, from: usize, to: usize) -> Result<(), DispatchError> {
    let new_pos = |i: usize| -> usize {
        if i == from {
            to
        } else if from < to && i > from && i <= to {
            i - 1
        } else if to < from && i >= to && i < from {
            i + 1
        } else {
            i
        }
    };
    let me = ChainOwner::Instrument(id);
    let Some(inst) = p.instruments.get(&id) else { return Ok(()) };
    for e in &inst.def.effects {
        if let Some(ChainOwner::Instrument(k)) = e.key
            && let Some(ik) = p.instruments.get_index_of(&k)
            && ik < from
            && new_pos(ik) > to
        {
            return Err(bad(me, ChainOwner::Instrument(k), "its key would run after it; clear the key first"));
        }
    }
    for (i, (&x, _)) in p.instruments.iter().enumerate() {
        if x != id && keyed_by(p, x, me) && i > from && new_pos(i) < to {
            return Err(bad(ChainOwner::Instrument(x), me, "it would run after an instrument it keys"));
        }
    }
    Ok(())
}
