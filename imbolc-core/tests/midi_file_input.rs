//! Hostile MIDI files: the importer returns a typed error or a documented
//! repair for anything, never panics or hangs (issue 25, point 4). A
//! bounded proptest fuzzes random bytes, mutated corpus files and random
//! event streams; the named cases of the issue are checked one by one. An
//! import that succeeds must also apply cleanly to a project and export.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use imbolc_core::midi_file::{ExportOptions, MidiFileError, export, new_project, read_song};
use proptest::prelude::*;

fn corpus(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/midi").join(name)).unwrap()
}

/// Imports `bytes`; on success the project must hold only valid notes and
/// export again.
fn survive(bytes: &[u8]) -> Result<(), MidiFileError> {
    let (project, summary) = new_project(bytes, "fuzz")?;
    assert_eq!(project.note_count(), summary.notes);
    for clip in project.clips.values() {
        assert!(clip.notes.values().all(|n| n.is_valid()));
    }
    export(&project, &ExportOptions::default()).map(|_| ())
}

fn header(format: u16, tracks: u16, tpq: u16) -> Vec<u8> {
    let mut b = b"MThd\0\0\0\x06".to_vec();
    b.extend_from_slice(&format.to_be_bytes());
    b.extend_from_slice(&tracks.to_be_bytes());
    b.extend_from_slice(&tpq.to_be_bytes());
    b
}

fn track(body: &[u8]) -> Vec<u8> {
    let mut b = b"MTrk".to_vec();
    b.extend_from_slice(&(body.len() as u32).to_be_bytes());
    b.extend_from_slice(body);
    b
}

#[test]
fn truncated_files_are_errors_at_every_length() {
    let good = corpus("song.mid");
    for len in 0..good.len() {
        match read_song(&good[..len]) {
            Err(MidiFileError::Malformed { .. }) => {}
            other => panic!("{len} of {} bytes: {other:?}", good.len()),
        }
    }
}

#[test]
fn a_chunk_longer_than_the_file_is_an_error() {
    let mut b = header(1, 1, 480);
    b.extend_from_slice(b"MTrk\x00\x10\x00\x00\x00\x90\x3c\x40");
    let e = read_song(&b).unwrap_err();
    assert!(e.to_string().contains("not a valid MIDI file"), "{e}");
}

#[test]
fn running_status_without_a_status_byte_is_an_error() {
    let mut b = header(0, 1, 480);
    b.extend(track(b"\x00\x3c\x40\x00\xff\x2f\x00"));
    let e = read_song(&b).unwrap_err();
    assert!(matches!(e, MidiFileError::Malformed { track: Some(1), .. }), "{e}");
}

#[test]
fn huge_delta_times_are_refused_not_overflowed() {
    // Sixteen maximal deltas (2^28 - 1 ticks each) at 1 tick per quarter.
    let mut body = b"\x00\x90\x3c\x40".to_vec();
    for _ in 0..16 {
        body.extend_from_slice(b"\xff\xff\xff\x7f\x90\x3d\x40");
    }
    let mut b = header(0, 1, 1);
    b.extend(track(&body));
    assert!(matches!(read_song(&b), Err(MidiFileError::TooLong { track: 1, .. })));
    // The same at 480 per quarter fits the timeline: notes closed at the end.
    let mut b = header(0, 1, 480);
    b.extend(track(&body[..4 + 7 * 4]));
    let song = read_song(&b).unwrap();
    assert_eq!(song.summary.unclosed, 5);
    survive(&b).unwrap();
}

#[test]
fn tempo_zero_is_ignored() {
    let mut b = header(0, 1, 480);
    b.extend(track(b"\x00\xff\x51\x03\x00\x00\x00\x00\x90\x3c\x40\x60\x80\x3c\x00\x00\xff\x2f\x00"));
    let (p, s) = new_project(&b, "t").unwrap();
    assert_eq!(s.tempo_zero, 1);
    assert_eq!(p.tempo, 120.0);
}

#[test]
fn sixty_five_thousand_tracks_import_or_fail_cleanly() {
    // 65,535 tracks, each one note on its own: more parts than one import takes.
    let mut b = header(1, 65_535, 480);
    let one = track(b"\x00\x90\x3c\x40\x60\x80\x3c\x00\x00\xff\x2f\x00");
    for _ in 0..65_535 {
        b.extend_from_slice(&one);
    }
    assert!(matches!(read_song(&b), Err(MidiFileError::TooManyParts { found: 65_535, .. })));
    // 65,535 empty tracks and one with a note: fine.
    let mut b = header(1, 65_535, 480);
    let empty = track(b"\x00\xff\x2f\x00");
    for _ in 0..65_534 {
        b.extend_from_slice(&empty);
    }
    b.extend_from_slice(&one);
    let song = read_song(&b).unwrap();
    assert_eq!(song.parts.len(), 1);
    // A header promising 65,535 tracks that holds one: a clear error.
    let mut b = header(1, 65_535, 480);
    b.extend_from_slice(&one);
    assert!(matches!(read_song(&b), Err(MidiFileError::Malformed { .. })));
}

#[test]
fn notes_that_never_end_close_at_the_end_of_their_track() {
    let mut b = header(0, 1, 480);
    b.extend(track(b"\x00\x90\x3c\x40\x83\x60\xff\x2f\x00"));
    let (p, s) = new_project(&b, "t").unwrap();
    assert_eq!(s.unclosed, 1);
    let note = p.clips.values().next().unwrap().notes.values().next().unwrap();
    assert_eq!(note.length, 480);
}

fn event() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // A delta (sometimes huge) then a channel message.
        (prop::collection::vec(any::<u8>(), 1..4), 0x80u8..0xf0, any::<u8>(), any::<u8>()).prop_map(|(d, s, a, b)| {
            let mut v: Vec<u8> = d.iter().take(d.len() - 1).map(|x| x | 0x80).collect();
            v.push(d[d.len() - 1] & 0x7f);
            v.extend([s, a & 0x7f, b & 0x7f]);
            v
        }),
        // Running status data only.
        (any::<u8>(), any::<u8>()).prop_map(|(a, b)| vec![0, a & 0x7f, b & 0x7f]),
        // Tempo (0 included), time signature, a lyric, SysEx.
        any::<[u8; 3]>().prop_map(|t| vec![0, 0xff, 0x51, 3, t[0], t[1], t[2]]),
        any::<[u8; 2]>().prop_map(|t| vec![0, 0xff, 0x58, 4, t[0], t[1], 24, 8]),
        Just(vec![0, 0xff, 0x05, 2, b'l', b'a']),
        Just(vec![0, 0xf0, 2, 0x7e, 0xf7]),
        // Any bytes at all.
        prop::collection::vec(any::<u8>(), 0..6),
    ]
}

proptest! {
    // 256 cases in the suite; PROPTEST_CASES=N runs more.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_event_streams_never_panic(
        format in 0u16..3,
        tpq in prop_oneof![Just(0u16), 1u16..2000, Just(0x8000u16 | 0xe700)],
        tracks in prop::collection::vec(prop::collection::vec(event(), 0..40), 0..4),
    ) {
        let mut b = header(format, tracks.len() as u16, tpq);
        for t in &tracks {
            b.extend(track(&t.concat()));
        }
        let _ = survive(&b);
    }

    #[test]
    fn mutated_corpus_files_never_panic(
        file in prop::sample::select(vec!["horses.mid", "boys.mid", "drums.mid", "tempo.mid", "song.mid"]),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let mut b = corpus(file);
        for (at, byte, op) in edits {
            if b.is_empty() { break; }
            let i = at.index(b.len());
            match op {
                0 => b[i] = byte,
                1 => b.insert(i, byte),
                _ => { b.remove(i); }
            }
        }
        let _ = survive(&b);
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let mut b = header(1, 1, 96);
        b.extend(bytes);
        let _ = survive(&b);
    }
}
