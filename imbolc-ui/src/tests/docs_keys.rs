//! A key named in the docs does something: every key written in backticks
//! in `README.md` and `docs/*.md` (`a`, `C-s`, `A-h`, `Enter`, `h j k l`)
//! is bound in the command table, in the pane its section of
//! `docs/ui.md` is about (or globally), or is one of the keys a dialog,
//! the sample browser or musical typing reads itself ([`DIALOG_KEYS`]).

use std::path::Path;

use crate::commands::{COMMANDS, Context, PaneKind};
use crate::keys::KeyChord;

/// Keys that dialogs and modes read themselves, by the heading of the
/// `docs/ui.md` section that describes them.
const DIALOG_KEYS: &[(&str, &[&str])] = &[("Sample browser (`s` in the drum pane)", &["Backspace", "/"])];

/// Sections of `docs/ui.md` that also describe another pane's keys: the
/// editor opens on a strip's chain from the mixer (`e`), and from the
/// editor's own section on a bus or the master strip. The session pane
/// (`9`) is no tab, so its number names no tab's pane.
const ALSO: &[(&str, PaneKind)] =
    &[("Mixer (4)", PaneKind::Editor), ("Editor (2)", PaneKind::Mixer), ("Session (9)", PaneKind::Session)];

/// Backticked text that names no key (beside the screen's non-ASCII
/// glyphs, `▼`, `●`, never keys): marks and symbols the screen shows,
/// option values (`A-B` bars, `9` a quality; no key is 9).
const NOT_KEYS: &[&str] = &["~", "*", "#", "-", ".", "_", "A-B", "9"];

/// The words of a backticked span that are keys (`C-s`, `a`, `Enter`),
/// when every word is key-like; none for other code (`--stems`, paths).
fn keys_in(span: &str) -> Vec<&str> {
    const NAMED: [&str; 11] =
        ["Enter", "Esc", "Space", "Tab", "S-Tab", "Backspace", "Home", "Up", "Down", "Left", "Right"];
    let words: Vec<&str> = span.split(' ').collect();
    let key_like = |w: &&str| {
        NAMED.contains(w)
            || (w.len() == 1 && w.is_ascii())
            || ((w.starts_with("C-") || w.starts_with("A-")) && w.chars().count() == 3)
    };
    if words.iter().all(key_like) { words } else { Vec::new() }
}

/// The pane a `docs/ui.md` section is about, from its heading's number
/// (`## Piano roll (3)`).
fn pane_of(heading: &str) -> Option<PaneKind> {
    let digit = heading.trim_end().strip_suffix(')')?.chars().last()?.to_digit(10)?;
    PaneKind::ALL.get(usize::try_from(digit).ok()?.checked_sub(1)?).copied()
}

fn bound(key: &str, pane: Option<PaneKind>) -> bool {
    let Some(chord) = KeyChord::parse(key) else { return false };
    COMMANDS.iter().any(|c| {
        let here = match (c.context, pane) {
            (Context::Global, _) | (_, None) => true,
            (Context::Pane(p), Some(want)) => p == want,
        };
        here && c.keys.iter().any(|k| KeyChord::parse(k) == Some(chord))
    })
}

#[test]
fn every_key_the_docs_name_is_bound_where_they_say() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = vec![root.join("README.md")];
    files.extend(
        std::fs::read_dir(root.join("docs"))
            .expect("docs/")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("keys.md")),
    );
    let mut wrong = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a doc");
        let per_pane = file.ends_with("ui.md");
        let (mut pane, mut heading) = (None, "");
        for (n, line) in text.lines().enumerate() {
            if let Some(h) = line.strip_prefix("## ") {
                heading = h;
                pane = if per_pane { pane_of(h) } else { None };
            }
            for span in line.split('`').skip(1).step_by(2) {
                for key in keys_in(span) {
                    let dialog = DIALOG_KEYS.iter().any(|(h, keys)| *h == heading && keys.contains(&key));
                    let also = ALSO.iter().any(|(h, p)| *h == heading && bound(key, Some(*p)));
                    if NOT_KEYS.contains(&key) || dialog || also || bound(key, pane) {
                        continue;
                    }
                    let name = file.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
                    wrong.push(format!("{name}:{}: `{key}` ({})", n + 1, pane.map_or("any pane", |p| p.title())));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "keys the docs name that do nothing there:\n{}", wrong.join("\n"));
}
