//! Starting and replacing the server: boot, rebuild the graph from the
//! engine's copy, back off after repeated failures, and play on from where
//! a lost server cut play (see `resume.rs`), or stop visibly saying why.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::backend::ScBackend;
use crate::server::Server;
use crate::server::sizing::ServerSize;
use crate::status::ServerState;

use super::super::cmd::TransportCmd;
use super::super::counters::Counter;
use super::super::feedback::RebuildStats;
use super::super::inbound::ReceivePath;
use super::super::playback::Resume;
use super::super::registry::NodeRegistry;
use super::super::usage::StaticUse;
use super::{Engine, Link};

/// Delay before restart attempt `n` after consecutive failures (the first
/// restart after a stable run is immediate).
const BACKOFF: [Duration; 6] = [
    Duration::ZERO,
    Duration::from_millis(250),
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(5),
];
/// A server that ran this long counts as stable: its loss restarts at once.
const STABLE_AFTER: Duration = Duration::from_secs(10);
/// Play goes on on a new server only if it came within this long of the
/// loss; later, music starting again by itself would surprise more than a
/// stop.
const RESUME_WITHIN: Duration = Duration::from_secs(10);
/// Restarts to grow the server at most this often in a session: a project
/// that still does not fit after that shows its refusals instead.
const MAX_GROWTHS: u32 = 4;

/// Play cut by a lost server, waiting for the next one.
#[derive(Debug, Clone, Copy)]
pub(super) struct Interrupted {
    pub resume: Resume,
    pub since: Instant,
}

impl Engine {
    /// Starts a server if none runs and a (re)start is due.
    pub(super) fn maybe_start(&mut self) -> bool {
        if self.link.is_some() || self.restart_at.is_none_or(|at| Instant::now() < at) {
            return false;
        }
        self.restart_at = None;
        self.start();
        true
    }

    fn start(&mut self) {
        self.generation += 1;
        let generation = self.generation;
        self.publisher.server_state(generation, ServerState::Booting);
        let path =
            ReceivePath::new(generation, self.publisher.monitor(), Arc::clone(&self.counters), self.events_tx.clone());
        let path = match self.views.analyser.clone() {
            Some(views) => path.with_views(views),
            None => path,
        };
        let began = Instant::now();
        // The whole graph goes to the new server, which is sized for it.
        let ops = self.graph.rebuild();
        self.used = StaticUse::default().after(&ops, &NodeRegistry::new());
        let size = self.used.size(&self.graph).max(self.floor);
        let config = size.applied_to(&self.config.server);
        let server = match Server::start_on(&config, self.spare_jack.take(), path.into_handler()) {
            Ok(server) => server,
            Err(e) => return self.start_failed(e.to_string()),
        };
        let sender = server.sender();
        let backend = match sender.try_clone_socket() {
            Ok(socket) => ScBackend::new(socket),
            Err(e) => return self.start_failed(format!("cannot share the server socket: {e}")),
        };
        let booted = began.elapsed();
        self.publisher.running(
            generation,
            server.boot_stats(),
            server.jack().map(|j| j.setup().clone()).unwrap_or_default(),
            server.scsynth_pid(),
        );
        self.registry.reset();
        self.previews.forget();
        // A fresh server has no voices and nothing timed: play (cut by the
        // lost server, or asked for before this one was up) starts again.
        let playing = self.playback.resume_point().map(|resume| Interrupted { resume, since: Instant::now() });
        let interrupted = self.interrupted.take().or(playing);
        self.playback.server_lost();
        self.playback.reanchor_clock();
        self.link = Some(Link { server, backend, sender, since: Instant::now(), size: ServerSize::of(&config) });
        let sending = Instant::now();
        let datagrams = self.send(&ops);
        let rebuild = RebuildStats {
            ops: ops.len(),
            datagrams,
            send_micros: u64::try_from(sending.elapsed().as_micros()).unwrap_or(u64::MAX),
            rt_memory_kb: config.rt_memory_kb,
            max_nodes: config.max_nodes,
        };
        self.publisher.rebuilt(rebuild);
        self.reopen_view();
        if let Some(i) = interrupted {
            self.go_on(i);
        }
        self.publish_transport();
        tracing::info!(
            "scsynth generation {generation} (-m {} -n {}) up in {} ms; graph of {} ops sent in {} datagrams \
             ({} µs) {} ms after start",
            rebuild.rt_memory_kb,
            rebuild.max_nodes,
            booted.as_millis(),
            ops.len(),
            rebuild.datagrams,
            rebuild.send_micros,
            began.elapsed().as_millis()
        );
    }

    pub(super) fn start_failed(&mut self, reason: String) {
        tracing::error!("scsynth failed to start: {reason}");
        self.publisher.server_state(self.generation, ServerState::Failed { reason: reason.clone() });
        self.failures += 1;
        self.restart_at = Some(Instant::now() + backoff(self.failures));
        if let Some(i) = self.interrupted.take() {
            self.playback.park(i.resume);
            self.stopped_play(format!("play stopped: scsynth could not be restarted ({reason})"));
        }
    }

    pub(super) fn lost(&mut self, reason: String) {
        tracing::warn!("scsynth lost: {reason}; restarting and rebuilding the graph");
        self.counters.bump(Counter::Restart);
        self.publisher.server_state(self.generation, ServerState::Lost { reason });
        if let Some(since) = self.drop_link() {
            self.failures = if since.elapsed() >= STABLE_AFTER { 0 } else { self.failures + 1 };
        }
        self.restart_at = Some(Instant::now() + backoff(self.failures));
    }

    /// Replaces the server by a larger one (see `crate::server::sizing`):
    /// the graph is rebuilt on it and play goes on, as after a loss.
    pub(super) fn grow(&mut self, floor: ServerSize, reason: &str) {
        if self.growths >= MAX_GROWTHS {
            tracing::warn!("scsynth would need to grow ({reason}), but it was already grown {MAX_GROWTHS} times");
            return;
        }
        self.growths += 1;
        self.floor = self.floor.max(floor);
        tracing::info!("restarting scsynth larger: {reason}");
        self.counters.bump(Counter::Grown);
        self.publisher.server_state(self.generation, ServerState::Booting);
        self.drop_link();
        self.restart_at = Some(Instant::now());
    }

    /// A server refused something for lack of room (its log or a `/fail`):
    /// the next one gets twice as much of it.
    pub(super) fn refused(&mut self, generation: u64, text: &str) {
        let Some(size) = self.link.as_ref().map(|l| l.size).filter(|_| generation == self.generation) else {
            return;
        };
        let mut floor = size;
        if text.contains("alloc failed") || text.contains("out of real time memory") {
            floor.rt_memory_kb = size.rt_memory_kb.saturating_mul(2);
        } else if text.contains("too many nodes") {
            floor.max_nodes = size.max_nodes.saturating_mul(2);
        } else {
            return;
        }
        self.grow(floor, text);
    }

    /// Shuts the server down (keeping a JACK server that still runs for
    /// the next one) and forgets what was on it; play waits for the next
    /// server. Returns when the server had started.
    fn drop_link(&mut self) -> Option<Instant> {
        let since = self.link.take().map(|link| {
            // A crashed scsynth leaves JACK running: the next one uses it,
            // which saves stopping and starting JACK.
            self.spare_jack = link.server.shutdown_keeping_jack();
            link.since
        });
        self.counters.retire_live_malformed();
        // Dropping the reply senders tells waiting callers there is no tree.
        self.trees.clear();
        if self.interrupted.is_none() {
            self.interrupted = self.playback.resume_point().map(|resume| Interrupted { resume, since: Instant::now() });
        }
        self.playback.server_lost();
        self.publish_transport();
        self.registry.reset();
        self.previews.forget();
        self.forget_view();
        self.take_server_gone();
        since
    }
}

impl Engine {
    /// Plays on from where `i` was cut, if the new server came soon enough.
    fn go_on(&mut self, i: Interrupted) {
        let away = i.since.elapsed();
        if away <= RESUME_WITHIN {
            self.playback.resume(i.resume);
            tracing::info!("play resumes at tick {} after {} ms without a server", i.resume.position, away.as_millis());
        } else {
            self.playback.park(i.resume);
            self.stopped_play(format!("play stopped: no server for {} s", away.as_secs()));
        }
    }

    /// A transport command while play waits for a new server; true when
    /// it is handled here (else it goes to playback as usual).
    pub(super) fn transport_while_interrupted(&mut self, cmd: TransportCmd) -> bool {
        let Some(i) = self.interrupted.as_mut() else { return false };
        match cmd {
            // Play already goes on once the server is back.
            TransportCmd::Play => true,
            TransportCmd::Pause => {
                let resume = i.resume;
                self.interrupted = None;
                self.playback.park(resume);
                true
            }
            TransportCmd::Stop => {
                self.interrupted = None;
                false
            }
            TransportCmd::Seek(tick) => {
                i.resume = Resume { position: tick, started_from: tick };
                false
            }
            _ => false,
        }
    }

    /// Play stopped without the user asking: the UI is told why.
    fn stopped_play(&mut self, reason: String) {
        tracing::warn!("{reason}");
        self.publisher.stopped_play(reason);
    }
}

pub(super) fn backoff(failures: usize) -> Duration {
    BACKOFF[failures.min(BACKOFF.len() - 1)]
}
