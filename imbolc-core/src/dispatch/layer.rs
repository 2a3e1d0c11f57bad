//! Layer links (`Action::SetLayer`): an instrument plays its lead's notes
//! (see `imbolc_types::layer`). One diff, `AudioDiff::LayerChanged`, tells
//! the audio thread; removing a lead unlinks its layers (see
//! [`unlink_layers_of`]), and undo links them again.

use imbolc_types::layer::MAX_LAYERS;
use imbolc_types::{Action, AudioDiff, InstrumentId, LayerLink, Project};

use super::{Applied, DispatchError, Redraw};

pub(super) fn set_layer(
    p: &mut Project,
    instrument: InstrumentId,
    layer: Option<LayerLink>,
) -> Result<Applied, DispatchError> {
    if !p.instruments.contains_key(&instrument) {
        return Err(DispatchError::NoSuchInstrument(instrument));
    }
    if let Some(link) = &layer {
        check(p, instrument, link)?;
    }
    let inst = p.instruments.get_mut(&instrument).ok_or(DispatchError::NoSuchInstrument(instrument))?;
    let old = std::mem::replace(&mut inst.def.layer, layer);
    let diff = AudioDiff::LayerChanged { instrument, layer };
    Ok(Applied::one(Action::SetLayer { instrument, layer: old }, Some(diff), Redraw::INSTRUMENTS))
}

/// Whether `instrument` may be linked as `link` says.
pub(super) fn check(p: &Project, instrument: InstrumentId, link: &LayerLink) -> Result<(), DispatchError> {
    let bad = |why| Err(DispatchError::BadLayer { instrument, why });
    if !link.is_valid() {
        return bad("offset is -48..=48 semitones, velocity scale 0..=2");
    }
    let Some(lead) = p.instruments.get(&link.lead) else { return Err(DispatchError::NoSuchInstrument(link.lead)) };
    if link.lead == instrument {
        return bad("an instrument cannot be its own layer");
    }
    if lead.def.layer.is_some() {
        return bad("the lead is itself a layer");
    }
    if p.instruments.values().any(|i| i.def.layer.is_some_and(|l| l.lead == instrument)) {
        return bad("it has layers of its own");
    }
    let siblings =
        p.instruments.values().filter(|i| i.id != instrument && i.def.layer.is_some_and(|l| l.lead == link.lead));
    if siblings.count() >= MAX_LAYERS {
        return bad("the lead has the most layers allowed");
    }
    Ok(())
}

/// Unlinks every layer of `lead` (it is being removed): the diffs go to
/// `out`, and the actions that link them again are returned, to be undone
/// after the lead is back.
pub(super) fn unlink_layers_of(p: &mut Project, lead: InstrumentId, out: &mut Applied) -> Vec<Action> {
    let mut relink = Vec::new();
    for inst in p.instruments.values_mut() {
        if let Some(link) = inst.def.layer.filter(|l| l.lead == lead) {
            inst.def.layer = None;
            out.diffs.push(AudioDiff::LayerChanged { instrument: inst.id, layer: None });
            relink.push(Action::SetLayer { instrument: inst.id, layer: Some(link) });
        }
    }
    relink
}

#[cfg(test)]
mod tests {
    use imbolc_types::SourceKind;

    use super::*;
    use crate::dispatch::{apply, dispatch};

    fn three() -> (Project, [InstrumentId; 3]) {
        let mut p = Project::new("layers");
        for n in ["lead", "pad", "sub"] {
            dispatch(&mut p, Action::AddInstrument { source: SourceKind::SINE, name: n.into() }).unwrap();
        }
        let ids: Vec<_> = p.instruments.keys().copied().collect();
        (p, [ids[0], ids[1], ids[2]])
    }

    fn undo(p: &mut Project, o: crate::dispatch::Outcome) {
        for a in o.undo.unwrap().inverse {
            apply(p, a).unwrap();
        }
    }

    #[test]
    fn linking_is_undoable_and_refuses_loops_and_bad_values() {
        let (mut p, [lead, pad, sub]) = three();
        let before = p.clone();
        let link = LayerLink { lead, semitones: 12, velocity: 0.5 };
        let o = dispatch(&mut p, Action::SetLayer { instrument: pad, layer: Some(link) }).unwrap();
        assert_eq!(o.diffs, vec![AudioDiff::LayerChanged { instrument: pad, layer: Some(link) }]);
        assert_eq!(p.instruments[&pad].def.layer, Some(link));
        let refused = |p: &mut Project, instrument, l| {
            let snapshot = p.clone();
            let r = dispatch(p, Action::SetLayer { instrument, layer: Some(l) });
            assert!(matches!(r, Err(DispatchError::BadLayer { .. })), "{r:?}");
            assert_eq!(*p, snapshot);
        };
        refused(&mut p, lead, LayerLink::new(lead));
        refused(&mut p, sub, LayerLink::new(pad));
        refused(&mut p, lead, LayerLink::new(sub));
        refused(&mut p, sub, LayerLink { semitones: 49, ..LayerLink::new(lead) });
        refused(&mut p, sub, LayerLink { velocity: 3.0, ..LayerLink::new(lead) });
        undo(&mut p, o);
        assert_eq!(p, before);
    }

    #[test]
    fn removing_the_lead_unlinks_its_layers_and_undo_links_them_again() {
        let (mut p, [lead, pad, sub]) = three();
        for (i, s) in [(pad, 12), (sub, -12)] {
            let layer = Some(LayerLink { lead, semitones: s, velocity: 1.0 });
            dispatch(&mut p, Action::SetLayer { instrument: i, layer }).unwrap();
        }
        let before = p.clone();
        let o = dispatch(&mut p, Action::RemoveInstrument { instrument: lead }).unwrap();
        assert!(p.instruments.values().all(|i| i.def.layer.is_none()));
        assert!(o.diffs.contains(&AudioDiff::LayerChanged { instrument: pad, layer: None }));
        undo(&mut p, o);
        assert_eq!(p, before);
        // Removing a layer takes only its own link.
        let o = dispatch(&mut p, Action::RemoveInstrument { instrument: pad }).unwrap();
        assert_eq!(p.instruments[&sub].def.layer.map(|l| l.lead), Some(lead));
        undo(&mut p, o);
        assert_eq!(p, before);
    }

    #[test]
    fn layers_save_and_load_and_old_files_have_none() {
        let (mut p, [lead, pad, _]) = three();
        let layer = Some(LayerLink { lead, semitones: -7, velocity: 0.75 });
        dispatch(&mut p, Action::SetLayer { instrument: pad, layer }).unwrap();
        let blob = crate::persist::format::encode(&p).unwrap();
        let back = crate::persist::format::decode(crate::persist::format::FORMAT_VERSION, &blob).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.instruments[&pad].def.layer, layer);
        assert_eq!(back.instruments[&lead].def.layer, None);
    }
}
