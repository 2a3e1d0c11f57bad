//! The audio thread's loop: [`Engine`] owns the server, the
//! [`SignalGraph`], the [`ScBackend`] and the [`NodeRegistry`].
//!
//! Each turn does bounded work, in priority order: up to
//! [`REALTIME_PER_TURN`] realtime commands (voices), up to
//! [`EVENTS_PER_TURN`] server events, then up to [`DIFFS_PER_TURN`] diffs.
//! A long list of diffs is thus spread over turns and never holds up a
//! note. When idle it sleeps on all three channels at once.
//!
//! Playback (transport, scheduler, voice allocator; see `playback`) runs
//! after the lanes each turn: one lookahead window, sent as timed bundles.
//! While playing the loop sleeps at most half a lookahead, so every window
//! is sent before its notes are due.
//!
//! Server loss: the graph is the engine's own copy of the project, so a
//! lost server is replaced by a new one and `graph.rebuild()` recreates
//! every node on it. Diffs arriving meanwhile are applied to the graph
//! only. Voices are not restored: a note held across a crash would
//! otherwise restart out of context.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Select, Sender, TryRecvError, unbounded};
use imbolc_types::{AudioDiff, AudioScene, ChainOwner};
use rosc::{OscMessage, OscType};

use crate::backend::{ScBackend, ServerOp, Timing};
use crate::graph::SignalGraph;
use crate::server::sizing::ServerSize;
use crate::server::{OscSender, Server};
use crate::status::ServerState;

use super::cmd::{EngineCmd, EngineConfig, TapEvent};
use super::counters::{Counter, EngineCounters};
use super::feedback::{Publisher, TransportFeedback};
use super::inbound::{EngineEvent, Inbound};
use super::playback::{Batch, Playback, PlaybackStats};
use super::priority::promote_current_thread;
use super::registry::{EndOutcome, NodeRegistry};
use super::send::send_split;
use super::usage::StaticUse;

/// Realtime commands handled per turn at most.
pub const REALTIME_PER_TURN: usize = 64;
/// Server events handled per turn at most.
pub const EVENTS_PER_TURN: usize = 256;
/// Diffs applied per turn at most.
pub const DIFFS_PER_TURN: usize = 16;
/// Longest sleep when idle (the stop flag is checked at least this often).
const IDLE_WAIT: Duration = Duration::from_millis(100);
/// The two command lanes.
#[derive(Debug)]
pub(crate) struct Lanes {
    pub realtime: Receiver<EngineCmd>,
    pub normal: Receiver<EngineCmd>,
}

/// A running server and the ways to talk to it.
#[derive(Debug)]
struct Link {
    server: Server,
    backend: ScBackend,
    sender: OscSender,
    since: Instant,
    /// What the server was started with.
    size: ServerSize,
}

/// The audio thread's state.
#[derive(Debug)]
pub(crate) struct Engine {
    config: EngineConfig,
    lanes: Lanes,
    publisher: Publisher,
    counters: Arc<EngineCounters>,
    stop: Arc<AtomicBool>,
    quitting: bool,
    events_tx: Sender<EngineEvent>,
    events_rx: Receiver<EngineEvent>,
    graph: SignalGraph,
    registry: NodeRegistry,
    link: Option<Link>,
    generation: u64,
    playback: Playback,
    /// Scratch for the batches playback produces.
    batches: Vec<Batch>,
    /// The transport last published.
    shown: TransportFeedback,
    /// The launcher columns last published.
    shown_launcher: Vec<crate::scheduler::ColumnFeedback>,
    /// The performance last published: its start, end and length.
    shown_performance: (imbolc_types::Tick, Option<imbolc_types::Tick>, usize),
    tap: Option<Sender<TapEvent>>,
    pending: VecDeque<AudioDiff>,
    trees: VecDeque<Sender<OscMessage>>,
    restart_at: Option<Instant>,
    failures: usize,
    /// What the graph's own nodes take on the server.
    used: StaticUse,
    /// The least size of the next server (grown after refusals).
    floor: ServerSize,
    /// Restarts made to grow the server.
    growths: u32,
    /// The JACK server of a lost scsynth, for the next one.
    spare_jack: Option<crate::server::Jack>,
    /// Play cut by a lost server, to go on on the next one.
    interrupted: Option<restart::Interrupted>,
    /// Playback's counts already added to the counters.
    stats_seen: PlaybackStats,
    /// The sample browser's file preview.
    previews: super::preview::Previews,
    /// The take recorder.
    recorder: super::recorder::Recorder,
    /// The views of sound's tap.
    views: views::Views,
    /// Ableton Link, once the user turned it on.
    link_sync: link_follow::LinkFollower,
}

impl Engine {
    pub fn new(
        config: EngineConfig,
        lanes: Lanes,
        publisher: Publisher,
        counters: Arc<EngineCounters>,
        stop: Arc<AtomicBool>,
    ) -> Engine {
        let (graph, _) = SignalGraph::build(config.graph_config(), &AudioScene::default());
        let floor = ServerSize::of(&config.server);
        let (events_tx, events_rx) = unbounded();
        let playback = Playback::new(config.scheduler, config.voice_config());
        let tap = config.tap.clone();
        Engine {
            config,
            lanes,
            publisher,
            counters,
            stop,
            quitting: false,
            events_tx,
            events_rx,
            graph,
            registry: NodeRegistry::new(),
            link: None,
            generation: 0,
            playback,
            batches: Vec::new(),
            shown: TransportFeedback::default(),
            shown_launcher: Vec::new(),
            shown_performance: (0, None, 0),
            tap,
            pending: VecDeque::new(),
            trees: VecDeque::new(),
            restart_at: Some(Instant::now()),
            failures: 0,
            used: StaticUse::default(),
            floor,
            growths: 0,
            spare_jack: None,
            interrupted: None,
            stats_seen: PlaybackStats::default(),
            previews: Default::default(),
            recorder: Default::default(),
            views: Default::default(),
            link_sync: Default::default(),
        }
    }

    /// Sends the views' taps to the analyser thread (without it no view
    /// opens).
    pub fn with_views(mut self, analyser: Sender<crate::views::ViewInput>) -> Engine {
        self.views.analyser = Some(analyser);
        self
    }

    fn stopping(&self) -> bool {
        self.quitting || self.stop.load(Ordering::Relaxed)
    }

    /// Runs until shutdown, then stops the server.
    pub fn run(mut self) {
        if self.config.realtime_thread {
            self.publisher.audio_thread(promote_current_thread());
        }
        while !self.stopping() {
            let mut busy = self.maybe_start();
            busy |= self.realtime_turn();
            busy |= self.events_turn();
            busy |= self.normal_turn();
            self.link_turn();
            self.playback_turn();
            if let Some(link) = &self.link {
                self.counters.set_live_malformed(link.server.malformed_packets());
            }
            if !busy && !self.stopping() {
                self.wait();
            }
        }
        if let Some(link) = self.link.take() {
            link.server.shutdown();
        }
        self.publisher.server_state(self.generation, ServerState::Stopped);
    }

    /// Sleeps until a command or event arrives, a restart is due, or
    /// [`IDLE_WAIT`] passes.
    fn wait(&self) {
        let mut timeout = IDLE_WAIT;
        if let Some(at) = self.restart_at {
            timeout = timeout.min(at.saturating_duration_since(Instant::now()));
        }
        for period in [self.playback.window_period(), self.link_wait()].into_iter().flatten() {
            timeout = timeout.min(period);
        }
        let mut select = Select::new();
        select.recv(&self.lanes.realtime);
        select.recv(&self.lanes.normal);
        select.recv(&self.events_rx);
        let _ = select.ready_timeout(timeout);
    }

    fn realtime_turn(&mut self) -> bool {
        for done in 0..REALTIME_PER_TURN {
            match self.lanes.realtime.try_recv() {
                Ok(cmd) => self.command(cmd),
                Err(TryRecvError::Empty) => return done > 0,
                Err(TryRecvError::Disconnected) => {
                    self.quitting = true;
                    return true;
                }
            }
        }
        true
    }

    fn events_turn(&mut self) -> bool {
        for done in 0..EVENTS_PER_TURN {
            match self.events_rx.try_recv() {
                Ok(event) => self.event(event),
                Err(_) => return done > 0,
            }
        }
        true
    }

    /// Applies pending diffs, or takes the next command once none are left
    /// (so commands keep their order).
    fn normal_turn(&mut self) -> bool {
        if self.pending.is_empty() {
            match self.lanes.normal.try_recv() {
                Ok(cmd) => self.command(cmd),
                Err(TryRecvError::Empty) => return false,
                Err(TryRecvError::Disconnected) => {
                    self.quitting = true;
                    return true;
                }
            }
        }
        for _ in 0..DIFFS_PER_TURN {
            let Some(diff) = self.pending.pop_front() else { break };
            self.apply(&diff);
        }
        true
    }

    fn command(&mut self, cmd: EngineCmd) {
        match cmd {
            EngineCmd::VoiceOn { voice, instrument, freq, velocity } => {
                if self.link.is_none() {
                    self.counters.bump(Counter::Dropped);
                    return;
                }
                let mut batches = std::mem::take(&mut self.batches);
                if let Err(e) = self.playback.voice_on(voice, instrument, freq, velocity, &mut self.graph, &mut batches)
                {
                    tracing::warn!("voice on refused: {e}");
                    self.counters.bump(Counter::Dropped);
                }
                self.send_batches(batches);
            }
            EngineCmd::VoiceOff { voice } => {
                let mut batches = std::mem::take(&mut self.batches);
                self.playback.voice_off(voice, &self.graph, &mut batches);
                self.send_batches(batches);
            }
            EngineCmd::Transport(cmd) => {
                if self.transport_while_interrupted(cmd) {
                    self.publish_transport();
                    return;
                }
                if self.link_transport(cmd) {
                    return;
                }
                let mut batches = std::mem::take(&mut self.batches);
                self.playback.transport(cmd, &mut self.graph, &mut batches);
                self.send_batches(batches);
                self.publish_transport();
            }
            EngineCmd::Diffs(diffs) => self.pending.extend(diffs),
            EngineCmd::QueryTree(reply) => {
                let Some(link) = &self.link else { return };
                match link.sender.message("/g_queryTree", vec![OscType::Int(0), OscType::Int(1)]) {
                    Ok(()) => self.trees.push_back(reply),
                    Err(e) => {
                        tracing::warn!("cannot query the node tree: {e}");
                        self.counters.bump(Counter::SendError);
                    }
                }
            }
            EngineCmd::Shutdown => self.quitting = true,
            EngineCmd::Pedal { .. }
            | EngineCmd::Bend { .. }
            | EngineCmd::Pressure { .. }
            | EngineCmd::VoicePressure { .. }
            | EngineCmd::ReleaseAll => self.live_command(cmd),
            EngineCmd::Preview(file) => {
                if self.link.is_none() {
                    return;
                }
                let ops = match file {
                    Some(path) => self.previews.start(path),
                    None => self.previews.stop(),
                };
                self.send(&ops);
            }
            EngineCmd::Record(request) => self.record(request),
            EngineCmd::LauncherGrid(grid) => self.playback.set_launcher_grid(*grid),
            EngineCmd::View(target) => self.view(target),
            EngineCmd::Link(on) => self.set_link(on),
            EngineCmd::LinkFollowOnly(only) => self.link_sync.follow_only = only,
        }
    }

    /// Pedal, expression and panic from a live performer.
    fn live_command(&mut self, cmd: EngineCmd) {
        let mut batches = std::mem::take(&mut self.batches);
        match cmd {
            EngineCmd::Pedal { instrument, down } => self.playback.pedal(instrument, down, &self.graph, &mut batches),
            EngineCmd::Bend { instrument, amount } => {
                self.playback.bend(instrument, amount, &mut self.graph, &mut batches);
            }
            EngineCmd::Pressure { instrument, amount } => self.playback.press(instrument, amount, &mut batches),
            EngineCmd::VoicePressure { voice, amount } => self.playback.press_voice(voice, amount, &mut batches),
            EngineCmd::ReleaseAll => {
                self.graph.reset_bends();
                self.playback.release_everything(&self.graph, &mut batches);
            }
            _ => {}
        }
        self.send_batches(batches);
    }

    fn apply(&mut self, diff: &AudioDiff) {
        let ops = match self.graph.apply(diff) {
            Ok(ops) => ops,
            Err(e) => {
                tracing::warn!("diff refused by the graph: {e}");
                self.counters.bump(Counter::RejectedDiff);
                return;
            }
        };
        match diff {
            AudioDiff::InstrumentRemoved { instrument } => {
                let owner = ChainOwner::Instrument(*instrument);
                self.publisher.remove_meter(owner);
            }
            AudioDiff::BusRemoved { bus } => self.publisher.remove_meter(ChainOwner::Bus(*bus)),
            AudioDiff::SceneLoaded(_) => self.publisher.clear_meters(),
            _ => {}
        }
        self.refresh_view(diff);
        self.used = self.used.after(&ops, &self.registry);
        let need = self.used.size(&self.graph);
        if let Some(size) = self.link.as_ref().map(|l| l.size)
            && !size.holds(&need)
        {
            // Not sent to a server that has no room for it: the larger one
            // gets it with the whole graph.
            let reason = format!(
                "the project needs {} MB of real-time memory and {} nodes",
                need.rt_memory_kb / 1024,
                need.max_nodes
            );
            self.grow(need, &reason);
        }
        // Never before a voice batch already timed: a pending note-on or
        // release must not find its instrument's group freed under it.
        let timing = if ops.is_empty() { Timing::Now } else { self.playback.graph_timing(diff) };
        self.send_timed(timing, &ops);
        let mut batches = std::mem::take(&mut self.batches);
        let from = self.playback.tempo_change_time();
        self.playback.diff(diff, &mut batches);
        self.playback.follow_tempo(from, &mut self.graph, &mut batches);
        self.send_batches(batches);
        self.link_diff(diff);
    }

    /// One lookahead window, when playing on a running server (without a
    /// server the scheduler waits: it is stopped when one comes up).
    fn playback_turn(&mut self) {
        if self.link.is_none() {
            return;
        }
        let mut batches = std::mem::take(&mut self.batches);
        if self.playback.is_playing() || self.playback.is_free_running() {
            self.playback.window(&mut self.graph, &mut batches);
        }
        self.playback.housekeeping(&mut batches);
        self.send_batches(batches);
        if let Some(step) = self.playback.follow_wall_clock() {
            tracing::warn!("the wall clock stepped by {step:+.3} s; timetags re-anchored to it");
        }
        self.publish_transport();
        self.count_playback_stats();
    }

    /// Publishes the transport when it changed (the playhead moves by
    /// ticks, so this is at most once per loop turn).
    fn publish_transport(&mut self) {
        let now = self.playback.feedback();
        if now != self.shown {
            self.shown = now;
            self.publisher.transport(now);
        }
        let launcher = self.playback.launcher_feedback();
        if launcher != self.shown_launcher {
            self.publisher.launcher(&launcher);
            self.shown_launcher = launcher;
        }
        let perf = self.playback.performance();
        let key = (perf.start, perf.end, perf.taken.len());
        if key != self.shown_performance {
            self.shown_performance = key;
            self.publisher.performance(perf);
        }
    }

    /// Sends playback's batches, each as one bundle with its timing, and
    /// registers the voices they start. Hands the emptied vector back as
    /// scratch.
    fn send_batches(&mut self, mut batches: Vec<Batch>) {
        for batch in batches.drain(..) {
            self.send_timed(batch.timing, &batch.ops);
            for node in &batch.started {
                self.registry.voice_started(*node);
            }
            if let Some(tap) = &self.tap {
                let _ = tap.send(TapEvent::Sent { timing: batch.timing, ops: batch.ops, at: Instant::now() });
            }
        }
        self.batches = batches;
    }

    /// Sends one batch as one bundle (split only if it exceeds a datagram,
    /// which happens for whole scenes, never for an edit).
    fn send(&mut self, ops: &[ServerOp]) -> usize {
        self.send_timed(Timing::Now, ops)
    }

    fn send_timed(&mut self, timing: Timing, ops: &[ServerOp]) -> usize {
        if ops.is_empty() {
            return 0;
        }
        let Some(link) = self.link.as_mut() else { return 0 };
        self.registry.sent(ops);
        match send_split(&mut link.backend, timing, ops) {
            Ok(datagrams) => datagrams,
            Err(e) => {
                tracing::warn!("could not send {} ops to scsynth: {e}", ops.len());
                self.counters.bump(Counter::SendError);
                0
            }
        }
    }

    fn event(&mut self, event: EngineEvent) {
        match event {
            EngineEvent::Lost { generation, reason } => {
                if generation == self.generation && self.link.is_some() {
                    self.lost(reason);
                }
            }
            EngineEvent::Refused { generation, text } => self.refused(generation, &text),
            EngineEvent::Server { generation, .. } if generation != self.generation => {
                self.counters.bump(Counter::Unexpected);
            }
            EngineEvent::Server { inbound, .. } => self.inbound(inbound),
        }
    }

    fn inbound(&mut self, inbound: Inbound) {
        match inbound {
            Inbound::NodeGo(notice) => {
                if let Some(tap) = &self.tap {
                    let _ = tap.send(TapEvent::Go(notice.node));
                }
                // Groups too: a note with its own filter is a group.
                self.playback.node_started(notice.node);
                self.registry.on_go(notice);
            }
            Inbound::NodeEnd(node) => {
                if let Some(free) = self.previews.ended(node) {
                    self.send(&[free]);
                }
                self.node_end(node);
            }
            Inbound::Loaded(buf) => {
                if let Some((node, op)) = self.previews.loaded(buf, &mut self.graph) {
                    self.send(&[op]);
                    self.registry.voice_started(node);
                }
            }
            Inbound::Closed(buf) => self.take_closed(buf),
            Inbound::Fail { command, message } => {
                self.counters.bump(Counter::Fail);
                if command == "/b_write" {
                    self.take_write_failed(&message);
                }
                if NodeRegistry::is_graph_failure(&command) {
                    tracing::warn!("scsynth refused a graph op: {command} {message}");
                    self.counters.bump(Counter::Mismatch);
                } else {
                    tracing::warn!("scsynth: /fail {command} {message}");
                }
            }
            Inbound::Tree(reply) => match self.trees.pop_front() {
                Some(tx) => _ = tx.send(reply),
                None => self.counters.bump(Counter::Unexpected),
            },
            // Meters are published by the monitor thread and never forwarded.
            Inbound::Meter(_) | Inbound::Values { .. } => self.counters.bump(Counter::Unexpected),
            Inbound::ViewChunk { node, chunk } => self.view_chunk(node, chunk),
            Inbound::NodeChanged(_) | Inbound::Done => {}
        }
    }

    /// `/n_end`: what it means for playback and the node registry.
    fn node_end(&mut self, node: crate::backend::NodeId) {
        match self.registry.on_end(node) {
            EndOutcome::Expected => {
                // A group's end returns the buses of the voices it held.
                self.playback.node_ended(node);
                self.tap(TapEvent::End(node));
            }
            EndOutcome::VoiceEnded => {
                self.playback.node_ended(node);
                self.tap(TapEvent::End(node));
                self.publish_transport();
            }
            EndOutcome::Unexpected => {
                tracing::warn!("node {node} ended on the server but the graph expects it alive");
                self.counters.bump(Counter::Mismatch);
                self.tap(TapEvent::End(node));
            }
        }
    }

    /// Adds what playback dropped or corrected since the last turn to the
    /// counters.
    fn count_playback_stats(&mut self) {
        let now = self.playback.stats();
        let seen = self.stats_seen;
        self.counters.add(Counter::UnconfirmedRelease, now.unconfirmed_releases - seen.unconfirmed_releases);
        self.counters.add(Counter::LateDropped, now.late_dropped - seen.late_dropped);
        self.counters.add(Counter::ClockStep, now.clock_steps - seen.clock_steps);
        self.stats_seen = now;
    }

    fn tap(&self, event: TapEvent) {
        if let Some(tap) = &self.tap {
            let _ = tap.send(event);
        }
    }
}

#[path = "restart.rs"]
mod restart;

#[path = "run_record.rs"]
mod record;

#[path = "run_views.rs"]
mod views;

#[path = "run_link.rs"]
mod link_follow;

#[cfg(test)]
#[path = "run_tests.rs"]
mod tests;
