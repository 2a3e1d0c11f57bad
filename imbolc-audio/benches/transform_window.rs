//! The `scheduler_window` bench's project (64 instruments, 100 000 notes,
//! one 50 ms window mid-song) with every instrument running the
//! arpeggiator (up, 1/16, two octaves) on chords (m7, first inversion)
//! with groove (swing 1/3 of 1/16, ±10 ms, ±8 velocity). Compare with
//! `_none`, the same window without transforms (what
//! `scheduler_window/50ms_64_instruments_100k_notes` measures; target:
//! within 2×).

// Bench setup on fixed, valid fixtures: a failure is a bug to see at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use imbolc_audio::scheduler::{LoopRegion, Scheduler, SchedulerConfig};
use imbolc_types::sync::Feel;
use imbolc_types::transform::{ArpMode, ArpSettings, ChordSettings, ChordShape, GrooveSettings, NoteTransforms};
use imbolc_types::{
    AudioScene, Clip, ClipId, Instrument, InstrumentDef, InstrumentId, Note, NoteDivision, NoteId, Placement,
    PlacementId, SourceKind,
};

const INSTRUMENTS: u32 = 64;
const NOTES: u32 = 100_000;
/// 64 bars of 4/4.
const SONG: u32 = 64 * 4 * 480;

fn transforms() -> NoteTransforms {
    let sixteenth = NoteDivision::new(16, Feel::Straight).unwrap();
    NoteTransforms {
        arp: Some(ArpSettings { mode: ArpMode::Up, rate: sixteenth, octaves: 2, gate: 0.5, latch: false, seed: 1 }),
        groove: Some(GrooveSettings {
            swing_division: sixteenth,
            swing: 1.0 / 3.0,
            timing_ms: 10.0,
            velocity: 8,
            seed: 2,
        }),
        chord: Some(ChordSettings { shape: ChordShape::Min7, inversion: 1, spread: 0 }),
    }
}

/// The same notes as `scheduler_window`'s scene (same generator).
fn scene(t: &NoteTransforms) -> AudioScene {
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
    let mut instruments = Vec::new();
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
        let mut def = InstrumentDef::new(SourceKind::SINE);
        def.transforms = t.clone();
        instruments.push(Instrument { id: InstrumentId(i), name: format!("i{i}"), def, mixer: Default::default() });
    }
    AudioScene { tempo: 120.0, clips, placements, instruments, ..AudioScene::default() }
}

fn window(c: &mut Criterion, name: &str, t: &NoteTransforms) {
    let scene = scene(t);
    let mut s = Scheduler::new(&scene, SchedulerConfig::default());
    s.set_loop(LoopRegion::new(0, SONG));
    s.play(0.0);
    let mut out = Vec::with_capacity(4096);
    // Mid-song: warm the held sets up.
    for _ in 0..200 {
        out.clear();
        s.advance(s.horizon() + 0.05, &mut out);
    }
    c.bench_function(&format!("transform_window/50ms_64_instruments_100k_notes_{name}"), |b| {
        b.iter(|| {
            out.clear();
            s.advance(s.horizon() + 0.05, &mut out);
            black_box(out.len())
        })
    });
}

fn bench(c: &mut Criterion) {
    let all = transforms();
    // The same window without transforms, measured in the same run: the
    // figure the others are compared with (`scheduler_window`'s).
    window(c, "none", &NoteTransforms::default());
    window(c, "arp_chord_groove", &all);
    window(c, "arp", &NoteTransforms { arp: all.arp, ..NoteTransforms::default() });
    window(c, "chord", &NoteTransforms { chord: all.chord, ..NoteTransforms::default() });
    window(c, "groove", &NoteTransforms { groove: all.groove, ..NoteTransforms::default() });
}

criterion_group!(benches, bench);
criterion_main!(benches);
