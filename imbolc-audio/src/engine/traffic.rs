//! How much crosses into the audio thread: [`diff_payload_bytes`] sizes a
//! diff as the bytes it moves (the enum itself plus the heap data it owns),
//! counted per handle by `AudioHandle::send_diffs`.
//!
//! Why: editing notes while playing must cost the size of the edit, not
//! the size of the piano roll. A counter that grows with the note count
//! would show a full copy slipping in (e.g. a clip resent on every edit).

use std::mem::size_of;

use imbolc_types::{AudioDiff, Clip, Instrument, Note, NoteId};

/// Bytes of one note entry in a delta or a clip.
const NOTE_ENTRY: usize = size_of::<(NoteId, Note)>();

fn clip_bytes(clip: &Clip) -> usize {
    size_of::<Clip>() + clip.name.len() + clip.notes.len() * NOTE_ENTRY
}

fn instrument_bytes(instrument: &Instrument) -> usize {
    size_of::<Instrument>() + instrument.name.len() + instrument.def.effects.len() * 64
}

/// The bytes `diff` moves into the audio thread: its own size plus what
/// it owns on the heap (notes, clips, instruments; effect slots estimated
/// at 64 bytes). An estimate of payload, not of allocator overhead.
pub fn diff_payload_bytes(diff: &AudioDiff) -> usize {
    let heap = match diff {
        AudioDiff::NotesChanged { delta, .. } => {
            delta.upserted.len() * NOTE_ENTRY + delta.removed.len() * size_of::<NoteId>()
        }
        AudioDiff::ClipAdded { clip } => clip_bytes(clip),
        AudioDiff::InstrumentAdded { instrument, .. } => instrument_bytes(instrument),
        AudioDiff::SceneLoaded(scene) => {
            scene.clips.iter().map(clip_bytes).sum::<usize>()
                + scene.instruments.iter().map(instrument_bytes).sum::<usize>()
                + scene.placements.len() * size_of::<imbolc_types::Placement>()
        }
        _ => 0,
    };
    size_of::<AudioDiff>() + heap
}

#[cfg(test)]
mod tests {
    use imbolc_types::{ClipId, InstrumentId, NoteDelta};

    use super::*;

    fn clip(notes: u32) -> Clip {
        Clip {
            id: ClipId(1),
            name: String::new(),
            instrument: InstrumentId(0),
            length: 1920,
            looping: true,
            notes: (0..notes).map(|i| (NoteId(i), Note::new(60, 100, i, 1))).collect(),
            drums: None,
            audio: None,
        }
    }

    #[test]
    fn a_delta_costs_its_notes_and_a_clip_all_of_its_own() {
        let one = NoteDelta { upserted: vec![(NoteId(3), Note::new(1, 1, 0, 1))], ..NoteDelta::default() };
        let edit = diff_payload_bytes(&AudioDiff::NotesChanged { clip: ClipId(1), delta: one });
        assert_eq!(edit, size_of::<AudioDiff>() + NOTE_ENTRY);
        let small = diff_payload_bytes(&AudioDiff::ClipAdded { clip: Box::new(clip(10)) });
        let big = diff_payload_bytes(&AudioDiff::ClipAdded { clip: Box::new(clip(1000)) });
        assert_eq!(big - small, 990 * NOTE_ENTRY);
    }
}
