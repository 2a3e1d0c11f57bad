//! The views of sound in the app: which target they watch (the pane's
//! [`Follow`]), telling the engine when that changes (only while the views
//! pane is up, so no tap runs otherwise), and the latest frame to draw.

use imbolc_audio::views::ViewFrame;
use imbolc_types::ChainOwner;

use super::App;
use crate::audio::UiAudio;
use crate::commands::{CommandId, PaneKind};
use crate::panes::views::Follow;

impl<S: UiAudio> App<S> {
    /// What the views watch now.
    pub(super) fn view_target(&self) -> ChainOwner {
        let project = self.session.project();
        match self.panes.views.follow {
            Follow::Selected => match self.selected.filter(|id| project.instruments.contains_key(id)) {
                Some(id) => ChainOwner::Instrument(id),
                None => ChainOwner::Master,
            },
            Follow::Master => ChainOwner::Master,
            Follow::Bus(id) if project.buses.contains_key(&id) => ChainOwner::Bus(id),
            Follow::Bus(_) => ChainOwner::Master,
        }
    }

    /// The name of what the views watch.
    pub(super) fn view_label(&self) -> String {
        let project = self.session.project();
        match self.view_target() {
            ChainOwner::Master => "master".to_owned(),
            ChainOwner::Instrument(id) => {
                let name = project.instruments.get(&id).map_or("?", |i| i.name.as_str());
                format!("instrument {name}")
            }
            ChainOwner::Bus(id) => format!("bus {}", project.buses.get(&id).map_or("?", |b| b.name.as_str())),
        }
    }

    /// Tells the engine what to watch when that changed: the target while
    /// the views pane is up, nothing otherwise. True when it told.
    pub(super) fn sync_view(&mut self) -> bool {
        let want = (self.pane == PaneKind::Views).then(|| self.view_target());
        if self.view_sent == want {
            return false;
        }
        match self.session.audio_mut().view(want) {
            Ok(()) => self.view_sent = want,
            Err(e) => tracing::warn!("cannot change the views: {e}"),
        }
        true
    }

    /// Takes the engine's latest view frame while the views pane is up;
    /// true when it changed (the pane must be drawn again).
    pub fn pull_view_frame(&mut self) -> bool {
        if self.pane != PaneKind::Views {
            return false;
        }
        let Some(frame) = self.session.audio_mut().view_frame() else { return false };
        if (frame.updates, frame.target) == (self.view.updates, self.view.target) {
            return false;
        }
        self.view.clone_from(frame);
        true
    }

    /// A new audio thread watches nothing yet.
    pub(super) fn forget_view(&mut self) {
        self.view_sent = None;
        self.view = ViewFrame::default();
    }

    /// The views pane's keys.
    pub(super) fn views_key(&mut self, cmd: CommandId) {
        let views = &mut self.panes.views;
        match cmd {
            CommandId::ViewMaster => views.follow = Follow::Master,
            CommandId::ViewInstrument => views.follow = Follow::Selected,
            CommandId::ViewBus => {
                let buses: Vec<_> = self.session.project().buses.keys().copied().collect();
                let next = match views.follow {
                    Follow::Bus(id) => buses.iter().position(|b| *b == id).map_or(0, |i| (i + 1) % buses.len()),
                    _ => 0,
                };
                match buses.get(next) {
                    Some(id) => views.follow = Follow::Bus(*id),
                    None => self.inform("there is no aux bus to watch"),
                }
            }
            CommandId::ViewResetLoudness => {
                if let Err(e) = self.session.audio_mut().reset_loudness() {
                    self.error(format!("cannot reset the loudness: {e}"));
                }
            }
            CommandId::ViewClose => self.pane = PaneKind::Mixer,
            _ => {}
        }
        self.sync_view();
    }
}
