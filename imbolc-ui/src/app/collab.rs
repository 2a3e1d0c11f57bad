//! Edits while hosting or joined (see [`crate::collab`]).

use std::time::Duration;

use imbolc_core::collab::{ClientEvent, HOST_AUTHOR, HostEvent};
use imbolc_types::Action;

use super::App;
use crate::audio::UiAudio;
use crate::collab::Collab;
use crate::commands::{CommandId, PaneKind};
use crate::panes::together::{Row, View};

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

impl<S: UiAudio> App<S> {
    /// What the collaborators pane shows.
    pub fn together_view(&self) -> View {
        let project = self.session.project();
        let name_of = |ids: Vec<imbolc_types::InstrumentId>| -> Vec<String> {
            ids.iter().filter_map(|i| project.instruments.get(i)).map(|i| i.name.clone()).collect()
        };
        let (role, rows, rights) = match &self.collab {
            None => return View::default(),
            Some(Collab::Host(host)) => {
                let rows = host
                    .collaborators()
                    .into_iter()
                    .map(|c| Row {
                        id: c.id,
                        name: c.name,
                        rtt: c.rtt,
                        outbox: Some(c.outbox_depth),
                        bytes_per_sec: Some(c.bytes_per_sec),
                        dropped: Some(c.dropped),
                        owns: name_of(c.owns),
                        granted: c.granted,
                    })
                    .collect();
                ("hosting".to_string(), rows, host.rights())
            }
            Some(Collab::Client(client)) => {
                let rights = client.rights();
                let rows = rights
                    .names
                    .iter()
                    .map(|(id, name)| Row {
                        id: *id,
                        name: if *id == client.id() { format!("{name} (you)") } else { name.clone() },
                        rtt: None,
                        outbox: None,
                        bytes_per_sec: None,
                        dropped: None,
                        owns: name_of(rights.owned_by(*id)),
                        granted: rights.granted.contains(id),
                    })
                    .collect();
                (self.collab_summary().unwrap_or_default(), rows, rights)
            }
        };
        let instrument = self.selected.and_then(|id| {
            project.instruments.get(&id).map(|i| (i.name.clone(), rights.owner(id).map(|o| rights.name(o))))
        });
        View { role: Some(role), rows, instrument }
    }

    /// The collaborators pane's own keys.
    pub(super) fn together_key(&mut self, cmd: CommandId) {
        if cmd == CommandId::TogetherClose {
            self.show(PaneKind::Server);
            return;
        }
        let picked = self.together_view().rows.get(self.panes.together.cursor).map(|r| r.id);
        let selected = self.selected;
        let result: Result<String, String> = match (&mut self.collab, cmd, selected) {
            (None, ..) => Err("not playing together".to_string()),
            (_, CommandId::TogetherGrant, _) => match (&mut self.collab, picked) {
                (Some(Collab::Host(host)), Some(id)) => {
                    let granted = !host.rights().granted.contains(&id);
                    host.grant(id, granted).map(|()| if granted { "grant given" } else { "grant taken back" }.into())
                }
                (Some(Collab::Host(_)), None) => Err("nobody to grant".into()),
                _ => Err("only the host gives the grant".into()),
            },
            (_, _, None) => Err("no instrument selected".into()),
            (Some(Collab::Host(host)), _, Some(instrument)) => {
                let owner = if cmd == CommandId::TogetherClaim { picked } else { None };
                if cmd == CommandId::TogetherClaim && owner.is_none() {
                    Err("nobody to give it to".into())
                } else {
                    host.assign(self.session.project(), instrument, owner).map(|()| "owner changed".into())
                }
            }
            (Some(Collab::Client(client)), _, Some(instrument)) => {
                let own = cmd == CommandId::TogetherClaim;
                client.claim(instrument, own).map(|()| "asked the host".into()).map_err(|e| e.to_string())
            }
        };
        match result {
            Ok(m) => self.inform(m),
            Err(e) => self.error(e),
        }
    }

    /// Undo (or redo) on a joined client: this client's own last edit,
    /// sent to the host as its inverse.
    pub(super) fn remote_undo(&mut self, redo: bool) {
        let Some(Collab::Client(client)) = &mut self.collab else { return };
        let result = if redo { client.redo() } else { client.undo() };
        match result {
            Ok(()) => self.inform(if redo { "redo sent to the host" } else { "undo sent to the host" }),
            Err(e) => self.error(e.to_string()),
        }
    }
}
