//! Unit tests of the engine loop without a server: counters, diffs reaching
//! the graph, voices dropped, restart backoff.

use crossbeam_channel::bounded;
use imbolc_types::catalog::SourceKind;
use imbolc_types::{Instrument, InstrumentDef, InstrumentId, MixerSettings};

use super::restart::backoff;
use super::*;
use crate::backend::{AddAction, NodeId};
use crate::engine::{TransportCmd, VoiceId};
use crate::server::ServerConfig;

/// An engine that has not started a server (its loop is not run).
fn engine() -> (Engine, Arc<EngineCounters>) {
    let (_, realtime) = bounded(1);
    let (_, normal) = unbounded();
    let (publisher, _) = Publisher::new();
    let counters = Arc::new(EngineCounters::default());
    let lanes = Lanes { realtime, normal };
    let stop = Arc::new(AtomicBool::new(false));
    let engine = Engine::new(EngineConfig::new(ServerConfig::default()), lanes, publisher, Arc::clone(&counters), stop);
    (engine, counters)
}

fn from_server(generation: u64, inbound: Inbound) -> EngineEvent {
    EngineEvent::Server { generation, inbound }
}

#[test]
fn mismatches_failures_and_stray_replies_are_counted_not_fatal() {
    let (mut e, counters) = engine();
    e.registry.sent(&[ServerOp::GroupNew { id: NodeId(5), action: AddAction::Tail, target: NodeId::ROOT }]);
    e.event(from_server(0, Inbound::NodeEnd(NodeId(5))));
    assert_eq!(counters.snapshot().mismatches, 1, "a node the graph expects alive ended");
    let fail = |command: &str| Inbound::Fail { command: command.into(), message: "Node 9 not found".into() };
    e.event(from_server(0, fail("/n_set")));
    e.event(from_server(0, fail("/g_queryTree")));
    let c = counters.snapshot();
    assert_eq!((c.fails, c.mismatches), (2, 2), "only the graph op's failure is a mismatch");
    e.event(from_server(0, Inbound::Tree(OscMessage { addr: "/g_queryTree.reply".into(), args: vec![] })));
    e.event(from_server(9, Inbound::NodeEnd(NodeId(1))));
    assert_eq!(counters.snapshot().unexpected, 2, "an unasked reply and a stale server's notice");
    e.event(EngineEvent::Lost { generation: 9, reason: "old".into() });
    assert_eq!(counters.snapshot().restarts, 0, "a stale loss is ignored");
}

#[test]
fn without_a_server_diffs_still_reach_the_graph_and_voices_are_dropped() {
    let (mut e, counters) = engine();
    let id = InstrumentId(3);
    let instrument =
        Instrument { id, name: "x".into(), def: InstrumentDef::new(SourceKind::SINE), mixer: MixerSettings::default() };
    e.command(EngineCmd::Diffs(vec![
        AudioDiff::InstrumentAdded { instrument: Box::new(instrument), after: None },
        AudioDiff::InstrumentRemoved { instrument: InstrumentId(99) },
    ]));
    while !e.pending.is_empty() {
        e.normal_turn();
    }
    assert!(e.graph.instrument_group(id).is_some(), "the rebuild after a restart will include it");
    assert_eq!(counters.snapshot().rejected_diffs, 1);
    e.command(EngineCmd::VoiceOn { voice: VoiceId(0), instrument: id, freq: 440.0, velocity: 1.0 });
    assert_eq!(counters.snapshot().dropped, 1);
    assert_eq!(e.playback.feedback().voices, 0);
}

#[test]
fn backoff_grows_and_saturates() {
    assert_eq!(backoff(0), Duration::ZERO);
    assert!(backoff(2) > backoff(1));
    assert_eq!(backoff(100), Duration::from_secs(5));
}

/// Issue 19: a lost server used to stop play for good while the UI still
/// showed it playing. Play now waits for the next server; a stop during the
/// wait cancels it; a server that cannot be started stops play visibly.
#[test]
fn play_cut_by_a_lost_server_waits_for_the_next_one_or_stops_saying_why() {
    let (mut e, _) = engine();
    e.command(EngineCmd::Transport(TransportCmd::Seek(960)));
    e.command(EngineCmd::Transport(TransportCmd::Play));
    assert!(e.playback.is_playing());
    e.lost("killed".into());
    assert!(!e.playback.is_playing(), "nothing plays without a server");
    let cut = e.interrupted.expect("play waits for the next server");
    assert_eq!(cut.resume.started_from, 960);
    e.command(EngineCmd::Transport(TransportCmd::Play));
    assert!(e.interrupted.is_some(), "play is already going on");
    e.command(EngineCmd::Transport(TransportCmd::Stop));
    assert!(e.interrupted.is_none(), "stop cancels it");
    assert_eq!(e.playback.feedback().tick, 960, "and returns to where play started");

    e.command(EngineCmd::Transport(TransportCmd::Play));
    e.lost("killed again".into());
    assert!(e.interrupted.is_some());
    e.start_failed("no scsynth".into());
    assert!(e.interrupted.is_none());
    let stopped = e.publisher.snapshot_stopped();
    assert_eq!(stopped.count, 1);
    assert!(stopped.reason.contains("could not be restarted"), "{}", stopped.reason);
}

#[test]
fn a_preview_starts_when_its_file_is_read_and_its_end_frees_it_without_a_mismatch() {
    let (mut e, counters) = engine();
    e.previews.start("/a.wav".into());
    e.event(from_server(0, Inbound::Loaded(super::super::preview::PREVIEW_BUFFERS.start)));
    let node = e.previews.current.and_then(|p| p.node).expect("the sampler was started");
    assert!(e.registry.is_voice(node), "it may end by itself");
    e.event(from_server(0, Inbound::NodeEnd(node)));
    assert!(e.previews.current.is_none(), "its buffer is freed");
    assert_eq!(counters.snapshot().mismatches, 0);
    // Without a server a preview request sends nothing and keeps nothing.
    e.command(EngineCmd::Preview(Some("/b.wav".into())));
    assert!(e.previews.current.is_none());
}
