//! Cost of applying one diff: a `ParamSet` and an `EffectAdded` (removed
//! again so the state stays the same size) on projects of 1 and 64
//! instruments × 3 effects, executed on the model and encoded as OSC.
//! Lookups are by id, so the 64-instrument figures should match the
//! 1-instrument ones.

// Bench setup on fixed, valid fixtures: a failure is a bug to see at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use imbolc_audio::backend::{AudioBackend, ModelBackend, ServerOp, Timing, encode_batch_into};
use imbolc_audio::graph::{GraphConfig, SignalGraph};
use imbolc_types::{
    AudioDiff, AudioScene, ChainOwner, EffectKind, EffectSlot, FilterDef, FilterKind, IdCounters, Instrument,
    InstrumentDef, MixerSettings, ParamTarget, SourceKind,
};

struct Setup {
    graph: SignalGraph,
    model: ModelBackend,
    ids: IdCounters,
    owner: ChainOwner,
    first: imbolc_types::EffectId,
}

fn setup(instruments: usize) -> Setup {
    let mut ids = IdCounters::default();
    let mut scene = AudioScene::default();
    for n in 0..instruments {
        let mut def = InstrumentDef::new(SourceKind::SAW);
        def.filter = Some(FilterDef::new(FilterKind::LOW_PASS));
        for e in 0..3 {
            def.effects.push(EffectSlot::new(ids.next_effect().expect("fresh id"), EffectKind::ALL[e % 3]));
        }
        let id = ids.next_instrument().expect("fresh id");
        scene.instruments.push(Instrument { id, name: format!("i{n}"), def, mixer: MixerSettings::default() });
    }
    let target = &scene.instruments[instruments / 2];
    let owner = ChainOwner::Instrument(target.id);
    let first = target.def.effects[0].id;
    let (graph, ops) = SignalGraph::build(GraphConfig::default(), &scene);
    let mut model = ModelBackend::new();
    model.execute(Timing::Now, &ops).unwrap();
    Setup { graph, model, ids, owner, first }
}

/// Where a batch goes in the bench.
#[derive(Clone, Copy)]
enum Sink {
    Model,
    Osc,
}

fn deliver(s: &mut Setup, sink: Sink, ops: &[ServerOp], buf: &mut Vec<u8>) {
    match sink {
        Sink::Model => s.model.execute(Timing::Now, ops).unwrap(),
        Sink::Osc => encode_batch_into(Timing::Now, ops, buf).unwrap(),
    }
    black_box(&buf);
}

fn bench(c: &mut Criterion) {
    for (sink, name) in [(Sink::Model, "model"), (Sink::Osc, "osc")] {
        let mut group = c.benchmark_group(format!("graph_apply/{name}"));
        for n in [1usize, 64] {
            let mut s = setup(n);
            let mut buf = Vec::with_capacity(1024);
            let mut value = 0.0f32;
            group.bench_function(BenchmarkId::new("param_set", n), |b| {
                b.iter(|| {
                    value = if value > 0.5 { 0.1 } else { 0.9 };
                    let target = ParamTarget::Effect { owner: s.owner, effect: s.first, param: "mix".into() };
                    let ops = s.graph.apply(&AudioDiff::ParamSet { target, value }).unwrap();
                    deliver(&mut s, sink, &ops, &mut buf);
                });
            });
            group.bench_function(BenchmarkId::new("effect_added_and_removed", n), |b| {
                b.iter(|| {
                    let slot = EffectSlot::new(s.ids.next_effect().expect("fresh id"), EffectKind::DELAY);
                    let effect = slot.id;
                    let add = AudioDiff::EffectAdded { owner: s.owner, effect: slot, after: Some(s.first) };
                    let ops = s.graph.apply(&add).unwrap();
                    deliver(&mut s, sink, &ops, &mut buf);
                    let ops = s.graph.apply(&AudioDiff::EffectRemoved { owner: s.owner, effect }).unwrap();
                    deliver(&mut s, sink, &ops, &mut buf);
                });
            });
            assert!(s.model.failures().is_empty());
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
