//! The checkpoint dialogs: a prompt naming the current state (`C-n`), and
//! the list of checkpoints (`@`) with when each was made and what
//! changed since; `Enter` restores the one under the cursor at once (it
//! is one undo step, so nothing is asked).
//!
//! Keys in the list: `j`/`k` or the arrows move, `Enter` restores, `n`
//! names a new checkpoint, `Esc` or `q` closes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use imbolc_core::checkpoint::{Checkpoint, format_time};
use imbolc_types::Project;
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::panes::cursor_style;

/// One row of the list: name, time, what changed since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub name: String,
    pub time: String,
    pub since: String,
}

/// An open checkpoint dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckpointDialog {
    /// Typing the name of a new checkpoint.
    Name { text: String },
    /// The checkpoints, oldest first, with the cursor's row.
    List { rows: Vec<Row>, cursor: usize },
}

/// What a key in the dialog asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckpointOutcome {
    /// Stay open.
    Open,
    Close,
    /// Make a checkpoint with this name (the dialog closes).
    Create(String),
    /// Restore the checkpoint with this name (the dialog closes).
    Restore(String),
}

impl CheckpointDialog {
    /// The list of `checkpoints`, each with what changed since it up to
    /// `now` (computed once, when the list opens); the cursor on the
    /// newest.
    pub fn list(checkpoints: &[Checkpoint], now: &Project) -> Self {
        let rows: Vec<Row> = checkpoints
            .iter()
            .map(|c| Row {
                name: c.name.clone(),
                time: format_time(c.created_ms),
                since: c.changes_to(now).to_string(),
            })
            .collect();
        let cursor = rows.len().saturating_sub(1);
        CheckpointDialog::List { rows, cursor }
    }

    /// Handles one key.
    pub fn key(&mut self, key: KeyEvent) -> CheckpointOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match self {
            CheckpointDialog::Name { text } => match key.code {
                KeyCode::Esc => CheckpointOutcome::Close,
                KeyCode::Enter => CheckpointOutcome::Create(text.trim().to_owned()),
                KeyCode::Backspace => {
                    text.pop();
                    CheckpointOutcome::Open
                }
                KeyCode::Char(c) if !ctrl => {
                    text.push(c);
                    CheckpointOutcome::Open
                }
                _ => CheckpointOutcome::Open,
            },
            CheckpointDialog::List { rows, cursor } => match key.code {
                KeyCode::Esc | KeyCode::Char('q') => CheckpointOutcome::Close,
                KeyCode::Char('j') | KeyCode::Down => {
                    *cursor = (*cursor + 1).min(rows.len().saturating_sub(1));
                    CheckpointOutcome::Open
                }
                KeyCode::Char('k') | KeyCode::Up => {
                    *cursor = cursor.saturating_sub(1);
                    CheckpointOutcome::Open
                }
                KeyCode::Char('n') => {
                    *self = CheckpointDialog::Name { text: String::new() };
                    CheckpointOutcome::Open
                }
                KeyCode::Enter => match rows.get(*cursor) {
                    Some(row) => CheckpointOutcome::Restore(row.name.clone()),
                    None => CheckpointOutcome::Close,
                },
                _ => CheckpointOutcome::Open,
            },
        }
    }

    /// Draws the dialog over the screen.
    pub fn render(&self, frame: &mut Frame) {
        let area = frame.area();
        match self {
            CheckpointDialog::Name { text } => {
                let rect = centered(area, 56, 4);
                frame.render_widget(Clear, rect);
                let lines =
                    vec![Line::raw(format!(" {text}▏")), Line::raw(" Enter names the current state · Esc cancels")];
                frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(" New checkpoint ")), rect);
            }
            CheckpointDialog::List { rows, cursor } => {
                let w = area.width.saturating_sub(4).clamp(30, 100);
                let wanted = u16::try_from(rows.len()).unwrap_or(u16::MAX).saturating_add(3).max(4);
                let h = wanted.min(area.height.saturating_sub(2).max(4));
                let rect = centered(area, w, h);
                frame.render_widget(Clear, rect);
                let visible = usize::from(h.saturating_sub(3)).max(1);
                let offset = cursor.saturating_sub(visible - 1);
                let name_w = rows.iter().map(|r| r.name.chars().count()).max().unwrap_or(0).min(24);
                let mut lines: Vec<Line> = rows
                    .iter()
                    .enumerate()
                    .skip(offset)
                    .take(visible)
                    .map(|(i, r)| {
                        let name: String = r.name.chars().take(24).collect();
                        let text = format!(" {name:<name_w$}  {}  since: {}", r.time, r.since);
                        if i == *cursor { Line::styled(text, cursor_style()) } else { Line::raw(text) }
                    })
                    .collect();
                if rows.is_empty() {
                    lines.push(Line::raw(" No checkpoints yet: n (or C-n) names the current state."));
                }
                lines.push(Line::raw(" Enter restores (u undoes it) · n new · Esc closes"));
                let title = " Checkpoints (oldest first) ";
                frame.render_widget(Paragraph::new(lines).block(Block::bordered().title(title)), rect);
            }
        }
    }
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))]).flex(Flex::Center).areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(width.min(area.width))]).flex(Flex::Center).areas(row);
    rect
}
