//! Unit tests of graph behaviour the property and cost tests do not pin
//! down: whole-scene loads, rejected diffs, voices, bus routing.

use imbolc_types::{
    AudioDiff, AudioScene, Bus, BusId, ChainOwner, EffectId, EffectKind, EffectSlot, IdCounters, Instrument,
    InstrumentDef, MixerSettings, OutputTarget, ParamTarget, SourceKind,
};

use super::*;
use crate::backend::{AudioBackend, ModelBackend, ServerOp, Timing};

fn scene(ids: &mut IdCounters, n: usize) -> AudioScene {
    let mut s = AudioScene::default();
    s.buses.push(Bus {
        id: ids.next_bus().expect("fresh id"),
        name: "aux".into(),
        effects: Vec::new(),
        mixer: MixerSettings::default(),
    });
    for i in 0..n {
        let mut def = InstrumentDef::new(SourceKind::SQUARE);
        def.effects.push(EffectSlot::new(ids.next_effect().expect("fresh id"), EffectKind::REVERB));
        s.instruments.push(Instrument {
            id: ids.next_instrument().expect("fresh id"),
            name: format!("{i}"),
            def,
            mixer: Default::default(),
        });
    }
    s
}

fn run(graph: &mut SignalGraph, model: &mut ModelBackend, diff: &AudioDiff) -> Vec<ServerOp> {
    let ops = graph.apply(diff).unwrap();
    model.execute(Timing::Now, &ops).unwrap();
    assert!(model.failures().is_empty(), "{:?}", model.failures());
    ops
}

#[test]
fn scene_loaded_replaces_everything() {
    let mut ids = IdCounters::default();
    let (mut graph, ops) = SignalGraph::build(GraphConfig::default(), &scene(&mut ids, 3));
    let mut model = ModelBackend::new();
    model.execute(Timing::Now, &ops).unwrap();
    let next = scene(&mut ids, 5);
    run(&mut graph, &mut model, &AudioDiff::SceneLoaded(Box::new(next.clone())));
    let (_, ops) = SignalGraph::build(GraphConfig::default(), &next);
    let mut fresh = ModelBackend::new();
    fresh.execute(Timing::Now, &ops).unwrap();
    assert_eq!(model.canonical_tree(), fresh.canonical_tree());
    assert_eq!(model.children(crate::backend::NodeId::ROOT).len(), 1, "old tree freed");
}

#[test]
fn rejected_diffs_change_nothing() {
    let mut ids = IdCounters::default();
    let s = scene(&mut ids, 2);
    let (mut graph, _) = SignalGraph::build(GraphConfig::default(), &s);
    let before = graph.scene();
    let inst = s.instruments[0].id;
    let owner = ChainOwner::Instrument(inst);
    let missing = EffectId(999);
    assert_eq!(
        graph.apply(&AudioDiff::EffectRemoved { owner, effect: missing }),
        Err(GraphError::UnknownEffect { owner, effect: missing })
    );
    let target = ParamTarget::Source { instrument: inst, param: "cutoff".into() };
    assert_eq!(
        graph.apply(&AudioDiff::ParamSet { target, value: 1.0 }),
        Err(GraphError::UnknownParam("cutoff".into()))
    );
    let target = ParamTarget::Filter { instrument: inst, param: "cutoff".into() };
    assert_eq!(graph.apply(&AudioDiff::ParamSet { target, value: 1.0 }), Err(GraphError::NoFilter(inst)));
    let dup = Box::new(s.instruments[1].clone());
    assert_eq!(
        graph.apply(&AudioDiff::InstrumentAdded { instrument: dup, after: None }),
        Err(GraphError::DuplicateInstrument(s.instruments[1].id))
    );
    let first = s.instruments[0].def.effects[0].id;
    assert_eq!(
        graph.apply(&AudioDiff::EffectMoved { owner, effect: first, after: Some(first) }),
        Err(GraphError::AfterItself)
    );
    assert_eq!(graph.scene(), before);
}

#[test]
fn voices_write_the_chain_bus_with_current_params_and_release_with_gate() {
    let mut ids = IdCounters::default();
    let s = scene(&mut ids, 1);
    let inst = s.instruments[0].id;
    let (mut graph, ops) = SignalGraph::build(GraphConfig::default(), &s);
    let mut model = ModelBackend::new();
    model.execute(Timing::Now, &ops).unwrap();
    let target = ParamTarget::Source { instrument: inst, param: "width".into() };
    run(&mut graph, &mut model, &AudioDiff::ParamSet { target, value: 0.25 });
    let (voice, op) = graph.voice_on(inst, 330.0, 0.5).unwrap();
    model.execute(Timing::Now, &op).unwrap();
    let synth = model.synth(voice).unwrap();
    assert_eq!(synth.def, "imbolc_square");
    assert_eq!(synth.controls["out"], graph.instrument_bus(inst).unwrap() as f32);
    assert_eq!(synth.controls["width"], 0.25);
    assert_eq!(synth.controls["freq"], 330.0);
    assert_eq!(model.children(graph.voices_group(inst).unwrap()), vec![voice]);
    model.execute(Timing::Now, &[graph.voice_off(voice)]).unwrap();
    assert_eq!(model.synth(voice).unwrap().controls["gate"], 0.0);
    assert!(graph.voice_on(imbolc_types::InstrumentId(77), 1.0, 1.0).is_err());
}

#[test]
fn outputs_and_sends_follow_buses_and_fall_back_to_master() {
    let mut ids = IdCounters::default();
    let s = scene(&mut ids, 1);
    let (inst, aux) = (s.instruments[0].id, s.buses[0].id);
    let (mut graph, ops) = SignalGraph::build(GraphConfig::default(), &s);
    let mut model = ModelBackend::new();
    model.execute(Timing::Now, &ops).unwrap();
    let strip = graph.strip_node(ChainOwner::Instrument(inst)).unwrap();
    let aux_bus = model.synth(graph.strip_node(ChainOwner::Bus(aux)).unwrap()).unwrap().controls["in"];
    let master = graph.master_bus() as f32;

    run(&mut graph, &mut model, &AudioDiff::OutputChanged { instrument: inst, output: OutputTarget::Bus(aux) });
    run(&mut graph, &mut model, &AudioDiff::SendSet { instrument: inst, bus: aux, level: 0.5 });
    let c = &model.synth(strip).unwrap().controls;
    assert_eq!((c["out"], c["send0bus"], c["send0"]), (aux_bus, aux_bus, 0.5));

    // The bus goes: the strip is re-pointed to the master in the same batch.
    let ops = run(&mut graph, &mut model, &AudioDiff::BusRemoved { bus: aux });
    assert_eq!(ops.len(), 2);
    let c = &model.synth(strip).unwrap().controls;
    assert_eq!((c["out"], c["send0bus"], c["send0"]), (master, master, 0.0));

    // Sends take slots in order (the send to the removed bus keeps its
    // slot until the project drops it); a fifth bus finds no slot.
    for b in 0..3 {
        run(&mut graph, &mut model, &AudioDiff::SendSet { instrument: inst, bus: BusId(100 + b), level: 0.1 });
    }
    let full = graph.apply(&AudioDiff::SendSet { instrument: inst, bus: BusId(200), level: 0.1 });
    assert_eq!(full, Err(GraphError::NoSendSlot(BusId(200))));
}

#[test]
fn meter_ids_tell_strips_apart() {
    assert_eq!(meter_id(ChainOwner::Instrument(imbolc_types::InstrumentId(5))), 5);
    assert_eq!(meter_id(ChainOwner::Master), -1);
    assert_eq!(meter_id(ChainOwner::Bus(BusId(0))), -2);
    assert_eq!(meter_id(ChainOwner::Bus(BusId(3))), -5);
}

#[test]
fn a_send_back_at_zero_leaves_the_same_tree_as_no_send() {
    let mut ids = IdCounters::default();
    let s = scene(&mut ids, 2);
    let (inst, aux) = (s.instruments[0].id, s.buses[0].id);
    let (mut graph, ops) = SignalGraph::build(GraphConfig::default(), &s);
    let mut model = ModelBackend::new();
    model.execute(Timing::Now, &ops).unwrap();
    let untouched = model.canonical_tree();
    run(&mut graph, &mut model, &AudioDiff::SendSet { instrument: inst, bus: aux, level: 0.6 });
    assert_ne!(model.canonical_tree(), untouched);
    let ops = run(&mut graph, &mut model, &AudioDiff::SendSet { instrument: inst, bus: aux, level: 0.0 });
    assert_eq!(ops.len(), 1);
    assert_eq!(model.canonical_tree(), untouched);
}

#[test]
fn a_custom_source_loads_its_def_with_the_instrument_and_plays_it_by_its_server_name() {
    use crate::synthdefs::custom::{custom_source, server_def};
    let bytes = |name| crate::synthdefs::find(name).map(|d| d.bytes.to_vec()).unwrap();
    let mine = custom_source(bytes("imbolc_pulse")).unwrap();
    let loaded = server_def(&mine).unwrap();
    let mut ids = IdCounters::default();
    let mut s = scene(&mut ids, 1);
    let inst = s.instruments[0].id;
    s.instruments[0].def.source = imbolc_types::SourceDef::custom(mine.clone());
    let (mut graph, ops) = SignalGraph::build(GraphConfig::default(), &s);
    let recv = ops.iter().position(|op| matches!(op, ServerOp::DefRecv { .. })).expect("the def is loaded");
    assert_eq!(ops[recv], ServerOp::DefRecv { name: loaded.name, bytes: loaded.bytes.clone() });
    let voices = graph.voices_group(inst).unwrap();
    let group = ops.iter().position(|op| matches!(op, ServerOp::GroupNew { id, .. } if *id == voices)).unwrap();
    assert!(recv < group, "loaded before the instrument's nodes");
    let mut model = ModelBackend::new();
    model.execute(Timing::Now, &ops).unwrap();

    let target = ParamTarget::Source { instrument: inst, param: "width".into() };
    run(&mut graph, &mut model, &AudioDiff::ParamSet { target, value: 0.2 });
    let (voice, op) = graph.voice_on(inst, 220.0, 1.0).unwrap();
    model.execute(Timing::Now, &op).unwrap();
    let synth = model.synth(voice).unwrap();
    assert_eq!(synth.def, loaded.name);
    assert_eq!((synth.controls["freq"], synth.controls["width"]), (220.0, 0.2));

    // Another version of the def is loaded under another name; the same
    // one again is not sent twice.
    let mut other = mine.clone();
    other.bytes = bytes("imbolc_square");
    other.params = custom_source(other.bytes.clone()).unwrap().params;
    let diff = |c: &imbolc_types::CustomSource| AudioDiff::SourceChanged {
        instrument: inst,
        source: imbolc_types::SourceDef::custom(c.clone()),
    };
    let ops = run(&mut graph, &mut model, &diff(&other));
    assert!(matches!(ops[0], ServerOp::DefRecv { name, .. } if name != loaded.name));
    let ops = run(&mut graph, &mut model, &diff(&other));
    assert!(!ops.iter().any(|op| matches!(op, ServerOp::DefRecv { .. })));

    // A broken def plays nothing, and says why.
    let broken = imbolc_types::CustomSource { broken: Some("corrupt".into()), ..other };
    run(&mut graph, &mut model, &diff(&broken));
    assert_eq!(graph.voice_on(inst, 220.0, 1.0), Err(GraphError::BrokenSource(inst, "corrupt".into())));
}

#[test]
fn automating_the_limiter_ceiling_sets_only_the_master_strips_ceiling() {
    let mut ids = IdCounters::default();
    let s = scene(&mut ids, 2);
    let (mut graph, ops) = SignalGraph::build(GraphConfig::default(), &s);
    let mut model = ModelBackend::new();
    model.execute(Timing::Now, &ops).unwrap();
    let ops = graph.automate(&ParamTarget::MasterLimiterCeiling, -12.0).unwrap();
    model.execute(Timing::Now, &ops).unwrap();
    assert!(model.failures().is_empty(), "{:?}", model.failures());
    let [ServerOp::Set { controls, .. }] = &ops[..] else { panic!("one /n_set: {ops:?}") };
    assert_eq!(controls, &vec![("ceiling", 10f32.powf(-12.0 / 20.0))]);
    assert_eq!(graph.scene().master.limiter_ceiling_db, -12.0, "a rebuild sends the latest value");
    assert!(graph.automate(&ParamTarget::MasterLimiterCeiling, -12.0).unwrap().is_empty(), "unchanged: nothing");
    // Out of range (a hand-edited lane): clamped like the strip's own value.
    let ops = graph.automate(&ParamTarget::MasterLimiterCeiling, -40.0).unwrap();
    let [ServerOp::Set { controls, .. }] = &ops[..] else { panic!("one /n_set: {ops:?}") };
    assert_eq!(controls, &vec![("ceiling", 10f32.powf(-24.0 / 20.0))]);
}
