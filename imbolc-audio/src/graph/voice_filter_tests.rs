//! Per-voice filtering on the model: which messages each change costs,
//! what a note becomes in each mode, and that leaving the mode restores
//! exactly today's graph.

use imbolc_types::{AudioDiff, FilterDef, FilterKind, IdCounters, Instrument, InstrumentDef, ParamTarget, SourceKind};

use super::*;
use crate::backend::{AudioBackend, ModelBackend, ServerOp, Timing};

/// Two saw instruments, the first with a low-pass filter.
fn setup() -> (SignalGraph, ModelBackend, InstrumentId, InstrumentId) {
    let mut ids = IdCounters::default();
    let mut s = AudioScene::default();
    for i in 0..2 {
        let mut def = InstrumentDef::new(SourceKind::SAW);
        if i == 0 {
            def.filter = Some(FilterDef::new(FilterKind::LOW_PASS));
        }
        let id = ids.next_instrument().expect("fresh id");
        s.instruments.push(Instrument { id, name: format!("{i}"), def, mixer: Default::default() });
    }
    let (a, b) = (s.instruments[0].id, s.instruments[1].id);
    let (graph, ops) = SignalGraph::build(GraphConfig::default(), &s);
    let mut model = ModelBackend::new();
    model.execute(Timing::Now, &ops).unwrap();
    (graph, model, a, b)
}

fn set(graph: &mut SignalGraph, model: &mut ModelBackend, inst: InstrumentId, param: &str, v: f32) -> Vec<ServerOp> {
    let target = ParamTarget::Filter { instrument: inst, param: param.into() };
    let ops = graph.apply(&AudioDiff::ParamSet { target, value: v }).unwrap();
    model.execute(Timing::Now, &ops).unwrap();
    assert!(model.failures().is_empty(), "{:?}", model.failures());
    ops
}

fn note(graph: &mut SignalGraph, model: &mut ModelBackend, inst: InstrumentId, freq: f32) -> (NodeId, Vec<ServerOp>) {
    let (node, ops) = graph.voice_on(inst, freq, 0.8).unwrap();
    model.execute(Timing::Now, &ops).unwrap();
    assert!(model.failures().is_empty(), "{:?}", model.failures());
    (node, ops)
}

#[test]
fn with_amount_and_tracking_at_zero_a_note_is_one_synth_on_the_chain_bus() {
    let (mut graph, mut model, a, _) = setup();
    // Envelope times alone change nothing on the server.
    assert!(set(&mut graph, &mut model, a, "env_decay", 0.05).is_empty());
    let (node, ops) = note(&mut graph, &mut model, a, 220.0);
    assert_eq!(ops.len(), 1);
    let synth = model.synth(node).unwrap();
    assert_eq!(synth.def, "imbolc_saw");
    assert_eq!(synth.controls["out"], graph.instrument_bus(a).unwrap() as f32);
    assert!(!synth.controls.contains_key("done"), "the def's own doneAction (2)");
    assert!(model.snapshot()[&graph.filter_node(a).unwrap()].running);
}

#[test]
fn an_envelope_amount_gives_each_note_a_group_with_its_own_filter_and_pauses_the_shared_one() {
    let (mut graph, mut model, a, _) = setup();
    let shared = graph.filter_node(a).unwrap();
    let voices = graph.voices_group(a).unwrap();
    let ops = set(&mut graph, &mut model, a, "env_amount", 4.0);
    assert_eq!(
        ops,
        vec![
            ServerOp::Set { node: voices, controls: vec![("fenv_amount", 4.0)] },
            ServerOp::Run { node: shared, on: false }
        ]
    );
    assert!(!model.snapshot()[&shared].running);

    let (group, ops) = note(&mut graph, &mut model, a, 110.0);
    assert_eq!(ops.len(), 3, "group, voice, filter: {ops:?}");
    let kids = model.children(group);
    assert_eq!(kids.len(), 2);
    let (voice, filter) = (model.synth(kids[0]).unwrap().clone(), model.synth(kids[1]).unwrap().clone());
    assert_eq!(voice.def, "imbolc_saw");
    assert_eq!(voice.controls["done"], 14.0, "the voice's end frees its group");
    assert_eq!(filter.def, "imbolc_low_pass_voice");
    assert_eq!(filter.controls["in"], voice.controls["out"], "the filter reads the voice's private bus");
    assert_ne!(voice.controls["out"], graph.instrument_bus(a).unwrap() as f32);
    assert_eq!(filter.controls["out"], graph.instrument_bus(a).unwrap() as f32);
    assert_eq!((filter.controls["fenv_amount"], filter.controls["freq"]), (4.0, 110.0));
    assert_eq!(filter.controls["f_cutoff"], 2000.0);
    assert_eq!(model.children(voices), vec![group]);

    // A second note shares the private bus (each filter clears it).
    let (second, _) = note(&mut graph, &mut model, a, 220.0);
    let kids2 = model.children(second);
    assert_eq!(model.synth(kids2[0]).unwrap().controls["out"], voice.controls["out"]);

    // The cutoff reaches the paused shared filter and the sounding
    // per-voice ones (as f_cutoff, never a source's own cutoff).
    let ops = set(&mut graph, &mut model, a, "cutoff", 500.0);
    assert_eq!(
        ops,
        vec![
            ServerOp::Set { node: shared, controls: vec![("cutoff", 500.0)] },
            ServerOp::Set { node: voices, controls: vec![("f_cutoff", 500.0)] }
        ]
    );
    assert_eq!(model.synth(kids[1]).unwrap().controls["f_cutoff"], 500.0);

    // Gate and stealing address the group: both synths follow.
    model.execute(Timing::Now, &[graph.voice_off(group)]).unwrap();
    assert_eq!(model.synth(kids[0]).unwrap().controls["gate"], 0.0);
    assert_eq!(model.synth(kids[1]).unwrap().controls["gate"], 0.0);
}

#[test]
fn back_to_zero_resumes_the_shared_filter_and_new_notes_are_plain_again() {
    let (mut graph, mut model, a, _) = setup();
    let before = model.canonical_tree();
    let shared = graph.filter_node(a).unwrap();
    set(&mut graph, &mut model, a, "key_track", 1.0);
    // Another envelope value while the mode is on: one /n_set, no /n_run.
    assert_eq!(set(&mut graph, &mut model, a, "env_amount", -2.0).len(), 1);
    assert_eq!(set(&mut graph, &mut model, a, "env_amount", 0.0).len(), 1, "tracking keeps the mode on");
    let ops = set(&mut graph, &mut model, a, "key_track", 0.0);
    assert_eq!(ops.last(), Some(&ServerOp::Run { node: shared, on: true }));
    assert_eq!(model.canonical_tree(), before, "the same tree as before the mode");
    let (_, ops) = note(&mut graph, &mut model, a, 220.0);
    assert!(matches!(ops.as_slice(), [ServerOp::SynthNew { def: "imbolc_saw", .. }]));
}

#[test]
fn envelope_changes_touch_only_the_edited_instrument() {
    let (mut graph, mut model, a, b) = setup();
    note(&mut graph, &mut model, b, 220.0);
    let mine = [graph.voices_group(a).unwrap(), graph.filter_node(a).unwrap()];
    for (param, v) in [("env_amount", 3.0), ("env_attack", 0.1), ("key_track", 0.5), ("env_amount", 0.0)] {
        for op in set(&mut graph, &mut model, a, param, v) {
            let node = match op {
                ServerOp::Set { node, .. } | ServerOp::Run { node, .. } => node,
                other => panic!("unexpected {other:?}"),
            };
            assert!(mine.contains(&node), "{param} touched {node}");
        }
    }
    // An instrument without a filter refuses them; one whose filter is
    // disabled stores them without a per-voice mode.
    let target = ParamTarget::Filter { instrument: b, param: "env_amount".into() };
    assert_eq!(graph.apply(&AudioDiff::ParamSet { target, value: 1.0 }), Err(GraphError::NoFilter(b)));
}

#[test]
fn a_filter_with_an_envelope_is_built_paused_and_its_type_change_keeps_the_mode() {
    let (mut graph, mut model, a, _) = setup();
    let mut f = FilterDef::new(FilterKind::LOW_PASS);
    f.env.amount = 2.0;
    let ops = graph.apply(&AudioDiff::FilterChanged { instrument: a, filter: Some(f.clone()) }).unwrap();
    model.execute(Timing::Now, &ops).unwrap();
    let shared = graph.filter_node(a).unwrap();
    assert!(ops.contains(&ServerOp::Run { node: shared, on: false }), "{ops:?}");
    let mut ladder = FilterDef::new(FilterKind::from_id("ladder").unwrap());
    ladder.env = f.env;
    let ops = graph.apply(&AudioDiff::FilterChanged { instrument: a, filter: Some(ladder) }).unwrap();
    model.execute(Timing::Now, &ops).unwrap();
    assert!(!model.snapshot()[&graph.filter_node(a).unwrap()].running, "replaced paused");
    let (group, _) = note(&mut graph, &mut model, a, 220.0);
    assert_eq!(model.synth(model.children(group)[1]).unwrap().def, "imbolc_ladder_voice");
    // A scene built from scratch with the mode on matches.
    let (_, ops) = SignalGraph::build(GraphConfig::default(), &graph.scene());
    let mut fresh = ModelBackend::new();
    fresh.execute(Timing::Now, &ops).unwrap();
    assert!(
        !fresh.snapshot().values().any(|n| n.synth.as_ref().is_some_and(|s| s.def == "imbolc_flt_ladder") && n.running)
    );
}
