//! [`NoteEvent`]: what the scheduler emits, one note-on or note-off at an
//! exact clock time.

use imbolc_types::{ClipId, InstrumentId, NoteId, PlacementId};

use super::Clock;
use crate::backend::Timetag;

/// Which note of the timeline an event belongs to: the engine pairs a
/// note-off with its note-on by this key (two notes of the same pitch may
/// overlap), and edits end exactly the notes they touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct NoteKey {
    pub clip: ClipId,
    pub note: NoteId,
    /// The placement playing it (`None` in pattern mode).
    pub placement: Option<PlacementId>,
    /// 0 for the written note; notes a transform makes from it (chord
    /// tones, arpeggio steps) get their own, so each pairs with its off.
    pub tone: u8,
}

/// One write of the fields packed (the transform stage hashes a key per
/// note event): equal keys pack equally.
impl std::hash::Hash for NoteKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let placement = self.placement.map_or(0, |p| u128::from(p.0) + 1);
        state.write_u128(
            u128::from(self.clip.0) | u128::from(self.note.0) << 32 | placement << 64 | u128::from(self.tone) << 97,
        );
    }
}

/// Note-on or note-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NoteEventKind {
    /// Ordered first so that, at equal times, a note ends before the next
    /// one of the same pitch starts.
    Off,
    On,
}

/// One note event of the timeline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NoteEvent {
    /// Clock seconds (see [`Clock`]) at which it must sound.
    pub time: f64,
    pub kind: NoteEventKind,
    pub instrument: InstrumentId,
    /// MIDI note number.
    pub pitch: u8,
    /// MIDI velocity 1..=127 (the note's velocity, also on its note-off).
    pub velocity: u8,
    pub key: NoteKey,
    /// Set on the note-on of an audio clip (see [`super::audio_clips`]).
    pub audio: Option<super::audio_clips::AudioCue>,
}

impl NoteEvent {
    /// The OSC timetag of this event on `clock`.
    pub fn timetag(&self, clock: &Clock) -> Timetag {
        clock.timetag(self.time)
    }

    /// Frequency in Hz of the pitch (equal temperament, A4 = 440 Hz).
    pub fn freq(&self) -> f32 {
        midi_to_freq(self.pitch)
    }
}

/// Frequency in Hz of MIDI note `pitch` (A4 = 69 = 440 Hz).
pub fn midi_to_freq(pitch: u8) -> f32 {
    440.0 * 2f32.powf((f32::from(pitch) - 69.0) / 12.0)
}
