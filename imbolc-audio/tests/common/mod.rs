//! Helpers shared by the graph tests: fixtures and "apply a diff to the
//! graph and the model" with failure checks.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use imbolc_audio::backend::{AudioBackend, ModelBackend, ServerOp, Timing};
use imbolc_audio::graph::{GraphConfig, SignalGraph};
use imbolc_types::{
    AudioDiff, AudioScene, Bus, BusId, EffectKind, EffectSlot, FilterDef, FilterKind, IdCounters, Instrument,
    InstrumentDef, MixerSettings, SourceKind,
};

/// A project of `instruments` instruments (each with a filter and `effects`
/// effects) and `buses` aux buses, with fresh ids from `ids`.
pub fn project(ids: &mut IdCounters, instruments: usize, effects: usize, buses: usize) -> AudioScene {
    let mut scene = AudioScene::default();
    for b in 0..buses {
        let id = ids.next_bus().expect("fresh id");
        let fx = vec![EffectSlot::new(ids.next_effect().expect("fresh id"), EffectKind::REVERB)];
        scene.buses.push(Bus { id, name: format!("bus {b}"), effects: fx, mixer: MixerSettings::default() });
    }
    for i in 0..instruments {
        scene.instruments.push(instrument(ids, i, effects));
    }
    scene
}

/// One instrument with a filter and `effects` effects.
pub fn instrument(ids: &mut IdCounters, n: usize, effects: usize) -> Instrument {
    let id = ids.next_instrument().expect("fresh id");
    let source = SourceKind::ALL[n % SourceKind::ALL.len()];
    let mut def = InstrumentDef::new(source);
    def.filter = Some(FilterDef::new(FilterKind::LOW_PASS));
    for e in 0..effects {
        def.effects
            .push(EffectSlot::new(ids.next_effect().expect("fresh id"), EffectKind::ALL[e % EffectKind::ALL.len()]));
    }
    Instrument { id, name: format!("inst {n}"), def, mixer: MixerSettings::default() }
}

/// A graph built for `scene` and a model holding it.
pub fn built(scene: &AudioScene) -> (SignalGraph, ModelBackend) {
    let (graph, ops) = SignalGraph::build(GraphConfig::default(), scene);
    let mut model = ModelBackend::new();
    model.execute(Timing::Now, &ops).unwrap();
    assert_clean(&model);
    (graph, model)
}

/// Applies `diff` to the graph, executes the batch on the model, checks
/// the model refused nothing, and returns the batch.
pub fn run(graph: &mut SignalGraph, model: &mut ModelBackend, diff: &AudioDiff) -> Vec<ServerOp> {
    let ops = graph.apply(diff).unwrap_or_else(|e| panic!("{diff:?} rejected: {e}"));
    model.execute(Timing::Now, &ops).unwrap();
    assert_clean(model);
    ops
}

/// No `/fail` and no set of a missing control so far.
pub fn assert_clean(model: &ModelBackend) {
    assert!(model.failures().is_empty(), "model failures: {:?}", model.failures());
    assert!(model.warnings().is_empty(), "model warnings: {:?}", model.warnings());
}

/// The first aux bus id of a scene.
pub fn first_bus(scene: &AudioScene) -> BusId {
    scene.buses[0].id
}
