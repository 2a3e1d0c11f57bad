//! The sound picker: every catalog source grouped by family (and the drum
//! kit), or every effect, each with its one-line description; typing
//! filters by name, family or description.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use imbolc_types::ChainOwner;
use imbolc_types::catalog::{EffectKind, SourceFamily, SourceKind};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;

use crate::panes::cursor_style;

/// What a picker's choice is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    Source,
    Effect(ChainOwner),
}

/// What the user picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Source(SourceKind),
    /// A drum kit instead of a source (its 16 pads play built-in voices).
    DrumKit,
    Effect(ChainOwner, EffectKind),
}

/// One pickable line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    pub choice: Choice,
    pub label: &'static str,
    /// Family heading it is listed under.
    pub group: &'static str,
    pub description: &'static str,
}

/// Everything `pick` offers, in display order.
pub fn entries(pick: Pick) -> Vec<Entry> {
    match pick {
        Pick::Source => {
            let mut out: Vec<Entry> = SourceFamily::ALL
                .into_iter()
                .flat_map(|family| {
                    SourceKind::of_family(family).map(move |k| Entry {
                        choice: Choice::Source(k),
                        label: k.name(),
                        group: family.label(),
                        description: k.spec().description,
                    })
                })
                .collect();
            out.push(Entry {
                choice: Choice::DrumKit,
                label: "drum kit",
                group: "Drums",
                description: "Sixteen pads of built-in drum voices or samples, with step patterns",
            });
            out
        }
        Pick::Effect(owner) => EffectKind::ALL
            .into_iter()
            .map(|k| Entry {
                choice: Choice::Effect(owner, k),
                label: k.name(),
                group: k.family().label(),
                description: k.spec().description,
            })
            .collect(),
    }
}

/// The entries matching `query` (every word, case-insensitive, in the
/// label, the family or the description): those whose name starts with the
/// query first, then those whose name contains it, then the rest, each in
/// display order.
pub fn matching(pick: Pick, query: &str) -> Vec<Entry> {
    let query = query.trim().to_lowercase();
    let words: Vec<&str> = query.split_whitespace().collect();
    let mut found: Vec<(u8, Entry)> = entries(pick)
        .into_iter()
        .filter_map(|e| {
            let label = e.label.to_lowercase();
            let text = format!("{label} {} {}", e.group, e.description).to_lowercase();
            let rank = if label.starts_with(&query) {
                0
            } else if label.contains(&query) {
                1
            } else {
                2
            };
            words.iter().all(|w| text.contains(w)).then_some((rank, e))
        })
        .collect();
    found.sort_by_key(|(rank, _)| *rank);
    found.into_iter().map(|(_, e)| e).collect()
}

/// An open picker: what it picks, the filter typed so far, the cursor
/// among the matching entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub pick: Pick,
    pub query: String,
    pub cursor: usize,
}

/// What a key did to the picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickerKey {
    Open,
    Picked(Choice),
    /// Enter with nothing matching.
    Nothing,
}

impl Picker {
    pub fn new(pick: Pick) -> Picker {
        Picker { pick, query: String::new(), cursor: 0 }
    }

    /// Handles one key (Esc is the dialog's).
    pub fn key(&mut self, key: KeyEvent) -> PickerKey {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let n = matching(self.pick, &self.query).len();
        match key.code {
            KeyCode::Down | KeyCode::Tab => self.cursor = (self.cursor + 1).min(n.saturating_sub(1)),
            KeyCode::Char('n') if ctrl => self.cursor = (self.cursor + 1).min(n.saturating_sub(1)),
            KeyCode::Up | KeyCode::BackTab => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Char('p') if ctrl => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Enter => {
                return matching(self.pick, &self.query)
                    .get(self.cursor)
                    .map_or(PickerKey::Nothing, |e| PickerKey::Picked(e.choice));
            }
            KeyCode::Backspace => {
                self.query.pop();
                self.cursor = 0;
            }
            KeyCode::Char(c) if !ctrl => {
                self.query.push(c);
                self.cursor = 0;
            }
            _ => {}
        }
        PickerKey::Open
    }

    /// The lines to show in `height` rows: the filter, family headings and
    /// entries (scrolled to keep the cursor visible), the selected entry's
    /// description and the key hint.
    pub fn lines(&self, height: usize) -> Vec<Line<'static>> {
        let found = matching(self.pick, &self.query);
        // Entries with a heading line before the first of each group.
        let mut rows: Vec<(Option<usize>, String)> = Vec::new();
        let mut group = "";
        for (i, e) in found.iter().enumerate() {
            if e.group != group {
                group = e.group;
                rows.push((None, group.to_owned()));
            }
            rows.push((Some(i), format!("   {}", e.label)));
        }
        let visible = height.saturating_sub(3).max(1);
        let cursor_row = rows.iter().position(|(i, _)| *i == Some(self.cursor)).unwrap_or(0);
        let first = crate::panes::follow(0, cursor_row, visible);
        let heading = Style::default().add_modifier(Modifier::BOLD);
        let mut lines = vec![Line::raw(format!(" filter: {}▏", self.query))];
        lines.extend(rows.iter().skip(first).take(visible).map(|(i, text)| match i {
            None => Line::styled(format!(" {text}"), heading),
            Some(i) if *i == self.cursor => Line::styled(text.clone(), cursor_style()),
            Some(_) => Line::raw(text.clone()),
        }));
        if found.is_empty() {
            lines.push(Line::raw("   (nothing matches)"));
        }
        let description = found.get(self.cursor).map_or("", |e| e.description);
        lines.push(Line::raw(format!(" {description}")));
        lines.push(Line::raw(" type to filter · ↑/↓ move · Enter picks · Esc cancels"));
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_come_by_family_with_the_kit_last_and_typing_filters() {
        let all = entries(Pick::Source);
        assert_eq!(all.len(), SourceKind::COUNT + 1);
        assert_eq!(all[0].choice, Choice::Source(SourceKind::SAW));
        assert_eq!(all.last().map(|e| e.choice), Some(Choice::DrumKit));
        let bells = matching(Pick::Source, "BELL");
        assert!(bells.iter().any(|e| e.label == "FM bell") && bells.iter().any(|e| e.label == "tubular bell"));
        assert!(bells.iter().all(|e| format!("{} {}", e.label, e.description).to_lowercase().contains("bell")));
        let kit = matching(Pick::Source, "drum");
        assert!(kit.iter().any(|e| e.choice == Choice::DrumKit));
        assert_eq!(matching(Pick::Source, "mallets glock").len(), 1, "words narrow together");
        assert!(matching(Pick::Source, "zzz").is_empty());
        let owner = ChainOwner::Master;
        assert_eq!(matching(Pick::Effect(owner), "r")[0].label, "reverb", "names starting with it come first");
    }

    #[test]
    fn typing_resets_the_cursor_and_enter_picks_the_highlighted_match() {
        let mut p = Picker::new(Pick::Source);
        let key = |c| KeyEvent::from(c);
        p.key(key(KeyCode::Down));
        assert_eq!(p.cursor, 1);
        for c in "marimba".chars() {
            p.key(key(KeyCode::Char(c)));
        }
        assert_eq!(p.cursor, 0);
        let marimba = SourceKind::from_id("marimba").expect("in the catalog");
        assert_eq!(p.key(key(KeyCode::Enter)), PickerKey::Picked(Choice::Source(marimba)));
        p.query = "zzz".into();
        assert_eq!(p.key(key(KeyCode::Enter)), PickerKey::Nothing);
    }
}
