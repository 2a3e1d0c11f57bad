//! Keys as data: [`KeyChord`] (one key plus modifiers, written like `C-s`,
//! `S-Tab`, `K`, `Enter`) and the [`Keymap`] built from the command table's
//! defaults and the user's `keys.toml`.
//!
//! A user file replaces a command's keys:
//!
//! ```toml
//! [keys]
//! quit = ["q", "C-q"]
//! undo = "z"
//! ```
//!
//! A bad entry (unknown command, unreadable key, a key another command of the
//! same context already has) is reported and that command keeps its
//! defaults, so a typo never leaves the user without a way to quit.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::commands::{COMMANDS, CommandId, Context, PaneKind, by_name, command};

/// One key with its modifiers, normalised so that what the terminal sends
/// and what a key file says compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyChord {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl KeyChord {
    /// Normalises a terminal key event. Shift is dropped from characters
    /// (the character already says `D` rather than `d`) and from back-tab.
    pub fn from_event(key: KeyEvent) -> KeyChord {
        let mut mods = key.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let mut code = key.code;
        match code {
            KeyCode::Char(_) => mods.remove(KeyModifiers::SHIFT),
            KeyCode::BackTab => mods.remove(KeyModifiers::SHIFT),
            KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => {
                code = KeyCode::BackTab;
                mods.remove(KeyModifiers::SHIFT);
            }
            _ => {}
        }
        KeyChord { code, mods }
    }

    /// Reads `a`, `D`, `?`, `C-s`, `A-x`, `S-Tab`, `Enter`, `Esc`, `Up`,
    /// `Space`, `F5`, … `None` when the text is not a key.
    pub fn parse(text: &str) -> Option<KeyChord> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        // `get` rather than slicing: `rest` may start with a multi-byte
        // character (a typo in keys.toml must not panic).
        while rest.len() > 2 {
            let m = match rest.get(..2) {
                Some("C-") => KeyModifiers::CONTROL,
                Some("A-") => KeyModifiers::ALT,
                Some("S-") => KeyModifiers::SHIFT,
                _ => break,
            };
            mods |= m;
            rest = &rest[2..];
        }
        let code = match rest {
            "Tab" if mods.contains(KeyModifiers::SHIFT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            "Tab" => KeyCode::Tab,
            "Enter" => KeyCode::Enter,
            "Esc" => KeyCode::Esc,
            "Space" => KeyCode::Char(' '),
            "Backspace" => KeyCode::Backspace,
            "Delete" => KeyCode::Delete,
            "Up" => KeyCode::Up,
            "Down" => KeyCode::Down,
            "Left" => KeyCode::Left,
            "Right" => KeyCode::Right,
            "Home" => KeyCode::Home,
            "End" => KeyCode::End,
            "PageUp" => KeyCode::PageUp,
            "PageDown" => KeyCode::PageDown,
            f if f.len() > 1 && f.starts_with('F') => KeyCode::F(f[1..].parse().ok().filter(|n| (1..=12).contains(n))?),
            c => {
                let mut chars = c.chars();
                let ch = chars.next()?;
                if chars.next().is_some() {
                    return None;
                }
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::Char(ch)
            }
        };
        Some(KeyChord { code, mods })
    }
}

impl fmt::Display for KeyChord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (m, p) in [(KeyModifiers::CONTROL, "C-"), (KeyModifiers::ALT, "A-"), (KeyModifiers::SHIFT, "S-")] {
            if self.mods.contains(m) {
                f.write_str(p)?;
            }
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::BackTab => f.write_str("S-Tab"),
            KeyCode::F(n) => write!(f, "F{n}"),
            KeyCode::PageUp => f.write_str("PageUp"),
            KeyCode::PageDown => f.write_str("PageDown"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// Which command each key runs, per context.
#[derive(Debug, Clone)]
pub struct Keymap {
    keys: HashMap<CommandId, Vec<KeyChord>>,
    lookup: HashMap<(Context, KeyChord), CommandId>,
}

impl Default for Keymap {
    /// The defaults of the command table. Keys that do not parse are left
    /// out (a test checks there are none).
    fn default() -> Self {
        let keys =
            COMMANDS.iter().map(|c| (c.id, c.keys.iter().filter_map(|k| KeyChord::parse(k)).collect())).collect();
        let mut map = Keymap { keys, lookup: HashMap::new() };
        map.rebuild();
        map
    }
}

impl Keymap {
    fn rebuild(&mut self) {
        self.lookup.clear();
        for c in COMMANDS {
            for k in self.keys.get(&c.id).into_iter().flatten() {
                self.lookup.entry((c.context, *k)).or_insert(c.id);
            }
        }
    }

    /// The command a key runs in `pane`: the pane's own keys first, then
    /// the global ones.
    pub fn resolve(&self, pane: PaneKind, key: KeyChord) -> Option<CommandId> {
        self.lookup.get(&(Context::Pane(pane), key)).or_else(|| self.lookup.get(&(Context::Global, key))).copied()
    }

    /// The keys bound to a command, for help and the palette.
    pub fn keys_of(&self, id: CommandId) -> &[KeyChord] {
        self.keys.get(&id).map_or(&[], Vec::as_slice)
    }

    /// The keys of a command as text, e.g. `k, Up`.
    pub fn describe(&self, id: CommandId) -> String {
        self.keys_of(id).iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    }

    /// The defaults with the overrides of a `keys.toml` text applied, and a
    /// message for each entry that was refused.
    pub fn with_overrides(text: &str) -> (Keymap, Vec<String>) {
        let mut map = Keymap::default();
        let mut errors = Vec::new();
        let table = match text.parse::<toml::Table>() {
            Ok(t) => t,
            Err(e) => return (map, vec![format!("not valid TOML: {}", e.message())]),
        };
        for (section, value) in &table {
            if section != "keys" {
                errors.push(format!("unknown section [{section}] (expected [keys])"));
                continue;
            }
            let Some(entries) = value.as_table() else {
                errors.push("`keys` must be a table".to_owned());
                continue;
            };
            for (name, value) in entries {
                if let Err(e) = map.apply(name, value) {
                    errors.push(e);
                }
            }
        }
        (map, errors)
    }

    /// Replaces one command's keys, or says why not and changes nothing.
    fn apply(&mut self, name: &str, value: &toml::Value) -> Result<(), String> {
        let cmd = by_name(name).ok_or_else(|| format!("unknown command `{name}`"))?;
        let texts: Vec<&str> = match value {
            toml::Value::String(s) => vec![s.as_str()],
            toml::Value::Array(a) => a
                .iter()
                .map(|v| v.as_str().ok_or(()))
                .collect::<Result<_, _>>()
                .map_err(|()| format!("`{name}`: keys must be strings like \"C-s\""))?,
            _ => return Err(format!("`{name}`: expected a key or a list of keys")),
        };
        let mut chords = Vec::new();
        for t in texts {
            chords.push(KeyChord::parse(t).ok_or_else(|| format!("`{name}`: `{t}` is not a key"))?);
        }
        for k in &chords {
            if let Some(&other) = self.lookup.get(&(cmd.context, *k))
                && other != cmd.id
            {
                let other = command(other).map_or("?", |c| c.name);
                return Err(format!("`{name}`: {k} is already bound to `{other}`"));
            }
        }
        self.keys.insert(cmd.id, chords);
        self.rebuild();
        Ok(())
    }

    /// The user's keymap from `$XDG_CONFIG_HOME/imbolc/keys.toml` (else
    /// `~/.config/imbolc/keys.toml`); no file means the defaults. The
    /// message, if any, is for the status line.
    pub fn load_user() -> (Keymap, Option<String>) {
        let Some(path) = config_path() else { return (Keymap::default(), None) };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Keymap::default(), None),
            Err(e) => return (Keymap::default(), Some(format!("{}: {e}; default keys used", path.display()))),
        };
        let (map, errors) = Keymap::with_overrides(&text);
        let message = (!errors.is_empty())
            .then(|| format!("{}: {} (those keep their defaults)", path.display(), errors.join("; ")));
        (map, message)
    }
}

fn config_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("imbolc").join("keys.toml"))
}
