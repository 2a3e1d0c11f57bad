//! Tempo sync on the graph: synced values reach the server at build, on a
//! sync change and on every tempo change, each as one `/n_set` on the
//! synced effect's node and nothing else.

use imbolc_types::{
    AudioDiff, AudioScene, ChainOwner, EffectKind, EffectSlot, IdCounters, Instrument, InstrumentDef, NoteDivision,
    ParamTarget, SourceKind,
};

use super::*;
use crate::backend::{AudioBackend, ModelBackend, ServerOp, Timing};

/// `n` instruments with a delay each; the first `synced` delays follow a
/// quarter note.
fn scene(n: usize, synced: usize, bpm: f32) -> AudioScene {
    let mut ids = IdCounters::default();
    let mut s = AudioScene { tempo: bpm, ..AudioScene::default() };
    for i in 0..n {
        let mut def = InstrumentDef::new(SourceKind::SAW);
        let mut delay = EffectSlot::new(ids.next_effect().expect("id"), EffectKind::DELAY);
        if i < synced {
            delay.sync.insert("time".into(), NoteDivision::QUARTER);
        }
        def.effects.push(EffectSlot::new(ids.next_effect().expect("id"), EffectKind::REVERB));
        def.effects.push(delay);
        let id = ids.next_instrument().expect("id");
        s.instruments.push(Instrument { id, name: format!("{i}"), def, mixer: Default::default() });
    }
    s
}

fn built(s: &AudioScene) -> (SignalGraph, ModelBackend) {
    let (graph, ops) = SignalGraph::build(GraphConfig::default(), s);
    let mut model = ModelBackend::new();
    model.execute(Timing::Now, &ops).expect("model");
    (graph, model)
}

fn delay_of(s: &AudioScene, i: usize) -> (ChainOwner, imbolc_types::EffectId) {
    (ChainOwner::Instrument(s.instruments[i].id), s.instruments[i].def.effects[1].id)
}

fn time_on(graph: &SignalGraph, model: &ModelBackend, s: &AudioScene, i: usize) -> f32 {
    let (owner, effect) = delay_of(s, i);
    let node = graph.effect_node(owner, effect).expect("node");
    model.synth(node).expect("synth").controls["time"]
}

#[test]
fn a_synced_delay_is_built_with_its_division_at_the_scene_tempo() {
    let s = scene(2, 1, 90.0);
    let (graph, model) = built(&s);
    assert!((time_on(&graph, &model, &s, 0) - 60.0 / 90.0).abs() < 1e-6);
    assert_eq!(time_on(&graph, &model, &s, 1), 0.3, "a free delay keeps its value");
    assert_eq!(graph.tempo(), 90.0);
}

#[test]
fn a_tempo_change_sets_only_synced_nodes() {
    let s = scene(30, 3, 120.0);
    let (mut graph, mut model) = built(&s);
    let ops = graph.set_tempo(90.0);
    assert_eq!(ops.len(), 3, "one /n_set per synced delay: {ops:?}");
    let synced: Vec<_> = (0..3).map(|i| delay_of(&s, i)).map(|(o, e)| graph.effect_node(o, e)).collect();
    for op in &ops {
        let ServerOp::Set { node, controls } = op else { panic!("not an /n_set: {op:?}") };
        assert!(synced.contains(&Some(*node)));
        assert_eq!(controls.len(), 1);
    }
    model.execute(Timing::Now, &ops).expect("model");
    assert!((time_on(&graph, &model, &s, 2) - 60.0 / 90.0).abs() < 1e-6);
    assert_eq!(time_on(&graph, &model, &s, 3), 0.3);
    assert!(graph.set_tempo(90.0).is_empty(), "the same tempo sends nothing");
    assert!(graph.set_tempo(f32::NAN).len() == 3, "a bad tempo is the default (120)");
    assert_eq!(graph.tempo(), 120.0);
}

#[test]
fn sync_changes_and_free_edits_cost_at_most_one_message() {
    let s = scene(2, 0, 120.0);
    let (mut graph, mut model) = built(&s);
    let (owner, effect) = delay_of(&s, 1);
    let node = graph.effect_node(owner, effect).expect("node");
    let dotted = NoteDivision::parse("1/8.").expect("division");
    let on = AudioDiff::EffectSyncChanged { owner, effect, param: "time".into(), division: Some(dotted) };
    let ops = graph.apply(&on).expect("sync");
    assert_eq!(ops, vec![ServerOp::Set { node, controls: vec![("time", 0.375)] }]);
    model.execute(Timing::Now, &ops).expect("model");
    let target = ParamTarget::Effect { owner, effect, param: "time".into() };
    assert!(graph.apply(&AudioDiff::ParamSet { target, value: 1.0 }).expect("set").is_empty());
    let off = AudioDiff::EffectSyncChanged { owner, effect, param: "time".into(), division: None };
    assert_eq!(graph.apply(&off).expect("free"), vec![ServerOp::Set { node, controls: vec![("time", 1.0)] }]);
    let bad = AudioDiff::EffectSyncChanged { owner, effect, param: "mix".into(), division: Some(dotted) };
    assert_eq!(graph.apply(&bad), Err(GraphError::UnknownParam("mix".into())));
}

#[test]
fn long_divisions_are_clamped_into_the_range() {
    let mut s = scene(1, 1, 30.0);
    s.instruments[0].def.effects[1].sync.insert("time".into(), NoteDivision::parse("1/1").expect("division"));
    let (graph, model) = built(&s);
    assert_eq!(time_on(&graph, &model, &s, 0), 2.0, "8 s at 30 bpm, clamped to the delay's 2 s");
}

#[test]
fn a_rebuild_keeps_the_tempo_and_the_synced_values() {
    let s = scene(2, 1, 120.0);
    let (mut graph, _) = built(&s);
    graph.set_tempo(100.0);
    let ops = graph.rebuild();
    let mut model = ModelBackend::new();
    model.execute(Timing::Now, &ops).expect("model");
    assert!((time_on(&graph, &model, &s, 0) - 0.6).abs() < 1e-6);
}
