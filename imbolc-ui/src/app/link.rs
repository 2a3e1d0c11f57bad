//! Ableton Link from the UI: the toggle, the status line's part, and what
//! the session changes here (see `imbolc_audio::link` and the audio
//! thread's follower, which does the timing).
//!
//! A tempo another app set in the Link session becomes the project's
//! tempo without an undo step (a peer dragging its tempo would otherwise
//! fill the history). Playing together, only the host takes it in, as an
//! action broadcast to the clients, so every replica stays equal; a
//! client's own engine follows Link's tempo directly meanwhile, and sends
//! none to the session (its tempo edits reach the session through the
//! host's engine).

use imbolc_audio::engine::EngineFeedback;
use imbolc_types::{Action, ParamTarget};

use super::App;
use crate::audio::UiAudio;
use crate::collab::Collab;

/// Tempos closer than this (bpm) are the same.
const SAME_TEMPO: f32 = 1e-3;

impl<S: UiAudio> App<S> {
    /// Turns Link on or off (the toggle key and `--link`).
    pub fn set_link(&mut self, on: bool) {
        match self.ask_link(on) {
            Ok(()) => {
                self.link = on;
                // Short: a long message would take the whole status line,
                // hiding the peer count it is about.
                self.inform(if on { "Link on" } else { "Link off" });
            }
            Err(e) => self.error(format!("Link: {e}")),
        }
    }

    /// Asks the engine to join or leave; a collaborator's engine only
    /// follows the session's tempo (the host's sends it).
    fn ask_link(&mut self, on: bool) -> Result<(), imbolc_audio::engine::EngineError> {
        let client = matches!(self.collab, Some(Collab::Client(_)));
        let audio = self.session.audio_mut();
        audio.link_follow_only(client)?;
        audio.link(on)
    }

    pub(super) fn toggle_link(&mut self) {
        self.set_link(!self.link);
    }

    /// The status line's part: `Link 2 peers` while Link is on.
    pub(super) fn link_summary(&self) -> Option<String> {
        let link = &self.feedback.link;
        (self.link || link.enabled).then(|| match link.peers {
            1 => "Link 1 peer".to_owned(),
            n => format!("Link {n} peers"),
        })
    }

    /// New feedback with Link on: play started or stopped by a peer shows
    /// in the transport; a peer's tempo goes into the project. A new
    /// engine (after a restart) is asked to join again.
    pub(super) fn follow_link(&mut self, feedback: &EngineFeedback) {
        if self.link != feedback.link.enabled {
            // Idempotent on the audio thread; an error shows on the next
            // toggle.
            let _ = self.ask_link(self.link);
        }
        if !feedback.link.enabled {
            return;
        }
        let playing = feedback.transport.playing;
        if playing != self.feedback.transport.playing && playing != self.transport.playing {
            self.transport.playing = playing;
            self.transport.paused = false;
        }
        if feedback.link.peer_tempo_changes != self.feedback.link.peer_tempo_changes {
            self.take_link_tempo(feedback.link.tempo as f32);
        }
    }

    fn take_link_tempo(&mut self, bpm: f32) {
        if matches!(self.collab, Some(Collab::Client(_))) || (self.session.project().tempo - bpm).abs() < SAME_TEMPO {
            return;
        }
        let (lo, hi) = imbolc_types::project::TEMPO_RANGE;
        let action = Action::SetParam { target: ParamTarget::Tempo, value: bpm.clamp(lo, hi) };
        match self.session.dispatch_unrecorded(action.clone()) {
            Ok(_) => self.published(action),
            Err(e) => self.error(format!("Link tempo: {e}")),
        }
    }
}
