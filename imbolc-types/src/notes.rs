//! Notes and clips. Time is in ticks, [`TICKS_PER_QUARTER`] per quarter
//! note. Notes are keyed by [`NoteId`] so edits, undo and the audio thread
//! address a note without caring where it sits.

use serde::{Deserialize, Serialize};

use crate::drums::{DrumPattern, splitmix64};
use crate::ids::{ClipId, InstrumentId, NoteId};

/// A position or length on the timeline, in ticks.
pub type Tick = u32;

/// Resolution of the timeline: ticks per quarter note.
pub const TICKS_PER_QUARTER: Tick = 480;

/// One note of a clip. `start` is relative to the clip's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Note {
    /// MIDI note number, 0..=127.
    pub pitch: u8,
    /// MIDI velocity, 1..=127.
    pub velocity: u8,
    pub start: Tick,
    /// At least one tick.
    pub length: Tick,
    /// Chance in percent (1..=100) that a pass plays the note; which passes
    /// play is fixed by [`note_plays`], so renders repeat. Older files have
    /// none: 100.
    #[serde(default = "full_probability")]
    pub probability: u8,
}

/// Probability of a note that always plays (and of notes in older files).
pub const FULL_PROBABILITY: u8 = 100;

fn full_probability() -> u8 {
    FULL_PROBABILITY
}

impl Note {
    /// A note that always plays: what a literal would be with
    /// `probability: 100`.
    pub fn new(pitch: u8, velocity: u8, start: Tick, length: Tick) -> Self {
        Note { pitch, velocity, start, length, probability: FULL_PROBABILITY }
    }

    /// Whether every field is in range (pitch ≤ 127, velocity 1..=127,
    /// length ≥ 1, end within `u32`, probability 1..=100).
    pub fn is_valid(&self) -> bool {
        self.pitch <= 127
            && (1..=127).contains(&self.velocity)
            && self.length >= 1
            && self.start.checked_add(self.length).is_some()
            && (1..=FULL_PROBABILITY).contains(&self.probability)
    }
}

/// Whether note `note` of clip `clip` plays on loop iteration `iteration`
/// given its probability in percent: a fixed hash, so the same song plays
/// the same notes on every render. 100 (or more) always plays.
pub fn note_plays(clip: ClipId, note: NoteId, iteration: u64, probability: u8) -> bool {
    if probability >= FULL_PROBABILITY {
        return true;
    }
    let seed = (u64::from(clip.0) << 32) ^ u64::from(note.0);
    let roll = splitmix64(seed ^ splitmix64(iteration)) % 100;
    roll < u64::from(probability)
}

/// A clip of notes played by one instrument. A looping clip repeats every
/// `length` ticks for as long as its placement lasts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clip {
    pub id: ClipId,
    #[serde(default)]
    pub name: String,
    /// The instrument that plays this clip.
    pub instrument: InstrumentId,
    /// Length in ticks (at least one).
    pub length: Tick,
    #[serde(default)]
    pub looping: bool,
    /// Notes by id; ordered by id so equal clips serialise identically.
    /// Binary formats store them as columns ([`crate::note_columns`]).
    #[serde(default, with = "crate::note_columns")]
    pub notes: crate::shared_notes::Notes,
    /// Set for a drum pattern (see [`crate::drums`]); its length is then
    /// the pattern's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drums: Option<DrumPattern>,
    /// Set for an audio clip (on an audio track): the audio it plays from
    /// its start; it has no notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio: Option<crate::audio_clip::AudioRegion>,
}

/// What changed in a clip's notes: the notes added or updated (with their
/// new values) and the ids removed. Its size is that of the edit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NoteDelta {
    pub upserted: Vec<(NoteId, Note)>,
    pub removed: Vec<NoteId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_is_checked_and_decides_the_same_passes_every_time() {
        assert!(Note::new(60, 100, 0, 1).is_valid());
        assert!(!Note { probability: 0, ..Note::new(60, 100, 0, 1) }.is_valid());
        assert!(!Note { probability: 101, ..Note::new(60, 100, 0, 1) }.is_valid());
        let plays = |p| (0..1000).filter(|i| note_plays(ClipId(3), NoteId(5), *i, p)).count();
        assert_eq!(plays(100), 1000);
        let half = plays(50);
        assert!((400..600).contains(&half), "{half}");
        assert_eq!(half, plays(50));
        // Two notes of one clip do not share their passes.
        let a: Vec<bool> = (0..64).map(|i| note_plays(ClipId(3), NoteId(5), i, 50)).collect();
        let b: Vec<bool> = (0..64).map(|i| note_plays(ClipId(3), NoteId(6), i, 50)).collect();
        assert_ne!(a, b);
    }
}
