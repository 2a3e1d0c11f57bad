//! Audio tracks and audio clips.
//!
//! An audio track is an instrument whose clips hold audio instead of notes
//! (`InstrumentDef::audio_track`); it keeps its filter, effects and strip.
//! An audio clip is a [`crate::Clip`] with an [`AudioRegion`]: a stored
//! sample (see [`crate::sample`]), where in it the clip starts, and its
//! gain and fades. The clip's length in ticks is how far the audio may play
//! from `offset`; a placement trims it further. The audio plays at its own
//! rate (no tempo sync): a tempo change moves where a clip starts, not how
//! fast it plays.

use serde::{Deserialize, Serialize};

use crate::sample::SampleRef;

/// Range of a clip's gain, dB.
pub const CLIP_GAIN_DB_RANGE: (f32, f32) = (-60.0, 12.0);
/// Longest fade in or out, seconds.
pub const FADE_MAX: f32 = 60.0;

/// The audio of an audio clip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudioRegion {
    pub sample: SampleRef,
    /// Seconds into the sample where the clip starts (≥ 0).
    #[serde(default)]
    pub offset: f64,
    /// Gain, dB (within [`CLIP_GAIN_DB_RANGE`]).
    #[serde(default)]
    pub gain_db: f32,
    /// Fade in from the clip's start, seconds (0..=[`FADE_MAX`]).
    #[serde(default)]
    pub fade_in: f32,
    /// Fade out to the end of what plays, seconds (0..=[`FADE_MAX`]).
    #[serde(default)]
    pub fade_out: f32,
    /// A take recorded over the loop region: the offsets (seconds into
    /// the sample) of each pass, first to last. `offset` is the one that
    /// plays; a key picks another. Empty for any other clip.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub takes: Vec<f64>,
}

impl AudioRegion {
    /// The whole of `sample` at unity gain, without fades.
    pub fn new(sample: SampleRef) -> Self {
        AudioRegion { sample, offset: 0.0, gain_db: 0.0, fade_in: 0.0, fade_out: 0.0, takes: Vec::new() }
    }

    /// Whether every value is finite and in range (dispatch refuses others).
    pub fn is_valid(&self) -> bool {
        let fade = |f: f32| (0.0..=FADE_MAX).contains(&f);
        self.offset.is_finite()
            && self.offset >= 0.0
            && self.takes.iter().all(|t| t.is_finite() && *t >= 0.0)
            && (CLIP_GAIN_DB_RANGE.0..=CLIP_GAIN_DB_RANGE.1).contains(&self.gain_db)
            && fade(self.fade_in)
            && fade(self.fade_out)
            && SampleRef::is_valid_hash(&self.sample.hash)
    }

    /// The gain as a linear factor.
    pub fn gain(&self) -> f32 {
        10f32.powf(self.gain_db.clamp(CLIP_GAIN_DB_RANGE.0, CLIP_GAIN_DB_RANGE.1) / 20.0)
    }

    /// Seconds of audio after `offset`.
    pub fn remaining_secs(&self) -> f64 {
        (self.sample.seconds() - self.offset).max(0.0)
    }
}

/// Seconds per tick at `bpm` (a non-positive or non-finite tempo counts as
/// 120).
pub fn secs_per_tick(bpm: f32) -> f64 {
    let bpm = if bpm.is_finite() && bpm > 0.0 { f64::from(bpm) } else { 120.0 };
    60.0 / (bpm * f64::from(crate::notes::TICKS_PER_QUARTER))
}

/// Ticks `secs` last at `bpm`, rounded up, at least one.
pub fn ticks_for_secs(secs: f64, bpm: f32) -> crate::Tick {
    let t = (secs.max(0.0) / secs_per_tick(bpm)).ceil();
    if t >= f64::from(crate::Tick::MAX) { crate::Tick::MAX } else { (t as crate::Tick).max(1) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::SampleFormat;

    fn sample() -> SampleRef {
        SampleRef {
            hash: "a".repeat(64),
            name: "x.wav".into(),
            format: SampleFormat::Wav,
            channels: 1,
            sample_rate: 48_000,
            frames: 96_000,
            bytes: 0,
        }
    }

    #[test]
    fn validity_and_conversions() {
        let r = AudioRegion::new(sample());
        assert!(r.is_valid());
        assert!(!AudioRegion { offset: -1.0, ..r.clone() }.is_valid());
        assert!(!AudioRegion { gain_db: f32::NAN, ..r.clone() }.is_valid());
        assert!(!AudioRegion { fade_in: 61.0, ..r.clone() }.is_valid());
        assert_eq!(r.remaining_secs(), 2.0);
        // 2 s at 120 bpm = 4 beats = 1920 ticks.
        assert_eq!(ticks_for_secs(2.0, 120.0), 1920);
        assert!((secs_per_tick(120.0) * 1920.0 - 2.0).abs() < 1e-12);
    }
}

/// What an audio track records when a take starts with it selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrackInput {
    /// The sound card's input pair starting at `channel` (0-based: 0 is
    /// inputs 1-2).
    Hardware { channel: u32 },
    /// An aux bus (what is sent to it).
    Bus(crate::ids::BusId),
    /// Another instrument's sound (after its effects, before its strip).
    Instrument(crate::ids::InstrumentId),
    /// The master's output.
    Master,
}

impl Default for TrackInput {
    /// Inputs 1-2.
    fn default() -> Self {
        TrackInput::Hardware { channel: 0 }
    }
}

impl TrackInput {
    /// Whether this is inputs 1-2 (left out of project files).
    pub fn is_default(&self) -> bool {
        *self == TrackInput::default()
    }
}
