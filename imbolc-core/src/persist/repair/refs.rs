//! Dangling references: what names something the project does not have
//! is dropped (clips, placements, automation lanes, MIDI mappings, sends),
//! pointed back at the master (outputs) or cleared (sidechain and vocoder
//! keys, which then key the effect with its own chain).
//!
//! "Missing" means what a removal in dispatch takes along (see
//! `dispatch::dependents`): the instrument, bus or effect a target belongs
//! to is gone. A lane whose parameter name no longer fits its slot stays
//! (dispatch keeps such lanes inert too, so changing the source back
//! brings them back).

use std::collections::HashSet;

use imbolc_types::catalog::MAX_SENDS;
use imbolc_types::catalog::mix::takes_key;
use imbolc_types::{
    BusId, ChainOwner, EffectSlot, InstrumentId, MixerParam, MixerSettings, OutputTarget, ParamTarget, Project,
};

use super::{RepairKind, Repairs};

/// Whether everything `target` belongs to exists.
pub(super) fn owner_exists(p: &Project, target: &ParamTarget) -> bool {
    let bus_ok = |param: &MixerParam| match param {
        MixerParam::Send(bus) => p.buses.contains_key(bus),
        MixerParam::Level | MixerParam::Pan => true,
    };
    match target {
        ParamTarget::Source { instrument, .. }
        | ParamTarget::Envelope { instrument, .. }
        | ParamTarget::Filter { instrument, .. }
        | ParamTarget::Lfo { instrument, .. } => p.instruments.contains_key(instrument),
        ParamTarget::Mixer { instrument, param } => p.instruments.contains_key(instrument) && bus_ok(param),
        ParamTarget::BusMixer { bus, param } => p.buses.contains_key(bus) && bus_ok(param),
        ParamTarget::Effect { owner, effect, .. } => p.chain(*owner).is_some_and(|c| c.iter().any(|e| e.id == *effect)),
        ParamTarget::MasterLevel | ParamTarget::MasterLimiterCeiling | ParamTarget::Tempo => true,
    }
}

pub(super) fn drop_dangling(p: &mut Project, out: &mut Repairs) {
    let instruments: HashSet<_> = p.instruments.keys().copied().collect();
    p.clips.retain(|id, clip| {
        let keep = instruments.contains(&clip.instrument);
        if !keep {
            out.push(RepairKind::DanglingClip, format!("clip {id} of missing instrument {}", clip.instrument));
        }
        keep
    });
    let clips = &p.clips;
    p.placements.retain(|id, pl| {
        let keep = clips.contains_key(&pl.clip);
        if !keep {
            out.push(RepairKind::DanglingPlacement, format!("placement {id} of missing clip {}", pl.clip));
        }
        keep
    });
    let lanes: Vec<_> = p.automation.values().filter(|l| !owner_exists(p, &l.target)).map(|l| l.id).collect();
    for id in lanes {
        if let Some(lane) = p.automation.remove(&id) {
            out.push(RepairKind::DanglingAutomation, format!("lane {id} of {:?}", lane.target));
        }
    }
    let mappings = std::mem::take(&mut p.midi_mappings);
    for m in mappings {
        if owner_exists(p, &m.target) {
            p.midi_mappings.push(m);
        } else {
            let what = format!("channel {} CC {} of {:?}", m.channel, m.cc, m.target);
            out.push(RepairKind::DanglingMapping, what);
        }
    }
    let buses: HashSet<BusId> = p.buses.keys().copied().collect();
    for inst in p.instruments.values_mut() {
        routes(&mut inst.mixer, ChainOwner::Instrument(inst.id), &buses, out);
    }
    for bus in p.buses.values_mut() {
        bus_routes(&mut bus.mixer, bus.id, out);
    }
    clear_dangling_keys(p, out);
}

/// Clears every effect key naming an instrument or bus the project does
/// not have, or a chain no key can be (the master, the effect's own
/// chain), or set on an effect that takes no key: dispatch refuses each of
/// these, and the engine would read a bus nobody writes. One repair each.
fn clear_dangling_keys(p: &mut Project, out: &mut Repairs) {
    let instruments: HashSet<InstrumentId> = p.instruments.keys().copied().collect();
    let buses: HashSet<BusId> = p.buses.keys().copied().collect();
    let valid = |owner: ChainOwner, slot: &EffectSlot, key: ChainOwner| {
        takes_key(slot.kind)
            && key != owner
            && match key {
                ChainOwner::Instrument(id) => instruments.contains(&id),
                ChainOwner::Bus(id) => buses.contains(&id),
                ChainOwner::Master => false,
            }
    };
    let mut clear = |owner: ChainOwner, chain: &mut Vec<EffectSlot>| {
        for slot in chain {
            if let Some(key) = slot.key
                && !valid(owner, slot, key)
            {
                out.push(RepairKind::DanglingKey, format!("{owner:?} effect {} key {key:?} cleared", slot.id));
                slot.key = None;
            }
        }
    };
    for inst in p.instruments.values_mut() {
        clear(ChainOwner::Instrument(inst.id), &mut inst.def.effects);
    }
    for bus in p.buses.values_mut() {
        clear(ChainOwner::Bus(bus.id), &mut bus.effects);
    }
    clear(ChainOwner::Master, &mut p.master_effects);
}

/// An instrument strip: output to an existing bus, at most one send per
/// existing bus, at most [`MAX_SENDS`].
fn routes(m: &mut MixerSettings, owner: ChainOwner, buses: &HashSet<BusId>, out: &mut Repairs) {
    if let OutputTarget::Bus(b) = m.output
        && !buses.contains(&b)
    {
        out.push(RepairKind::DanglingRoute, format!("{owner:?} output to missing bus {b} → master"));
        m.output = OutputTarget::Master;
    }
    let mut seen = HashSet::new();
    m.sends.retain(|s| {
        let keep = buses.contains(&s.bus) && seen.insert(s.bus) && seen.len() <= MAX_SENDS;
        if !keep {
            out.push(RepairKind::DanglingRoute, format!("{owner:?} send to bus {} removed", s.bus));
        }
        keep
    });
}

/// A bus strip as dispatch makes it: to the master, with no sends (no
/// action routes a bus elsewhere, and a bus-to-bus route could feed back).
fn bus_routes(m: &mut MixerSettings, bus: BusId, out: &mut Repairs) {
    if m.output != OutputTarget::Master {
        out.push(RepairKind::DanglingRoute, format!("bus {bus} output → master"));
        m.output = OutputTarget::Master;
    }
    if !m.sends.is_empty() {
        out.push(RepairKind::DanglingRoute, format!("bus {bus}: {} sends removed", m.sends.len()));
        m.sends.clear();
    }
}

/// A frozen instrument plays its frozen clip: an audio clip of its own.
/// Otherwise (or on an audio track or input, which cannot be frozen) it is
/// unfrozen, so it synthesises again.
pub(super) fn frozen_clips(p: &mut Project, out: &mut Repairs) {
    let clips = &p.clips;
    for inst in p.instruments.values_mut() {
        let Some(clip) = inst.def.frozen else { continue };
        let ok = clips.get(&clip).is_some_and(|c| c.instrument == inst.id && c.audio.is_some())
            && !inst.def.audio_track
            && inst.def.input.is_none();
        if !ok {
            out.push(RepairKind::Structure, format!("instrument {}: frozen clip {clip} unusable, unfrozen", inst.id));
            inst.def.frozen = None;
        }
    }
}
