//! Lines from the control socket (`crate::control`), run on the UI thread
//! between frames: the socket's own commands (transport, `playhead`,
//! `status`, `save`) as their keys would, everything else through the
//! script language on the session, so each edit is one undo step, the
//! selection follows and the status line says what happened.

use imbolc_core::script::{self, Effect};

use super::App;
use crate::audio::UiAudio;
use crate::command_id::CommandId;
use crate::control::{Reply, Request};

impl<S: UiAudio> App<S> {
    /// Answers every request waiting on `socket`; true when any came (the
    /// screen may have changed).
    pub fn serve_control(&mut self, socket: &crate::control::ControlSocket) -> bool {
        let mut any = false;
        // A bound per frame so a flood of lines cannot hold the screen.
        for _ in 0..64 {
            let Some(request) = socket.try_next() else { break };
            self.answer(request);
            any = true;
        }
        any
    }

    fn answer(&mut self, request: Request) {
        let reply = self.control(&request.line);
        request.answer(reply);
    }

    /// Runs one line as the control socket does and answers it.
    pub fn control(&mut self, line: &str) -> Reply {
        let words = match script::lex::words(line) {
            Ok(words) => words,
            Err(e) => return Reply::Err(e.to_string()),
        };
        let first = words.first().map(|w| w.to_ascii_lowercase());
        match (first.as_deref(), words.len()) {
            (Some("play"), 1) => self.control_transport(CommandId::PlayStop, true),
            (Some("stop"), 1) => self.control_transport(CommandId::PlayStop, false),
            (Some("pause"), 1) => self.control_transport(CommandId::Pause, false),
            (Some("playhead"), 1) => Reply::Ok(self.playhead()),
            (Some("status"), 1) => Reply::Ok(self.status_text()),
            (Some("save"), 1) => self.control_save(),
            (Some("quit"), _) => Reply::Err("quit: the TUI stays open (close the connection to end it)".into()),
            (Some("theme"), 2) => match crate::theme::ThemeName::from_id(&words[1]) {
                Some(name) => {
                    crate::theme::set(name);
                    Reply::Ok(format!("theme {}", name.id()))
                }
                None => Reply::Err(format!("no theme {:?} (dark, light, high-contrast)", words[1])),
            },
            (Some("help"), _) => Reply::Ok(crate::control::help(&words[1..])),
            _ => self.control_script(line),
        }
    }

    fn control_script(&mut self, line: &str) -> Reply {
        match script::run_line(&mut self.session, line) {
            Ok(Effect::Say(text)) => {
                self.after_edit();
                if let Some(first) = text.lines().next().filter(|t| !t.is_empty()) {
                    self.inform(format!("socket: {first}"));
                }
                Reply::Ok(text)
            }
            Ok(Effect::Save(Some(_))) => Reply::Err("save PATH: the TUI saves to its own file (save)".into()),
            Ok(Effect::Save(None)) => self.control_save(),
            Ok(Effect::Quit) => Reply::Err("quit: the TUI stays open".into()),
            Err(e) => {
                let text = e.to_string();
                self.error(format!("socket: {text}"));
                Reply::Err(text)
            }
        }
    }

    /// Plays (`play` true) or stops/pauses, doing nothing when already so.
    fn control_transport(&mut self, cmd: CommandId, play: bool) -> Reply {
        if self.transport.playing != play {
            self.transport_command(cmd);
        }
        if self.transport.playing == play {
            Reply::Ok(self.playhead())
        } else {
            Reply::Err(self.message.as_ref().map_or_else(|| "the transport did not change".into(), |m| m.text.clone()))
        }
    }

    fn control_save(&mut self) -> Reply {
        self.save();
        match &self.message {
            Some(m) if m.is_error() => Reply::Err(m.text.clone()),
            Some(m) => Reply::Ok(m.text.clone()),
            None => Reply::Ok(String::new()),
        }
    }

    /// `TICK BAR.BEAT playing|paused|stopped`.
    fn playhead(&self) -> String {
        let tick = self.feedback.transport.tick;
        let t = self.transport;
        let state = if t.playing {
            "playing"
        } else if t.paused {
            "paused"
        } else {
            "stopped"
        };
        format!("{tick} {} {state}", crate::transport::bar_beat(tick, self.session.project().time_signature))
    }

    fn status_text(&self) -> String {
        let p = self.session.project();
        format!(
            "{}\nproject {:?}{}: {} instruments, {} buses, {} clips\npane {:?}\n",
            self.transport_summary(),
            p.name,
            if self.session.is_dirty() { " (unsaved)" } else { "" },
            p.instruments.len(),
            p.buses.len(),
            p.clips.len(),
            self.pane
        )
    }
}
