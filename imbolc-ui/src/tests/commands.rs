//! The command table, the keymap and its overrides, help and the palette
//! agree with each other.

use std::collections::HashMap;

use crate::commands::{COMMANDS, CommandId, Context, PaneKind, by_name};
use crate::keys::{KeyChord, Keymap};
use crate::palette;
use crate::panes::help::{self, HelpLine};

/// A pane where `chord` is not one of the pane's own keys, so a global
/// key bound to it applies there.
fn pane_without(chord: KeyChord) -> Option<PaneKind> {
    PaneKind::ALL.into_iter().chain(PaneKind::SUB).find(|p| {
        !COMMANDS
            .iter()
            .any(|c| c.context == Context::Pane(*p) && c.keys.iter().any(|k| KeyChord::parse(k) == Some(chord)))
    })
}

#[test]
fn every_default_binding_resolves_to_its_command() {
    let map = Keymap::default();
    for c in COMMANDS {
        let palette_only = crate::commands::PALETTE_ONLY.contains(&c.id);
        assert!(c.keys.is_empty() == palette_only, "{} has no default key", c.name);
        for k in c.keys {
            let chord = KeyChord::parse(k).unwrap_or_else(|| panic!("{}: `{k}` does not parse", c.name));
            let pane = match c.context {
                Context::Global => pane_without(chord).unwrap_or_else(|| panic!("{}: every pane takes `{k}`", c.name)),
                Context::Pane(p) => p,
            };
            assert_eq!(map.resolve(pane, chord), Some(c.id), "{}: `{k}` runs something else", c.name);
            assert_eq!(KeyChord::parse(&chord.to_string()), Some(chord), "`{k}` does not print back");
        }
    }
}

#[test]
fn no_key_is_bound_twice_in_one_context_and_names_are_unique() {
    let mut seen: HashMap<(Context, KeyChord), &str> = HashMap::new();
    for c in COMMANDS {
        assert_eq!(by_name(c.name).map(|x| x.id), Some(c.id), "duplicate name {}", c.name);
        for k in c.keys {
            let chord = KeyChord::parse(k).unwrap();
            if let Some(other) = seen.insert((c.context, chord), c.name) {
                panic!("`{k}` is bound to both {other} and {}", c.name);
            }
        }
    }
}

#[test]
fn terminal_events_normalise_to_the_written_keys() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let ev = |code, mods| KeyChord::from_event(KeyEvent::new(code, mods));
    assert_eq!(ev(KeyCode::Char('D'), KeyModifiers::SHIFT), KeyChord::parse("D").unwrap());
    assert_eq!(ev(KeyCode::BackTab, KeyModifiers::SHIFT), KeyChord::parse("S-Tab").unwrap());
    assert_eq!(ev(KeyCode::Char('s'), KeyModifiers::CONTROL), KeyChord::parse("C-s").unwrap());
    assert_eq!(ev(KeyCode::Char('?'), KeyModifiers::SHIFT), KeyChord::parse("?").unwrap());
    assert!(KeyChord::parse("C-").is_none(), "a modifier alone is not a key");
    assert!(KeyChord::parse("ab").is_none());
    assert!(KeyChord::parse("F13").is_none());
}

#[test]
fn help_lists_every_command_once_whatever_the_pane() {
    let map = Keymap::default();
    for topic in PaneKind::ALL {
        let names: Vec<&str> = help::lines(&map, topic)
            .into_iter()
            .filter_map(|l| match l {
                HelpLine::Command(_, name, _) => Some(name),
                HelpLine::Section(_) => None,
            })
            .collect();
        assert_eq!(names.len(), COMMANDS.len(), "help for {topic:?}");
        for c in COMMANDS {
            assert!(names.contains(&c.name), "help for {topic:?} misses {}", c.name);
        }
    }
    // The current pane's keys come first.
    let first = help::lines(&map, PaneKind::PianoRoll);
    assert_eq!(first[0], HelpLine::Section("Piano roll".into()));
    assert!(matches!(&first[1], HelpLine::Command(keys, "note-add", _) if keys == "a, Enter"));
}

#[test]
fn the_palette_lists_every_command_and_finds_each_by_name() {
    let all: Vec<CommandId> = palette::matches("").iter().map(|c| c.id).collect();
    assert_eq!(all, COMMANDS.iter().map(|c| c.id).collect::<Vec<_>>());
    for c in COMMANDS {
        assert!(palette::matches(c.name).iter().any(|m| m.id == c.id), "{} not found by its name", c.name);
    }
    assert_eq!(palette::matches("undo")[0].id, CommandId::Undo);
    assert_eq!(palette::matches("revrb").len(), 0, "no command mentions reverb");
    assert_eq!(palette::matches("efad")[0].id, CommandId::AddEffect, "fuzzy: effect-add");
}

#[test]
fn user_keys_replace_defaults_and_bad_entries_keep_them() {
    let text = r#"
        [keys]
        undo = "z"
        quit = ["q", "C-q"]
        no-such-command = "x"
        save = "C-notakey"
        help = "q"
        redo = 5
    "#;
    let (map, errors) = Keymap::with_overrides(text);
    let k = |s| KeyChord::parse(s).unwrap();
    let g = PaneKind::Server;
    assert_eq!(map.resolve(g, k("z")), Some(CommandId::Undo));
    assert_eq!(map.resolve(g, k("u")), None, "undo's old key is free");
    assert_eq!(map.resolve(g, k("C-q")), Some(CommandId::Quit));
    assert_eq!(map.resolve(g, k("C-s")), Some(CommandId::Save), "save keeps its default");
    assert_eq!(map.resolve(g, k("?")), Some(CommandId::Help), "help keeps its default");
    assert_eq!(map.resolve(g, k("C-r")), Some(CommandId::Redo), "redo keeps its default");
    assert_eq!(errors.len(), 4, "{errors:?}");
    let all = errors.join("\n");
    for part in ["unknown command `no-such-command`", "`C-notakey` is not a key", "already bound to `quit`", "`redo`"] {
        assert!(all.contains(part), "no message about {part}: {all}");
    }
    let (map, errors) = Keymap::with_overrides("[keys\nundo=");
    assert_eq!(errors.len(), 1);
    assert!(errors[0].starts_with("not valid TOML"));
    assert_eq!(map.resolve(g, k("u")), Some(CommandId::Undo), "defaults after a broken file");
    // Help shows the user's keys.
    let (map, _) = Keymap::with_overrides("[keys]\nundo = [\"z\", \"C-z\"]");
    assert_eq!(map.describe(CommandId::Undo), "z, C-z");
}

#[test]
fn docs_keys_md_matches_the_command_table() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/keys.md");
    let want = crate::keys_doc::markdown();
    if std::env::var_os("IMBOLC_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/keys.md is out of date: run `IMBOLC_UPDATE_DOCS=1 cargo test -p imbolc-ui --lib docs_keys`"
    );
    for c in COMMANDS {
        assert!(have.contains(&format!("`{}`", c.name)), "{} missing from docs/keys.md", c.name);
    }
}
