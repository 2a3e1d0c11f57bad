//! Sampler instruments: add one, insert, replace and remove its zones.
//!
//! Every zone is checked ([`SamplerZone::is_valid`]) before anything
//! changes; each edit emits one diff for the one zone it touches, and its
//! inverse is the matching zone edit.

use imbolc_types::sampler::{MAX_ZONES, SamplerZone};
use imbolc_types::{Action, AudioDiff, Instrument, InstrumentDef, InstrumentId, Project};

use super::{Applied, DispatchError, Redraw};

const R_ADD: Redraw = Redraw { instruments: true, mixer: true, arrangement: true, automation: true, ..Redraw::NONE };
const R_ZONE: Redraw = Redraw::INSTRUMENTS;

fn check_zone(zone: &SamplerZone) -> Result<(), DispatchError> {
    if zone.is_valid() { Ok(()) } else { Err(DispatchError::InvalidZone) }
}

fn zones_of(p: &mut Project, id: InstrumentId) -> Result<&mut Vec<SamplerZone>, DispatchError> {
    let inst = p.instruments.get_mut(&id).ok_or(DispatchError::NoSuchInstrument(id))?;
    inst.def.sampler.as_mut().map(|s| &mut s.zones).ok_or(DispatchError::NotASampler(id))
}

pub(super) fn apply(p: &mut Project, action: Action) -> Result<Applied, DispatchError> {
    match action {
        Action::AddSampler { name, zones, env } => {
            if zones.is_empty() || zones.len() > MAX_ZONES {
                return Err(DispatchError::InvalidZone);
            }
            zones.iter().try_for_each(check_zone)?;
            let id = p.ids.next_instrument().ok_or(DispatchError::IdsExhausted("instrument"))?;
            let name = if name.is_empty() { format!("sampler {id}") } else { name };
            let mut def = InstrumentDef::sampler(zones);
            if let Some(env) = env {
                let ok = [env.attack, env.decay, env.release].iter().all(|t| t.is_finite() && (0.0..=60.0).contains(t))
                    && env.sustain.is_finite()
                    && (0.0..=1.0).contains(&env.sustain);
                if !ok {
                    return Err(DispatchError::InvalidZone);
                }
                def.amp_env = env;
            }
            let inst = Instrument { id, name, def, mixer: Default::default() };
            let after = p.instruments.last().map(|(k, _)| *k);
            let diff = AudioDiff::InstrumentAdded { instrument: Box::new(inst.clone()), after };
            p.instruments.insert(id, inst);
            Ok(Applied::one(Action::RemoveInstrument { instrument: id }, Some(diff), R_ADD))
        }
        Action::AddSamplerZone { instrument, index, zone } => {
            check_zone(&zone)?;
            let zones = zones_of(p, instrument)?;
            if index > zones.len() {
                return Err(DispatchError::BadIndex { index, len: zones.len() });
            }
            if zones.len() >= MAX_ZONES {
                return Err(DispatchError::InvalidZone);
            }
            zones.insert(index, zone.clone());
            Ok(Applied::one(
                Action::RemoveSamplerZone { instrument, index },
                Some(AudioDiff::SamplerZoneAdded { instrument, index, zone }),
                R_ZONE,
            ))
        }
        Action::SetSamplerZone { instrument, index, zone } => {
            check_zone(&zone)?;
            let zones = zones_of(p, instrument)?;
            let len = zones.len();
            let slot = zones.get_mut(index).ok_or(DispatchError::BadIndex { index, len })?;
            let old = std::mem::replace(slot, zone.clone());
            Ok(Applied::one(
                Action::SetSamplerZone { instrument, index, zone: old },
                Some(AudioDiff::SamplerZoneChanged { instrument, index, zone }),
                R_ZONE,
            ))
        }
        Action::RemoveSamplerZone { instrument, index } => {
            let zones = zones_of(p, instrument)?;
            if index >= zones.len() {
                return Err(DispatchError::BadIndex { index, len: zones.len() });
            }
            let old = zones.remove(index);
            Ok(Applied::one(
                Action::AddSamplerZone { instrument, index, zone: old },
                Some(AudioDiff::SamplerZoneRemoved { instrument, index }),
                R_ZONE,
            ))
        }
        // `super::apply` routes only this domain's actions here.
        _ => Ok(Applied::new(Redraw::NONE)),
    }
}

#[cfg(test)]
mod tests {
    use imbolc_types::sample::{SampleFormat, SampleRef};

    use super::*;
    use crate::dispatch;

    fn zone(root: u8) -> SamplerZone {
        let sample = SampleRef {
            hash: "b".repeat(64),
            name: "x.wav".into(),
            format: SampleFormat::Wav,
            channels: 1,
            sample_rate: 48_000,
            frames: 4_800,
            bytes: 9_644,
        };
        SamplerZone::new(sample, root)
    }

    #[test]
    fn zone_edits_undo_with_inverse_ops_and_one_diff_each() {
        let mut p = Project::new("s");
        dispatch(&mut p, Action::AddSampler { name: String::new(), zones: vec![zone(60)], env: None }).unwrap();
        let id = *p.instruments.keys().next().unwrap();
        let a = dispatch(&mut p, Action::AddSamplerZone { instrument: id, index: 1, zone: zone(72) }).unwrap();
        assert_eq!(a.diffs.len(), 1);
        assert_eq!(p.instruments[&id].def.sampler.as_ref().unwrap().zones.len(), 2);
        let mut z = zone(72);
        z.tune = 25.0;
        let s = dispatch(&mut p, Action::SetSamplerZone { instrument: id, index: 1, zone: z }).unwrap();
        assert_eq!(s.undo.unwrap().inverse, vec![Action::SetSamplerZone { instrument: id, index: 1, zone: zone(72) }]);
        let r = dispatch(&mut p, Action::RemoveSamplerZone { instrument: id, index: 0 }).unwrap();
        assert!(matches!(r.undo.as_ref().unwrap().inverse[0], Action::AddSamplerZone { index: 0, .. }));
        for inv in r.undo.unwrap().inverse {
            dispatch(&mut p, inv).unwrap();
        }
        assert_eq!(p.instruments[&id].def.sampler.as_ref().unwrap().zones[0].root, 60);
    }

    #[test]
    fn bad_zones_are_refused_and_change_nothing() {
        let mut p = Project::new("s");
        let mut bad = zone(60);
        bad.lo_key = 90;
        bad.hi_key = 10;
        assert!(
            dispatch(&mut p, Action::AddSampler { name: String::new(), zones: vec![bad.clone()], env: None }).is_err()
        );
        assert!(dispatch(&mut p, Action::AddSampler { name: String::new(), zones: vec![], env: None }).is_err());
        assert!(p.instruments.is_empty());
        dispatch(&mut p, Action::AddSampler { name: String::new(), zones: vec![zone(60)], env: None }).unwrap();
        let id = *p.instruments.keys().next().unwrap();
        assert!(dispatch(&mut p, Action::SetSamplerZone { instrument: id, index: 0, zone: bad }).is_err());
        assert!(dispatch(&mut p, Action::RemoveSamplerZone { instrument: id, index: 5 }).is_err());
        assert_eq!(p.instruments[&id].def.sampler.as_ref().unwrap().zones, vec![zone(60)]);
    }
}
