//! Harmony in the piano roll: scale-locked note moves (each note steps to
//! the next pitch of the key, so a selection keeps to the scale; intervals
//! may change, as in diatonic transposition), a chord written at the
//! cursor, and diatonic harmonising of a selection.

use imbolc_types::transform::{ChordSettings, ChordShape};
use imbolc_types::{Clip, Key, Note, NoteId, Tick};

/// The notes of a chord on `pitch` at `start`, `length` long: the
/// instrument's chord shape, else the diatonic triad of `key`. Pitches
/// already sounding there in `clip` are left out.
pub(super) fn chord_at(
    clip: Option<&Clip>,
    chord: Option<ChordSettings>,
    key: Key,
    (pitch, start, length, velocity): (u8, Tick, Tick, u8),
) -> Vec<Note> {
    let chord = chord.unwrap_or(ChordSettings { shape: ChordShape::Diatonic, ..ChordSettings::default() });
    chord
        .tones(pitch, key)
        .into_iter()
        .filter(|&t| clip.is_none_or(|c| !covers(c, t, start)))
        .map(|t| Note::new(t, velocity, start, length))
        .collect()
}

/// The third and fifth of `key` above each of `notes` (diatonic
/// harmony), as new notes with the same timing; pitches already there are
/// left out.
pub(super) fn harmonise(clip: &Clip, notes: &[NoteId], key: Key) -> Vec<Note> {
    let mut out: Vec<Note> = Vec::new();
    for n in notes.iter().filter_map(|id| clip.notes.get(id)) {
        let root = key.snap(n.pitch);
        for d in [2, 4] {
            let p = key.step(root, d);
            if p > n.pitch && !covers(clip, p, n.start) && !out.iter().any(|o| o.pitch == p && o.start == n.start) {
                out.push(Note { pitch: p, ..*n });
            }
        }
    }
    out
}

fn covers(clip: &Clip, pitch: u8, tick: Tick) -> bool {
    clip.notes.values().any(|n| n.pitch == pitch && n.start <= tick && tick < n.start + n.length)
}

/// Each of `notes` moved one scale degree (`dir` +1 up, −1 down) and the
/// cursor's pitch moved the same way. Notes already at the edge of the
/// MIDI range stay (and are left out).
pub(super) fn step_notes(clip: &Clip, notes: &[NoteId], key: Key, dir: i32, cursor: u8) -> (Vec<(NoteId, Note)>, u8) {
    let moved = notes
        .iter()
        .filter_map(|id| clip.notes.get(id).map(|n| (*id, *n)))
        .filter_map(|(id, n)| {
            let pitch = key.step(n.pitch, dir);
            (pitch != n.pitch).then_some((id, Note { pitch, ..n }))
        })
        .collect();
    (moved, key.step(cursor, dir))
}

#[cfg(test)]
mod tests {
    use imbolc_types::{ClipId, InstrumentId, Scale};

    use super::*;

    #[test]
    fn a_locked_move_keeps_every_note_in_the_scale() {
        let notes = [60u8, 64, 67, 71].iter().enumerate().map(|(i, &p)| (NoteId(i as u32), Note::new(p, 100, 0, 240)));
        let clip = Clip {
            id: ClipId(1),
            name: "c".into(),
            instrument: InstrumentId(1),
            length: 3840,
            looping: false,
            notes: notes.collect(),
            drums: None,
            audio: None,
        };
        let ids: Vec<NoteId> = clip.notes.keys().copied().collect();
        let key = Key::new(0, Scale::Major);
        let (moved, cursor) = step_notes(&clip, &ids, key, 1, 64);
        let pitches: Vec<u8> = moved.iter().map(|(_, n)| n.pitch).collect();
        assert_eq!(pitches, vec![62, 65, 69, 72]);
        assert_eq!(cursor, 65);
        let (moved, _) = step_notes(&clip, &ids, Key::new(0, Scale::MinorPentatonic), -1, 60);
        assert!(moved.iter().all(|(_, n)| Key::new(0, Scale::MinorPentatonic).contains(n.pitch)));

        // Harmonising C and G in C major adds E, G (C's) and B, D (G's);
        // the G already there is left out.
        let added: Vec<u8> = harmonise(&clip, &ids[..1], key).iter().map(|n| n.pitch).collect();
        assert!(added.is_empty(), "E and G are there already");
        let two = [ids[0], ids[2]];
        let mut clip2 = clip.clone();
        clip2.notes.retain(|id, _| two.contains(id));
        let added: Vec<u8> = harmonise(&clip2, &two, key).iter().map(|n| n.pitch).collect();
        assert_eq!(added, vec![64, 71, 74]);

        // A chord at the cursor: the diatonic triad by default.
        let notes = chord_at(None, None, Key::new(2, Scale::Dorian), (62, 0, 120, 100));
        assert_eq!(notes.iter().map(|n| n.pitch).collect::<Vec<_>>(), vec![62, 65, 69]);
        let m7 = ChordSettings { shape: ChordShape::Min7, ..ChordSettings::default() };
        let notes = chord_at(Some(&clip), Some(m7), key, (60, 0, 120, 100));
        assert_eq!(notes.iter().map(|n| n.pitch).collect::<Vec<_>>(), vec![63, 70], "C and G are sounding");
    }
}
