//! Drawing the whole screen from the app: tab bar, the current pane, the
//! status line, and any open dialog on top.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use super::App;
use crate::audio::UiAudio;
use crate::commands::PaneKind;
use crate::panes::{instruments, server};
use crate::status;

impl<S: UiAudio> App<S> {
    /// Draws the whole screen: tabs, the current pane, the status line and
    /// any open dialog.
    pub fn draw(&self, frame: &mut Frame) {
        let hint_rows = u16::from(self.key_hints);
        let [tabs, main, hints, status_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(hint_rows),
            Constraint::Length(1),
        ])
        .areas(frame.area());
        let state = self.state();
        status::render_tabs(frame, tabs, self.pane.tab());
        match self.pane {
            PaneKind::Instruments => instruments::render(frame, main, &state),
            PaneKind::Editor => self.panes.editor.render(frame, main, &state),
            PaneKind::PianoRoll => self.panes.piano_roll.render(frame, main, &state),
            PaneKind::Mixer => self.panes.mixer.render(frame, main, &state),
            PaneKind::Server => match &self.midi {
                Some(midi) => {
                    let lines = midi.lines();
                    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
                    let [top, bottom] = Layout::vertical([Constraint::Min(1), Constraint::Length(height)]).areas(main);
                    server::render(frame, top, &state);
                    crate::midi::MidiUi::render(lines, frame, bottom);
                }
                None => server::render(frame, main, &state),
            },
            PaneKind::Drums => self.panes.drums.render(frame, main, &state),
            PaneKind::Slicer => self.panes.slicer.render(frame, main, &state),
            PaneKind::Zones => self.panes.zones.render(frame, main, &state),
            PaneKind::Session => self.panes.session.render(frame, main, &state),
            PaneKind::Together => {
                crate::panes::together::render(frame, main, &self.together_view(), self.panes.together.cursor);
            }
            PaneKind::Views => crate::panes::views::render(frame, main, &self.view, &self.view_label()),
            PaneKind::Help => self.panes.help.render(frame, main, &state),
            PaneKind::Arrangement => self.panes.arrangement.render(frame, main, &state),
            PaneKind::Automation => self.panes.automation.render(frame, main, &state),
        }
        if self.key_hints {
            status::render_hints(frame, hints, self.pane, &self.keymap);
        }
        let name = self
            .path
            .as_ref()
            .and_then(|p| p.file_name())
            .map_or_else(|| self.session.project().name.clone(), |n| n.to_string_lossy().into_owned());
        status::render_status(
            frame,
            status_area,
            &name,
            self.session.is_dirty(),
            &self.feedback,
            self.message.as_ref(),
            &[Some(self.transport_summary()), self.link_summary(), self.collab_summary()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" │ "),
        );
        if let Some(modal) = &self.modal {
            modal.render(frame, &self.keymap);
        }
        if let Some(dialog) = &self.render {
            dialog.render(frame);
        }
        if let Some(dialog) = &self.checkpoints {
            dialog.render(frame);
        }
        paint_base(frame);
    }
}

/// Gives every cell left in the terminal's own colours the theme's text
/// and background (the dark theme keeps the terminal's).
fn paint_base(frame: &mut Frame) {
    let base = crate::theme::current().base;
    for cell in &mut frame.buffer_mut().content {
        if let Some(fg) = base.fg
            && cell.fg == ratatui::style::Color::Reset
        {
            cell.fg = fg;
        }
        if let Some(bg) = base.bg
            && cell.bg == ratatui::style::Color::Reset
        {
            cell.bg = bg;
        }
    }
}
