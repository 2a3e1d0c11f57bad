//! One 50 ms lookahead window of the scheduler over a project of 64
//! instruments and 100 000 notes (one 64-bar clip per instrument placed on
//! the arrangement, song mode, the whole song looped so every measured
//! window is mid-song). Also the cost of a one-note edit on that project.
//! Target: a window well under 1 ms.

// Bench setup on fixed, valid fixtures: a failure is a bug to see at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use imbolc_audio::scheduler::{LoopRegion, Scheduler, SchedulerConfig};
use imbolc_types::{
    AudioDiff, AudioScene, Clip, ClipId, InstrumentId, Note, NoteDelta, NoteId, Placement, PlacementId,
};

const INSTRUMENTS: u32 = 64;
const NOTES: u32 = 100_000;
/// 64 bars of 4/4.
const SONG: u32 = 64 * 4 * 480;

fn scene() -> AudioScene {
    let per_clip = NOTES / INSTRUMENTS;
    let mut seed = 0x2545_f491_u32;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    let mut clips = Vec::new();
    let mut placements = Vec::new();
    let mut note_id = 0;
    for i in 0..INSTRUMENTS {
        let extra = u32::from(i < NOTES % INSTRUMENTS);
        let mut notes = BTreeMap::new();
        for _ in 0..per_clip + extra {
            let start = (next() % (SONG / 30)) * 30;
            let note = Note::new(36 + (next() % 48) as u8, 1 + (next() % 127) as u8, start, 30 + next() % 900);
            notes.insert(NoteId(note_id), note);
            note_id += 1;
        }
        clips.push(Clip {
            id: ClipId(i),
            name: String::new(),
            instrument: InstrumentId(i),
            length: SONG,
            looping: false,
            notes: notes.into(),
            drums: None,
            audio: None,
        });
        placements.push(Placement { id: PlacementId(i), clip: ClipId(i), start: 0, length: SONG });
    }
    AudioScene { tempo: 120.0, clips, placements, ..AudioScene::default() }
}

fn bench(c: &mut Criterion) {
    let scene = scene();
    let mut s = Scheduler::new(&scene, SchedulerConfig::default());
    assert_eq!(s.index().note_count(), NOTES as usize);
    s.set_loop(LoopRegion::new(0, SONG));
    s.play(0.0);
    let mut out = Vec::with_capacity(1024);
    c.bench_function("scheduler_window/50ms_64_instruments_100k_notes", |b| {
        b.iter(|| {
            out.clear();
            s.advance(s.horizon() + 0.05, &mut out);
            black_box(out.len())
        })
    });

    let mut moved = 0u32;
    c.bench_function("scheduler_window/notes_changed_one_note_100k", |b| {
        b.iter(|| {
            moved = (moved + 7) % SONG;
            let note = Note::new(60, 100, moved, 120);
            let delta = NoteDelta { upserted: vec![(NoteId(5), note)], removed: vec![] };
            s.apply(&AudioDiff::NotesChanged { clip: ClipId(0), delta }).unwrap();
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
