//! The audio thread's Ableton Link follower: the engine joins the Link
//! session when the user turns Link on, and from then on every turn:
//!
//! - a tempo another peer set becomes the scheduler's at once (and is
//!   published, counted, for the UI to take into the project); a tempo
//!   edit of ours goes to the session;
//! - while playing, the scheduler's tempo line is kept on Link's
//!   timeline (play tick 0 is at phase `origin` of the session's bar), so
//!   bar lines and launcher boundaries land in phase with the other peers;
//! - play started or stopped by a peer starts or stops ours, and ours
//!   starts or stops the session's (start/stop sync). A local start waits
//!   for the next time the session's bar phase matches the song
//!   position's (alone in the session it starts at once).
//!
//! A collaborator's engine sends no tempo to the session at all (the
//! host's does; see `AudioHandle::set_link_follow_only`).
//!
//! A tempo that arrives as an edit equal to one the session gave us
//! recently is the UI echoing Link back (it takes a peer's tempo into the
//! project, which comes back here as an edit); it is not sent back to the
//! session, so a peer's tempo drag is never fought with its own old values.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use imbolc_types::{AudioDiff, ParamTarget, TICKS_PER_QUARTER};

use crate::link::{LinkSession, phase_difference};

use super::*;
use crate::engine::cmd::TransportCmd;
use crate::engine::feedback::LinkFeedback;

/// How often the number of peers is read (it takes Link's lock).
const PEERS_EVERY: Duration = Duration::from_millis(250);
/// Longest sleep of the loop while Link is on.
const LINK_WAIT: Duration = Duration::from_millis(10);
/// Tempos from peers remembered to recognise the UI's echo, and for how
/// long (the UI takes one into the project within a frame or two).
const ECHOES: usize = 32;
const ECHO_WINDOW: Duration = Duration::from_secs(2);
/// Tempos closer than this (bpm) are the same.
const SAME_TEMPO: f64 = 1e-3;

/// The engine's Link state. `session` is created when Link is first
/// turned on: before that Imbolc opens no Link socket at all.
#[derive(Debug, Default)]
pub(crate) struct LinkFollower {
    session: Option<LinkSession>,
    /// Phase in the session's bar (quarters) of play tick 0 of the
    /// current play, when play was started in phase with the session.
    /// A phase, not a beat number: Link renumbers an app's beats when it
    /// requests a beat at a time, and a capture may still show the old
    /// numbering, which would shift the song by whole bars.
    origin: Option<f64>,
    /// The session's tempo as last seen or sent.
    tempo: f64,
    /// The session's transport as last seen or sent.
    playing: bool,
    /// Recent tempos from peers (see the module docs).
    from_peers: VecDeque<(f32, Instant)>,
    /// Tempo edits are not sent to the session (a collaborator's engine:
    /// see `AudioHandle::set_link_follow_only`).
    pub(super) follow_only: bool,
    peers_read: Option<Instant>,
    shown: LinkFeedback,
    published: LinkFeedback,
}

impl LinkFollower {
    fn enabled(&self) -> bool {
        self.shown.enabled
    }
}

impl Engine {
    /// Turns Link on or off.
    pub(super) fn set_link(&mut self, on: bool) {
        let bpm = f64::from(self.playback.feedback().bpm);
        let link = &mut self.link_sync;
        let session = link.session.get_or_insert_with(|| LinkSession::new(bpm));
        if on && !link.shown.enabled {
            link.tempo = bpm;
            link.playing = false;
            link.origin = None;
            session.set_enabled(true);
            let now = self.playback.clock().now();
            session.capture(self.playback.clock());
            session.set_tempo(bpm, now);
            tracing::info!("Ableton Link on at {bpm:.2} bpm");
        } else if !on && link.shown.enabled {
            session.set_enabled(false);
            link.origin = None;
            tracing::info!("Ableton Link off");
        }
        link.shown.enabled = on;
        link.peers_read = None;
        self.publish_link();
    }

    /// A transport command with Link on: play starts in phase with the
    /// session and the session's transport follows ours. Returns `true`
    /// when the command was handled here.
    pub(super) fn link_transport(&mut self, cmd: TransportCmd) -> bool {
        if !self.link_sync.enabled() {
            return false;
        }
        let Some(session) = self.link_sync.session.as_mut() else { return false };
        match cmd {
            TransportCmd::Play if !self.playback.is_playing() => {
                let earliest = self.playback.earliest_start();
                session.capture(self.playback.clock());
                let (phase, quantum) = (self.playback.start_phase(), self.playback.quantum());
                let at = session.start(earliest, phase, quantum);
                self.playback.play_at(at.max(earliest));
                self.link_sync.origin = Some(phase);
                self.link_sync.playing = true;
                tracing::debug!("Link: play starts in {:.3} s", at - self.playback.clock().now());
                self.publish_transport();
                true
            }
            TransportCmd::Stop | TransportCmd::Pause if self.playback.is_playing() => {
                session.stop(self.playback.clock().now());
                self.link_sync.playing = false;
                self.link_sync.origin = None;
                false
            }
            _ => false,
        }
    }

    /// A diff applied with Link on: a tempo edit of ours goes to the
    /// session (an echo of the session's own tempo does not).
    pub(super) fn link_diff(&mut self, diff: &AudioDiff) {
        let bpm = match diff {
            AudioDiff::ParamSet { target: ParamTarget::Tempo, value } => *value,
            AudioDiff::SceneLoaded(scene) => scene.tempo,
            _ => return,
        };
        let link = &mut self.link_sync;
        let Some(session) = link.session.as_mut().filter(|_| link.shown.enabled && !link.follow_only) else {
            return;
        };
        let echo = link.from_peers.iter().any(|(t, at)| *t == bpm && at.elapsed() < ECHO_WINDOW);
        if echo || (f64::from(bpm) - link.tempo).abs() < SAME_TEMPO {
            return;
        }
        session.capture(self.playback.clock());
        session.set_tempo(f64::from(bpm), self.playback.horizon().max(self.playback.clock().now()));
        link.tempo = f64::from(bpm);
        self.publish_link();
    }

    /// One turn of following the session (see the module docs).
    pub(super) fn link_turn(&mut self) {
        if !self.link_sync.enabled() {
            return;
        }
        let link = &mut self.link_sync;
        let Some(session) = link.session.as_mut() else { return };
        let moment = session.capture(self.playback.clock());
        if (moment.tempo - link.tempo).abs() >= SAME_TEMPO {
            link.tempo = moment.tempo;
            link.shown.peer_tempo_changes += 1;
            if link.from_peers.len() == ECHOES {
                link.from_peers.pop_front();
            }
            link.from_peers.push_back((moment.tempo as f32, Instant::now()));
        }
        let mut peer_stopped = false;
        if moment.playing != link.playing {
            link.playing = moment.playing;
            // Without a server the scheduler does not run; play is
            // joined at the session's next start after one comes up.
            if moment.playing && !self.playback.is_playing() && self.link.is_some() {
                let now = self.playback.clock().now();
                let (phase, quantum) = (self.playback.start_phase(), self.playback.quantum());
                let at = session.join(now, phase, quantum);
                self.playback.play_at(at);
                link.origin = Some(phase);
                tracing::debug!("Link: a peer started play; joining in {:.3} s", at - now);
            } else if !moment.playing && self.playback.is_playing() {
                link.origin = None;
                peer_stopped = true;
            }
        }
        // Play started before Link was on keeps its own phase and takes
        // the tempo only.
        // The play tick at the horizon is moved by the least that puts it
        // at the session's phase there (at most half a bar either way).
        let tick = link.origin.filter(|_| self.playback.is_playing()).map(|origin| {
            let (quantum, ppq) = (self.playback.quantum(), f64::from(TICKS_PER_QUARTER));
            let own = self.playback.tick_at_horizon();
            let phase = session.phase_at(self.playback.horizon(), quantum);
            own + phase_difference(own / ppq + origin, phase, quantum) * ppq
        });
        let due = link.peers_read.is_none_or(|at| at.elapsed() >= PEERS_EVERY);
        if due {
            link.peers_read = Some(Instant::now());
            link.shown.peers = session.peers();
        }
        let mut batches = std::mem::take(&mut self.batches);
        self.playback.follow_line(tick, moment.tempo as f32, &mut self.graph, &mut batches);
        self.send_batches(batches);
        if peer_stopped {
            self.command(EngineCmd::Transport(TransportCmd::Stop));
        }
        self.publish_transport();
        self.publish_link();
    }

    /// How long the loop may sleep while Link is on: a peer's tempo or
    /// start reaches us within this (Link has no way to wake the loop).
    pub(super) fn link_wait(&self) -> Option<Duration> {
        self.link_sync.enabled().then_some(LINK_WAIT)
    }

    fn publish_link(&mut self) {
        let mut now = self.link_sync.shown;
        now.tempo = self.link_sync.tempo;
        if now != self.link_sync.published {
            self.link_sync.published = now;
            self.publisher.link(now);
        }
        self.link_sync.shown = now;
    }
}
