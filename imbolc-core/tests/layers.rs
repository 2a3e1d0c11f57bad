//! Layer links through dispatch: what a link may be, the limit of layers
//! per lead (also for a duplicated layer), and a removed lead's layers
//! unlinked and linked again by undo.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use imbolc_core::undo::UndoHistory;
use imbolc_core::{DispatchError, dispatch};
use imbolc_types::layer::{LayerLink, MAX_LAYERS};
use imbolc_types::{Action, InstrumentId, Project, SourceKind};

fn add(p: &mut Project, name: &str) -> InstrumentId {
    let id = InstrumentId(p.ids.instrument);
    dispatch(p, Action::AddInstrument { source: SourceKind::ALL[0], name: name.into() }).expect("instrument");
    id
}

fn link(lead: InstrumentId) -> Option<LayerLink> {
    Some(LayerLink { lead, semitones: 12, velocity: 0.5 })
}

fn layers_of(p: &Project, lead: InstrumentId) -> usize {
    p.instruments.values().filter(|i| i.def.layer.is_some_and(|l| l.lead == lead)).count()
}

#[test]
fn a_lead_takes_at_most_eight_layers_and_a_duplicated_layer_respects_that() {
    let mut p = Project::new("layers");
    let lead = add(&mut p, "lead");
    let mut layers = Vec::new();
    for n in 0..MAX_LAYERS {
        let id = add(&mut p, &format!("layer {n}"));
        dispatch(&mut p, Action::SetLayer { instrument: id, layer: link(lead) }).expect("room for it");
        layers.push(id);
    }
    let extra = add(&mut p, "one too many");
    let refused = dispatch(&mut p, Action::SetLayer { instrument: extra, layer: link(lead) });
    assert!(matches!(refused, Err(DispatchError::BadLayer { .. })), "{refused:?}");

    // The copy of a layer whose lead is full is an ordinary instrument.
    dispatch(&mut p, Action::DuplicateInstrument { instrument: layers[0] }).expect("duplicated");
    assert_eq!(layers_of(&p, lead), MAX_LAYERS);
    // With room, the copy doubles the lead too.
    dispatch(&mut p, Action::SetLayer { instrument: layers[1], layer: None }).expect("unlinked");
    dispatch(&mut p, Action::DuplicateInstrument { instrument: layers[0] }).expect("duplicated");
    assert_eq!(layers_of(&p, lead), MAX_LAYERS);
}

#[test]
fn a_link_to_itself_to_a_layer_or_from_a_lead_is_refused() {
    let mut p = Project::new("layers");
    let (a, b, c) = (add(&mut p, "a"), add(&mut p, "b"), add(&mut p, "c"));
    let bad = |p: &mut Project, instrument, lead| {
        let r = dispatch(p, Action::SetLayer { instrument, layer: link(lead) });
        assert!(matches!(r, Err(DispatchError::BadLayer { .. })), "{instrument} → {lead}: {r:?}");
    };
    bad(&mut p, a, a);
    dispatch(&mut p, Action::SetLayer { instrument: b, layer: link(a) }).expect("b doubles a");
    bad(&mut p, c, b);
    bad(&mut p, a, c);
}

#[test]
fn removing_a_lead_unlinks_its_layers_and_undo_links_them_again() {
    let mut p = Project::new("layers");
    let lead = add(&mut p, "lead");
    for n in 0..3 {
        let id = add(&mut p, &format!("layer {n}"));
        dispatch(&mut p, Action::SetLayer { instrument: id, layer: link(lead) }).expect("linked");
    }
    let before = p.clone();
    let mut history = UndoHistory::new(100, 1 << 20);
    let out = dispatch(&mut p, Action::RemoveInstrument { instrument: lead }).expect("removed");
    history.push(out.undo.expect("undo"), std::time::Instant::now());
    assert!(p.instruments.values().all(|i| i.def.layer.is_none()), "no layer points at a removed lead");
    history.undo(&mut p).expect("undo applies");
    assert_eq!(p, before);
}
