//! Automation lanes and points, and MIDI CC mappings (both point at a
//! [`ParamTarget`]). Mappings produce no audio diff: the MIDI layer in core
//! turns CC messages into `SetParam` actions.

use imbolc_types::{Action, AudioDiff, AutomationLane, LaneId, MidiMapping, ParamTarget, Project};

use super::{Applied, DispatchError, Redraw, check_insert_index, check_range, param::param_range};

const R: Redraw = Redraw::AUTOMATION;

fn lane_mut(p: &mut Project, id: LaneId) -> Result<&mut AutomationLane, DispatchError> {
    p.automation.get_mut(&id).ok_or(DispatchError::NoSuchLane(id))
}

/// Checks a point value: in range when the target resolves, else only
/// finite (an inert lane keeps editable, so undo over it always works).
pub(crate) fn check_point(p: &Project, target: &ParamTarget, value: f32) -> Result<(), DispatchError> {
    match param_range(p, target) {
        Ok(range) => check_range(value, range),
        Err(_) if value.is_finite() => Ok(()),
        Err(_) => Err(DispatchError::NotFinite),
    }
}

fn check_mapping(m: &MidiMapping) -> Result<(), DispatchError> {
    if m.channel > 15 || m.cc > 127 {
        return Err(DispatchError::InvalidMidi);
    }
    if !m.min.is_finite() || !m.max.is_finite() {
        return Err(DispatchError::NotFinite);
    }
    Ok(())
}

pub(super) fn apply(p: &mut Project, action: Action) -> Result<Applied, DispatchError> {
    match action {
        Action::AddLane { target } => {
            param_range(p, &target)?;
            let id = p.ids.next_lane().ok_or(DispatchError::IdsExhausted("lane"))?;
            let lane = AutomationLane::new(id, target);
            let diff = AudioDiff::AutomationLaneAdded { lane: Box::new(lane.clone()) };
            p.automation.insert(id, lane);
            Ok(Applied::one(Action::RemoveLane { lane: id }, Some(diff), R))
        }
        Action::RemoveLane { lane } => {
            let removed = p.automation.remove(&lane).ok_or(DispatchError::NoSuchLane(lane))?;
            Ok(Applied::one(Action::RestoreLane(Box::new(removed)), Some(AudioDiff::AutomationLaneRemoved { lane }), R))
        }
        Action::RestoreLane(lane) => {
            if p.automation.contains_key(&lane.id) {
                return Err(DispatchError::IdInUse(format!("lane {}", lane.id)));
            }
            if lane.points.values().any(|v| !v.is_finite()) {
                return Err(DispatchError::NotFinite);
            }
            let mut lane = lane;
            // Keep the lane invariant: curves only on points, linear absent.
            let points = &lane.points;
            lane.curves.retain(|t, c| *c != imbolc_types::Curve::Linear && points.contains_key(t));
            let id = lane.id;
            let diff = AudioDiff::AutomationLaneAdded { lane: lane.clone() };
            p.automation.insert(id, *lane);
            Ok(Applied::one(Action::RemoveLane { lane: id }, Some(diff), R))
        }
        Action::SetLaneEnabled { lane, enabled } => {
            let l = lane_mut(p, lane)?;
            let old = std::mem::replace(&mut l.enabled, enabled);
            let diff = AudioDiff::AutomationLaneChanged { lane, target: l.target.clone(), enabled };
            Ok(Applied::one(Action::SetLaneEnabled { lane, enabled: old }, Some(diff), R))
        }
        Action::SetAutomationPoint { lane, tick, value } => {
            let target = p.automation.get(&lane).ok_or(DispatchError::NoSuchLane(lane))?.target.clone();
            check_point(p, &target, value)?;
            let old = lane_mut(p, lane)?.points.insert(tick, value);
            let inverse = match old {
                Some(v) => Action::SetAutomationPoint { lane, tick, value: v },
                None => Action::RemoveAutomationPoint { lane, tick },
            };
            Ok(Applied::one(inverse, Some(AudioDiff::AutomationPointSet { lane, tick, value: Some(value) }), R))
        }
        Action::RemoveAutomationPoint { lane, tick } => {
            let l = lane_mut(p, lane)?;
            let value = l.points.remove(&tick).ok_or(DispatchError::NoSuchPoint { lane, tick })?;
            // The point's segment curve goes with it (and comes back on undo).
            let mut inverse = vec![Action::SetAutomationPoint { lane, tick, value }];
            if let Some(curve) = l.curves.remove(&tick) {
                inverse.push(Action::SetAutomationCurve { lane, tick, curve });
            }
            let diff = AudioDiff::AutomationPointSet { lane, tick, value: None };
            Ok(Applied { diffs: vec![diff], inverse, redraw: R })
        }
        Action::MapMidiCc(mapping) => {
            check_mapping(&mapping)?;
            let range = param_range(p, &mapping.target)?;
            check_range(mapping.min, range)?;
            check_range(mapping.max, range)?;
            let existing = p.midi_mappings.iter().position(|m| m.channel == mapping.channel && m.cc == mapping.cc);
            let inverse = match existing {
                Some(index) => {
                    let old = std::mem::replace(&mut p.midi_mappings[index], *mapping);
                    Action::RestoreMidiMapping { index, mapping: Box::new(old) }
                }
                None => {
                    let (channel, cc) = (mapping.channel, mapping.cc);
                    p.midi_mappings.push(*mapping);
                    Action::UnmapMidiCc { channel, cc }
                }
            };
            Ok(Applied::one(inverse, None, Redraw::PROJECT))
        }
        Action::UnmapMidiCc { channel, cc } => {
            let index = p
                .midi_mappings
                .iter()
                .position(|m| m.channel == channel && m.cc == cc)
                .ok_or(DispatchError::NoSuchMapping { channel, cc })?;
            let mapping = p.midi_mappings.remove(index);
            Ok(Applied::one(Action::RestoreMidiMapping { index, mapping: Box::new(mapping) }, None, Redraw::PROJECT))
        }
        Action::RestoreMidiMapping { index, mapping } => {
            // Replaces the mapping of the same controller if it sits at
            // `index` (undo of a re-map), else inserts it there (undo of an
            // unmap). Targets are not re-checked: an inert mapping restores.
            check_mapping(&mapping)?;
            let same = |m: &MidiMapping| m.channel == mapping.channel && m.cc == mapping.cc;
            let existing = p.midi_mappings.iter().position(same);
            let inverse = match existing {
                Some(i) if i == index => {
                    let old = std::mem::replace(&mut p.midi_mappings[index], *mapping);
                    Action::RestoreMidiMapping { index, mapping: Box::new(old) }
                }
                Some(_) => {
                    return Err(DispatchError::IdInUse(format!("MIDI channel {} CC {}", mapping.channel, mapping.cc)));
                }
                None => {
                    check_insert_index(index, p.midi_mappings.len())?;
                    let (channel, cc) = (mapping.channel, mapping.cc);
                    p.midi_mappings.insert(index, *mapping);
                    Action::UnmapMidiCc { channel, cc }
                }
            };
            Ok(Applied::one(inverse, None, Redraw::PROJECT))
        }
        // `super::apply` routes only this domain's actions here.
        _ => Ok(Applied::new(Redraw::NONE)),
    }
}
