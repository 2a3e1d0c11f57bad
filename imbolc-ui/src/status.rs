//! The top tab bar and the bottom status line: project name and dirty mark,
//! server state, and the last message or error.

use imbolc_audio::engine::EngineFeedback;
use imbolc_audio::status::ServerState;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::commands::{COMMANDS, Context, PaneKind};
use crate::keys::Keymap;

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
            Style::default().fg(crate::theme::current().muted)
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
        ServerState::Running { .. } => crate::theme::current().good,
        ServerState::Booting | ServerState::Stopped => crate::theme::current().warn,
        ServerState::Lost { .. } | ServerState::Failed { .. } => crate::theme::current().error,
    };
    let name = format!(" {name}{} ", if dirty { "*" } else { "" });
    let transport = format!("{transport} │ ");
    let mut left =
        vec![Span::styled(name, Style::default().add_modifier(Modifier::BOLD)), Span::raw("│ "), Span::raw(transport)];
    // Refusals stay in view: the server dropped part of what was asked.
    if feedback.refusals.count > 0 {
        left.push(Span::styled(
            format!("⚠ {} refused │ ", feedback.refusals.count),
            Style::default().fg(crate::theme::current().error),
        ));
    }
    let width = usize::from(area.width);
    let fixed: usize = left.iter().map(|s| s.content.chars().count()).sum();
    let right = match message {
        Some(m) if m.is_error() => Span::styled(m.text.clone(), Style::default().fg(crate::theme::current().error)),
        Some(m) => Span::raw(m.text.clone()),
        None => Span::raw("? help · : commands"),
    };
    let message_width = right.content.chars().count();
    // A message too long to sit after the name and transport takes the
    // whole line, cut with `…` (C-g shows it in full); the transport is back
    // on the next frame without it.
    if message.is_some() && fixed + message_width + 1 > width {
        frame.render_widget(Line::from(Span::styled(ellipsis(&right.content, width), right.style)), area);
        return;
    }
    // The name and transport always show; the server state gets what the
    // message leaves, cut with `…`; the hint shows only where it fits whole.
    let server = feedback.server.summary();
    let reserved = if message.is_some() { message_width + 1 } else { 0 };
    // Fewer than ten columns would show only "scsynth:…": none then.
    let server_room = Some(width.saturating_sub(fixed + reserved + 1)).filter(|r| *r >= 10).unwrap_or(0);
    left.push(Span::styled(ellipsis(&server, server_room), Style::default().fg(color)));
    let used = fixed + server.chars().count().min(server_room);
    let right = if message.is_none() && used + message_width + 1 > width { Span::raw("") } else { right };
    let right_width = u16::try_from(right.content.chars().count()).unwrap_or(0);
    let [l, _, r] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(1), Constraint::Length(right_width)]).areas(area);
    frame.render_widget(Line::from(left), l);
    frame.render_widget(Line::from(right), r);
}

/// `text` cut to `max` characters, its last one `…` when cut.
fn ellipsis(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    match max {
        0 => String::new(),
        _ => text.chars().take(max - 1).chain(std::iter::once('…')).collect(),
    }
}

/// One line of the current pane's keys (`a note-add · x note-delete · …`),
/// cut with `…` where it does not fit; `C-k` hides it.
pub fn render_hints(frame: &mut Frame, area: Rect, pane: PaneKind, keymap: &Keymap) {
    let width = usize::from(area.width);
    let mut spans = Vec::new();
    let mut used = 0;
    let pairs = COMMANDS.iter().filter(|c| c.context == Context::Pane(pane)).filter_map(|c| {
        let keys = keymap.describe(c.id);
        let first = keys.split(", ").next().filter(|k| !k.is_empty())?.to_owned();
        // The pane says what they act on: `drum-step-toggle` reads `step-toggle`.
        const NOUNS: [&str; 9] =
            ["drum-", "note-", "placement-", "point-", "slice-", "zone-", "instrument-", "lane-", "clip-"];
        let name = NOUNS.iter().find_map(|n| c.name.strip_prefix(n)).unwrap_or(c.name);
        Some((first, name))
    });
    for (i, (key, name)) in pairs.enumerate() {
        let piece = format!("{}{key} {name}", if i == 0 { " " } else { " · " });
        let len = piece.chars().count();
        if used + len + 2 > width {
            spans.push(Span::styled(" …", Style::default().fg(crate::theme::current().dim)));
            break;
        }
        used += len;
        spans.push(Span::styled(piece, Style::default().fg(crate::theme::current().dim)));
    }
    frame.render_widget(Line::from(spans), area);
}
