//! Pitched multi-sample instruments ("sampler").
//!
//! A **sampler** is an instrument whose [`crate::InstrumentDef::sampler`] is
//! set: its zones replace the source. Each note plays the first zone whose
//! key and velocity ranges hold it, transposed from the zone's root key,
//! through the instrument's envelope, filter, effects and strip like any
//! other voice.

use serde::{Deserialize, Serialize};

use crate::sample::SampleRef;

/// Range of a zone's tune, in cents.
pub const TUNE_RANGE: (f32, f32) = (-1200.0, 1200.0);
/// Range of a zone's gain, in dB.
pub const GAIN_RANGE: (f32, f32) = (-60.0, 12.0);
/// Most zones in one sampler.
pub const MAX_ZONES: usize = 128;

/// How a zone loops while its note is held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LoopMode {
    /// Plays from start to end once.
    #[default]
    Off,
    /// Plays to the loop end, then from the loop start again (with a
    /// crossfade of `crossfade` frames before the loop end).
    Forward,
    /// Plays to the loop end, then backwards to the loop start, and so on.
    PingPong,
}

impl LoopMode {
    /// The value of the voice's `loop` control.
    pub fn control(self) -> f32 {
        match self {
            LoopMode::Off => 0.0,
            LoopMode::Forward => 1.0,
            LoopMode::PingPong => 2.0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            LoopMode::Off => "off",
            LoopMode::Forward => "forward",
            LoopMode::PingPong => "ping-pong",
        }
    }

    /// The next mode (off → forward → ping-pong → off).
    pub fn next(self) -> LoopMode {
        match self {
            LoopMode::Off => LoopMode::Forward,
            LoopMode::Forward => LoopMode::PingPong,
            LoopMode::PingPong => LoopMode::Off,
        }
    }
}

/// One zone: a stored sample played over a key and velocity range.
/// Frame positions are in the sample's own frames; `end` 0 means the end
/// of the sample, `loop_end` 0 means `end`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SamplerZone {
    pub sample: SampleRef,
    pub lo_key: u8,
    pub hi_key: u8,
    pub lo_vel: u8,
    pub hi_vel: u8,
    /// MIDI note at which the sample sounds at its recorded pitch.
    pub root: u8,
    #[serde(default)]
    pub start: u64,
    #[serde(default)]
    pub end: u64,
    #[serde(default)]
    pub loop_mode: LoopMode,
    #[serde(default)]
    pub loop_start: u64,
    #[serde(default)]
    pub loop_end: u64,
    /// Crossfade before the loop end, in frames (forward loops).
    #[serde(default)]
    pub crossfade: u64,
    #[serde(default)]
    pub reverse: bool,
    /// Plays to its end whatever the note's length (a loop still stops on
    /// note-off).
    #[serde(default)]
    pub one_shot: bool,
    /// Cents.
    #[serde(default)]
    pub tune: f32,
    /// dB.
    #[serde(default)]
    pub gain_db: f32,
}

impl SamplerZone {
    /// A zone playing the whole of `sample` on every key and velocity, with
    /// its root at `root`.
    pub fn new(sample: SampleRef, root: u8) -> Self {
        SamplerZone {
            sample,
            lo_key: 0,
            hi_key: 127,
            lo_vel: 0,
            hi_vel: 127,
            root: root.min(127),
            start: 0,
            end: 0,
            loop_mode: LoopMode::Off,
            loop_start: 0,
            loop_end: 0,
            crossfade: 0,
            reverse: false,
            one_shot: false,
            tune: 0.0,
            gain_db: 0.0,
        }
    }

    /// Whether the zone plays `key` at MIDI velocity `vel` (0..=127).
    pub fn contains(&self, key: u8, vel: u8) -> bool {
        (self.lo_key..=self.hi_key).contains(&key) && (self.lo_vel..=self.hi_vel).contains(&vel)
    }

    /// The end frame in force (`end`, or the sample's length when 0).
    pub fn end_frame(&self) -> u64 {
        if self.end == 0 || self.end > self.sample.frames { self.sample.frames } else { self.end }
    }

    /// The loop in force, `(start, end)` in frames, inside `start..end`.
    pub fn loop_range(&self) -> (u64, u64) {
        let end = self.end_frame();
        let le = if self.loop_end == 0 || self.loop_end > end { end } else { self.loop_end };
        let ls = self.loop_start.clamp(self.start, le);
        (ls, le)
    }

    /// Whether every field is in range (keys and velocities 0..=127 with
    /// low <= high, a valid hash, finite tune and gain in range, start
    /// before end, loop inside the zone).
    pub fn is_valid(&self) -> bool {
        let in_range = |v: f32, (lo, hi): (f32, f32)| v.is_finite() && (lo..=hi).contains(&v);
        self.lo_key <= self.hi_key
            && self.hi_key <= 127
            && self.lo_vel <= self.hi_vel
            && self.hi_vel <= 127
            && self.root <= 127
            && SampleRef::is_valid_hash(&self.sample.hash)
            && in_range(self.tune, TUNE_RANGE)
            && in_range(self.gain_db, GAIN_RANGE)
            && self.start < self.end_frame()
            && (self.loop_start <= self.loop_end || self.loop_end == 0)
    }
}

/// A sampler's zones, in match order (the first zone holding a note plays).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SamplerDef {
    pub zones: Vec<SamplerZone>,
}

impl SamplerDef {
    /// The index of the zone playing `key` at MIDI velocity `vel`.
    pub fn zone_for(&self, key: u8, vel: u8) -> Option<usize> {
        self.zones.iter().position(|z| z.contains(key, vel))
    }
}

/// Hz of a MIDI note (A4 = 69 = 440 Hz).
pub fn note_hz(note: f32) -> f32 {
    440.0 * 2f32.powf((note - 69.0) / 12.0)
}

/// The nearest MIDI note of a frequency in Hz (clamped to 0..=127).
pub fn hz_note(hz: f32) -> u8 {
    if !hz.is_finite() || hz <= 0.0 {
        return 69;
    }
    (69.0 + 12.0 * (hz / 440.0).log2()).round().clamp(0.0, 127.0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SampleRef {
        SampleRef {
            hash: "a".repeat(64),
            name: "s.wav".into(),
            format: crate::sample::SampleFormat::Wav,
            channels: 1,
            sample_rate: 48_000,
            frames: 48_000,
            bytes: 96_044,
        }
    }

    #[test]
    fn first_matching_zone_plays() {
        let mut low = SamplerZone::new(sample(), 60);
        low.hi_vel = 63;
        let mut high = SamplerZone::new(sample(), 60);
        high.lo_vel = 64;
        let mut top = SamplerZone::new(sample(), 72);
        top.lo_key = 72;
        let def = SamplerDef { zones: vec![low, high, top] };
        assert_eq!(def.zone_for(60, 10), Some(0));
        assert_eq!(def.zone_for(60, 100), Some(1));
        assert_eq!(def.zone_for(80, 100), Some(1), "first match wins");
        assert_eq!(SamplerDef::default().zone_for(60, 100), None);
    }

    #[test]
    fn validity_and_ranges() {
        let mut z = SamplerZone::new(sample(), 60);
        assert!(z.is_valid());
        assert_eq!(z.end_frame(), 48_000);
        z.loop_start = 100;
        z.loop_end = 0;
        assert_eq!(z.loop_range(), (100, 48_000));
        z.lo_key = 70;
        z.hi_key = 60;
        assert!(!z.is_valid());
        let mut z = SamplerZone::new(sample(), 60);
        z.tune = f32::NAN;
        assert!(!z.is_valid());
        assert_eq!(hz_note(440.0), 69);
        assert_eq!(hz_note(261.63), 60);
        assert!((note_hz(81.0) - 880.0).abs() < 1e-3);
    }
}
