//! What a removal takes along: automation lanes and MIDI mappings whose
//! target stops existing. Taken out with the removed item and put back by
//! its `Restore*` action, so undo restores them exactly.
//!
//! Only removals of ids cascade. A lane whose parameter name no longer fits
//! (after a source change, say) stays, inert, so changing the source back
//! brings its automation back.

use imbolc_types::{AudioDiff, Dependents, ParamTarget, Project};

use super::DispatchError;

/// Removes the lanes and mappings whose target matches `pred`, emitting
/// `AutomationLaneRemoved` for each lane.
pub(super) fn take(p: &mut Project, pred: impl Fn(&ParamTarget) -> bool, diffs: &mut Vec<AudioDiff>) -> Dependents {
    let lane_ids: Vec<_> = p.automation.values().filter(|l| pred(&l.target)).map(|l| l.id).collect();
    let mut lanes = Vec::with_capacity(lane_ids.len());
    for id in lane_ids {
        if let Some(lane) = p.automation.remove(&id) {
            diffs.push(AudioDiff::AutomationLaneRemoved { lane: id });
            lanes.push(lane);
        }
    }
    let mut mappings = Vec::new();
    let mut kept = Vec::with_capacity(p.midi_mappings.len());
    for (index, m) in std::mem::take(&mut p.midi_mappings).into_iter().enumerate() {
        if pred(&m.target) { mappings.push((index, m)) } else { kept.push(m) }
    }
    p.midi_mappings = kept;
    Dependents { lanes, mappings }
}

/// Checks `deps` can be put back without clashing with what is there.
pub(super) fn check(p: &Project, deps: &Dependents) -> Result<(), DispatchError> {
    for lane in &deps.lanes {
        if p.automation.contains_key(&lane.id) {
            return Err(DispatchError::IdInUse(format!("lane {}", lane.id)));
        }
    }
    // Each restored mapping makes the list one longer for the next.
    for (len, (index, m)) in (p.midi_mappings.len()..).zip(&deps.mappings) {
        super::check_insert_index(*index, len)?;
        if p.midi_mappings.iter().any(|x| x.channel == m.channel && x.cc == m.cc) {
            return Err(DispatchError::IdInUse(format!("MIDI channel {} CC {}", m.channel, m.cc)));
        }
    }
    Ok(())
}

/// Puts `deps` back (after [`check`]), emitting `AutomationLaneAdded`.
pub(super) fn restore(p: &mut Project, deps: Dependents, diffs: &mut Vec<AudioDiff>) {
    for lane in deps.lanes {
        diffs.push(AudioDiff::AutomationLaneAdded { lane: Box::new(lane.clone()) });
        p.automation.insert(lane.id, lane);
    }
    for (index, m) in deps.mappings {
        p.midi_mappings.insert(index.min(p.midi_mappings.len()), m);
    }
}
