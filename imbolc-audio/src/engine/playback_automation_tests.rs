//! Automation through [`Playback`] onto a [`ModelBackend`]: each lane's
//! values land as timed `/n_set`s on the node that owns the target, the
//! model ends at the lane's last value, and the graph's own copy (what a
//! rebuild sends) agrees.

use imbolc_types::{
    AudioDiff, AudioScene, AutomationLane, ChainOwner, EffectId, EffectKind, EffectSlot, FilterDef, FilterKind,
    Instrument, InstrumentDef, InstrumentId, LaneId, MixerParam, MixerSettings, ParamTarget, SourceKind, Tick,
};

use super::*;
use crate::backend::{AudioBackend, ModelBackend};
use crate::graph::GraphConfig;

const I: InstrumentId = InstrumentId(0);
const FX: EffectId = EffectId(0);

fn lane(id: u32, target: ParamTarget, points: &[(Tick, f32)]) -> AutomationLane {
    let mut l = AutomationLane::new(LaneId(id), target);
    l.points = points.iter().copied().collect();
    l
}

fn cutoff() -> ParamTarget {
    ParamTarget::Filter { instrument: I, param: "cutoff".into() }
}

fn scene() -> AudioScene {
    let mut def = InstrumentDef::new(SourceKind::SINE);
    def.filter = Some(FilterDef::new(FilterKind::LOW_PASS));
    def.effects = vec![EffectSlot::new(FX, EffectKind::DELAY)];
    let inst = Instrument { id: I, name: "x".into(), def, mixer: MixerSettings::default() };
    let mix = ParamTarget::Effect { owner: ChainOwner::Instrument(I), effect: FX, param: "mix".into() };
    AudioScene {
        instruments: vec![inst],
        tempo: 120.0,
        automation: vec![
            lane(1, cutoff(), &[(0, 200.0), (3840, 5000.0)]),
            lane(2, ParamTarget::Mixer { instrument: I, param: MixerParam::Level }, &[(0, 0.2), (960, 0.8)]),
            lane(3, mix, &[(0, 0.0), (960, 0.5)]),
            lane(4, ParamTarget::Source { instrument: I, param: "amp".into() }, &[(0, 0.1), (960, 0.4)]),
        ],
        ..AudioScene::default()
    }
}

fn setup() -> (Playback, SignalGraph, ModelBackend) {
    let scene = scene();
    let (graph, ops) = SignalGraph::build(GraphConfig::default(), &scene);
    let mut model = ModelBackend::new();
    model.execute(Timing::Now, &ops).unwrap();
    let mut p = Playback::new(SchedulerConfig { lookahead: 0.05 }, VoiceConfig::default());
    p.diff(&AudioDiff::SceneLoaded(Box::new(scene)), &mut Vec::new());
    (p, graph, model)
}

fn control(model: &ModelBackend, node: NodeId, name: &str) -> f32 {
    model.synth(node).and_then(|s| s.controls.get(name).copied()).unwrap_or(f32::NAN)
}

#[test]
fn each_lane_sets_its_own_node_in_timed_batches_and_the_graph_keeps_the_last_value() {
    let (mut p, mut g, mut model) = setup();
    let filter = g.filter_node(I).unwrap();
    let fx = g.effect_node(ChainOwner::Instrument(I), FX).unwrap();
    let strip = g.strip_node(ChainOwner::Instrument(I)).unwrap();
    let voices = g.voices_group(I).unwrap();
    let mut out = Vec::new();
    p.transport(TransportCmd::Play, &mut g, &mut out);
    let start = p.scheduler.horizon();
    let mut t = start;
    let mut cutoffs = Vec::new();
    while t < start + 4.5 {
        t += 0.025;
        p.advance(t, &mut g, &mut out);
        for b in out.drain(..) {
            let Timing::At(tag) = b.timing else { panic!("automation is timed: {b:?}") };
            for op in &b.ops {
                let ServerOp::Set { node, controls } = op else { panic!("only /n_set: {op:?}") };
                assert!([filter, fx, strip, voices].contains(node), "{op:?} on an unexpected node");
                if *node == filter {
                    assert_eq!(controls[0].0, "cutoff");
                    cutoffs.push((tag.as_secs_f64(), controls[0].1));
                }
                if *node == fx {
                    assert_eq!(controls[0].0, "mix");
                }
                if *node == voices {
                    assert_eq!(controls[0].0, "amp");
                }
            }
            model.execute(b.timing, &b.ops).unwrap();
        }
    }
    assert!(model.failures().is_empty(), "{:?}", model.failures());
    assert!(cutoffs.len() > 700, "a 4 s sweep every ~5 ms: {}", cutoffs.len());
    assert!(cutoffs.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1), "monotonic, in time order");
    assert_eq!(control(&model, filter, "cutoff"), 5000.0);
    assert_eq!(control(&model, fx, "mix"), 0.5);
    assert_eq!(control(&model, strip, "level"), 0.8);

    // What a rebuild would send holds the automated values.
    let scene = g.scene();
    let def = &scene.instruments[0].def;
    assert_eq!(def.filter.as_ref().unwrap().params["cutoff"], 5000.0);
    assert_eq!(def.effects[0].params["mix"], 0.5);
    assert_eq!(def.source.params["amp"], 0.4);
    assert_eq!(scene.instruments[0].mixer.level, 0.8);
}

#[test]
fn a_lane_on_a_removed_effect_plays_nothing_and_breaks_nothing() {
    let (mut p, mut g, _) = setup();
    let removed = AudioDiff::EffectRemoved { owner: ChainOwner::Instrument(I), effect: FX };
    g.apply(&removed).unwrap();
    p.diff(&removed, &mut Vec::new());
    let mut out = Vec::new();
    p.transport(TransportCmd::Play, &mut g, &mut out);
    let start = p.scheduler.horizon();
    p.advance(start + 0.5, &mut g, &mut out);
    let sets = out.iter().flat_map(|b| &b.ops).count();
    assert!(sets > 0, "the other lanes play");
    assert!(
        out.iter()
            .flat_map(|b| &b.ops)
            .all(|op| !matches!(op, ServerOp::Set { controls, .. } if controls[0].0 == "mix"))
    );
}

#[test]
fn graph_batches_wait_for_voice_batches_already_timed() {
    let (mut p, mut g, _) = setup();
    let removal = AudioDiff::InstrumentRemoved { instrument: I };
    assert_eq!(p.graph_timing(&removal), Timing::Now, "nothing timed: an edit goes at once");
    let note = imbolc_types::Note::new(60, 100, 0, 240);
    let clip = imbolc_types::Clip {
        id: imbolc_types::ClipId(0),
        name: String::new(),
        instrument: I,
        length: 480,
        looping: true,
        notes: [(imbolc_types::NoteId(0), note)].into(),
        drums: None,
        audio: None,
    };
    let placement =
        imbolc_types::Placement { id: imbolc_types::PlacementId(0), clip: clip.id, start: 0, length: 48_000 };
    let mut out = Vec::new();
    p.diff(&AudioDiff::ClipAdded { clip: Box::new(clip) }, &mut out);
    p.diff(&AudioDiff::PlacementAdded { placement }, &mut out);
    p.transport(TransportCmd::Play, &mut g, &mut out);
    let start = p.scheduler.horizon();
    p.advance(start + 0.05, &mut g, &mut out);
    p.voice_on(VoiceId(2), I, 330.0, 0.5, &mut g, &mut out).unwrap();
    let Timing::At(voice) = out.last().unwrap().timing else { panic!("a live voice while playing is timed") };
    let Timing::At(edit) = p.graph_timing(&removal) else { panic!("an edit while voices are timed ahead is timed") };
    assert!(edit >= voice, "never before the voice batch");
}
