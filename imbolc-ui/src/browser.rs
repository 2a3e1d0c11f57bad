//! The sample browser: a folder's subfolders then its audio files (by
//! extension), moved through with j/k, entered with Enter or l, left with
//! h or Backspace, narrowed by a filter typed after `/`. Space previews the
//! file under the cursor through the master (the app stops it on the next
//! key); Enter on a file imports it into what the browser was opened for
//! ([`BrowseFor`]: a drum pad, a new sampler, a sampler zone, or an SFZ
//! instrument, when `.sfz` files are listed too); `n` imports the file as
//! a new sampler instrument whatever the browser was opened for; `:`
//! switches to typing a path (pads).
//!
//! Only reads folder listings; an unreadable folder shows why and keeps
//! the browser usable (h goes up).

use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use imbolc_types::InstrumentId;
use ratatui::style::Style;
use ratatui::text::Line;

use crate::panes::cursor_style;

/// Extensions offered as audio files (what scsynth reads through libsndfile).
pub const AUDIO_EXTENSIONS: [&str; 5] = ["wav", "aif", "aiff", "flac", "ogg"];

/// The browser's keys, for its hint line and the keys page.
pub const KEYS: &[(&str, &str)] = &[
    ("j k ↑ ↓", "move"),
    ("Enter l →", "open the folder, or import the file into the pad"),
    ("h ← Backspace", "go up a folder"),
    ("Space", "preview the file through the master (the next key stops it)"),
    ("n", "import the file as a new sampler instrument"),
    ("/", "filter by name (Enter or Esc ends typing)"),
    (":", "type a path instead"),
    ("Esc", "close"),
];

/// One line of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub folder: bool,
}

/// Whether `path` names an audio file the browser offers.
pub fn is_audio(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| AUDIO_EXTENSIONS.iter().any(|a| a.eq_ignore_ascii_case(e)))
}

/// What a browser imports its file into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrowseFor {
    /// The drum pad `pad` of `instrument` (the browser's own fields).
    Pad,
    /// A new sampler instrument.
    NewSampler,
    /// A new zone of this sampler.
    Zone(InstrumentId),
    /// An SFZ instrument (`.sfz` files are listed).
    Sfz,
    /// A new audio clip on this audio track, placed at song tick `at`.
    AudioClip { instrument: InstrumentId, at: imbolc_types::Tick },
}

/// The folders then audio files in `dir` (hidden ones left out), each
/// sorted by name regardless of case.
///
/// # Errors
/// When the folder cannot be listed.
pub fn list(dir: &Path) -> std::io::Result<Vec<Entry>> {
    list_with(dir, false)
}

/// As [`list`], with `.sfz` files among the files when `sfz`.
///
/// # Errors
/// When the folder cannot be listed.
pub fn list_with(dir: &Path, sfz: bool) -> std::io::Result<Vec<Entry>> {
    let mut out = Vec::new();
    for item in std::fs::read_dir(dir)? {
        let Ok(item) = item else { continue };
        let name = item.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        // Follows links, so a linked folder is a folder.
        let folder = std::fs::metadata(item.path()).is_ok_and(|m| m.is_dir());
        let is_sfz = sfz && Path::new(&name).extension().is_some_and(|e| e.eq_ignore_ascii_case("sfz"));
        if folder || is_sfz || is_audio(Path::new(&name)) {
            out.push(Entry { name, folder });
        }
    }
    out.sort_by_key(|e| (!e.folder, e.name.to_lowercase()));
    Ok(out)
}

/// An open browser for one drum pad.
#[derive(Debug, Clone, PartialEq)]
pub struct Browser {
    pub instrument: InstrumentId,
    pub pad: u8,
    pub target: BrowseFor,
    pub dir: PathBuf,
    entries: Vec<Entry>,
    /// Why the folder could not be listed.
    pub error: Option<String>,
    pub query: String,
    /// Keys go to the filter.
    pub filtering: bool,
    pub cursor: usize,
}

/// What a key did to the browser.
#[derive(Debug, Clone, PartialEq)]
pub enum BrowserKey {
    Open,
    Cancel,
    /// Preview this file (the browser stays open).
    Preview(PathBuf),
    /// Import this file into the pad.
    Import(PathBuf),
    /// Type a path instead.
    TypePath,
    /// Import this file as a new sampler instrument.
    NewSampler(PathBuf),
}

impl Browser {
    /// A browser for `pad` of `instrument` listing `dir`.
    pub fn new(instrument: InstrumentId, pad: u8, dir: PathBuf) -> Browser {
        Browser::for_target(instrument, pad, BrowseFor::Pad, dir)
    }

    /// A browser importing into `target`, listing `dir`.
    pub fn for_target(instrument: InstrumentId, pad: u8, target: BrowseFor, dir: PathBuf) -> Browser {
        let mut b = Browser {
            instrument,
            pad,
            target,
            dir: PathBuf::new(),
            entries: Vec::new(),
            error: None,
            query: String::new(),
            filtering: false,
            cursor: 0,
        };
        b.enter(dir);
        b
    }

    /// Lists `dir` (the filter and cursor start over).
    fn enter(&mut self, dir: PathBuf) {
        match list_with(&dir, self.target == BrowseFor::Sfz) {
            Ok(entries) => {
                self.entries = entries;
                self.error = None;
            }
            Err(e) => {
                self.entries.clear();
                self.error = Some(format!("cannot read {}: {e}", dir.display()));
            }
        }
        self.dir = dir;
        self.query.clear();
        self.filtering = false;
        self.cursor = 0;
    }

    /// The entries matching the filter (case-insensitive substring).
    pub fn shown(&self) -> Vec<&Entry> {
        let q = self.query.to_lowercase();
        self.entries.iter().filter(|e| e.name.to_lowercase().contains(&q)).collect()
    }

    /// The file under the cursor, if it is one.
    pub fn file(&self) -> Option<PathBuf> {
        self.shown().get(self.cursor).filter(|e| !e.folder).map(|e| self.dir.join(&e.name))
    }

    /// Puts the cursor on the entry named `name`, if listed.
    pub fn select(&mut self, name: &str) {
        if let Some(i) = self.shown().iter().position(|e| e.name == name) {
            self.cursor = i;
        }
    }

    fn up(&mut self) {
        if let Some(parent) = self.dir.parent().map(Path::to_path_buf) {
            let left = self.dir.file_name().map(|n| n.to_string_lossy().into_owned());
            self.enter(parent);
            if let Some(left) = left {
                self.select(&left);
            }
        }
    }

    /// Handles one key (Esc is the dialog's unless a filter is being typed).
    pub fn key(&mut self, key: KeyEvent) -> BrowserKey {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let n = self.shown().len();
        if self.filtering {
            match key.code {
                KeyCode::Enter | KeyCode::Esc => self.filtering = false,
                KeyCode::Backspace => {
                    self.query.pop();
                    self.cursor = 0;
                }
                KeyCode::Down => self.cursor = (self.cursor + 1).min(n.saturating_sub(1)),
                KeyCode::Up => self.cursor = self.cursor.saturating_sub(1),
                KeyCode::Char(c) if !ctrl => {
                    self.query.push(c);
                    self.cursor = 0;
                }
                _ => {}
            }
            return BrowserKey::Open;
        }
        match key.code {
            KeyCode::Esc => return BrowserKey::Cancel,
            KeyCode::Char('j') | KeyCode::Down => self.cursor = (self.cursor + 1).min(n.saturating_sub(1)),
            KeyCode::Char('k') | KeyCode::Up => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Char('h') | KeyCode::Left | KeyCode::Backspace => self.up(),
            KeyCode::Enter | KeyCode::Char('l') | KeyCode::Right => {
                let Some(e) = self.shown().get(self.cursor).map(|e| (*e).clone()) else {
                    return BrowserKey::Open;
                };
                let path = self.dir.join(&e.name);
                if e.folder {
                    self.enter(path);
                } else {
                    return BrowserKey::Import(path);
                }
            }
            KeyCode::Char(' ') => {
                if let Some(path) = self.file() {
                    return BrowserKey::Preview(path);
                }
            }
            KeyCode::Char('/') => self.filtering = true,
            KeyCode::Char(':') => return BrowserKey::TypePath,
            KeyCode::Char('n') => {
                if let Some(path) = self.file().filter(|p| is_audio(p)) {
                    return BrowserKey::NewSampler(path);
                }
            }
            _ => {}
        }
        BrowserKey::Open
    }

    /// The lines to show in `height` rows: the folder, the filter, the
    /// entries (scrolled to keep the cursor visible) and the key hint.
    pub fn lines(&self, height: usize) -> Vec<Line<'static>> {
        let shown = self.shown();
        let mut lines = vec![Line::raw(format!(" {}", self.dir.display()))];
        let filter = if self.filtering {
            format!(" filter: {}▏", self.query)
        } else if self.query.is_empty() {
            " / filters".to_owned()
        } else {
            format!(" filter: {}", self.query)
        };
        lines.push(Line::styled(filter, Style::default().fg(crate::theme::current().muted)));
        let visible = height.saturating_sub(3).max(1);
        let first = crate::panes::follow(0, self.cursor, visible);
        if let Some(why) = &self.error {
            lines.push(Line::styled(format!("   {why}"), Style::default().fg(crate::theme::current().error)));
            lines.push(Line::raw("   h goes up · : types a path"));
        } else if shown.is_empty() {
            lines.push(Line::raw("   (no folders or audio files here)"));
        }
        lines.extend(shown.iter().enumerate().skip(first).take(visible).map(|(i, e)| {
            let text = if e.folder { format!("   {}/", e.name) } else { format!("   {}", e.name) };
            if i == self.cursor {
                Line::styled(text, cursor_style())
            } else if e.folder {
                Line::styled(text, Style::default().fg(crate::theme::current().accent))
            } else {
                Line::raw(text)
            }
        }));
        lines.truncate(height.saturating_sub(1));
        lines.push(Line::raw(" j/k · Enter · h up · Space preview · n sampler · / filter · : path · Esc"));
        lines
    }
}

/// Where a browser for a pad starts: the folder of the pad's sample if
/// it exists, else the last browsed folder, else `$HOME`, else `/`.
pub fn start_dir(sample: Option<&str>, last: Option<&Path>) -> PathBuf {
    let of_sample = sample.and_then(|s| Path::new(s).parent()).filter(|p| p.is_dir()).map(Path::to_path_buf);
    of_sample
        .or_else(|| last.map(Path::to_path_buf))
        .or_else(|| std::env::var_os("HOME").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("/"))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::from(c)
    }

    /// A scratch folder, removed when dropped.
    pub(crate) struct Tree(PathBuf);

    impl Tree {
        pub(crate) fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A folder with two subfolders, audio files of each extension, and
    /// files that are not offered (`name` keeps tests apart).
    pub(crate) fn sample_tree(name: &str) -> Tree {
        let dir = std::env::temp_dir().join(format!("imbolc-browse-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for d in ["kicks", "Loops"] {
            std::fs::create_dir_all(dir.join(d)).expect("mkdir");
        }
        for f in ["snare.wav", "Hat.AIFF", "pad.flac", "vox.ogg", "notes.txt", ".hidden.wav", "clap.aif"] {
            std::fs::write(dir.join(f), b"x").expect("write");
        }
        std::fs::write(dir.join("kicks/808.wav"), b"x").expect("write");
        Tree(dir)
    }

    #[test]
    fn folders_come_first_then_audio_files_by_name() {
        let tree = sample_tree("t1");
        let names: Vec<String> = list(tree.path()).expect("listed").into_iter().map(|e| e.name).collect();
        assert_eq!(names, ["kicks", "Loops", "clap.aif", "Hat.AIFF", "pad.flac", "snare.wav", "vox.ogg"]);
    }

    #[test]
    fn keys_enter_leave_filter_preview_and_import() {
        let tree = sample_tree("t2");
        let mut b = Browser::new(InstrumentId(1), 2, tree.path().to_path_buf());
        assert_eq!(b.key(key(KeyCode::Enter)), BrowserKey::Open);
        assert_eq!(b.dir, tree.path().join("kicks"));
        assert_eq!(b.key(key(KeyCode::Char(' '))), BrowserKey::Preview(tree.path().join("kicks/808.wav")));
        b.key(key(KeyCode::Char('h')));
        assert_eq!(b.dir, tree.path());
        assert_eq!(b.cursor, 0, "the cursor is on the folder just left");
        b.key(key(KeyCode::Char('j')));
        assert_eq!(b.key(key(KeyCode::Char(' '))), BrowserKey::Open, "no preview of a folder");
        for c in "/sn".chars() {
            b.key(key(KeyCode::Char(c)));
        }
        assert_eq!(b.shown().len(), 1);
        b.key(key(KeyCode::Esc));
        assert!(!b.filtering, "Esc ends the filter, not the browser");
        assert_eq!(b.key(key(KeyCode::Char('l'))), BrowserKey::Import(tree.path().join("snare.wav")));
        assert_eq!(b.key(key(KeyCode::Char(':'))), BrowserKey::TypePath);
        assert_eq!(b.key(key(KeyCode::Esc)), BrowserKey::Cancel);
    }

    #[test]
    fn an_unreadable_folder_says_why_and_h_leaves_it() {
        let tree = sample_tree("t3");
        let missing = tree.path().join("gone");
        let mut b = Browser::new(InstrumentId(1), 0, missing.clone());
        let why = b.error.clone().expect("an error");
        assert!(why.contains("cannot read") && why.contains("gone"), "{why}");
        assert!(b.lines(10).iter().any(|l| l.to_string().contains("cannot read")));
        assert_eq!(b.key(key(KeyCode::Enter)), BrowserKey::Open);
        b.key(key(KeyCode::Backspace));
        assert_eq!(b.dir, tree.path());
        assert!(b.error.is_none());
    }

    #[test]
    fn it_starts_at_the_pads_sample_then_the_last_folder() {
        let tree = sample_tree("t4");
        let sample = tree.path().join("kicks/808.wav");
        let last = tree.path().join("Loops");
        assert_eq!(start_dir(sample.to_str(), Some(&last)), tree.path().join("kicks"));
        assert_eq!(start_dir(Some("/no/such/dir/x.wav"), Some(&last)), last);
    }
}
