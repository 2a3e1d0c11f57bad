//! The collaborators pane (playing together, docs/collaboration.md): each
//! collaborator with round-trip time, outbox depth, bytes per second,
//! dropped coalesced updates and the instruments it owns; who holds the
//! grant for project-wide edits. `j`/`k` pick a collaborator, `h`/`l`
//! the instrument; `c` claims it (on the host: gives it to the picked
//! collaborator), `r` frees it, `g` gives or takes back the grant (host).

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

use super::{Intent, State, cursor_style};
use crate::commands::CommandId;

/// One row of the list.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: u32,
    pub name: String,
    /// Measured on the host only (`None` on a client or before the first
    /// answer).
    pub rtt: Option<Duration>,
    pub outbox: Option<usize>,
    pub bytes_per_sec: Option<u64>,
    pub dropped: Option<u64>,
    /// Names of the instruments it owns.
    pub owns: Vec<String>,
    pub granted: bool,
}

/// What the pane shows, gathered by the app from the host or client.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct View {
    /// `hosting`, `joined as 3`, `host gone`; `None` when not playing
    /// together.
    pub role: Option<String>,
    pub rows: Vec<Row>,
    /// The selected instrument's name and who owns it.
    pub instrument: Option<(String, Option<String>)>,
}

/// The pane's cursor over the collaborators.
#[derive(Debug, Default)]
pub struct TogetherPane {
    pub cursor: usize,
}

impl TogetherPane {
    /// Moves the cursor (`j`/`k`) or the selected instrument (`h`/`l`).
    pub fn handle(&mut self, cmd: CommandId, state: &State, rows: usize) -> Option<Intent> {
        match cmd {
            CommandId::Up => self.cursor = self.cursor.saturating_sub(1),
            CommandId::Down => self.cursor = (self.cursor + 1).min(rows.saturating_sub(1)),
            CommandId::Left | CommandId::Right => {
                let list = &state.project.instruments;
                let n = list.len();
                if n == 0 {
                    return None;
                }
                let i = state.selected_index().unwrap_or(0);
                let next = if cmd == CommandId::Left { (i + n - 1) % n } else { (i + 1) % n };
                return list.get_index(next).map(|(id, _)| Intent::Select(*id));
            }
            _ => {}
        }
        None
    }
}

fn cell<T>(v: Option<T>, f: impl Fn(T) -> String) -> String {
    v.map_or_else(|| "-".into(), f)
}

fn row_text(r: &Row) -> String {
    let owns = if r.owns.is_empty() { "-".to_string() } else { r.owns.join(", ") };
    format!(
        " {:>3} {:<14} {:>8} {:>6} {:>8} {:>7} {:<5} {}",
        r.id,
        r.name.chars().take(14).collect::<String>(),
        cell(r.rtt, |d| format!("{:.1}ms", d.as_secs_f64() * 1000.0)),
        cell(r.outbox, |n| n.to_string()),
        cell(r.bytes_per_sec, |n| if n >= 10_000 { format!("{}k", n / 1000) } else { n.to_string() }),
        cell(r.dropped, |n| n.to_string()),
        if r.granted { "yes" } else { "no" },
        owns
    )
}

/// Draws the pane: who plays together and who owns the selected instrument.
pub fn render(frame: &mut Frame, area: Rect, view: &View, cursor: usize) {
    let mut lines = Vec::new();
    match &view.role {
        None => {
            lines.push(Line::raw(" Not playing together. Start with: imbolc host SONG.imbolc"));
            lines.push(Line::raw(" or join with: imbolc join HOST:PORT --code CODE"));
        }
        Some(role) => {
            let n = view.rows.len();
            lines.push(Line::raw(format!(" {role} · {n} collaborator{}", if n == 1 { "" } else { "s" })));
            let instrument = match &view.instrument {
                Some((name, Some(owner))) => format!(" Instrument: {name} (owned by {owner})"),
                Some((name, None)) => format!(" Instrument: {name} (nobody owns it)"),
                None => " Instrument: none".to_string(),
            };
            lines.push(Line::raw(instrument));
            lines.push(Line::raw(""));
            lines.push(Line::raw("  id name                rtt outbox    bytes/s dropped grant owns"));
            for (i, r) in view.rows.iter().enumerate() {
                let line = Line::raw(row_text(r));
                lines.push(if i == cursor { line.style(cursor_style()) } else { line });
            }
            if view.rows.is_empty() {
                lines.push(Line::raw(" nobody has joined yet"));
            }
        }
    }
    let block = Block::bordered().title(" Together ");
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
