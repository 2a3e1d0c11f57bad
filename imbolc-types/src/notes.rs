//! Notes and clips. Time is in ticks, [`TICKS_PER_QUARTER`] per quarter
//! note. Notes are keyed by [`NoteId`] so edits, undo and the audio thread
//! address a note without caring where it sits.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::drums::DrumPattern;
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
}

impl Note {
    /// Whether every field is in range (pitch ≤ 127, velocity 1..=127,
    /// length ≥ 1, end within `u32`).
    pub fn is_valid(&self) -> bool {
        self.pitch <= 127
            && (1..=127).contains(&self.velocity)
            && self.length >= 1
            && self.start.checked_add(self.length).is_some()
    }
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
    #[serde(default)]
    pub notes: BTreeMap<NoteId, Note>,
    /// Set for a drum pattern (see [`crate::drums`]); its length is then
    /// the pattern's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drums: Option<DrumPattern>,
}

/// What changed in a clip's notes: the notes added or updated (with their
/// new values) and the ids removed. Its size is that of the edit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NoteDelta {
    pub upserted: Vec<(NoteId, Note)>,
    pub removed: Vec<NoteId>,
}
