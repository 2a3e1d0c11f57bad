//! Tempo sync through [`Playback`]: a tempo edit or a tempo lane sets the
//! synced effect (and nothing else) where the new tempo starts.

use imbolc_types::{
    AudioDiff, AudioScene, AutomationLane, ChainOwner, EffectId, EffectKind, EffectSlot, Instrument, InstrumentDef,
    InstrumentId, LaneId, MixerSettings, NoteDivision, ParamTarget, SourceKind,
};

use super::*;
use crate::graph::GraphConfig;

const I: InstrumentId = InstrumentId(0);
const SYNCED: EffectId = EffectId(0);

/// One instrument with a quarter-note delay and a free one.
fn scene() -> AudioScene {
    let mut def = InstrumentDef::new(SourceKind::SINE);
    let mut synced = EffectSlot::new(SYNCED, EffectKind::DELAY);
    synced.sync.insert("time".into(), NoteDivision::QUARTER);
    def.effects = vec![synced, EffectSlot::new(EffectId(1), EffectKind::DELAY)];
    let inst = Instrument { id: I, name: "x".into(), def, mixer: MixerSettings::default() };
    AudioScene { instruments: vec![inst], tempo: 120.0, ..AudioScene::default() }
}

fn setup(scene: &AudioScene) -> (Playback, SignalGraph) {
    let (graph, _) = SignalGraph::build(GraphConfig::default(), scene);
    let mut p = Playback::new(SchedulerConfig { lookahead: 0.05 }, VoiceConfig::default()).trusting_timetags();
    p.diff(&AudioDiff::SceneLoaded(Box::new(scene.clone())), &mut Vec::new());
    (p, graph)
}

/// The `/n_set`s of `batches` on effect nodes, with their timing.
fn effect_sets(batches: &[Batch], node: NodeId) -> Vec<(Timing, f32)> {
    batches
        .iter()
        .flat_map(|b| b.ops.iter().map(move |op| (b.timing, op)))
        .filter_map(|(t, op)| match op {
            ServerOp::Set { node: n, controls } if *n == node => Some((t, controls[0].1)),
            _ => None,
        })
        .collect()
}

fn tempo_edit(p: &mut Playback, g: &mut SignalGraph, bpm: f32, out: &mut Vec<Batch>) {
    let diff = AudioDiff::ParamSet { target: ParamTarget::Tempo, value: bpm };
    assert!(g.apply(&diff).expect("graph").is_empty(), "the graph sends nothing for the edit itself");
    let from = p.tempo_change_time();
    p.diff(&diff, out);
    p.follow_tempo(from, g, out);
}

#[test]
fn a_tempo_edit_while_stopped_sets_the_synced_delay_at_once() {
    let s = scene();
    let (mut p, mut g) = setup(&s);
    let mut out = Vec::new();
    tempo_edit(&mut p, &mut g, 90.0, &mut out);
    let node = g.effect_node(ChainOwner::Instrument(I), SYNCED).expect("node");
    let ops: Vec<&ServerOp> = out.iter().flat_map(|b| &b.ops).collect();
    assert_eq!(ops.len(), 1, "one message: {ops:?}");
    assert_eq!(effect_sets(&out, node), vec![(Timing::Now, 60.0 / 90.0)]);
}

#[test]
fn a_tempo_edit_while_playing_is_timed_where_the_new_tempo_starts() {
    let s = scene();
    let (mut p, mut g) = setup(&s);
    let mut out = Vec::new();
    p.transport(TransportCmd::Play, &mut g, &mut out);
    let at = p.scheduler.horizon();
    p.advance(at + 0.3, &mut g, &mut out);
    out.clear();
    let horizon = p.scheduler.horizon();
    tempo_edit(&mut p, &mut g, 100.0, &mut out);
    let node = g.effect_node(ChainOwner::Instrument(I), SYNCED).expect("node");
    let sets = effect_sets(&out, node);
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].0, Timing::At(p.clock.timetag(horizon)));
    assert!((sets[0].1 - 0.6).abs() < 1e-6);
    assert_eq!(out.iter().map(|b| b.ops.len()).sum::<usize>(), 1, "nothing else is touched");
}

#[test]
fn a_tempo_lane_moves_the_synced_delay_when_the_lane_changes_the_tempo() {
    let mut s = scene();
    let mut lane = AutomationLane::new(LaneId(1), ParamTarget::Tempo);
    lane.points = [(0, 120.0), (479, 120.0), (480, 60.0)].into_iter().collect();
    s.automation = vec![lane];
    let (mut p, mut g) = setup(&s);
    let mut out = Vec::new();
    p.transport(TransportCmd::Play, &mut g, &mut out);
    let at = p.scheduler.horizon();
    // Window by window, as the audio thread does: the lane is read at the
    // start of each.
    for k in 1..=40 {
        p.advance(at + 0.05 * f64::from(k), &mut g, &mut out);
    }
    let node = g.effect_node(ChainOwner::Instrument(I), SYNCED).expect("node");
    let sets = effect_sets(&out, node);
    assert_eq!(sets.len(), 1, "one change of tempo, one /n_set: {sets:?}");
    assert_eq!(sets[0].1, 1.0, "a quarter note at 60 BPM");
    let Timing::At(t) = sets[0].0 else { panic!("untimed") };
    let beat = t.as_secs_f64() - p.clock.timetag(at).as_secs_f64();
    assert!((beat - 0.5).abs() < 0.06, "set about a beat (0.5 s) in, within a window: {beat}");
    assert_eq!(g.tempo(), 60.0);
}
