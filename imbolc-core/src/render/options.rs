//! [`RenderOptions`]: what a render writes, and parsing of the option
//! strings the command line and the render dialog share.

use std::path::PathBuf;
use std::str::FromStr;

use imbolc_types::Tick;

use super::error::RenderError;

/// Which part of the song is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RenderRange {
    /// From the start to the end of the last placement.
    #[default]
    Whole,
    /// Bars `first..=last`, counted from 1 (at the song's time signature).
    Bars { first: u32, last: u32 },
    /// Song ticks `start..end`: the loop region the TUI plays (a project
    /// file holds none, so the command line offers bars instead).
    Ticks { start: Tick, end: Tick },
}

/// Sample format of the written files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SampleFormat {
    /// 16-bit integer, TPDF dithered.
    Int16,
    /// 24-bit integer, TPDF dithered.
    #[default]
    Int24,
    /// 32-bit float, written as is.
    Float32,
}

impl SampleFormat {
    /// Bytes of one sample in a written file.
    pub fn bytes_per_sample(self) -> u64 {
        match self {
            SampleFormat::Int16 => 2,
            SampleFormat::Int24 => 3,
            SampleFormat::Float32 => 4,
        }
    }
}

/// The kind of file a render writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FileFormat {
    /// WAV at [`RenderOptions::format`].
    #[default]
    Wav,
    /// FLAC, lossless, 16 or 24 bits ([`RenderOptions::format`]): the same
    /// samples as the WAV of the same options.
    Flac,
    /// Ogg Vorbis at [`RenderOptions::ogg_quality`].
    Ogg,
    /// MP3, constant bitrate [`RenderOptions::mp3_bitrate`] or variable at
    /// [`RenderOptions::mp3_vbr`]; up to 48 kHz.
    Mp3,
}

impl FileFormat {
    pub const ALL: [FileFormat; 4] = [FileFormat::Wav, FileFormat::Flac, FileFormat::Ogg, FileFormat::Mp3];

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Wav => "wav",
            FileFormat::Flac => "flac",
            FileFormat::Ogg => "ogg",
            FileFormat::Mp3 => "mp3",
        }
    }

    /// The name people know it by.
    pub fn label(self) -> &'static str {
        match self {
            FileFormat::Wav => "WAV",
            FileFormat::Flac => "FLAC",
            FileFormat::Ogg => "Ogg Vorbis",
            FileFormat::Mp3 => "MP3",
        }
    }

    /// True when the file holds integer samples of [`RenderOptions::format`]
    /// (dithered), false for the lossy formats (encoded from floats).
    pub fn is_pcm(self) -> bool {
        matches!(self, FileFormat::Wav | FileFormat::Flac)
    }
}

/// Ogg Vorbis quality levels (the `oggenc -q` scale): 0 (about 64 kbit/s)
/// to 10 (about 500 kbit/s).
pub const OGG_QUALITIES: std::ops::RangeInclusive<u8> = 0..=10;
/// Default Ogg Vorbis quality (about 192 kbit/s for stereo).
pub const DEFAULT_OGG_QUALITY: u8 = 6;
/// MP3 bitrates offered, kbit/s (constant bitrate).
pub const MP3_BITRATES: [u16; 6] = [96, 128, 160, 192, 256, 320];
/// Default MP3 bitrate, kbit/s.
pub const DEFAULT_MP3_BITRATE: u16 = 320;

/// How long the render runs past the end of the range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tail {
    /// A fixed number of seconds.
    Secs(f64),
    /// The tail the project declares (its longest voice release plus the
    /// catalog tails of the effects along each path: see
    /// [`super::declared_tail_secs`]), at most `cap` seconds.
    Auto { cap: f64 },
}

impl Default for Tail {
    fn default() -> Self {
        Tail::Secs(2.0)
    }
}

/// Level below which a tail counts as silent.
pub const SILENCE_DBFS: f64 = -90.0;
/// Longest automatic tail, in seconds.
pub const AUTO_TAIL_CAP: f64 = 30.0;

/// Loudness normalisation.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Normalize {
    #[default]
    Off,
    /// Sample peak to this many dBFS (e.g. −1).
    Peak(f64),
    /// Integrated loudness (EBU R128) to this many LUFS (e.g. −14).
    Lufs(f64),
}

/// Everything a render needs besides the project.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderOptions {
    /// Folder the files go to (created if missing).
    pub out_dir: PathBuf,
    /// One file per instrument besides the master.
    pub stems: bool,
    /// One file per aux bus too (with `stems`).
    pub bus_stems: bool,
    /// Stems before level, pan and mute instead of after.
    pub pre_fader: bool,
    /// Instrument stems include what their sends feed through the buses
    /// (one extra render per instrument); otherwise stems are dry and the
    /// buses have their own stems.
    pub include_sends: bool,
    pub range: RenderRange,
    /// 44100, 48000 or 96000.
    pub rate: u32,
    /// WAV, FLAC, Ogg Vorbis or MP3.
    pub file_format: FileFormat,
    /// Sample format of WAV and FLAC files (FLAC: 16 or 24 bits).
    pub format: SampleFormat,
    /// Ogg Vorbis quality, 0..=10 ([`OGG_QUALITIES`]).
    pub ogg_quality: u8,
    /// MP3 bitrate in kbit/s, one of [`MP3_BITRATES`].
    pub mp3_bitrate: u16,
    /// MP3 variable bitrate instead: LAME's `-V` quality, 0 (best, about
    /// 245 kbit/s) to 9 (about 65 kbit/s).
    pub mp3_vbr: Option<u8>,
    pub tail: Tail,
    pub normalize: Normalize,
    /// One gain for all files (taken so the master, or the loudest file for
    /// peaks, reaches the target), so stems still sum to the master.
    pub joint: bool,
    /// File name pattern: `{project}`, `{stem}`, `{index}` (0 = master).
    pub pattern: String,
    /// Replace existing files.
    pub force: bool,
    /// The scsynth program (found on `PATH` unless a path is given).
    pub scsynth: PathBuf,
    /// Longest render allowed, tail included, in seconds: a longer one is
    /// refused before anything is written (a wrong tempo or a stray
    /// placement can make a song weeks long).
    pub max_length: f64,
}

/// Default [`RenderOptions::max_length`]: four hours.
pub const DEFAULT_MAX_LENGTH: f64 = 4.0 * 3600.0;

/// `90s`, `12 min`, `4 h 0 min`, `52 days 3 h`: a length as a person reads it.
pub fn duration_text(secs: f64) -> String {
    if !secs.is_finite() {
        return "forever".into();
    }
    let s = secs.max(0.0).round() as u64;
    let (d, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{sec} s"),
        (0, 0, _) => format!("{m} min {sec} s"),
        (0, _, 0) => format!("{h} h"),
        (0, _, _) => format!("{h} h {m} min"),
        _ => format!("{d} days {h} h"),
    }
}

/// `1.5 GB`, `12 MB`: a size as a person reads it (decimal units).
pub fn bytes_text(bytes: u64) -> String {
    let b = bytes as f64;
    match bytes {
        0..1_000_000 => format!("{} kB", bytes.div_ceil(1000)),
        1_000_000..1_000_000_000 => format!("{:.0} MB", b / 1e6),
        _ => format!("{:.1} GB", b / 1e9),
    }
}

/// A render length limit: `4h`, `90m`, `3600s` or plain seconds.
///
/// # Errors
/// [`RenderError::BadOption`] for anything else, or a length of zero.
pub fn parse_max_length(s: &str) -> Result<f64, RenderError> {
    let t = s.trim().to_ascii_lowercase();
    let (number, unit) = match t.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => t.split_at(i),
        None => (t.as_str(), "s"),
    };
    let scale = match unit.trim() {
        "s" | "sec" => 1.0,
        "m" | "min" => 60.0,
        "h" | "hour" | "hours" => 3600.0,
        _ => 0.0,
    };
    match number.trim().parse::<f64>() {
        Ok(x) if scale > 0.0 && x.is_finite() && x > 0.0 => Ok(x * scale),
        _ => Err(bad("max-length", s, "use a length like 4h, 90m or 600s")),
    }
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            out_dir: PathBuf::from("."),
            stems: false,
            bus_stems: false,
            pre_fader: false,
            include_sends: false,
            range: RenderRange::Whole,
            rate: 48_000,
            file_format: FileFormat::Wav,
            format: SampleFormat::Int24,
            ogg_quality: DEFAULT_OGG_QUALITY,
            mp3_bitrate: DEFAULT_MP3_BITRATE,
            mp3_vbr: None,
            tail: Tail::default(),
            normalize: Normalize::Off,
            joint: false,
            pattern: "{stem}".into(),
            force: false,
            scsynth: PathBuf::from("scsynth"),
            max_length: DEFAULT_MAX_LENGTH,
        }
    }
}

/// Sample rates a render may use.
pub const RATES: [u32; 3] = [44_100, 48_000, 96_000];

impl RenderOptions {
    /// Checks the values that parsing cannot (rate, tail).
    ///
    /// # Errors
    /// [`RenderError::BadOption`] naming the option.
    pub fn validate(&self) -> Result<(), RenderError> {
        if !RATES.contains(&self.rate) {
            return Err(bad("rate", &self.rate.to_string(), "use 44100, 48000 or 96000"));
        }
        match self.file_format {
            FileFormat::Flac if self.format == SampleFormat::Float32 => {
                return Err(bad("bits", "32f", "FLAC holds 16 or 24 bits"));
            }
            FileFormat::Ogg if !OGG_QUALITIES.contains(&self.ogg_quality) => {
                return Err(bad("quality", &self.ogg_quality.to_string(), "Ogg Vorbis quality is 0 to 10"));
            }
            FileFormat::Mp3 if self.mp3_vbr.is_some_and(|v| v > 9) => {
                return Err(bad("quality", &format!("{:?}", self.mp3_vbr), "MP3 quality (LAME -V) is 0 to 9"));
            }
            FileFormat::Mp3 if !MP3_BITRATES.contains(&self.mp3_bitrate) => {
                return Err(bad("bitrate", &self.mp3_bitrate.to_string(), &mp3_bitrate_hint()));
            }
            FileFormat::Mp3 if self.rate > 48_000 => {
                return Err(bad("rate", &self.rate.to_string(), "MP3 goes up to 48000 Hz"));
            }
            _ => {}
        }
        match self.tail {
            Tail::Secs(s) if !(0.0..=600.0).contains(&s) => {
                return Err(bad("tail", &s.to_string(), "0 to 600 seconds"));
            }
            Tail::Auto { cap } if !(0.0..=600.0).contains(&cap) => {
                return Err(bad("tail", &cap.to_string(), "cap of 0 to 600 seconds"));
            }
            _ => {}
        }
        if !(self.max_length.is_finite() && self.max_length > 0.0) {
            return Err(bad("max-length", &self.max_length.to_string(), "a length above zero"));
        }
        if let RenderRange::Bars { first, last } = self.range
            && (first == 0 || last < first)
        {
            return Err(bad("range", &format!("{first}-{last}"), "bars count from 1, first to last"));
        }
        if let RenderRange::Ticks { start, end } = self.range
            && end <= start
        {
            return Err(bad("range", &format!("ticks {start}-{end}"), "a loop region ends after it starts"));
        }
        Ok(())
    }
}

fn bad(option: &'static str, value: &str, hint: &str) -> RenderError {
    RenderError::BadOption { option, value: value.to_owned(), hint: hint.to_owned() }
}

impl FromStr for RenderRange {
    type Err = RenderError;

    /// `whole`, or bars `A-B` (`5-8`), or one bar `A`.
    fn from_str(s: &str) -> Result<Self, RenderError> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("whole") || s.eq_ignore_ascii_case("song") {
            return Ok(RenderRange::Whole);
        }
        if s.eq_ignore_ascii_case("loop") {
            let hint = "a project file holds no loop region: give bars like 1-8, or render the loop from the TUI (C-e)";
            return Err(bad("range", s, hint));
        }
        let err = || bad("range", s, "use whole, or bars like 1-8");
        let (a, b) = s.split_once('-').unwrap_or((s, s));
        let first: u32 = a.trim().parse().map_err(|_| err())?;
        let last: u32 = b.trim().parse().map_err(|_| err())?;
        if first == 0 || last < first {
            return Err(err());
        }
        Ok(RenderRange::Bars { first, last })
    }
}

impl FromStr for SampleFormat {
    type Err = RenderError;

    /// `16`, `24`, `32f` (also `32`, `float`).
    fn from_str(s: &str) -> Result<Self, RenderError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "16" | "int16" => Ok(SampleFormat::Int16),
            "24" | "int24" => Ok(SampleFormat::Int24),
            "32" | "32f" | "float" | "f32" => Ok(SampleFormat::Float32),
            _ => Err(bad("bits", s, "use 16, 24 or 32f")),
        }
    }
}

fn mp3_bitrate_hint() -> String {
    let list: Vec<String> = MP3_BITRATES.iter().map(u16::to_string).collect();
    format!("use one of {} (kbit/s)", list.join(", "))
}

impl FromStr for FileFormat {
    type Err = RenderError;

    /// `wav`, `flac`, `ogg` (also `vorbis`), `mp3`.
    fn from_str(s: &str) -> Result<Self, RenderError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wav" | "wave" => Ok(FileFormat::Wav),
            "flac" => Ok(FileFormat::Flac),
            "ogg" | "vorbis" => Ok(FileFormat::Ogg),
            "mp3" => Ok(FileFormat::Mp3),
            _ => Err(bad("format", s, "use wav, flac, ogg or mp3")),
        }
    }
}

/// An Ogg Vorbis quality: `0` to `10`.
///
/// # Errors
/// [`RenderError::BadOption`] for anything else.
pub fn parse_ogg_quality(s: &str) -> Result<u8, RenderError> {
    match s.trim().parse::<u8>() {
        Ok(q) if OGG_QUALITIES.contains(&q) => Ok(q),
        _ => Err(bad("quality", s, "Ogg Vorbis quality is 0 to 10")),
    }
}

/// An MP3 variable-bitrate quality, LAME's `-V` scale: `0` (best) to `9`,
/// also written `V2`.
///
/// # Errors
/// [`RenderError::BadOption`] for anything else.
pub fn parse_mp3_vbr(s: &str) -> Result<u8, RenderError> {
    let t = s.trim();
    let t = t.strip_prefix(['V', 'v']).unwrap_or(t);
    match t.parse::<u8>() {
        Ok(q) if q <= 9 => Ok(q),
        _ => Err(bad("quality", s, "MP3 quality (LAME -V) is 0 (best) to 9")),
    }
}

/// An MP3 bitrate in kbit/s: `320` or `320k`, one of [`MP3_BITRATES`].
///
/// # Errors
/// [`RenderError::BadOption`] for anything else.
pub fn parse_mp3_bitrate(s: &str) -> Result<u16, RenderError> {
    let t = s.trim().to_ascii_lowercase();
    let t = t.trim_end_matches("kbps").trim_end_matches("kbit/s").trim_end_matches('k');
    match t.trim().parse::<u16>() {
        Ok(b) if MP3_BITRATES.contains(&b) => Ok(b),
        _ => Err(bad("bitrate", s, &mp3_bitrate_hint())),
    }
}

impl FromStr for Tail {
    type Err = RenderError;

    /// `2s`, `2.5`, `auto` (cap [`AUTO_TAIL_CAP`]) or `auto:10s`.
    fn from_str(s: &str) -> Result<Self, RenderError> {
        let t = s.trim().to_ascii_lowercase();
        let secs = |v: &str| -> Result<f64, RenderError> {
            let v = v.strip_suffix('s').unwrap_or(v);
            match v.parse::<f64>() {
                Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
                _ => Err(bad("tail", s, "use seconds like 2s, or auto")),
            }
        };
        if t == "auto" {
            return Ok(Tail::Auto { cap: AUTO_TAIL_CAP });
        }
        if let Some(cap) = t.strip_prefix("auto:") {
            return Ok(Tail::Auto { cap: secs(cap)? });
        }
        Ok(Tail::Secs(secs(&t)?))
    }
}

impl FromStr for Normalize {
    type Err = RenderError;

    /// `off`, `peak` (−1 dBFS), `peak:-3`, `lufs` (−14), `lufs:-23`.
    fn from_str(s: &str) -> Result<Self, RenderError> {
        let t = s.trim().to_ascii_lowercase();
        let err = || bad("normalize", s, "use off, peak, peak:-1, lufs or lufs:-14");
        let value = |v: &str| -> Result<f64, RenderError> {
            let v = v.trim_end_matches("dbfs").trim_end_matches("db").trim_end_matches("lufs");
            match v.parse::<f64>() {
                Ok(x) if (-70.0..=0.0).contains(&x) => Ok(x),
                _ => Err(err()),
            }
        };
        match t.split_once(':') {
            None if t == "off" || t == "none" => Ok(Normalize::Off),
            None if t == "peak" => Ok(Normalize::Peak(-1.0)),
            None if t == "lufs" => Ok(Normalize::Lufs(-14.0)),
            Some(("peak", v)) => Ok(Normalize::Peak(value(v)?)),
            Some(("lufs", v)) => Ok(Normalize::Lufs(value(v)?)),
            _ => Err(err()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_strings_parse() {
        assert_eq!("whole".parse::<RenderRange>().unwrap(), RenderRange::Whole);
        assert_eq!("3-4".parse::<RenderRange>().unwrap(), RenderRange::Bars { first: 3, last: 4 });
        assert_eq!("2".parse::<RenderRange>().unwrap(), RenderRange::Bars { first: 2, last: 2 });
        let loop_refused = "loop".parse::<RenderRange>().unwrap_err().to_string();
        assert!(loop_refused.contains("no loop region"), "{loop_refused}");
        assert!("4-3".parse::<RenderRange>().is_err());
        assert!("0-3".parse::<RenderRange>().is_err());
        assert_eq!("32f".parse::<SampleFormat>().unwrap(), SampleFormat::Float32);
        assert_eq!("16".parse::<SampleFormat>().unwrap(), SampleFormat::Int16);
        assert!("8".parse::<SampleFormat>().is_err());
        assert_eq!("2s".parse::<Tail>().unwrap(), Tail::Secs(2.0));
        assert_eq!("0.5".parse::<Tail>().unwrap(), Tail::Secs(0.5));
        assert_eq!("auto".parse::<Tail>().unwrap(), Tail::Auto { cap: AUTO_TAIL_CAP });
        assert_eq!("auto:5s".parse::<Tail>().unwrap(), Tail::Auto { cap: 5.0 });
        assert!("-1s".parse::<Tail>().is_err());
        assert_eq!("peak".parse::<Normalize>().unwrap(), Normalize::Peak(-1.0));
        assert_eq!("lufs:-23".parse::<Normalize>().unwrap(), Normalize::Lufs(-23.0));
        assert_eq!("off".parse::<Normalize>().unwrap(), Normalize::Off);
        assert!("loud".parse::<Normalize>().is_err());
    }

    #[test]
    fn lengths_and_sizes_read_and_parse() {
        assert_eq!(parse_max_length("4h").unwrap(), 14_400.0);
        assert_eq!(parse_max_length("90m").unwrap(), 5_400.0);
        assert_eq!(parse_max_length("600").unwrap(), 600.0);
        assert_eq!(parse_max_length("2.5 h").unwrap(), 9_000.0);
        assert!(parse_max_length("0h").is_err());
        assert!(parse_max_length("4 weeks").is_err());
        assert_eq!(duration_text(14_400.0), "4 h");
        assert_eq!(duration_text(5_400.0), "1 h 30 min");
        assert_eq!(duration_text(4_500_000.0), "52 days 2 h");
        assert_eq!(duration_text(75.0), "1 min 15 s");
        assert_eq!(bytes_text(3_400_000_000), "3.4 GB");
        assert_eq!(bytes_text(12_000_000), "12 MB");
    }

    #[test]
    fn validation_names_the_option() {
        let o = RenderOptions { rate: 22_050, ..RenderOptions::default() };
        assert!(matches!(o.validate(), Err(RenderError::BadOption { option: "rate", .. })));
        assert!(RenderOptions::default().validate().is_ok());
        let flac32 =
            RenderOptions { file_format: FileFormat::Flac, format: SampleFormat::Float32, ..RenderOptions::default() };
        assert!(matches!(flac32.validate(), Err(RenderError::BadOption { option: "bits", .. })));
        let mp3_96k = RenderOptions { file_format: FileFormat::Mp3, rate: 96_000, ..RenderOptions::default() };
        assert!(matches!(mp3_96k.validate(), Err(RenderError::BadOption { option: "rate", .. })));
        let mp3_odd = RenderOptions { file_format: FileFormat::Mp3, mp3_bitrate: 100, ..RenderOptions::default() };
        assert!(matches!(mp3_odd.validate(), Err(RenderError::BadOption { option: "bitrate", .. })));
    }

    #[test]
    fn file_formats_and_their_options_parse() {
        assert_eq!("FLAC".parse::<FileFormat>().unwrap(), FileFormat::Flac);
        assert_eq!("ogg".parse::<FileFormat>().unwrap(), FileFormat::Ogg);
        assert_eq!("mp3".parse::<FileFormat>().unwrap(), FileFormat::Mp3);
        assert_eq!("wav".parse::<FileFormat>().unwrap(), FileFormat::Wav);
        let e = "aiff".parse::<FileFormat>().unwrap_err().to_string();
        assert!(e.contains("--format") && e.contains("wav, flac, ogg or mp3"), "{e}");
        assert_eq!(parse_ogg_quality("7").unwrap(), 7);
        assert!(parse_ogg_quality("11").is_err());
        assert!(parse_ogg_quality("-1").is_err());
        assert_eq!(parse_mp3_vbr("V2").unwrap(), 2);
        assert_eq!(parse_mp3_vbr("0").unwrap(), 0);
        assert!(parse_mp3_vbr("10").is_err());
        assert_eq!(parse_mp3_bitrate("192k").unwrap(), 192);
        assert_eq!(parse_mp3_bitrate("320").unwrap(), 320);
        let e = parse_mp3_bitrate("100").unwrap_err().to_string();
        assert!(e.contains("--bitrate") && e.contains("320"), "{e}");
    }
}
