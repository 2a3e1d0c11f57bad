//! Drum one-shots on a real scsynth: every built-in drum voice, started
//! through `VoiceAllocator::trigger` with `SignalGraph::one_shot_on`, must
//! start (`/n_go`) and end by itself (`/n_end`, no gate ever sent), after
//! which the allocator counts no voice and the tree holds none.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::time::{Duration, Instant};

use imbolc_audio::backend::{AudioBackend, NodeId, ScBackend, ServerOp, Timing};
use imbolc_audio::engine::EngineConfig;
use imbolc_audio::graph::SignalGraph;
use imbolc_audio::synthdefs::DRUM_VOICES;
use imbolc_audio::voices::{VoiceAllocator, VoiceConfig};
use imbolc_tests::{ScServer, test_config};
use imbolc_types::catalog::SourceKind;
use imbolc_types::{AudioScene, Instrument, InstrumentDef, InstrumentId, MixerSettings, VoiceSettings};
use rosc::{OscMessage, OscType};

const KIT: InstrumentId = InstrumentId(0);
/// Drum voices are short (the open hat rings longest, about a second).
const RING_OUT: Duration = Duration::from_secs(5);

fn node_of(m: &OscMessage) -> Option<i32> {
    match m.args.first() {
        Some(OscType::Int(i)) => Some(*i),
        _ => None,
    }
}

#[test]
fn every_drum_voice_starts_and_ends_by_itself_and_none_is_left() {
    let sc = ScServer::start();
    let mut backend = ScBackend::new(sc.sender().try_clone_socket().unwrap());
    let kit = Instrument {
        id: KIT,
        name: "kit".into(),
        def: InstrumentDef::new(SourceKind::Sine),
        mixer: MixerSettings::default(),
    };
    let scene = AudioScene { instruments: vec![kit], ..AudioScene::default() };
    let (mut graph, ops) = SignalGraph::build(EngineConfig::new(test_config()).graph_config(), &scene);
    backend.execute(Timing::Now, &ops).unwrap();
    let mut alloc = VoiceAllocator::new(VoiceConfig::default());
    alloc.set_settings(KIT, VoiceSettings::default(), &mut Vec::new());

    // Two hits of each drum voice, one bundle per hit.
    let mut started = Vec::new();
    for round in 0..2 {
        for (pad, def) in DRUM_VOICES.iter().enumerate() {
            let mut out = Vec::new();
            let controls = [("vel", 0.8), ("amp", 0.5), ("pitch", f32::from(round as u8))];
            alloc.trigger(KIT, 36 + pad as u8, 100, || graph.one_shot_on(KIT, def, &controls), &mut out).unwrap();
            let ServerOp::SynthNew { id, .. } = out[0] else { panic!("{out:?}") };
            started.push(id);
            backend.execute(Timing::Now, &out).unwrap();
        }
    }
    let mut released = Vec::new();
    alloc.release_everything(&mut released);
    assert!(released.is_empty(), "one-shots are never gated");
    assert_eq!(alloc.total(), started.len(), "counted until their end");

    let mut log = Vec::new();
    let mut go = HashSet::new();
    let mut end = HashSet::new();
    let deadline = Instant::now() + RING_OUT;
    let all: HashSet<i32> = started.iter().map(|n| n.0).collect();
    while end.len() < all.len() && Instant::now() < deadline {
        let left = deadline.saturating_duration_since(Instant::now());
        let Some(m) = sc.collect_until(left, &mut log, |m| m.addr == "/n_end" || m.addr == "/n_go") else { break };
        let Some(node) = node_of(&m).filter(|n| all.contains(n)) else { continue };
        if m.addr == "/n_go" {
            go.insert(node);
        } else {
            end.insert(node);
            alloc.on_node_end(NodeId(node));
        }
    }
    let fails: Vec<&OscMessage> = log.iter().filter(|m| m.addr == "/fail").collect();
    assert!(fails.is_empty(), "the server refused: {fails:?}");
    assert_eq!(go, all, "every hit started");
    assert_eq!(end, all, "every hit ended by itself within {RING_OUT:?}");
    assert_eq!(alloc.total(), 0);
    let tree = sc.query_tree();
    let left: Vec<_> =
        tree.walk().into_iter().filter(|n| n.def.as_deref().is_some_and(|d| d.starts_with("imbolc_drum"))).collect();
    assert!(left.is_empty(), "drum synths left: {left:?}");
    eprintln!("{} drum hits ({} voices × 2): all started and ended by themselves", all.len(), DRUM_VOICES.len());
}
