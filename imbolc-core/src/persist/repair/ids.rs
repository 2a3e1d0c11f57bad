//! Ids: map keys equal the ids inside, effect ids are unique across every
//! chain, and each counter is above the largest id of its kind.

use std::collections::HashSet;

use imbolc_types::{EffectSlot, Project};

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

/// Every effect chain of the project, instruments first, then buses, then
/// the master.
fn chains_mut(p: &mut Project) -> impl Iterator<Item = &mut Vec<EffectSlot>> {
    p.instruments
        .values_mut()
        .map(|i| &mut i.def.effects)
        .chain(p.buses.values_mut().map(|b| &mut b.effects))
        .chain(std::iter::once(&mut p.master_effects))
}

/// One past the largest of `ids` (saturating: an id of `u32::MAX` leaves
/// the counter there, where allocation refuses), or 0.
fn above<I: IntoIterator<Item = u32>>(ids: I) -> u32 {
    ids.into_iter().max().map_or(0, |m| m.saturating_add(1))
}

/// Raises the id counters above every id in use, then gives a fresh id to
/// every effect whose id an earlier effect already has (an effect for
/// which no id is left is removed).
pub(super) fn unique_effects_and_counters(p: &mut Project, out: &mut Repairs) {
    let mut seen = HashSet::new();
    let mut max_effect = None::<u32>;
    let mut duplicates = 0usize;
    for chain in chains_mut(p) {
        for slot in chain.iter() {
            if seen.insert(slot.id) {
                max_effect = max_effect.max(Some(slot.id.0));
            } else {
                duplicates += 1;
            }
        }
    }
    let wanted = [
        ("instrument", above(p.instruments.keys().map(|k| k.0)), &mut p.ids.instrument),
        ("effect", above(max_effect), &mut p.ids.effect),
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
    if duplicates == 0 {
        return;
    }
    let mut ids = p.ids.clone();
    let mut seen = HashSet::new();
    for chain in chains_mut(p) {
        chain.retain_mut(|slot| {
            if seen.insert(slot.id) {
                return true;
            }
            match ids.next_effect() {
                Some(fresh) => {
                    out.push(RepairKind::DuplicateId, format!("effect {} given id {fresh}", slot.id));
                    slot.id = fresh;
                    seen.insert(fresh);
                    true
                }
                None => {
                    out.push(RepairKind::DuplicateId, format!("effect {} removed: no effect ids left", slot.id));
                    false
                }
            }
        });
    }
    p.ids = ids;
}
