//! Ids: map keys equal the ids inside, effect ids are unique across every
//! chain, and each counter is above the largest id of its kind.

use std::collections::{HashMap, HashSet};

use imbolc_types::{ChainOwner, EffectId, EffectSlot, IdCounters, ParamTarget, Project};

use super::{RepairKind, Repairs};

/// Makes the id inside every map value equal its key. The key wins: every
/// reference (clips to instruments, placements to clips) resolves through
/// it.
pub(super) fn match_keys(p: &mut Project, out: &mut Repairs) {
    let mut fix = |what: &str, key: u32, inner: &mut u32| {
        if *inner != key {
            out.push(RepairKind::KeyMismatch, format!("{what} {key} held id {inner}"));
            *inner = key;
        }
    };
    for (k, v) in p.instruments.iter_mut() {
        fix("instrument", k.0, &mut v.id.0);
    }
    for (k, v) in p.buses.iter_mut() {
        fix("bus", k.0, &mut v.id.0);
    }
    for (k, v) in p.clips.iter_mut() {
        fix("clip", k.0, &mut v.id.0);
    }
    for (k, v) in p.placements.iter_mut() {
        fix("placement", k.0, &mut v.id.0);
    }
    for (k, v) in p.automation.iter_mut() {
        fix("automation lane", k.0, &mut v.id.0);
    }
}

/// Every effect chain of the project with its owner, instruments first,
/// then buses, then the master (keys already match ids).
fn chains_mut(p: &mut Project) -> impl Iterator<Item = (ChainOwner, &mut Vec<EffectSlot>)> {
    p.instruments
        .iter_mut()
        .map(|(id, i)| (ChainOwner::Instrument(*id), &mut i.def.effects))
        .chain(p.buses.iter_mut().map(|(id, b)| (ChainOwner::Bus(*id), &mut b.effects)))
        .chain(std::iter::once((ChainOwner::Master, &mut p.master_effects)))
}

/// One past the largest of `ids` (saturating: an id of `u32::MAX` leaves
/// the counter there, where allocation refuses), or 0.
fn above<I: IntoIterator<Item = u32>>(ids: I) -> u32 {
    ids.into_iter().max().map_or(0, |m| m.saturating_add(1))
}

/// Gives a fresh id to every effect whose id an earlier effect already
/// has (an effect for which no id is left is removed). Runs before
/// dangling references are dropped: a lane or mapping naming a renumbered
/// effect by its owner and old id follows it to the new id, so it is not
/// taken for dangling.
pub(super) fn unique_effects(p: &mut Project, out: &mut Repairs) {
    let mut seen = HashSet::new();
    let duplicates = chains_mut(p).flat_map(|(_, chain)| chain.iter()).filter(|slot| !seen.insert(slot.id)).count();
    if duplicates > 0 {
        let moved = renumber_duplicates(p, out);
        retarget(p, &moved);
    }
}

/// Raises each id counter above the largest id of its kind still in use
/// (run last, so what was dropped as dangling does not count).
pub(super) fn counters(p: &mut Project, out: &mut Repairs) {
    let effects = above(chains_mut(p).flat_map(|(_, chain)| chain.iter().map(|slot| slot.id.0)).collect::<Vec<_>>());
    let wanted = [
        ("instrument", above(p.instruments.keys().map(|k| k.0)), &mut p.ids.instrument),
        ("effect", effects, &mut p.ids.effect),
        ("bus", above(p.buses.keys().map(|k| k.0)), &mut p.ids.bus),
        ("clip", above(p.clips.keys().map(|k| k.0)), &mut p.ids.clip),
        ("note", above(p.clips.values().flat_map(|c| c.notes.keys().map(|n| n.0))), &mut p.ids.note),
        ("automation lane", above(p.automation.keys().map(|k| k.0)), &mut p.ids.lane),
        ("placement", above(p.placements.keys().map(|k| k.0)), &mut p.ids.placement),
    ];
    for (what, floor, counter) in wanted {
        if *counter < floor {
            out.push(RepairKind::IdCounter, format!("{what} counter {counter} → {floor}"));
            *counter = floor;
        }
    }
}

/// Gives every effect whose id an earlier effect has a fresh id (or
/// removes it when none is left). Returns, per owner, where each old id a
/// target could name went: a target names the first effect of its chain
/// with that id, so only that one's move counts (`None`: removed).
fn renumber_duplicates(p: &mut Project, out: &mut Repairs) -> HashMap<(ChainOwner, EffectId), Option<EffectId>> {
    // Fresh ids start above every effect id in use, whatever the counter says.
    let in_use = above(chains_mut(p).flat_map(|(_, chain)| chain.iter().map(|slot| slot.id.0)).collect::<Vec<_>>());
    let mut ids = IdCounters { effect: p.ids.effect.max(in_use), ..IdCounters::default() };
    let mut seen = HashSet::new();
    let mut moved = HashMap::new();
    for (owner, chain) in chains_mut(p) {
        let mut first_in_chain = HashSet::new();
        chain.retain_mut(|slot| {
            let old = slot.id;
            let first = first_in_chain.insert(old);
            if seen.insert(old) {
                return true;
            }
            let fresh = ids.next_effect();
            if first {
                moved.insert((owner, old), fresh);
            }
            match fresh {
                Some(fresh) => {
                    out.push(RepairKind::DuplicateId, format!("effect {old} of {owner:?} given id {fresh}"));
                    slot.id = fresh;
                    seen.insert(fresh);
                    true
                }
                None => {
                    out.push(RepairKind::DuplicateId, format!("effect {old} of {owner:?} removed: no effect ids left"));
                    false
                }
            }
        });
    }
    moved
}

/// Points lanes and MIDI mappings at the new ids of renumbered effects;
/// those of a removed effect are left to be dropped as dangling.
fn retarget(p: &mut Project, moved: &HashMap<(ChainOwner, EffectId), Option<EffectId>>) {
    let targets =
        p.automation.values_mut().map(|l| &mut l.target).chain(p.midi_mappings.iter_mut().map(|m| &mut m.target));
    for target in targets {
        if let ParamTarget::Effect { owner, effect, .. } = target
            && let Some(Some(fresh)) = moved.get(&(*owner, *effect))
        {
            *effect = *fresh;
        }
    }
}
