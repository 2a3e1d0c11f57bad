//! SFZ import: an `.sfz` file and its samples become a sampler instrument.
//!
//! [`parse`] reads the text into regions (with `<global>`, `<master>` and
//! `<group>` defaults applied, `<control>`'s `default_path` and note
//! offsets); [`import`] copies each sample into the store and builds the
//! [`Action::AddSampler`] to dispatch. Supported opcodes: `sample`,
//! `lokey`, `hikey`, `key`, `pitch_keycenter`, `lovel`, `hivel`,
//! `loop_mode`, `loop_start`/`loopstart`, `loop_end`/`loopend`, `offset`,
//! `end`, `tune`, `transpose`, `volume`, `direction`, `ampeg_attack`,
//! `ampeg_decay`, `ampeg_sustain`, `ampeg_release`. Any other opcode is
//! named in [`SfzImport::unsupported`] (the status message), never dropped
//! silently. Keys are numbers (0..=127) or names (`c4` = 60, `f#3`,
//! `eb2`). A region with no sample, a missing or unreadable sample, a
//! value that does not read, or text that is no header or opcode is a
//! [`SfzError`] naming the line: nothing is added.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use imbolc_types::sampler::{GAIN_RANGE, LoopMode, MAX_ZONES, SamplerZone, TUNE_RANGE};
use imbolc_types::{Action, EnvelopeDef};

use crate::store::{ImportError, import_sample};

#[cfg(test)]
mod tests;

/// Largest `.sfz` file read (they are text; a bigger one is not an SFZ).
pub const MAX_SFZ_BYTES: u64 = 4 * 1024 * 1024;

/// Why an SFZ file could not be imported (the project is left as it was).
#[derive(Debug, thiserror::Error)]
pub enum SfzError {
    #[error("cannot read {path}: {source}")]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error("{path} is {size} bytes; an SFZ file is text under {limit} bytes")]
    TooLarge { path: PathBuf, size: u64, limit: u64 },
    #[error("line {line}: cannot read `{text}` (expected <header> or opcode=value)")]
    Syntax { line: usize, text: String },
    #[error("line {line}: {opcode}={value} is not valid ({expected})")]
    BadValue { line: usize, opcode: String, value: String, expected: &'static str },
    #[error("line {line}: a region without sample=")]
    NoSample { line: usize },
    #[error("the file has no <region> with a sample")]
    NoRegions,
    #[error("the file has {0} regions; a sampler holds at most {MAX_ZONES}")]
    TooManyRegions(usize),
    #[error("sample {path} (line {line}): {source}")]
    Sample { line: usize, path: PathBuf, source: ImportError },
    #[error("line {line}: region does not fit its sample ({reason})")]
    BadRegion { line: usize, reason: String },
}

/// One region as read, before its sample is imported.
#[derive(Debug, Clone, PartialEq)]
pub struct SfzRegion {
    /// Line of its `<region>` header.
    pub line: usize,
    /// The sample path, resolved against the file's folder and
    /// `default_path`.
    pub sample: PathBuf,
    pub lo_key: u8,
    pub hi_key: u8,
    pub root: u8,
    pub lo_vel: u8,
    pub hi_vel: u8,
    pub loop_mode: Option<String>,
    pub loop_start: Option<u64>,
    pub loop_end: Option<u64>,
    pub offset: u64,
    pub end: Option<u64>,
    /// Cents (tune plus transpose × 100).
    pub tune: f32,
    /// dB.
    pub volume: f32,
    pub reverse: bool,
    pub ampeg: EnvelopeDef,
}

/// What [`parse`] read.
#[derive(Debug, Clone, PartialEq)]
pub struct SfzFile {
    pub regions: Vec<SfzRegion>,
    /// Opcodes (and headers) read but not supported, sorted.
    pub unsupported: BTreeSet<String>,
}

/// What [`import`] built: the action to dispatch, and what the status
/// line should say besides the zone count.
#[derive(Debug, Clone)]
pub struct SfzImport {
    pub action: Action,
    pub zones: usize,
    pub unsupported: Vec<String>,
}

impl SfzImport {
    /// The status message: zones made and every unsupported opcode.
    pub fn message(&self) -> String {
        let mut m = format!("SFZ: {} zones", self.zones);
        if !self.unsupported.is_empty() {
            m.push_str(&format!("; not supported: {}", self.unsupported.join(", ")));
        }
        m
    }
}

/// The opcode values a region inherits.
#[derive(Debug, Clone, Default)]
struct Scope {
    ops: Vec<(String, String, usize)>,
}

#[derive(Clone, Copy, PartialEq)]
enum Header {
    Control,
    Global,
    Master,
    Group,
    Region,
    Other,
}

/// Parses an SFZ text; sample paths are resolved against `dir`.
///
/// # Errors
/// [`SfzError`] naming the first line that does not read.
pub fn parse(text: &str, dir: &Path) -> Result<SfzFile, SfzError> {
    let text = strip_block_comments(text);
    let mut unsupported = BTreeSet::new();
    let mut default_path = String::new();
    let mut note_offset: i32 = 0;
    let (mut global, mut master, mut group) = (Scope::default(), Scope::default(), Scope::default());
    let mut region: Option<(usize, Scope)> = None;
    let mut regions = Vec::new();
    let mut header = Header::Other;
    let mut finish = |region: &mut Option<(usize, Scope)>,
                      g: &Scope,
                      m: &Scope,
                      gr: &Scope,
                      default_path: &str,
                      note_offset: i32,
                      unsupported: &mut BTreeSet<String>|
     -> Result<(), SfzError> {
        if let Some((line, r)) = region.take() {
            let ops = g.ops.iter().chain(&m.ops).chain(&gr.ops).chain(&r.ops);
            regions.push(build_region(line, ops, dir, default_path, note_offset, unsupported)?);
        }
        Ok(())
    };
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let code = raw.split("//").next().unwrap_or("");
        for token in tokens(code, line)? {
            match token {
                Token::Header(name) => {
                    finish(&mut region, &global, &master, &group, &default_path, note_offset, &mut unsupported)?;
                    header = match name.as_str() {
                        "control" => Header::Control,
                        "global" => {
                            global = Scope::default();
                            Header::Global
                        }
                        "master" => {
                            master = Scope::default();
                            group = Scope::default();
                            Header::Master
                        }
                        "group" => {
                            group = Scope::default();
                            Header::Group
                        }
                        "region" => {
                            region = Some((line, Scope::default()));
                            Header::Region
                        }
                        other => {
                            unsupported.insert(format!("<{other}>"));
                            Header::Other
                        }
                    };
                }
                Token::Opcode(op, value) => match header {
                    Header::Control => match op.as_str() {
                        "default_path" => default_path = value.replace('\\', "/"),
                        "note_offset" => {
                            note_offset = value
                                .parse()
                                .ok()
                                .filter(|v: &i32| v.abs() <= 127)
                                .ok_or_else(|| bad(line, &op, &value, "a whole number of semitones"))?;
                        }
                        _ => {
                            unsupported.insert(op);
                        }
                    },
                    Header::Global => global.ops.push((op, value, line)),
                    Header::Master => master.ops.push((op, value, line)),
                    Header::Group => group.ops.push((op, value, line)),
                    Header::Region => {
                        if let Some((_, r)) = region.as_mut() {
                            r.ops.push((op, value, line));
                        }
                    }
                    Header::Other => {}
                },
            }
        }
    }
    finish(&mut region, &global, &master, &group, &default_path, note_offset, &mut unsupported)?;
    if regions.is_empty() {
        return Err(SfzError::NoRegions);
    }
    if regions.len() > MAX_ZONES {
        return Err(SfzError::TooManyRegions(regions.len()));
    }
    Ok(SfzFile { regions, unsupported })
}

/// Reads `path`, imports every sample into the store and returns the
/// action adding the sampler (named after the file).
///
/// # Errors
/// [`SfzError`]; nothing is added to any project (samples already copied
/// into the cache stay there, unused).
pub fn import(path: &Path) -> Result<SfzImport, SfzError> {
    let unreadable = |source| SfzError::Unreadable { path: path.to_path_buf(), source };
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    if size > MAX_SFZ_BYTES {
        return Err(SfzError::TooLarge { path: path.to_path_buf(), size, limit: MAX_SFZ_BYTES });
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    let text = String::from_utf8_lossy(&bytes);
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let file = parse(&text, dir)?;
    let mut unsupported: Vec<String> = file.unsupported.iter().cloned().collect();
    let mut zones = Vec::with_capacity(file.regions.len());
    let mut imported: Vec<(PathBuf, imbolc_types::SampleRef)> = Vec::new();
    for r in &file.regions {
        let sample = match imported.iter().find(|(p, _)| *p == r.sample) {
            Some((_, s)) => s.clone(),
            None => {
                let s = import_sample(&r.sample).map_err(|source| SfzError::Sample {
                    line: r.line,
                    path: r.sample.clone(),
                    source,
                })?;
                imported.push((r.sample.clone(), s.clone()));
                s
            }
        };
        zones.push(zone_of(r, sample)?);
    }
    let env = file.regions.first().map(|r| r.ampeg);
    if file.regions.iter().any(|r| Some(r.ampeg) != env) {
        unsupported.push("ampeg_* per region (the first region's envelope is used)".into());
    }
    if file.regions.iter().any(|r| r.loop_mode.as_deref() == Some("loop_sustain")) {
        unsupported.push("loop_sustain (loops forward until the release ends)".into());
    }
    let name = path.file_stem().map_or_else(|| "sfz".to_owned(), |s| s.to_string_lossy().into_owned());
    let count = zones.len();
    Ok(SfzImport { action: Action::AddSampler { name, zones, env }, zones: count, unsupported })
}

/// The zone of a region whose sample is `sample`.
fn zone_of(r: &SfzRegion, sample: imbolc_types::SampleRef) -> Result<SamplerZone, SfzError> {
    let frames = sample.frames;
    let bad = |reason: String| SfzError::BadRegion { line: r.line, reason };
    let end = r.end.map_or(frames, |e| (e + 1).min(frames));
    if r.offset >= end {
        return Err(bad(format!("offset {} is past the end {end}", r.offset)));
    }
    let mut z = SamplerZone::new(sample, r.root);
    (z.lo_key, z.hi_key, z.lo_vel, z.hi_vel) = (r.lo_key, r.hi_key, r.lo_vel, r.hi_vel);
    z.start = r.offset;
    z.end = end;
    z.tune = r.tune.clamp(TUNE_RANGE.0, TUNE_RANGE.1);
    z.gain_db = r.volume.clamp(GAIN_RANGE.0, GAIN_RANGE.1);
    z.reverse = r.reverse;
    match r.loop_mode.as_deref() {
        Some("one_shot") => z.one_shot = true,
        Some("loop_continuous" | "loop_sustain") => {
            z.loop_mode = LoopMode::Forward;
            z.loop_start = r.loop_start.unwrap_or(z.start).clamp(z.start, end);
            // SFZ's loop_end is the last frame of the loop.
            z.loop_end = r.loop_end.map_or(end, |e| (e + 1).min(end)).max(z.loop_start);
        }
        _ => {}
    }
    if !z.is_valid() {
        return Err(bad("key, velocity or frame range out of order".into()));
    }
    Ok(z)
}

fn bad(line: usize, opcode: &str, value: &str, expected: &'static str) -> SfzError {
    SfzError::BadValue { line, opcode: opcode.to_owned(), value: value.to_owned(), expected }
}

/// Builds a region from the opcodes in force (global, master, group, then
/// its own: later ones win).
fn build_region<'a>(
    line: usize,
    ops: impl Iterator<Item = &'a (String, String, usize)>,
    dir: &Path,
    default_path: &str,
    note_offset: i32,
    unsupported: &mut BTreeSet<String>,
) -> Result<SfzRegion, SfzError> {
    let mut r = SfzRegion {
        line,
        sample: PathBuf::new(),
        lo_key: 0,
        hi_key: 127,
        root: 60,
        lo_vel: 1,
        hi_vel: 127,
        loop_mode: None,
        loop_start: None,
        loop_end: None,
        offset: 0,
        end: None,
        tune: 0.0,
        volume: 0.0,
        reverse: false,
        ampeg: EnvelopeDef { attack: 0.0, decay: 0.0, sustain: 1.0, release: 0.001 },
    };
    let mut sample = None;
    let (mut tune, mut transpose) = (0.0f32, 0.0f32);
    for (op, v, l) in ops {
        let (l, v) = (*l, v.as_str());
        let key = || parse_key(v, note_offset).ok_or_else(|| bad(l, op, v, "a note 0..=127 or a name like c4"));
        let vel = || v.parse::<u8>().ok().filter(|x| *x <= 127).ok_or_else(|| bad(l, op, v, "0..=127"));
        let frames = || v.parse::<u64>().map_err(|_| bad(l, op, v, "a frame number"));
        let num = |lo: f32, hi: f32, what| {
            v.parse::<f32>().ok().filter(|x| x.is_finite() && (lo..=hi).contains(x)).ok_or_else(|| bad(l, op, v, what))
        };
        match op.as_str() {
            "sample" => sample = Some(v.replace('\\', "/")),
            "lokey" => r.lo_key = key()?,
            "hikey" => r.hi_key = key()?,
            "key" => {
                let k = key()?;
                (r.lo_key, r.hi_key, r.root) = (k, k, k);
            }
            "pitch_keycenter" => r.root = key()?,
            "lovel" => r.lo_vel = vel()?,
            "hivel" => r.hi_vel = vel()?,
            "loop_mode" | "loopmode" => match v {
                "no_loop" | "one_shot" | "loop_continuous" | "loop_sustain" => r.loop_mode = Some(v.to_owned()),
                _ => return Err(bad(l, op, v, "no_loop, one_shot, loop_continuous or loop_sustain")),
            },
            "loop_start" | "loopstart" => r.loop_start = Some(frames()?),
            "loop_end" | "loopend" => r.loop_end = Some(frames()?),
            "offset" => r.offset = frames()?,
            "end" => r.end = Some(frames()?),
            "tune" => tune = num(-1200.0, 1200.0, "cents -1200..=1200")?,
            "transpose" => transpose = num(-127.0, 127.0, "semitones -127..=127")?,
            "volume" => r.volume = num(-144.0, 48.0, "dB -144..=48")?,
            "direction" => match v {
                "forward" => r.reverse = false,
                "reverse" => r.reverse = true,
                _ => return Err(bad(l, op, v, "forward or reverse")),
            },
            "ampeg_attack" => r.ampeg.attack = num(0.0, 60.0, "seconds 0..=60")?,
            "ampeg_decay" => r.ampeg.decay = num(0.0, 60.0, "seconds 0..=60")?,
            "ampeg_sustain" => r.ampeg.sustain = num(0.0, 100.0, "percent 0..=100")? / 100.0,
            "ampeg_release" => r.ampeg.release = num(0.0, 60.0, "seconds 0..=60")?,
            other => {
                unsupported.insert(other.to_owned());
            }
        }
    }
    let Some(sample) = sample.filter(|s| !s.trim().is_empty()) else { return Err(SfzError::NoSample { line }) };
    let rel = format!("{default_path}{sample}");
    r.sample = if Path::new(&rel).is_absolute() { PathBuf::from(rel) } else { dir.join(rel) };
    r.tune = tune + transpose * 100.0;
    Ok(r)
}

/// A key as a number or a note name (`c4` = 60, `c#4`, `db4`, `c-1` = 0),
/// plus `offset` semitones, within 0..=127.
pub fn parse_key(v: &str, offset: i32) -> Option<u8> {
    let n: i32 = match v.parse::<i32>() {
        Ok(n) => n,
        Err(_) => {
            let lower = v.to_ascii_lowercase();
            let mut chars = lower.chars();
            let base = match chars.next()? {
                'c' => 0,
                'd' => 2,
                'e' => 4,
                'f' => 5,
                'g' => 7,
                'a' => 9,
                'b' => 11,
                _ => return None,
            };
            let rest = chars.as_str();
            let (acc, octave) = match rest.strip_prefix('#') {
                Some(o) => (1, o),
                None => match rest.strip_prefix('b').filter(|o| !o.is_empty()) {
                    Some(o) => (-1, o),
                    None => (0, rest),
                },
            };
            let octave: i32 = octave.parse().ok()?;
            (octave + 1) * 12 + base + acc
        }
    };
    u8::try_from(n.checked_add(offset)?).ok().filter(|k| *k <= 127)
}

enum Token {
    Header(String),
    Opcode(String, String),
}

/// The headers and opcodes of one line (comments removed). `sample=`'s
/// value runs up to the next opcode or header (file names may hold
/// spaces); every other value ends at white space.
fn tokens(code: &str, line: usize) -> Result<Vec<Token>, SfzError> {
    let mut out = Vec::new();
    let mut rest = code.trim_start();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('<') {
            let close = after.find('>').ok_or_else(|| SfzError::Syntax { line, text: rest.to_owned() })?;
            let name = &after[..close];
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err(SfzError::Syntax { line, text: format!("<{name}>") });
            }
            out.push(Token::Header(name.to_owned()));
            rest = after[close + 1..].trim_start();
            continue;
        }
        let eq = rest.find('=').ok_or_else(|| SfzError::Syntax { line, text: rest.to_owned() })?;
        let name = &rest[..eq];
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            let text = rest.split_whitespace().next().unwrap_or(rest).to_owned();
            return Err(SfzError::Syntax { line, text });
        }
        let after = &rest[eq + 1..];
        let end = if name == "sample" { sample_end(after) } else { after.find(char::is_whitespace) };
        let end = end.unwrap_or(after.len());
        let value = after[..end].trim();
        if value.is_empty() {
            return Err(SfzError::Syntax { line, text: format!("{name}=") });
        }
        out.push(Token::Opcode(name.to_owned(), value.to_owned()));
        rest = after[end..].trim_start();
    }
    Ok(out)
}

/// Where a `sample=` value ends: before white space followed by `name=` or
/// `<`.
fn sample_end(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            let next = s[i..].trim_start();
            let is_op = next.starts_with('<')
                || next
                    .find('=')
                    .is_some_and(|e| e > 0 && next[..e].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
            if is_op {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

/// Removes `/* ... */` comments (an unclosed one runs to the end).
fn strip_block_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        match rest[start..].find("*/") {
            Some(end) => {
                // Keep line numbers: the comment's newlines stay.
                out.extend(rest[start..start + end].chars().filter(|c| *c == '\n'));
                rest = &rest[start + end + 2..];
            }
            None => {
                out.extend(rest[start..].chars().filter(|c| *c == '\n'));
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}
