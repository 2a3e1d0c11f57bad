//! Audio input instruments in the graph: one persistent node, edits as one
//! `/n_set` on it alone, notes refused, aux bus sources re-pointed.

use imbolc_types::{
    AudioDiff, AudioInputDef, AudioScene, Bus, BusId, InputSource, Instrument, InstrumentDef, InstrumentId,
    MixerSettings,
};

use super::*;
use crate::backend::{AudioBackend, ModelBackend, ServerOp, Timing};

const INPUT: InstrumentId = InstrumentId(0);
const AUX: BusId = BusId(0);

fn scene(with_bus: bool) -> AudioScene {
    let mut s = AudioScene::default();
    if with_bus {
        s.buses.push(Bus { id: AUX, name: "aux".into(), effects: Vec::new(), mixer: MixerSettings::default() });
    }
    let def = InstrumentDef::audio_input(AudioInputDef::default());
    s.instruments.push(Instrument { id: INPUT, name: "in".into(), def, mixer: Default::default() });
    s
}

fn built(with_bus: bool) -> (SignalGraph, ModelBackend) {
    let (graph, ops) = SignalGraph::build(GraphConfig::default(), &scene(with_bus));
    let mut model = ModelBackend::new();
    model.execute(Timing::Now, &ops).expect("build");
    (graph, model)
}

fn control(ops: &[ServerOp], name: &str) -> Option<f32> {
    ops.iter().find_map(|op| match op {
        ServerOp::Set { controls, .. } => controls.iter().find(|(n, _)| *n == name).map(|(_, v)| *v),
        _ => None,
    })
}

#[test]
fn an_input_instrument_has_one_input_node_in_its_voices_group() {
    let (graph, model) = built(false);
    let node = graph.input_node(INPUT).expect("input node");
    let voices = graph.voices_group(INPUT).expect("voices");
    assert_eq!(model.children(voices), vec![node]);
}

#[test]
fn an_edit_is_one_n_set_of_what_changed_on_the_input_node() {
    let (mut graph, _) = built(false);
    let node = graph.input_node(INPUT).expect("input node");
    let input = AudioInputDef { gain_db: -6.0, ..AudioInputDef::default() };
    let ops = graph.apply(&AudioDiff::AudioInputChanged { instrument: INPUT, input }).expect("apply");
    assert_eq!(ops.len(), 1, "{ops:?}");
    let ServerOp::Set { node: n, controls } = &ops[0] else { panic!("{ops:?}") };
    assert_eq!(*n, node);
    assert_eq!(controls.len(), 1, "{controls:?}");
    assert!((controls[0].1 - 0.501_187).abs() < 1e-5);

    let off = AudioInputDef { monitor: false, ..input };
    let ops = graph.apply(&AudioDiff::AudioInputChanged { instrument: INPUT, input: off }).expect("apply");
    assert_eq!(ops.len(), 1);
    assert_eq!(control(&ops, "monitor"), Some(0.0));
    let ops = graph.apply(&AudioDiff::AudioInputChanged { instrument: INPUT, input: off }).expect("apply");
    assert!(ops.is_empty(), "no change, nothing sent: {ops:?}");

    let pair = AudioInputDef { source: InputSource::Hardware { first: 2 }, ..off };
    let ops = graph.apply(&AudioDiff::AudioInputChanged { instrument: INPUT, input: pair }).expect("apply");
    assert_eq!(ops.len(), 1);
    assert_eq!(control(&ops, "chan"), Some(2.0));
}

#[test]
fn an_input_plays_no_notes_and_other_instruments_refuse_input_settings() {
    let (mut graph, _) = built(false);
    assert_eq!(graph.voice_on(INPUT, 440.0, 1.0).map(|_| ()), Err(GraphError::NotAnAudioInput(INPUT)));
    let other = InstrumentId(7);
    let inst = Instrument {
        id: other,
        name: "sine".into(),
        def: InstrumentDef::new(imbolc_types::SourceKind::SINE),
        mixer: Default::default(),
    };
    graph.apply(&AudioDiff::InstrumentAdded { instrument: Box::new(inst), after: Some(INPUT) }).expect("add");
    let diff = AudioDiff::AudioInputChanged { instrument: other, input: AudioInputDef::default() };
    assert_eq!(graph.apply(&diff), Err(GraphError::NotAnAudioInput(other)));
}

#[test]
fn a_bus_source_reads_the_aux_bus_and_follows_its_removal() {
    let (mut graph, mut model) = built(true);
    let input = AudioInputDef { source: InputSource::Bus(AUX), ..AudioInputDef::default() };
    let ops = graph.apply(&AudioDiff::AudioInputChanged { instrument: INPUT, input }).expect("apply");
    model.execute(Timing::Now, &ops).expect("exec");
    assert_eq!(control(&ops, "from_bus"), Some(1.0));
    let aux_bus = graph.scene().buses.len();
    assert_eq!(aux_bus, 1);
    assert!(control(&ops, "bus").is_some_and(|b| b >= 16.0), "{ops:?}");

    let ops = graph.apply(&AudioDiff::BusRemoved { bus: AUX }).expect("remove");
    assert_eq!(control(&ops, "gain"), Some(0.0), "a missing bus reads nothing: {ops:?}");
}

#[test]
fn rebuild_keeps_the_input_settings() {
    let (mut graph, _) = built(false);
    let input = AudioInputDef { gain_db: 3.0, monitor: false, ..AudioInputDef::default() };
    graph.apply(&AudioDiff::AudioInputChanged { instrument: INPUT, input }).expect("apply");
    assert_eq!(graph.scene().instruments[0].def.input, Some(input));
    let ops = graph.rebuild();
    let new = ops.iter().find_map(|op| match op {
        ServerOp::SynthNew { def, controls, .. } if *def == AUDIO_IN_SYNTHDEF => Some(controls.clone()),
        _ => None,
    });
    let controls = new.expect("input node rebuilt");
    assert!(controls.contains(&("monitor", 0.0)));
}
