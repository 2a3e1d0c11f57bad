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
            (ChainOwner::Bus(b), ChainOwner::Bus(c)) if p.buses.get_index_of(&b) > p.buses.get_index_of(&c) => {
                return Err(bad(owner, k, "a bus's key is an instrument or an earlier bus"));
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

#[cfg(test)]
mod tests {
    use imbolc_types::{EffectKind, SourceKind};

    use super::*;
    use crate::dispatch::dispatch;

    /// Three instruments a, b, c (in that order), each with a sidechain
    /// compressor; returns the compressors' ids.
    fn three() -> (Project, [EffectId; 3]) {
        let mut p = Project::new("keys");
        for name in ["a", "b", "c"] {
            dispatch(&mut p, Action::AddInstrument { source: SourceKind::SAW, name: name.into() }).unwrap();
        }
        let ids: Vec<InstrumentId> = p.instruments.keys().copied().collect();
        let comps = [0, 1, 2].map(|i| {
            let owner = ChainOwner::Instrument(ids[i]);
            dispatch(&mut p, Action::AddEffect { owner, kind: EffectKind::SIDECHAIN_COMPRESSOR, index: None }).unwrap();
            p.instruments[&ids[i]].def.effects[0].id
        });
        (p, comps)
    }

    fn inst(i: u32) -> ChainOwner {
        ChainOwner::Instrument(InstrumentId(i))
    }

    #[test]
    fn a_later_key_moves_the_consumer_after_it_in_one_undo_step_and_cycles_are_refused() {
        let (mut p, [ca, cb, cc]) = three();
        let out = dispatch(&mut p, Action::SetEffectKey { owner: inst(0), effect: ca, key: Some(inst(2)) }).unwrap();
        let order: Vec<u32> = p.instruments.keys().map(|i| i.0).collect();
        assert_eq!(order, vec![1, 2, 0], "a moved right after c");
        assert_eq!(out.diffs.len(), 2, "one move and one key: {:?}", out.diffs);
        // Undo: key cleared, a back first.
        let undo = out.undo.unwrap();
        assert_eq!(undo.inverse.len(), 2);
        // c keyed by a would be a cycle.
        let err = dispatch(&mut p, Action::SetEffectKey { owner: inst(2), effect: cc, key: Some(inst(0)) });
        assert!(matches!(err, Err(DispatchError::BadKey { .. })), "{err:?}");
        // b keyed by c: b moves after c (nothing keyed by b in between).
        dispatch(&mut p, Action::SetEffectKey { owner: inst(1), effect: cb, key: Some(inst(2)) }).unwrap();
        let order: Vec<u32> = p.instruments.keys().map(|i| i.0).collect();
        assert_eq!(order, vec![2, 1, 0]);
        // a keyed by b instead: in order already, no move.
        let out = dispatch(&mut p, Action::SetEffectKey { owner: inst(0), effect: ca, key: Some(inst(1)) }).unwrap();
        assert!(out.diffs.iter().all(|d| !matches!(d, AudioDiff::InstrumentMoved { .. })));
        assert_eq!(out.diffs.len(), 1);
    }

    #[test]
    fn moves_that_would_put_a_key_after_its_consumer_are_refused() {
        let (mut p, [_, cb, _]) = three();
        dispatch(&mut p, Action::SetEffectKey { owner: inst(1), effect: cb, key: Some(inst(0)) }).unwrap();
        let err = dispatch(&mut p, Action::MoveInstrument { instrument: InstrumentId(0), index: 2 });
        assert!(matches!(err, Err(DispatchError::BadKey { .. })), "{err:?}");
        let err = dispatch(&mut p, Action::MoveInstrument { instrument: InstrumentId(1), index: 0 });
        assert!(matches!(err, Err(DispatchError::BadKey { .. })), "{err:?}");
        // Moving c anywhere is fine.
        dispatch(&mut p, Action::MoveInstrument { instrument: InstrumentId(2), index: 0 }).unwrap();
        // Buses cannot key instruments; effects without a key input refuse one.
        dispatch(&mut p, Action::AddBus { name: "bus".into() }).unwrap();
        let bus = *p.buses.keys().next().unwrap();
        let err =
            dispatch(&mut p, Action::SetEffectKey { owner: inst(1), effect: cb, key: Some(ChainOwner::Bus(bus)) });
        assert!(matches!(err, Err(DispatchError::BadKey { .. })));
        dispatch(&mut p, Action::AddEffect { owner: inst(1), kind: EffectKind::DELAY, index: None }).unwrap();
        let delay = p.instruments[&InstrumentId(1)].def.effects[1].id;
        let err = dispatch(&mut p, Action::SetEffectKey { owner: inst(1), effect: delay, key: Some(inst(0)) });
        assert_eq!(err.err(), Some(DispatchError::NotKeyed(delay)));
    }
}
