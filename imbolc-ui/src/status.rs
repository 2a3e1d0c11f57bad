//! The top tab bar and the bottom status line: project name and dirty mark,
//! server state, and the last message or error.

use imbolc_audio::engine::EngineFeedback;
use imbolc_audio::status::ServerState;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use crate::commands::PaneKind;

/// A line for the status bar; errors are shown in red.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    error: bool,
}

impl Message {
    pub fn info(text: impl Into<String>) -> Self {
        Message { text: text.into(), error: false }
    }

    pub fn error(text: impl Into<String>) -> Self {
        Message { text: text.into(), error: true }
    }

    pub fn is_error(&self) -> bool {
        self.error
    }
}

/// `1 Instruments  2 Editor  …  ? Help`, the current pane highlighted.
pub fn render_tabs(frame: &mut Frame, area: Rect, current: PaneKind) {
    const BRAND: &str = " imbolc ";
    let width = usize::from(area.width);
    let tab = |i: usize, p: PaneKind, short: bool| {
        let key = if p == PaneKind::Help { "?".to_owned() } else { (i + 1).to_string() };
        let title: String =
            if short && p != current { p.title().chars().take(4).collect() } else { p.title().to_owned() };
        format!(" {key} {title} ")
    };
    let all_tabs =
        |short: bool| -> Vec<String> { PaneKind::ALL.iter().enumerate().map(|(i, p)| tab(i, *p, short)).collect() };
    let len = |tabs: &[String]| BRAND.len() + tabs.iter().map(|t| t.chars().count() + 1).sum::<usize>();
    // Narrow terminals get the first letters of each other title; narrower
    // still, the name and the gaps go, so every tab (Help included) stays visible.
    let mut tabs = all_tabs(false);
    if len(&tabs) > width {
        tabs = all_tabs(true);
    }
    let roomy = len(&tabs) <= width;
    let mut spans = Vec::new();
    if roomy {
        spans.push(Span::styled(BRAND, Style::default().add_modifier(Modifier::BOLD)));
    }
    for (p, tab) in PaneKind::ALL.iter().zip(tabs) {
        let style = if *p == current {
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::default().fg(Color::Gray)
        };
        if roomy {
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(tab, style));
    }
    frame.render_widget(Line::from(spans), area);
}

/// `song.imbolc* │ scsynth: running · … │ saved song.imbolc`
pub fn render_status(
    frame: &mut Frame,
    area: Rect,
    name: &str,
    dirty: bool,
    feedback: &EngineFeedback,
    message: Option<&Message>,
    transport: &str,
) {
    let color = match feedback.server {
        ServerState::Running { .. } => Color::Green,
        ServerState::Booting | ServerState::Stopped => Color::Yellow,
        ServerState::Lost { .. } | ServerState::Failed { .. } => Color::Red,
    };
    let name = format!(" {name}{} ", if dirty { "*" } else { "" });
    let transport = format!("{transport} │ ");
    let server = feedback.server.summary();
    let right = match message {
        Some(m) if m.is_error() => Line::styled(m.text.clone(), Style::default().fg(Color::Red)),
        Some(m) => Line::raw(m.text.clone()),
        None => Line::raw("? help · : commands"),
    };
    // A message gets the room it needs, leaving the project name and the
    // first words of the server state ("scsynth: running") in view when it
    // can; the hint shows only where it fits.
    let width = usize::from(area.width);
    let keep = name.chars().count() + 2 + transport.chars().count() + "scsynth: running".len();
    let natural = name.chars().count() + 2 + transport.chars().count() + server.chars().count() + 1;
    let room = width.saturating_sub(natural).max(width.saturating_sub(keep + 1));
    let right = if message.is_none() && right.width() > width.saturating_sub(natural) { Line::raw("") } else { right };
    // A message too long for its room takes the whole line: the server
    // figures and transport are back on the next frame without it.
    if message.is_some() && right.width() > room {
        frame.render_widget(right, area);
        return;
    }
    let right_width = u16::try_from(right.width().min(room)).unwrap_or(0);
    let [l, _, r] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(1), Constraint::Length(right_width)]).areas(area);
    let mut left =
        vec![Span::styled(name, Style::default().add_modifier(Modifier::BOLD)), Span::raw("│ "), Span::raw(transport)];
    // Refusals stay in view: the server dropped part of what was asked.
    if feedback.refusals.count > 0 {
        left.push(Span::styled(format!("⚠ {} refused │ ", feedback.refusals.count), Style::default().fg(Color::Red)));
    }
    left.push(Span::styled(server, Style::default().fg(color)));
    let left = Line::from(left);
    frame.render_widget(left, l);
    frame.render_widget(right, r);
}
