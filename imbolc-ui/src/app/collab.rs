//! Edits while hosting or joined (see [`crate::collab`]).

use std::time::Duration;

use imbolc_core::collab::{ClientEvent, HOST_AUTHOR, HostEvent};
use imbolc_types::Action;

use super::App;
use crate::audio::UiAudio;
use crate::collab::Collab;

/// What the app does with an edit when playing together.
pub(super) enum Route {
    /// Not playing together, or hosting: dispatch here.
    Local,
    /// Joined: sent to the host (true) or refused (false).
    Sent(bool),
}

impl<S: UiAudio> App<S> {
    /// Plays together from now on.
    pub fn attach_collab(&mut self, collab: Collab) {
        self.collab = Some(collab);
    }

    /// The status line's part: `hosting · 2 connected`.
    pub(super) fn collab_summary(&self) -> Option<String> {
        self.collab.as_ref().map(Collab::summary)
    }

    /// On a joined client, sends `action` to the host instead of applying it.
    pub(super) fn route(&mut self, action: &Action) -> Route {
        let Some(Collab::Client(client)) = &mut self.collab else { return Route::Local };
        match client.send(action.clone()) {
            Ok(_) => Route::Sent(true),
            Err(e) => {
                self.error(format!("not sent: {e}; your copy can still be saved"));
                Route::Sent(false)
            }
        }
    }

    /// On the host, broadcasts an edit just applied here.
    pub(super) fn published(&mut self, action: Action) {
        if let Some(Collab::Host(host)) = &mut self.collab {
            host.publish(HOST_AUTHOR, action);
        }
    }

    /// On the host, what an undo (or redo) is about to apply, so it can be
    /// broadcast after it succeeds.
    pub(super) fn undo_to_publish(&self, redo: bool) -> Vec<Action> {
        if !matches!(self.collab, Some(Collab::Host(_))) {
            return Vec::new();
        }
        let history = self.session.history();
        let actions = if redo { history.redo_actions() } else { history.undo_actions() };
        actions.map(<[Action]>::to_vec).unwrap_or_default()
    }

    /// Broadcasts actions applied here (an undo's inverses).
    pub(super) fn publish_all(&mut self, actions: Vec<Action>) {
        for action in actions {
            self.published(action);
        }
    }

    /// Whether undo and redo are off (a joined client).
    pub(super) fn undo_is_remote(&self) -> bool {
        matches!(self.collab, Some(Collab::Client(_)))
    }

    /// Once per frame: applies what peers sent. True when something changed.
    pub(super) fn collab_frame(&mut self) -> bool {
        let Some(collab) = &mut self.collab else { return false };
        let mut messages = Vec::new();
        let mut changed = false;
        match collab {
            Collab::Host(host) => {
                for e in host.pump(&mut self.session, Duration::ZERO) {
                    changed = true;
                    match e {
                        HostEvent::Joined { client, name } => {
                            messages.push((false, format!("{name} joined ({client})")))
                        }
                        HostEvent::Left { client, reason } => {
                            messages.push((false, format!("{client} left: {reason}")))
                        }
                        HostEvent::Applied { .. } | HostEvent::Refused { .. } => {}
                    }
                }
            }
            Collab::Client(client) => {
                for e in client.pump(&mut self.session, Duration::ZERO) {
                    changed = true;
                    match e {
                        ClientEvent::Refused { reason, .. } => {
                            messages.push((true, format!("the host refused: {reason}")))
                        }
                        ClientEvent::Closed { reason } | ClientEvent::HostGone { reason } => messages
                            .push((true, format!("the host is gone ({reason}); your copy stays: Ctrl-s saves it"))),
                        ClientEvent::Diverged { .. } => {
                            messages.push((true, "out of step with the host: resyncing".into()))
                        }
                        _ => {}
                    }
                }
            }
        }
        for (error, m) in messages {
            if error { self.error(m) } else { self.inform(m) }
        }
        if changed {
            self.after_edit();
        }
        changed
    }
}
