//! Mixer: instrument strips (mute, solo, output, sends), aux buses (add,
//! remove, restore, rename, mute) and the master mute. Levels and pans are
//! parameters (see [`super::param`]).

use imbolc_types::catalog::MAX_SENDS;
use imbolc_types::{
    Action, AudioDiff, Bus, BusId, Instrument, InstrumentId, MixerSettings, OutputTarget, Project, RemovedBus,
    SendSettings,
};

use super::{Applied, DispatchError, Redraw, check_insert_index, check_range, dependents};

const R: Redraw = Redraw::MIXER;

fn inst_mut(p: &mut Project, id: InstrumentId) -> Result<&mut Instrument, DispatchError> {
    p.instruments.get_mut(&id).ok_or(DispatchError::NoSuchInstrument(id))
}

fn bus_mut(p: &mut Project, id: BusId) -> Result<&mut Bus, DispatchError> {
    p.buses.get_mut(&id).ok_or(DispatchError::NoSuchBus(id))
}

fn mixer_set(instrument: InstrumentId, mixer: &MixerSettings) -> Option<AudioDiff> {
    Some(AudioDiff::MixerSet { instrument, mixer: mixer.clone() })
}

pub(super) fn apply(p: &mut Project, action: Action) -> Result<Applied, DispatchError> {
    match action {
        Action::SetMute { instrument, mute } => {
            let m = &mut inst_mut(p, instrument)?.mixer;
            let old = std::mem::replace(&mut m.mute, mute);
            Ok(Applied::one(Action::SetMute { instrument, mute: old }, mixer_set(instrument, m), R))
        }
        Action::SetSolo { instrument, solo } => {
            let m = &mut inst_mut(p, instrument)?.mixer;
            let old = std::mem::replace(&mut m.solo, solo);
            Ok(Applied::one(Action::SetSolo { instrument, solo: old }, mixer_set(instrument, m), R))
        }
        Action::SetOutput { instrument, output } => {
            if let OutputTarget::Bus(bus) = output {
                bus_mut(p, bus)?;
            }
            let m = &mut inst_mut(p, instrument)?.mixer;
            let old = std::mem::replace(&mut m.output, output);
            Ok(Applied::one(
                Action::SetOutput { instrument, output: old },
                Some(AudioDiff::OutputChanged { instrument, output }),
                R,
            ))
        }
        Action::AddSend { instrument, bus, level } => {
            let len = inst_mut(p, instrument)?.mixer.sends.len();
            insert_send(p, instrument, len, bus, level)
        }
        Action::RestoreSend { instrument, index, bus, level } => insert_send(p, instrument, index, bus, level),
        Action::RemoveSend { instrument, bus } => {
            let m = &mut inst_mut(p, instrument)?.mixer;
            let index =
                m.sends.iter().position(|s| s.bus == bus).ok_or(DispatchError::NoSuchSend { instrument, bus })?;
            let send = m.sends.remove(index);
            Ok(Applied::one(
                Action::RestoreSend { instrument, index, bus, level: send.level },
                mixer_set(instrument, m),
                R,
            ))
        }
        Action::AddBus { name } => {
            let id = p.ids.next_bus().ok_or(DispatchError::IdsExhausted("bus"))?;
            let name = if name.is_empty() { format!("bus {id}") } else { name };
            let bus = Bus { id, name, effects: Vec::new(), mixer: MixerSettings::default() };
            let after = p.buses.last().map(|(k, _)| *k);
            let diff = AudioDiff::BusAdded { bus: Box::new(bus.clone()), after };
            p.buses.insert(id, bus);
            Ok(Applied::one(Action::RemoveBus { bus: id }, Some(diff), R))
        }
        Action::RemoveBus { bus } => remove_bus(p, bus),
        Action::RestoreBus(r) => restore_bus(p, *r),
        Action::RenameBus { bus, name } => {
            let old = std::mem::replace(&mut bus_mut(p, bus)?.name, name);
            Ok(Applied::one(Action::RenameBus { bus, name: old }, None, R))
        }
        Action::SetBusMute { bus, mute } => {
            let b = bus_mut(p, bus)?;
            let old = std::mem::replace(&mut b.mixer.mute, mute);
            let diff = AudioDiff::BusMixerSet { bus, mixer: b.mixer.clone() };
            Ok(Applied::one(Action::SetBusMute { bus, mute: old }, Some(diff), R))
        }
        Action::SetMasterMute { mute } => {
            let old = std::mem::replace(&mut p.master.mute, mute);
            Ok(Applied::one(Action::SetMasterMute { mute: old }, Some(AudioDiff::MasterSet(p.master.clone())), R))
        }
        Action::SetMasterLimiter { on } => {
            let old = std::mem::replace(&mut p.master.limiter, on);
            Ok(Applied::one(Action::SetMasterLimiter { on: old }, Some(AudioDiff::MasterSet(p.master.clone())), R))
        }
        // `super::apply` routes only this domain's actions here.
        _ => Ok(Applied::new(Redraw::NONE)),
    }
}

fn insert_send(
    p: &mut Project,
    instrument: InstrumentId,
    index: usize,
    bus: BusId,
    level: f32,
) -> Result<Applied, DispatchError> {
    check_range(level, super::param::UNIT_RANGE)?;
    bus_mut(p, bus)?;
    let m = &mut inst_mut(p, instrument)?.mixer;
    if m.sends.iter().any(|s| s.bus == bus) {
        return Err(DispatchError::SendExists { instrument, bus });
    }
    if m.sends.len() >= MAX_SENDS {
        return Err(DispatchError::TooManySends(instrument));
    }
    check_insert_index(index, m.sends.len())?;
    m.sends.insert(index, SendSettings { bus, level });
    Ok(Applied::one(Action::RemoveSend { instrument, bus }, mixer_set(instrument, m), R))
}

fn remove_bus(p: &mut Project, bus: BusId) -> Result<Applied, DispatchError> {
    let index = p.buses.get_index_of(&bus).ok_or(DispatchError::NoSuchBus(bus))?;
    let mut out = Applied::new(R.union(Redraw::AUTOMATION));
    let mut mixers = Vec::new();
    for inst in p.instruments.values_mut() {
        let m = &mut inst.mixer;
        let uses = m.output == OutputTarget::Bus(bus) || m.sends.iter().any(|s| s.bus == bus);
        if uses {
            mixers.push((inst.id, m.clone()));
            if m.output == OutputTarget::Bus(bus) {
                m.output = OutputTarget::Master;
            }
            m.sends.retain(|s| s.bus != bus);
            out.diffs.push(AudioDiff::MixerSet { instrument: inst.id, mixer: m.clone() });
        }
    }
    let deps = dependents::take(p, |t| t.depends_on_bus(bus), &mut out.diffs);
    let Some(removed) = p.buses.shift_remove(&bus) else {
        return Err(DispatchError::NoSuchBus(bus));
    };
    out.diffs.push(AudioDiff::BusRemoved { bus });
    out.inverse.push(Action::RestoreBus(Box::new(RemovedBus { index, bus: removed, mixers, dependents: deps })));
    Ok(out)
}

fn restore_bus(p: &mut Project, r: RemovedBus) -> Result<Applied, DispatchError> {
    let id = r.bus.id;
    if p.buses.contains_key(&id) {
        return Err(DispatchError::IdInUse(format!("bus {id}")));
    }
    check_insert_index(r.index, p.buses.len())?;
    for (inst, _) in &r.mixers {
        if !p.instruments.contains_key(inst) {
            return Err(DispatchError::NoSuchInstrument(*inst));
        }
    }
    dependents::check(p, &r.dependents)?;
    let mut out = Applied::new(R.union(Redraw::AUTOMATION));
    let after = r.index.checked_sub(1).and_then(|i| p.buses.get_index(i)).map(|(k, _)| *k);
    out.diffs.push(AudioDiff::BusAdded { bus: Box::new(r.bus.clone()), after });
    p.buses.shift_insert(r.index, id, r.bus);
    for (inst, mixer) in r.mixers {
        if let Some(i) = p.instruments.get_mut(&inst) {
            out.diffs.push(AudioDiff::MixerSet { instrument: inst, mixer: mixer.clone() });
            i.mixer = mixer;
        }
    }
    dependents::restore(p, r.dependents, &mut out.diffs);
    out.inverse.push(Action::RemoveBus { bus: id });
    Ok(out)
}
