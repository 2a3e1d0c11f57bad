//! Drum kits and drum patterns.
//!
//! A **drum kit** is an instrument whose [`crate::InstrumentDef::drums`] is
//! set: its [`PAD_COUNT`] pads replace the source (each pad is a built-in
//! drum voice or a sample file), while the filter, effects and strip of the
//! instrument work as for any other instrument.
//!
//! A **drum pattern** is a clip whose [`crate::Clip::drums`] is set: a grid
//! of steps × pads, played through the arrangement like any clip (pattern
//! mode loops it, song mode plays its placements). Dispatch keeps the clip's
//! `length` equal to [`DrumPattern::length_ticks`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::notes::{TICKS_PER_QUARTER, Tick};
use crate::sample::SampleRef;

/// Pads in a kit.
pub const PAD_COUNT: usize = 16;
/// Most steps in a pattern.
pub const MAX_STEPS: u8 = 64;
/// Highest swing, as a fraction of a step.
pub const MAX_SWING: f32 = 0.75;
/// Range of a pad's tune and of a step's pitch offset, in semitones.
pub const PITCH_RANGE: (f32, f32) = (-24.0, 24.0);
/// Range of a pad's level (linear gain).
pub const LEVEL_RANGE: (f32, f32) = (0.0, 2.0);
/// Range of a loop pad's length in beats.
pub const LOOP_BEATS_RANGE: (f32, f32) = (0.25, 256.0);

/// A tempo in a file name: digits (maybe with a decimal point) followed by
/// `bpm`, any case, maybe after a space, `_` or `-` (`loop_100bpm.wav`,
/// `Break 92.5 BPM.wav`); within 20–400 bpm.
pub fn bpm_in_name(name: &str) -> Option<f64> {
    let lower = name.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut from = 0;
    while let Some(found) = lower[from..].find("bpm") {
        let at = from + found;
        from = at + 3;
        let mut end = at;
        while end > 0 && matches!(bytes[end - 1], b' ' | b'_' | b'-') {
            end -= 1;
        }
        let mut begin = end;
        while begin > 0 && (bytes[begin - 1].is_ascii_digit() || bytes[begin - 1] == b'.') {
            begin -= 1;
        }
        let bpm = lower[begin..end].trim_start_matches('.').parse::<f64>().ok();
        if let Some(bpm) = bpm.filter(|b| (20.0..=400.0).contains(b)) {
            return Some(bpm);
        }
    }
    None
}

/// The length in beats of a loop of `seconds`: from a tempo in its file
/// `name` ([`bpm_in_name`]) the nearest whole number of beats at that tempo;
/// otherwise the nearest power of two of beats at the project's `bpm`
/// (nearest on a log scale, so 5.9 beats is 4 or 8 by ratio, not by
/// difference). Always within [`LOOP_BEATS_RANGE`].
pub fn estimate_loop_beats(seconds: f64, bpm: f32, name: &str) -> f32 {
    let (lo, hi) = (f64::from(LOOP_BEATS_RANGE.0), f64::from(LOOP_BEATS_RANGE.1));
    let beats = match bpm_in_name(name) {
        Some(file_bpm) => {
            let b = seconds * file_bpm / 60.0;
            if b >= 1.0 { b.round() } else { 2f64.powf(b.max(lo).log2().round()) }
        }
        None => {
            let b = seconds * f64::from(bpm) / 60.0;
            if b.is_finite() && b > 0.0 { 2f64.powf(b.log2().round()) } else { 4.0 }
        }
    };
    beats.clamp(lo, hi) as f32
}

/// A built-in drum voice: a SynthDef, so a kit sounds with no sample files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DrumVoice {
    Kick,
    Snare,
    Clap,
    HatClosed,
    HatOpen,
    Tom,
    Rim,
    Cowbell,
    Clave,
    Conga,
    Shaker,
    Crash,
    Ride,
}

impl DrumVoice {
    /// Every voice, in picker order.
    pub const ALL: [DrumVoice; 13] = [
        DrumVoice::Kick,
        DrumVoice::Snare,
        DrumVoice::Clap,
        DrumVoice::HatClosed,
        DrumVoice::HatOpen,
        DrumVoice::Tom,
        DrumVoice::Rim,
        DrumVoice::Cowbell,
        DrumVoice::Clave,
        DrumVoice::Conga,
        DrumVoice::Shaker,
        DrumVoice::Crash,
        DrumVoice::Ride,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DrumVoice::Kick => "kick",
            DrumVoice::Snare => "snare",
            DrumVoice::Clap => "clap",
            DrumVoice::HatClosed => "closed hat",
            DrumVoice::HatOpen => "open hat",
            DrumVoice::Tom => "tom",
            DrumVoice::Rim => "rim",
            DrumVoice::Cowbell => "cowbell",
            DrumVoice::Clave => "clave",
            DrumVoice::Conga => "conga",
            DrumVoice::Shaker => "shaker",
            DrumVoice::Crash => "crash",
            DrumVoice::Ride => "ride",
        }
    }

    /// The one-shot SynthDef (controls `out`, `amp`, `vel`, `pitch`, `seed`).
    pub fn synthdef(self) -> &'static str {
        match self {
            DrumVoice::Kick => "imbolc_drum_kick",
            DrumVoice::Snare => "imbolc_drum_snare",
            DrumVoice::Clap => "imbolc_drum_clap",
            DrumVoice::HatClosed => "imbolc_drum_hat_closed",
            DrumVoice::HatOpen => "imbolc_drum_hat_open",
            DrumVoice::Tom => "imbolc_drum_tom",
            DrumVoice::Rim => "imbolc_drum_rim",
            DrumVoice::Cowbell => "imbolc_drum_cowbell",
            DrumVoice::Clave => "imbolc_drum_clave",
            DrumVoice::Conga => "imbolc_drum_conga",
            DrumVoice::Shaker => "imbolc_drum_shaker",
            DrumVoice::Crash => "imbolc_drum_crash",
            DrumVoice::Ride => "imbolc_drum_ride",
        }
    }

    /// One line for the docs and the pad editor.
    pub fn description(self) -> &'static str {
        match self {
            DrumVoice::Kick => "Sine body with a pitch drop and a click",
            DrumVoice::Snare => "Two shell modes and band-passed noise wires",
            DrumVoice::Clap => "Four noise bursts and a short tail around 1.1 kHz",
            DrumVoice::HatClosed => "Six-square 808 metal, high-passed, very short",
            DrumVoice::HatOpen => "The same metal, ringing half a second",
            DrumVoice::Tom => "120 Hz sine with a small pitch drop",
            DrumVoice::Rim => "1.7 kHz and 480 Hz modes with a noise tick",
            DrumVoice::Cowbell => "540 and 800 Hz squares, band-passed",
            DrumVoice::Clave => "Hardwood stick resonance near 2.5 kHz",
            DrumVoice::Conga => "Tuned skin near 200 Hz with a palm slap",
            DrumVoice::Shaker => "Swell and stop of high-passed noise grains",
            DrumVoice::Crash => "Metallic spectrum and noise washing out over two seconds",
            DrumVoice::Ride => "Bell ping over a quieter metallic wash",
        }
    }
}

/// What a pad plays.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PadSound {
    /// A built-in drum voice.
    Voice(DrumVoice),
    /// A mono or stereo file referred to by path: what projects saved
    /// before the sample store hold. Opening such a project imports the
    /// file into the store when it exists; otherwise the pad stays this
    /// (shown as missing, silent).
    Sample { path: String },
    /// A mono or stereo sample in the project's store, loaded into a
    /// server buffer from the cache and played by the sampler voice.
    Stored(SampleRef),
}

/// One pad of a kit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrumPad {
    pub name: String,
    pub sound: PadSound,
    /// Linear gain, within [`LEVEL_RANGE`].
    pub level: f32,
    /// Tune in semitones, within [`PITCH_RANGE`].
    pub pitch: f32,
    /// For a sample pad, the part of the file it plays: `(start, end)` in
    /// frames of the file (a slice); `None`, or an empty region
    /// (`start >= end`, only from a hand-edited file), plays it all.
    /// Kept beside the sound so the sample reference keeps its shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<(u64, u64)>,
    /// For a sample pad, a tempo-synced loop: its length in beats, within
    /// [`LOOP_BEATS_RANGE`]. It then plays by the stretch voice, lasting
    /// that many beats at the project tempo (following tempo changes and
    /// tempo lanes) at its own pitch. `None` plays it as recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loop_beats: Option<f32>,
}

impl DrumPad {
    /// A pad playing a built-in voice at unity level, untuned.
    pub fn voice(voice: DrumVoice) -> Self {
        DrumPad {
            name: voice.name().to_owned(),
            sound: PadSound::Voice(voice),
            level: 1.0,
            pitch: 0.0,
            region: None,
            loop_beats: None,
        }
    }

    /// Whether level, pitch and loop length are finite and in range.
    pub fn is_valid(&self) -> bool {
        in_range(self.level, LEVEL_RANGE)
            && in_range(self.pitch, PITCH_RANGE)
            && self.loop_beats.is_none_or(|b| in_range(b, LOOP_BEATS_RANGE))
    }

    /// Length in seconds of what a stored sample pad plays (its region, or
    /// the whole sample); `None` for a voice or a path pad (not read).
    pub fn seconds(&self) -> Option<f64> {
        let s = self.stored()?;
        if s.sample_rate == 0 {
            return None;
        }
        let frames = match self.region {
            Some((a, b)) if a < b => b.min(s.frames).saturating_sub(a),
            _ => s.frames,
        };
        Some(frames as f64 / f64::from(s.sample_rate))
    }

    /// The file path of a pad not yet in the store (an old project's), if
    /// any.
    pub fn sample(&self) -> Option<&str> {
        match &self.sound {
            PadSound::Sample { path } => Some(path),
            PadSound::Voice(_) | PadSound::Stored(_) => None,
        }
    }

    /// The stored sample it plays, if any.
    pub fn stored(&self) -> Option<&SampleRef> {
        match &self.sound {
            PadSound::Stored(sample) => Some(sample),
            PadSound::Voice(_) | PadSound::Sample { .. } => None,
        }
    }
}

/// The pads of a drum kit. Invariant (kept by dispatch): exactly
/// [`PAD_COUNT`] pads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrumKit {
    pub pads: Vec<DrumPad>,
}

impl Default for DrumKit {
    /// Every built-in voice, then low and high toms and a low kick: a kit
    /// that sounds with no files.
    fn default() -> Self {
        let mut pads: Vec<DrumPad> = DrumVoice::ALL.iter().map(|v| DrumPad::voice(*v)).collect();
        let variants =
            [(DrumVoice::Tom, -5.0, "low tom"), (DrumVoice::Tom, 5.0, "high tom"), (DrumVoice::Kick, -3.0, "low kick")];
        pads.extend(variants.iter().map(|&(v, pitch, name)| DrumPad {
            name: name.to_owned(),
            pitch,
            ..DrumPad::voice(v)
        }));
        DrumKit { pads }
    }
}

/// Length of one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum StepResolution {
    Quarter,
    Eighth,
    #[default]
    Sixteenth,
    ThirtySecond,
}

impl StepResolution {
    pub const ALL: [StepResolution; 4] =
        [StepResolution::Quarter, StepResolution::Eighth, StepResolution::Sixteenth, StepResolution::ThirtySecond];

    /// Ticks per step.
    pub fn ticks(self) -> Tick {
        match self {
            StepResolution::Quarter => TICKS_PER_QUARTER,
            StepResolution::Eighth => TICKS_PER_QUARTER / 2,
            StepResolution::Sixteenth => TICKS_PER_QUARTER / 4,
            StepResolution::ThirtySecond => TICKS_PER_QUARTER / 8,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            StepResolution::Quarter => "1/4",
            StepResolution::Eighth => "1/8",
            StepResolution::Sixteenth => "1/16",
            StepResolution::ThirtySecond => "1/32",
        }
    }
}

/// Where a step is: `(step, pad)`, step first so a range of steps is one
/// ordered range of the map.
pub type StepKey = (u8, u8);

/// One active step of one pad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DrumStep {
    /// MIDI velocity, 1..=127.
    pub velocity: u8,
    /// Chance it plays, in percent (0..=100).
    pub probability: u8,
    /// Semitones added to the pad's tune, -24..=24.
    pub pitch: i8,
}

impl Default for DrumStep {
    fn default() -> Self {
        DrumStep { velocity: 100, probability: 100, pitch: 0 }
    }
}

impl DrumStep {
    /// Whether every field is in range.
    pub fn is_valid(&self) -> bool {
        (1..=127).contains(&self.velocity)
            && self.probability <= 100
            && (PITCH_RANGE.0..=PITCH_RANGE.1).contains(&f32::from(self.pitch))
    }
}

/// A drum pattern: steps × pads.
///
/// Steps at or past `steps` are kept (so shortening and lengthening again
/// gives them back, and the undo of a length change stays small) but never
/// play.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrumPattern {
    /// Number of steps, 1..=[`MAX_STEPS`].
    pub steps: u8,
    pub resolution: StepResolution,
    /// Delay of every second step (steps 2, 4, … counting from 1), as a
    /// fraction of a step: 0 (straight) to [`MAX_SWING`].
    #[serde(default)]
    pub swing: f32,
    /// Active steps by `(step, pad)`.
    #[serde(default)]
    pub hits: BTreeMap<StepKey, DrumStep>,
}

impl DrumPattern {
    /// An empty pattern.
    pub fn new(steps: u8, resolution: StepResolution) -> Self {
        DrumPattern { steps, resolution, swing: 0.0, hits: BTreeMap::new() }
    }

    /// Length in ticks: what the clip's `length` must be.
    pub fn length_ticks(&self) -> Tick {
        Tick::from(self.steps.max(1)) * self.resolution.ticks()
    }

    /// Tick of `step` from the clip start, swing included (fractional).
    pub fn step_tick(&self, step: u8) -> f64 {
        let straight = f64::from(step) * f64::from(self.resolution.ticks());
        straight + self.swing_ticks(step)
    }

    /// How far swing delays `step`, in ticks: nothing on even-indexed
    /// (on-beat) steps.
    pub fn swing_ticks(&self, step: u8) -> f64 {
        if step % 2 == 1 {
            f64::from(self.swing.clamp(0.0, MAX_SWING)) * f64::from(self.resolution.ticks())
        } else {
            0.0
        }
    }

    /// Whether step count and swing are in range.
    pub fn settings_valid(steps: u8, swing: f32) -> bool {
        (1..=MAX_STEPS).contains(&steps) && in_range(swing, (0.0, MAX_SWING))
    }
}

/// What changed in a pattern's steps: the steps set (with their values) and
/// those cleared. Its size is that of the edit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepDelta {
    pub set: Vec<(StepKey, DrumStep)>,
    pub cleared: Vec<StepKey>,
}

impl StepDelta {
    /// Applies the delta to `hits`.
    pub fn apply_to(&self, hits: &mut BTreeMap<StepKey, DrumStep>) {
        for key in &self.cleared {
            hits.remove(key);
        }
        for (key, step) in &self.set {
            hits.insert(*key, *step);
        }
    }
}

fn in_range(v: f32, (lo, hi): (f32, f32)) -> bool {
    v.is_finite() && v >= lo && v <= hi
}

/// Whether a pattern step plays on a given pass: a deterministic hash of
/// the pattern's clip id, the step, the pad and the loop iteration against
/// the probability, so two renders of a song are identical.
pub fn step_plays(clip: u32, key: StepKey, iteration: u64, probability: u8) -> bool {
    if probability >= 100 {
        return true;
    }
    if probability == 0 {
        return false;
    }
    let seed = (u64::from(clip) << 32) ^ (u64::from(key.0) << 24) ^ (u64::from(key.1) << 16);
    let roll = splitmix64(seed ^ splitmix64(iteration)) % 100;
    roll < u64::from(probability)
}

/// SplitMix64: a small, well-mixed, stable hash (never change it: it
/// decides which probabilistic steps play in saved songs).
pub(crate) fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_default_kit_has_sixteen_valid_pads() {
        let kit = DrumKit::default();
        assert_eq!(kit.pads.len(), PAD_COUNT);
        for voice in DrumVoice::ALL {
            assert!(kit.pads.iter().any(|p| p.sound == PadSound::Voice(voice)), "the kit offers {}", voice.name());
        }
        assert!(kit.pads.iter().all(DrumPad::is_valid));
    }

    #[test]
    fn a_tempo_in_a_file_name_is_found() {
        assert_eq!(bpm_in_name("loop_100bpm.wav"), Some(100.0));
        assert_eq!(bpm_in_name("Break 92.5 BPM.wav"), Some(92.5));
        assert_eq!(bpm_in_name("amen-170-bpm.aiff"), Some(170.0));
        assert_eq!(bpm_in_name("bpm.wav"), None);
        assert_eq!(bpm_in_name("take 2 5000bpm 120bpm.wav"), Some(120.0), "out of range is skipped");
        assert_eq!(bpm_in_name("kick.wav"), None);
    }

    #[test]
    fn loop_beats_come_from_the_name_else_the_nearest_power_of_two() {
        // Two bars at 100 BPM, whatever the project tempo.
        assert_eq!(estimate_loop_beats(4.8, 125.0, "loop_100bpm.wav"), 8.0);
        // 3 beats at 90 BPM is whole beats, not a power of two.
        assert_eq!(estimate_loop_beats(2.0, 120.0, "waltz 90bpm.wav"), 3.0);
        // No tempo in the name: 2.1 s at 120 BPM is 4.2 beats, so 4;
        // 6 beats is nearer 8 than 4 by ratio (log scale).
        assert_eq!(estimate_loop_beats(2.1, 120.0, "pad.wav"), 4.0);
        assert_eq!(estimate_loop_beats(3.0, 120.0, "pad.wav"), 8.0);
        // Clamped into range, and safe on nonsense.
        assert_eq!(estimate_loop_beats(0.001, 120.0, "tick.wav"), LOOP_BEATS_RANGE.0);
        assert_eq!(estimate_loop_beats(10_000.0, 120.0, "drone.wav"), LOOP_BEATS_RANGE.1);
        assert_eq!(estimate_loop_beats(f64::NAN, 120.0, "x.wav"), 4.0);
    }

    #[test]
    fn a_pads_seconds_are_its_regions_or_the_whole_samples() {
        let sample = SampleRef {
            hash: "0f".repeat(32),
            name: "l.wav".into(),
            format: crate::sample::SampleFormat::Wav,
            channels: 1,
            sample_rate: 48_000,
            frames: 96_000,
            bytes: 0,
        };
        let pad = DrumPad { sound: PadSound::Stored(sample), ..DrumPad::voice(DrumVoice::Kick) };
        assert_eq!(pad.seconds(), Some(2.0));
        assert_eq!(DrumPad { region: Some((24_000, 48_000)), ..pad.clone() }.seconds(), Some(0.5));
        assert_eq!(DrumPad { region: Some((48_000, 1_000_000)), ..pad.clone() }.seconds(), Some(1.0), "to the end");
        assert_eq!(DrumPad { region: Some((5, 5)), ..pad.clone() }.seconds(), Some(2.0), "empty: the whole");
        assert_eq!(DrumPad::voice(DrumVoice::Kick).seconds(), None);
    }

    #[test]
    fn a_loop_length_out_of_range_is_invalid() {
        let pad = |b| DrumPad { loop_beats: Some(b), ..DrumPad::voice(DrumVoice::Kick) };
        assert!(pad(0.25).is_valid() && pad(256.0).is_valid());
        assert!(!pad(0.2).is_valid() && !pad(300.0).is_valid() && !pad(f32::NAN).is_valid());
    }

    #[test]
    fn swing_delays_only_odd_steps() {
        let mut p = DrumPattern::new(16, StepResolution::Sixteenth);
        p.swing = 0.5;
        assert_eq!(p.step_tick(0), 0.0);
        assert_eq!(p.step_tick(1), 120.0 + 60.0);
        assert_eq!(p.step_tick(2), 240.0);
        assert_eq!(p.length_ticks(), 1920);
    }

    #[test]
    fn probability_is_deterministic_and_roughly_fair() {
        let plays = (0..1000).filter(|i| step_plays(3, (1, 2), *i, 30)).count();
        assert!((200..400).contains(&plays), "{plays}");
        let again = (0..1000).filter(|i| step_plays(3, (1, 2), *i, 30)).count();
        assert_eq!(plays, again);
        assert!((0..100).all(|i| step_plays(3, (1, 2), i, 100)));
        assert!((0..100).all(|i| !step_plays(3, (1, 2), i, 0)));
    }
}
