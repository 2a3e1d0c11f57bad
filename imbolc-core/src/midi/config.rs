//! [`MidiConfig`]: the user's MIDI settings, saved as a small TOML file in
//! `$XDG_CONFIG_HOME/imbolc/midi.toml` (or `~/.config/imbolc/midi.toml`).
//! They belong to the machine (which keyboard is plugged in), not to a
//! project.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::velocity::VelocityCurve;

/// File name inside the config directory.
pub const CONFIG_FILE: &str = "midi.toml";

/// MIDI settings of this machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MidiConfig {
    /// Full name of a device output port to connect to (e.g.
    /// `"a2j:Keystation [20] (capture): Keystation MIDI 1"`); reconnected
    /// whenever it comes back.
    pub device: Option<String>,
    /// Connect hardware MIDI outputs (physical JACK ports: jackd's ALSA
    /// bridge, `a2jmidid`, PipeWire) to Imbolc's input as they appear.
    pub auto_connect: bool,
    /// Velocity curve of Imbolc's own input port.
    pub curve: VelocityCurve,
    /// Velocity curve of the device port.
    pub device_curve: VelocityCurve,
    /// Send MIDI clock and start/stop on the clock port while playing.
    pub send_clock: bool,
    /// Milliseconds added to the time of every clock message (-50..50):
    /// negative sends the clock earlier, for a device that plays late.
    pub clock_offset_ms: f32,
    /// Follow an incoming clock's tempo and start/stop.
    pub follow_clock: bool,
    /// Bars of count-in when recording is armed while stopped (0: none;
    /// recording then waits for play).
    pub count_in_bars: u32,
    /// Ready-made pad controller layout: `"none"`, `"launchpad"`
    /// (programmer mode) or `"apc-mini"`.
    pub pad_layout: imbolc_types::PadLayout,
    /// MIDI channel of the layout's pads and LEDs, 1..=16.
    pub pad_channel: u8,
    /// Channels with instruments of their own (layers, key splits); the
    /// other channels play the selected instrument.
    #[serde(rename = "zone", skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<ZoneConfig>,
}

/// One `[[zone]]` of `midi.toml`: a key range of a channel played by the
/// instrument of that name in the open project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneConfig {
    /// MIDI channel as musicians count it, 1..=16.
    pub channel: u8,
    /// Instrument name (zones naming no instrument of the project are idle).
    pub instrument: String,
    /// Lowest and highest key played, inclusive.
    #[serde(default)]
    pub low: u8,
    #[serde(default = "top_key")]
    pub high: u8,
    /// Semitones added to each key.
    #[serde(default)]
    pub transpose: i8,
}

fn top_key() -> u8 {
    127
}

impl Default for MidiConfig {
    fn default() -> Self {
        MidiConfig {
            device: None,
            auto_connect: true,
            curve: VelocityCurve::Linear,
            device_curve: VelocityCurve::Linear,
            send_clock: true,
            clock_offset_ms: 0.0,
            follow_clock: false,
            count_in_bars: 1,
            pad_layout: imbolc_types::PadLayout::None,
            pad_channel: 1,
            zones: Vec::new(),
        }
    }
}

/// Why the MIDI config could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Neither `XDG_CONFIG_HOME` nor `HOME` is set: pass a path yourself.
    #[error("no config directory: set XDG_CONFIG_HOME or HOME")]
    NoConfigDir,
    /// The file exists but could not be read or written; check permissions.
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    /// The file is not valid TOML for these settings; fix or delete it.
    #[error("{path}: {source}")]
    Parse { path: PathBuf, source: toml::de::Error },
    /// The file parses but a value is out of range; fix it.
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    /// The settings could not be written as TOML (a bug).
    #[error("cannot write the MIDI config: {0}")]
    Serialize(#[from] toml::ser::Error),
}

impl MidiConfig {
    /// The default path: `$XDG_CONFIG_HOME/imbolc/midi.toml`, else
    /// `$HOME/.config/imbolc/midi.toml`.
    ///
    /// # Errors
    /// [`ConfigError::NoConfigDir`] when neither variable is set.
    pub fn default_path() -> Result<PathBuf, ConfigError> {
        let base = match std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => {
                let home = std::env::var_os("HOME").filter(|v| !v.is_empty()).ok_or(ConfigError::NoConfigDir)?;
                PathBuf::from(home).join(".config")
            }
        };
        Ok(base.join("imbolc").join(CONFIG_FILE))
    }

    /// Reads the config at `path`; a missing file gives the defaults.
    ///
    /// # Errors
    /// [`ConfigError::Io`], [`ConfigError::Parse`] or
    /// [`ConfigError::Invalid`]; nothing is changed.
    pub fn load(path: &Path) -> Result<MidiConfig, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(MidiConfig::default()),
            Err(source) => return Err(ConfigError::Io { path: path.to_owned(), source }),
        };
        let config: MidiConfig =
            toml::from_str(&text).map_err(|source| ConfigError::Parse { path: path.to_owned(), source })?;
        config.check().map_err(|message| ConfigError::Invalid { path: path.to_owned(), message })?;
        Ok(config)
    }

    /// The first value out of range, said with its key.
    fn check(&self) -> Result<(), String> {
        let channel = |c: u8| (1..=16).contains(&c);
        if !channel(self.pad_channel) {
            return Err(format!("pad_channel = {}: a MIDI channel is 1 to 16", self.pad_channel));
        }
        for (n, z) in self.zones.iter().enumerate() {
            let zone = format!("zone {} ({})", n + 1, z.instrument);
            if !channel(z.channel) {
                return Err(format!("{zone}: channel = {}: a MIDI channel is 1 to 16", z.channel));
            }
            if z.low > z.high || z.high > 127 {
                return Err(format!("{zone}: low = {}, high = {}: keys are 0 to 127, low up to high", z.low, z.high));
            }
        }
        Ok(())
    }

    /// Writes the config to `path` (creating its directory), through a
    /// temporary file so a crash leaves the old file or the new one.
    ///
    /// # Errors
    /// [`ConfigError::Io`] when the directory or file cannot be written.
    pub fn save(&self, path: &Path) -> Result<(), ConfigError> {
        let text = toml::to_string_pretty(self)?;
        let io = |source| ConfigError::Io { path: path.to_owned(), source };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let tmp = path.with_extension("toml.tmp");
        std::fs::write(&tmp, text).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("imbolc-midi-config-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn save_then_load_gives_the_same_settings_and_missing_is_default() {
        let dir = temp_dir("roundtrip");
        let path = dir.join("imbolc").join(CONFIG_FILE);
        assert_eq!(MidiConfig::load(&path).unwrap(), MidiConfig::default());
        let config = MidiConfig {
            device: Some("dev:out".into()),
            device_curve: VelocityCurve::Fixed(90),
            follow_clock: true,
            pad_layout: imbolc_types::PadLayout::ApcMini,
            ..MidiConfig::default()
        };
        config.save(&path).unwrap();
        assert_eq!(MidiConfig::load(&path).unwrap(), config);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_pad_layout_is_named_in_kebab_case() {
        let c: MidiConfig = toml::from_str("pad_layout = \"launchpad\"\npad_channel = 2\n").unwrap();
        assert_eq!(c.pad_layout, imbolc_types::PadLayout::Launchpad);
        assert_eq!(c.pad_channel, 2);
        let c: MidiConfig = toml::from_str("pad_layout = \"apc-mini\"\n").unwrap();
        assert_eq!(c.pad_layout, imbolc_types::PadLayout::ApcMini);
    }

    #[test]
    fn a_bad_file_is_a_typed_error() {
        let dir = temp_dir("bad");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(CONFIG_FILE);
        std::fs::write(&path, "curve = 7\n").unwrap();
        assert!(matches!(MidiConfig::load(&path), Err(ConfigError::Parse { .. })));
        for channel in [0, 17] {
            std::fs::write(&path, format!("pad_channel = {channel}\n")).unwrap();
            let said = MidiConfig::load(&path).unwrap_err().to_string();
            assert!(said.contains(&format!("pad_channel = {channel}: a MIDI channel is 1 to 16")), "{said}");
        }
        std::fs::write(&path, "[[zone]]\nchannel = 2\ninstrument = \"bass\"\nlow = 60\nhigh = 40\n").unwrap();
        let said = MidiConfig::load(&path).unwrap_err().to_string();
        assert!(said.contains("zone 1 (bass): low = 60, high = 40"), "{said}");
        std::fs::write(&path, "[[zone]]\nchannel = 0\ninstrument = \"bass\"\n").unwrap();
        let said = MidiConfig::load(&path).unwrap_err().to_string();
        assert!(said.contains("zone 1 (bass): channel = 0"), "{said}");
        std::fs::write(&path, "pad_channel = 16\n").unwrap();
        assert_eq!(MidiConfig::load(&path).unwrap().pad_channel, 16);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
