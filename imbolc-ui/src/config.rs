//! `config.toml`: the user's defaults, in `$XDG_CONFIG_HOME/imbolc/`
//! (else `~/.config/imbolc/`). A missing file means the built-in
//! defaults. An unknown key or a bad value is reported (the key, its line
//! and why) and that setting keeps its default; the rest apply and the app
//! starts as usual.
//!
//! ```toml
//! theme = "dark"       # colours: "dark", "light" or "high-contrast"
//!
//! [project]            # what a new project starts with
//! tempo = 120          # bpm, 20 to 999
//! key = "D dorian"     # words of the key prompt (#): root, scale, tuning, a4=Hz
//!
//! [files]
//! autosave_seconds = 30   # how often a changed project writes its recovery copy; 0: never
//!
//! [audio]
//! device = "auto"      # "auto", "dummy", or the name of a running JACK server (as --jack)
//! buffer_size = 256    # frames per period of a JACK server Imbolc starts (16 to 4096, a power of two)
//!
//! [midi]
//! auto_connect = true  # connect hardware MIDI inputs to Imbolc as they appear
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use imbolc_audio::server::{JackMode, ServerConfig};
use imbolc_types::{PitchSettings, Project};

use crate::pitch_text::{PitchEdit, parse as parse_key};

/// The file's name in the config directory.
pub const CONFIG_FILE: &str = "config.toml";

/// The defaults read from `config.toml`; `None` fields keep the built-in
/// default.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Config {
    /// Tempo of a new project (bpm).
    pub tempo: Option<f32>,
    /// Key, scale and tuning of a new project.
    pub pitch: Option<PitchSettings>,
    /// Interval of recovery copies; `Some(None)`: never.
    pub autosave: Option<Option<Duration>>,
    /// `--jack` when not given on the command line.
    pub device: Option<String>,
    /// JACK period in frames for a server Imbolc starts.
    pub buffer_size: Option<u32>,
    /// Connect hardware MIDI inputs as they appear.
    pub midi_auto_connect: Option<bool>,
    /// The colour theme.
    pub theme: Option<crate::theme::ThemeName>,
}

/// One thing wrong in the file; the setting keeps its default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `section.key` (empty for a file that does not parse).
    pub key: String,
    /// From 1, when known.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.key.is_empty()) {
            (Some(l), false) => write!(f, "config.toml line {l}: {}: {} (default kept)", self.key, self.message),
            (None, false) => write!(f, "config.toml: {}: {} (default kept)", self.key, self.message),
            (_, true) => write!(f, "config.toml: {} (defaults used)", self.message),
        }
    }
}

/// `$XDG_CONFIG_HOME/imbolc/config.toml`, else `$HOME/.config/imbolc/config.toml`;
/// `None` when neither variable is set.
pub fn path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("imbolc").join(CONFIG_FILE))
}

/// Reads the user's config (see [`path`]); a missing file is no problem.
/// Each problem is logged.
pub fn load() -> (Config, Vec<Problem>) {
    match path() {
        Some(p) => load_from(&p),
        None => (Config::default(), Vec::new()),
    }
}

/// Reads `path`; a missing file gives the defaults and no problem.
pub fn load_from(path: &Path) -> (Config, Vec<Problem>) {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (Config::default(), Vec::new()),
        Err(e) => {
            let problem =
                Problem { key: String::new(), line: None, message: format!("cannot read {}: {e}", path.display()) };
            tracing::warn!("{problem}");
            return (Config::default(), vec![problem]);
        }
    };
    let (config, problems) = parse(&text);
    for p in &problems {
        tracing::warn!("{}: {p}", path.display());
    }
    (config, problems)
}

/// The line (from 1) where `key` is set in `[section]`, found by reading
/// the lines (toml's table keeps no positions).
fn line_of(text: &str, section: &str, key: &str) -> Option<usize> {
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
            current = name.trim().to_owned();
            continue;
        }
        let Some((k, _)) = t.split_once('=') else { continue };
        if current == section && k.trim().trim_matches('"') == key {
            return Some(i + 1);
        }
    }
    None
}

/// Reads the text of a config file.
pub fn parse(text: &str) -> (Config, Vec<Problem>) {
    let mut config = Config::default();
    let mut problems = Vec::new();
    let table = match text.parse::<toml::Table>() {
        Ok(t) => t,
        Err(e) => {
            let line = e.span().map(|s| text[..s.start.min(text.len())].lines().count().max(1));
            let message = format!("not valid TOML: {}", e.message());
            problems.push(Problem {
                key: String::new(),
                line,
                message: match line {
                    Some(l) => format!("line {l}: {message}"),
                    None => message,
                },
            });
            return (config, problems);
        }
    };
    for (section, value) in &table {
        if section == "theme" && !value.is_table() {
            let line = line_of(text, "", section);
            match value.as_str().and_then(crate::theme::ThemeName::from_id) {
                Some(theme) => config.theme = Some(theme),
                None => problems.push(Problem {
                    key: section.clone(),
                    line,
                    message: format!("expected \"dark\", \"light\" or \"high-contrast\", found {value}"),
                }),
            }
            continue;
        }
        let Some(entries) = value.as_table() else {
            let line = line_of(text, "", section);
            problems.push(Problem { key: section.clone(), line, message: "unknown key".into() });
            continue;
        };
        for (key, value) in entries {
            let name = format!("{section}.{key}");
            let line = line_of(text, section, key);
            if let Err(message) = set(&mut config, section, key, value) {
                problems.push(Problem { key: name, line, message });
            }
        }
    }
    (config, problems)
}

fn int(value: &toml::Value) -> Result<i64, String> {
    value.as_integer().ok_or_else(|| format!("expected a whole number, found {value}"))
}

fn set(c: &mut Config, section: &str, key: &str, value: &toml::Value) -> Result<(), String> {
    match (section, key) {
        ("project", "tempo") => {
            let bpm = value.as_float().or_else(|| value.as_integer().map(|i| i as f64));
            let bpm = bpm.ok_or_else(|| format!("expected a number of bpm, found {value}"))?;
            if !(20.0..=999.0).contains(&bpm) {
                return Err(format!("{bpm} is outside 20 to 999 bpm"));
            }
            c.tempo = Some(bpm as f32);
        }
        ("project", "key") => {
            let text = value.as_str().ok_or_else(|| format!("expected text like \"D dorian\", found {value}"))?;
            match parse_key(text, &PitchSettings::default(), false)? {
                PitchEdit::Set(pitch) => c.pitch = Some(pitch),
                PitchEdit::FollowProject => return Err("`project` applies to an instrument only".into()),
            }
        }
        ("files", "autosave_seconds") => {
            let secs = int(value)?;
            if !(0..=86_400).contains(&secs) {
                return Err(format!("{secs} is outside 0 (never) to 86400 seconds"));
            }
            c.autosave = Some((secs > 0).then(|| Duration::from_secs(secs.unsigned_abs())));
        }
        ("audio", "device") => {
            let name = value
                .as_str()
                .ok_or_else(|| format!("expected \"auto\", \"dummy\" or a JACK server name, found {value}"))?;
            if name.trim().is_empty() {
                return Err("expected \"auto\", \"dummy\" or a JACK server name, found an empty name".into());
            }
            c.device = Some(name.trim().to_owned());
        }
        ("audio", "buffer_size") => {
            let frames = int(value)?;
            let ok = (16..=4096).contains(&frames) && frames.count_ones() == 1;
            if !ok {
                return Err(format!("{frames} is not a power of two from 16 to 4096 frames"));
            }
            c.buffer_size = u32::try_from(frames).ok();
        }
        ("midi", "auto_connect") => {
            c.midi_auto_connect =
                Some(value.as_bool().ok_or_else(|| format!("expected true or false, found {value}"))?);
        }
        _ => return Err("unknown key".into()),
    }
    Ok(())
}

impl Config {
    /// A new project named `name` with the configured tempo and key.
    pub fn new_project(&self, name: impl Into<String>) -> Project {
        let mut p = Project::new(name);
        if let Some(t) = self.tempo {
            p.tempo = t;
        }
        if let Some(pitch) = &self.pitch {
            p.pitch = pitch.clone();
        }
        p
    }

    /// The server settings: `jack` from the command line wins over the
    /// configured device; the buffer size sets the JACK period.
    pub fn server_config(&self, jack: Option<&str>) -> ServerConfig {
        let jack = match jack.or(self.device.as_deref()).unwrap_or("auto") {
            "auto" => JackMode::Auto,
            "dummy" => JackMode::Dummy,
            name => JackMode::Existing(name.to_owned()),
        };
        let mut server = ServerConfig { jack, ..ServerConfig::default() };
        if let Some(frames) = self.buffer_size {
            server.jack_period = frames;
        }
        server
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
