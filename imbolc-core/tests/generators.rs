//! Generator clips through dispatch: what the scheduler plays for a
//! generator clip is what its capture plays; undo of a parameter change
//! gives back the exact project; save and load keep generators; a
//! generated clip refuses hand edits.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{generator, temp_dir};
use imbolc_audio::scheduler::{NoteEvent, NoteEventKind, Scheduler, SchedulerConfig};
use imbolc_core::persist;
use imbolc_core::undo::UndoHistory;
use imbolc_core::{DispatchError, dispatch};
use imbolc_types::{Action, ClipId, Note, PlacementId, Project, SourceKind};
use proptest::prelude::*;

/// One instrument with one clip placed twice (at 0 and after a gap).
fn project() -> (Project, ClipId) {
    let mut p = Project::new("gen");
    let add = Action::AddInstrument { source: SourceKind::ALL[0], name: "lead".into() };
    dispatch(&mut p, add).expect("instrument");
    let instrument = *p.instruments.keys().next().expect("an instrument");
    dispatch(&mut p, Action::AddClip { instrument, name: "gen".into(), length: 1920 }).expect("clip");
    let clip = *p.clips.keys().next().expect("a clip");
    (p, clip)
}

fn place(p: &mut Project, clip: ClipId) {
    for start in [0, 9_000] {
        dispatch(p, Action::AddPlacement { clip, start, length: 7_680 }).expect("placement");
    }
}

/// `(microseconds, on?, pitch, velocity)` of the song's first 20 seconds.
fn played(p: &Project) -> Vec<(i64, bool, u8, u8)> {
    let mut s = Scheduler::new(&p.audio_scene(), SchedulerConfig::default());
    s.play(0.0);
    let mut out: Vec<NoteEvent> = Vec::new();
    s.advance(20.0, &mut out);
    out.iter().map(|e| ((e.time * 1e6).round() as i64, e.kind == NoteEventKind::On, e.pitch, e.velocity)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_capture_plays_exactly_what_the_generator_clip_played(b in any::<u32>()) {
        let (mut p, clip) = project();
        let g = generator(b);
        prop_assume!(g.check().is_ok());
        dispatch(&mut p, Action::SetGenerator { clip, generator: Some(Box::new(g)) }).expect("generator");
        place(&mut p, clip);
        let live = played(&p);
        prop_assert!(live.iter().any(|e| e.1) || p.clips[&clip].notes.is_empty());
        dispatch(&mut p, Action::CaptureGenerator { clip }).expect("capture");
        let captured = *p.clips.keys().last().expect("the capture");
        prop_assert!(captured != clip);
        // The arrangement now plays the capture instead.
        let placements: Vec<PlacementId> = p.placements.keys().copied().collect();
        for placement in placements {
            dispatch(&mut p, Action::RemovePlacement { placement }).expect("unplace");
        }
        place(&mut p, captured);
        prop_assert_eq!(played(&p), live);
    }

    #[test]
    fn undo_of_a_generator_change_restores_the_exact_project(a in any::<u32>(), b in any::<u32>()) {
        let (mut p, clip) = project();
        dispatch(&mut p, Action::AddNote { clip, note: Note::new(60, 90, 0, 240) }).expect("hand note");
        let mut history = UndoHistory::new(100, 1 << 24);
        let mut states = vec![p.clone()];
        for g in [generator(a), generator(b)] {
            if let Ok(out) = dispatch(&mut p, Action::SetGenerator { clip, generator: Some(Box::new(g)) }) {
                history.push(out.undo.expect("undo"), std::time::Instant::now());
                states.push(p.clone());
            }
        }
        if let Ok(out) = dispatch(&mut p, Action::SetGenerator { clip, generator: None }) {
            history.push(out.undo.expect("undo"), std::time::Instant::now());
            states.push(p.clone());
        }
        states.pop();
        while let Some(expected) = states.pop() {
            history.undo(&mut p).expect("undo applies");
            prop_assert_eq!(&p, &expected);
        }
    }

    #[test]
    fn the_same_generator_writes_the_same_notes(b in any::<u32>()) {
        let (mut p, clip) = project();
        let (mut q, _) = project();
        let g = generator(b);
        let r1 = dispatch(&mut p, Action::SetGenerator { clip, generator: Some(Box::new(g.clone())) });
        let r2 = dispatch(&mut q, Action::SetGenerator { clip, generator: Some(Box::new(g)) });
        prop_assert_eq!(r1.is_ok(), r2.is_ok());
        prop_assert_eq!(&p, &q);
    }
}

#[test]
fn save_and_load_keep_generators_and_hand_edits_are_refused() {
    let (mut p, clip) = project();
    dispatch(&mut p, Action::SetGenerator { clip, generator: Some(Box::new(generator(1))) }).expect("generator");
    assert!(!p.generators.is_empty());
    let dir = temp_dir("generators");
    let path = dir.join("g.imbolc");
    persist::save(&path, &p).expect("save");
    let loaded = persist::load(&path).expect("load").project;
    assert_eq!(loaded, p);
    assert_eq!(loaded.generators, p.generators);
    let _ = std::fs::remove_dir_all(dir);

    let err = dispatch(&mut p, Action::AddNote { clip, note: Note::new(60, 90, 0, 240) });
    assert_eq!(err.err(), Some(DispatchError::Generated(clip)));
}

#[test]
fn a_parameter_change_sends_only_the_notes_that_differ() {
    use imbolc_types::AudioDiff;
    use imbolc_types::generate::{Algorithm, Euclid};
    let (mut p, clip) = project();
    let g = |rotation| {
        let e = Euclid { pulses: 4, steps: 16, rotation, ..Euclid::default() };
        imbolc_types::Generator::new(Algorithm::Euclid(e), imbolc_types::Key::default())
    };
    dispatch(&mut p, Action::SetGenerator { clip, generator: Some(Box::new(g(0))) }).expect("attach");
    // 4 of 16, rotated by 4: the same onsets (0, 4, 8, 12): nothing to send.
    let out = dispatch(&mut p, Action::SetGenerator { clip, generator: Some(Box::new(g(4))) }).expect("same notes");
    assert!(out.diffs.is_empty(), "{:?}", out.diffs);
    // Rotated by 1: four notes move (four removed, four added).
    let out = dispatch(&mut p, Action::SetGenerator { clip, generator: Some(Box::new(g(1))) }).expect("moved");
    let [AudioDiff::NotesChanged { delta, .. }] = out.diffs.as_slice() else { panic!("{:?}", out.diffs) };
    assert_eq!((delta.upserted.len(), delta.removed.len()), (4, 4));
}

#[test]
fn a_generator_out_of_range_in_a_file_is_dropped_and_its_notes_stay() {
    let (mut p, clip) = project();
    dispatch(&mut p, Action::SetGenerator { clip, generator: Some(Box::new(generator(1))) }).expect("generator");
    let notes = p.clips[&clip].notes.clone();
    let mut crafted = p.clone();
    if let Some(g) = crafted.generators.get_mut(&clip) {
        g.step = 0;
    }
    let repairs = persist::repair(&mut crafted);
    assert!(!repairs.is_empty());
    assert!(crafted.generators.is_empty());
    assert_eq!(crafted.clips[&clip].notes, notes);
    // A valid one needs no repair.
    assert!(persist::repair(&mut p).is_empty());
}

/// Removing a generator clip, or its instrument, takes its generator with
/// it (no entry outlives its clip); undo puts back the exact project.
#[test]
fn removing_a_generator_clip_or_its_instrument_takes_the_generator_and_undo_restores_it() {
    let (mut p, clip) = project();
    place(&mut p, clip);
    dispatch(&mut p, Action::SetGenerator { clip, generator: Some(Box::new(generator(7))) }).expect("generator");
    let instrument = p.clips[&clip].instrument;
    for remove in [Action::RemoveClip { clip }, Action::RemoveInstrument { instrument }] {
        let before = p.clone();
        let mut history = UndoHistory::new(100, 1 << 24);
        let out = dispatch(&mut p, remove.clone()).expect("removed");
        history.push(out.undo.expect("undo"), std::time::Instant::now());
        assert!(p.generators.is_empty(), "{remove:?} left the generator behind: {:?}", p.generators);
        history.undo(&mut p).expect("undo applies");
        assert_eq!(p, before, "undo of {remove:?}");
        history.redo(&mut p).expect("redo applies");
        assert!(p.generators.is_empty());
        history.undo(&mut p).expect("undo again");
        assert_eq!(p, before);
    }
}
