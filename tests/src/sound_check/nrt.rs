//! Rendering a score with `scsynth -N` (no JACK, no real time) and reading
//! the samples back: the one way the sound check hears anything.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

use rosc::{OscBundle, OscMessage, OscPacket, OscTime, OscType};

/// Sample rate of every sound-check render.
pub const SAMPLE_RATE: u32 = 48_000;

/// A timed list of OSC messages for `scsynth -N`.
#[derive(Debug, Clone, Default)]
pub struct Score {
    bundles: Vec<(f64, Vec<OscMessage>)>,
    end: f64,
}

/// An OSC message; shorthand for score building.
pub fn msg(addr: &str, args: Vec<OscType>) -> OscMessage {
    OscMessage { addr: addr.to_owned(), args }
}

/// `/s_new def id addAction target name value ...`.
pub fn synth_new(def: &str, id: i32, action: i32, target: i32, controls: &[(&str, f32)]) -> OscMessage {
    let mut args = vec![OscType::String(def.to_owned()), OscType::Int(id), OscType::Int(action), OscType::Int(target)];
    for (name, value) in controls {
        args.push(OscType::String((*name).to_owned()));
        args.push(OscType::Float(*value));
    }
    msg("/s_new", args)
}

/// `/n_set id name value ...`.
pub fn node_set(id: i32, controls: &[(&str, f32)]) -> OscMessage {
    let mut args = vec![OscType::Int(id)];
    for (name, value) in controls {
        args.push(OscType::String((*name).to_owned()));
        args.push(OscType::Float(*value));
    }
    msg("/n_set", args)
}

impl Score {
    /// A score that loads `defs` (SynthDef2 bytes) and creates group 1 at 0.
    pub fn with_defs<'a>(defs: impl IntoIterator<Item = &'a [u8]>) -> Score {
        let mut setup: Vec<OscMessage> =
            defs.into_iter().map(|d| msg("/d_recv", vec![OscType::Blob(d.to_vec())])).collect();
        setup.push(msg("/g_new", vec![OscType::Int(1), OscType::Int(0), OscType::Int(0)]));
        Score { bundles: vec![(0.0, setup)], end: 0.0 }
    }

    /// Adds `messages` at `time` seconds.
    pub fn at(&mut self, time: f64, messages: Vec<OscMessage>) -> &mut Score {
        self.end = self.end.max(time);
        self.bundles.push((time, messages));
        self
    }

    /// Makes the render last at least until `time` seconds.
    pub fn until(&mut self, time: f64) -> &mut Score {
        self.end = self.end.max(time);
        self
    }

    /// The render's length in seconds.
    pub fn length(&self) -> f64 {
        self.end
    }

    /// The score file's bytes: length-prefixed bundles sorted by time, and
    /// an empty bundle at the end (scsynth stops at the last bundle).
    pub fn encode(&self) -> Vec<u8> {
        let mut bundles = self.bundles.clone();
        bundles.sort_by(|a, b| a.0.total_cmp(&b.0));
        bundles.push((self.end, vec![msg("/c_set", vec![OscType::Int(0), OscType::Float(0.0)])]));
        let mut out = Vec::new();
        for (time, messages) in bundles {
            let packet = OscPacket::Bundle(OscBundle {
                timetag: osc_time(time),
                content: messages.into_iter().map(OscPacket::Message).collect(),
            });
            let bytes = rosc::encoder::encode(&packet).unwrap_or_default();
            out.extend_from_slice(&u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_be_bytes());
            out.extend_from_slice(&bytes);
        }
        out
    }
}

fn osc_time(seconds: f64) -> OscTime {
    let whole = seconds.floor();
    OscTime { seconds: whole as u32, fractional: ((seconds - whole) * 4_294_967_296.0) as u32 }
}

/// The samples of a render, one `Vec` per output channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub channels: Vec<Vec<f32>>,
    /// CPU seconds scsynth used (user + system), from the shell's `times`.
    pub cpu_secs: f64,
}

impl Rendered {
    /// The sample index of `seconds`.
    pub fn index(seconds: f64) -> usize {
        (seconds * f64::from(SAMPLE_RATE)).round().max(0.0) as usize
    }
}

/// Renders `score` to `channels` float channels.
///
/// # Errors
/// A message with scsynth's output when it is missing or fails.
pub fn render(score: &Score, channels: usize) -> Result<Rendered, String> {
    static RUN: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "imbolc-sound-check-{}-{}",
        std::process::id(),
        RUN.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("temp dir: {e}"))?;
    let result = render_in(&dir, score, channels);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn render_in(dir: &Path, score: &Score, channels: usize) -> Result<Rendered, String> {
    let score_path = dir.join("score.osc");
    let wav: PathBuf = dir.join("out.wav");
    std::fs::write(&score_path, score.encode()).map_err(|e| format!("writing the score: {e}"))?;
    // `times` reports the CPU time of the shell's finished children, so the
    // figure is scsynth's own work whatever else loads the machine.
    let script = format!(
        "scsynth -V -1 -D 0 -o {channels} -i 0 -m 65536 -N '{}' _ '{}' {SAMPLE_RATE} WAV float && times",
        score_path.display(),
        wav.display()
    );
    let out = Command::new("sh").arg("-c").arg(&script).output().map_err(|e| format!("running sh: {e}"))?;
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        if log.contains("not found") && log.contains("scsynth") {
            return Err("scsynth is missing: install supercollider-server (make test does)".to_owned());
        }
        return Err(format!("scsynth -N failed ({}): {log}", out.status));
    }
    let cpu_secs = log.lines().last().map_or(0.0, parse_times_line);
    let mut reader = hound::WavReader::open(&wav).map_err(|e| format!("reading the render: {e}"))?;
    let mut data = vec![Vec::new(); channels];
    for (i, s) in reader.samples::<f32>().enumerate() {
        data[i % channels].push(s.map_err(|e| format!("reading the render: {e}"))?);
    }
    Ok(Rendered { channels: data, cpu_secs })
}

/// Parses the children line of `times` ("0m1.234s 0m0.056s") to seconds.
fn parse_times_line(line: &str) -> f64 {
    line.split_whitespace()
        .map(|t| {
            let t = t.trim_end_matches('s');
            let (m, s) = t.split_once('m').unwrap_or(("0", t));
            m.parse::<f64>().unwrap_or(0.0) * 60.0 + s.parse::<f64>().unwrap_or(0.0)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_lines_parse_to_seconds() {
        assert!((parse_times_line("0m1.250000s 0m0.050000s") - 1.3).abs() < 1e-9);
        assert!((parse_times_line("1m0.5s 0m0s") - 60.5).abs() < 1e-9);
    }
}
