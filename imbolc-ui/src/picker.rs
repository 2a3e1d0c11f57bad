//! The sound picker: every catalog source grouped by family, the user's
//! own SynthDefs (and the files in their folder that could not be used,
//! with the reason), and the drum kit; or every effect. Each line has a
//! one-line description; typing filters by name, family or description.

use std::borrow::Cow;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use imbolc_audio::synthdefs::custom::UserDefs;
use imbolc_types::catalog::{EffectKind, SourceFamily, SourceKind};
use imbolc_types::{ChainOwner, CustomSource};
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
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    Source(SourceKind),
    /// One of the user's own SynthDefs.
    Custom(Box<CustomSource>),
    /// A file of the user's synthdefs folder that cannot be used: why.
    Refused(String),
    /// A drum kit instead of a source (its 16 pads play built-in voices).
    DrumKit,
    Effect(ChainOwner, EffectKind),
}

/// What a line stands for (custom defs by index in the picker's list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Source(SourceKind),
    Custom(usize),
    Refused(usize),
    DrumKit,
    Effect(ChainOwner, EffectKind),
}

/// One pickable line.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub item: Item,
    pub label: Cow<'static, str>,
    /// Family heading it is listed under.
    pub group: &'static str,
    pub description: Cow<'static, str>,
}

/// Heading of the user's own SynthDefs.
const USER_GROUP: &str = "Your SynthDefs";

/// Everything `pick` offers, in display order (`user`: the user's
/// SynthDefs folder as last scanned).
pub fn entries(pick: Pick, user: &UserDefs) -> Vec<Entry> {
    match pick {
        Pick::Source => {
            let mut out: Vec<Entry> = SourceFamily::ALL
                .into_iter()
                .flat_map(|family| {
                    SourceKind::of_family(family).map(move |k| Entry {
                        item: Item::Source(k),
                        label: k.name().into(),
                        group: family.label(),
                        description: k.spec().description.into(),
                    })
                })
                .collect();
            out.extend(user.sources.iter().enumerate().map(|(i, c)| {
                let params: Vec<&str> = c.params.iter().map(|p| p.id.as_str()).collect();
                Entry {
                    item: Item::Custom(i),
                    label: c.name.clone().into(),
                    group: USER_GROUP,
                    description: format!("Your SynthDef; parameters: {}", params.join(", ")).into(),
                }
            }));
            out.extend(user.refused.iter().enumerate().map(|(i, (path, why))| Entry {
                item: Item::Refused(i),
                label: format!("{} (refused)", file_name(path)).into(),
                group: USER_GROUP,
                description: why.to_string().into(),
            }));
            out.push(Entry {
                item: Item::DrumKit,
                label: "drum kit".into(),
                group: "Drums",
                description: "Sixteen pads of built-in drum voices or samples, with step patterns".into(),
            });
            out
        }
        Pick::Effect(owner) => EffectKind::ALL
            .into_iter()
            .map(|k| Entry {
                item: Item::Effect(owner, k),
                label: k.name().into(),
                group: k.family().label(),
                description: k.spec().description.into(),
            })
            .collect(),
    }
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// The entries matching `query` (every word, case-insensitive, in the
/// label, the catalog id (as docs/sounds.md names it), the family or the
/// description): those whose name starts with the
/// query first, then those whose name contains it, then the rest, each in
/// display order.
pub fn matching(pick: Pick, user: &UserDefs, query: &str) -> Vec<Entry> {
    let query = query.trim().to_lowercase();
    let words: Vec<&str> = query.split_whitespace().collect();
    let mut found: Vec<(u8, Entry)> = entries(pick, user)
        .into_iter()
        .filter_map(|e| {
            let label = e.label.to_lowercase();
            let id = match e.item {
                Item::Source(k) => k.id(),
                Item::Effect(_, k) => k.id(),
                Item::Custom(_) | Item::Refused(_) | Item::DrumKit => "",
            };
            let text = format!("{label} {id} {} {}", e.group, e.description).to_lowercase();
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
/// among the matching entries, the user's SynthDefs it offers.
#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    pub pick: Pick,
    pub query: String,
    pub cursor: usize,
    pub user: Arc<UserDefs>,
}

/// What a key did to the picker.
#[derive(Debug, Clone, PartialEq)]
pub enum PickerKey {
    Open,
    Picked(Choice),
    /// Enter with nothing matching.
    Nothing,
}

impl Picker {
    /// A picker offering the catalog (and, for sources, `user`'s defs).
    pub fn new(pick: Pick, user: Arc<UserDefs>) -> Picker {
        Picker { pick, query: String::new(), cursor: 0, user }
    }

    /// The entries matching what was typed.
    fn found(&self) -> Vec<Entry> {
        matching(self.pick, &self.user, &self.query)
    }

    /// What an entry stands for.
    fn choice(&self, item: Item) -> Option<Choice> {
        Some(match item {
            Item::Source(k) => Choice::Source(k),
            Item::Custom(i) => Choice::Custom(Box::new(self.user.sources.get(i)?.clone())),
            Item::Refused(i) => {
                let (path, why) = self.user.refused.get(i)?;
                Choice::Refused(format!("{}: {why}", path.display()))
            }
            Item::DrumKit => Choice::DrumKit,
            Item::Effect(owner, k) => Choice::Effect(owner, k),
        })
    }

    /// Handles one key (Esc is the dialog's).
    pub fn key(&mut self, key: KeyEvent) -> PickerKey {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let n = self.found().len();
        match key.code {
            KeyCode::Down | KeyCode::Tab => self.cursor = (self.cursor + 1).min(n.saturating_sub(1)),
            KeyCode::Char('n') if ctrl => self.cursor = (self.cursor + 1).min(n.saturating_sub(1)),
            KeyCode::Up | KeyCode::BackTab => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Char('p') if ctrl => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Enter => {
                let item = self.found().get(self.cursor).map(|e| e.item);
                return item.and_then(|i| self.choice(i)).map_or(PickerKey::Nothing, PickerKey::Picked);
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
        let found = self.found();
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
        let description = found.get(self.cursor).map_or("", |e| &e.description);
        lines.push(Line::raw(format!(" {description}")));
        lines.push(Line::raw(" type to filter · ↑/↓ move · Enter picks · Esc cancels"));
        lines
    }
}

#[cfg(test)]
mod tests {
    use imbolc_audio::synthdefs::custom::{CustomDefError, custom_source};

    use super::*;

    fn none() -> UserDefs {
        UserDefs::default()
    }

    #[test]
    fn sources_come_by_family_with_the_kit_last_and_typing_filters() {
        let all = entries(Pick::Source, &none());
        assert_eq!(all.len(), SourceKind::COUNT + 1);
        assert_eq!(all[0].item, Item::Source(SourceKind::SAW));
        assert_eq!(all.last().map(|e| e.item), Some(Item::DrumKit));
        let bells = matching(Pick::Source, &none(), "BELL");
        assert!(bells.iter().any(|e| e.label == "FM bell") && bells.iter().any(|e| e.label == "tubular bell"));
        assert!(bells.iter().all(|e| format!("{} {}", e.label, e.description).to_lowercase().contains("bell")));
        let kit = matching(Pick::Source, &none(), "drum");
        assert!(kit.iter().any(|e| e.item == Item::DrumKit));
        assert_eq!(matching(Pick::Source, &none(), "mallets glock").len(), 1, "words narrow together");
        assert!(matching(Pick::Source, &none(), "zzz").is_empty());
        let owner = ChainOwner::Master;
        assert_eq!(matching(Pick::Effect(owner), &none(), "r")[0].label, "reverb", "names starting with it come first");
        let eq = matching(Pick::Effect(owner), &none(), "eq12");
        assert_eq!(eq.len(), 1, "the catalog id finds it");
        assert_eq!(eq[0].item, Item::Effect(owner, EffectKind::from_id("eq12").expect("in the catalog")));
    }

    #[test]
    fn typing_resets_the_cursor_and_enter_picks_the_highlighted_match() {
        let mut p = Picker::new(Pick::Source, Arc::default());
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

    #[test]
    fn the_users_defs_and_refused_files_are_offered_with_their_story() {
        let bytes = imbolc_audio::synthdefs::find("imbolc_saw").map(|d| d.bytes.to_vec()).unwrap_or_default();
        let mut mine = custom_source(bytes).expect("a voice");
        mine.name = "my_saw".into();
        let why = CustomDefError::MissingControls { name: "pad".into(), missing: vec!["gate"] };
        let user = Arc::new(UserDefs { sources: vec![mine.clone()], refused: vec![("/defs/pad.scd".into(), why)] });
        let mut p = Picker::new(Pick::Source, user);
        for c in "your".chars() {
            p.key(KeyEvent::from(KeyCode::Char(c)));
        }
        let found = p.found();
        assert_eq!(found.iter().map(|e| e.label.as_ref()).collect::<Vec<_>>(), ["my_saw", "pad.scd (refused)"]);
        assert!(found[0].description.contains("amp, detune, bright"), "{}", found[0].description);
        assert_eq!(p.key(KeyEvent::from(KeyCode::Enter)), PickerKey::Picked(Choice::Custom(Box::new(mine))));
        p.key(KeyEvent::from(KeyCode::Down));
        let PickerKey::Picked(Choice::Refused(text)) = p.key(KeyEvent::from(KeyCode::Enter)) else {
            panic!("the refused file is picked as such")
        };
        assert!(text.contains("pad.scd") && text.contains("lacks the voice control gate"), "{text}");
    }
}
