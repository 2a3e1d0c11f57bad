//! Help: the keys of the pane you came from, then the global keys, then
//! every other pane's, all from the command table and the keymap in use
//! (so user overrides show).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

use super::State;
use crate::commands::{COMMANDS, Context, PaneKind};
use crate::keys::Keymap;

/// The help pane's view state.
#[derive(Debug)]
pub struct HelpPane {
    /// The pane whose keys come first.
    pub topic: PaneKind,
    scroll: usize,
}

impl Default for HelpPane {
    fn default() -> Self {
        HelpPane { topic: PaneKind::Instruments, scroll: 0 }
    }
}

/// One line of help: a section title or a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpLine {
    Section(String),
    /// Keys, name, help text.
    Command(String, &'static str, &'static str),
}

/// Everything help shows for `topic`, in order. Every command appears once.
pub fn lines(keymap: &Keymap, topic: PaneKind) -> Vec<HelpLine> {
    let mut order = vec![Context::Pane(topic), Context::Global];
    order.extend(PaneKind::ALL.iter().chain(&PaneKind::SUB).filter(|p| **p != topic).map(|p| Context::Pane(*p)));
    let mut out = Vec::new();
    for ctx in order {
        let cmds: Vec<_> = COMMANDS.iter().filter(|c| c.context == ctx).collect();
        if cmds.is_empty() {
            continue;
        }
        out.push(HelpLine::Section(match ctx {
            Context::Global => "Everywhere".to_owned(),
            Context::Pane(p) => p.title().to_owned(),
        }));
        out.extend(cmds.iter().map(|c| HelpLine::Command(keymap.describe(c.id), c.name, c.help)));
    }
    out
}

impl HelpPane {
    pub fn scroll(&mut self, down: bool) {
        self.scroll = if down { self.scroll + 1 } else { self.scroll.saturating_sub(1) };
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, state: &State) {
        let all = lines(state.keymap, self.topic);
        let height = usize::from(area.height.saturating_sub(2));
        let first = self.scroll.min(all.len().saturating_sub(height));
        let bold = Style::default().add_modifier(Modifier::BOLD);
        let text: Vec<Line> = all
            .iter()
            .skip(first)
            .take(height)
            .map(|l| match l {
                HelpLine::Section(s) => Line::styled(s.clone(), bold),
                HelpLine::Command(keys, name, help) => Line::raw(format!("  {keys:<14} {name:<22} {help}")),
            })
            .collect();
        let title = format!(" Help · {} (j/k scroll, : runs any command by name) ", self.topic.title());
        frame.render_widget(Paragraph::new(text).block(Block::bordered().title(title)), area);
    }
}
