//! Note probability in the scheduler: 100 % always plays, 50 % plays about
//! half the passes and the same passes on every run (pattern and song mode),
//! a skipped note sends neither on nor off, and a probability edit arrives
//! with `NotesChanged`.

use std::collections::BTreeMap;

use imbolc_types::{
    AudioDiff, AudioScene, Clip, ClipId, InstrumentId, Note, NoteDelta, NoteId, Placement, PlacementId,
};

use super::{NoteEvent, NoteEventKind, PlayMode, Scheduler, SchedulerConfig};

const CLIP: ClipId = ClipId(4);
/// One beat at 120 BPM: the clip is 480 ticks = 0.5 s long.
const PASS_SECS: f64 = 0.5;
const PASSES: u32 = 400;

fn note(probability: u8) -> Note {
    Note { probability, ..Note::new(60, 100, 0, 240) }
}

fn scene(n: Note, placements: Vec<Placement>) -> AudioScene {
    let clip = Clip {
        id: CLIP,
        name: String::new(),
        instrument: InstrumentId(1),
        length: 480,
        looping: true,
        notes: BTreeMap::from([(NoteId(9), n)]).into(),
        drums: None,
        audio: None,
    };
    AudioScene { tempo: 120.0, clips: vec![clip], placements, ..AudioScene::default() }
}

/// Plays `passes` passes of the clip in pattern mode, in windows of a
/// tenth of a pass.
fn play_pattern(s: &mut Scheduler, passes: u32) -> Vec<NoteEvent> {
    s.set_mode(PlayMode::Pattern(CLIP));
    s.play(0.0);
    let mut out = Vec::new();
    for w in 1..=passes * 10 {
        s.advance(f64::from(w) * PASS_SECS / 10.0, &mut out);
    }
    out
}

/// Which passes played a note-on.
fn passes_on(events: &[NoteEvent]) -> Vec<u32> {
    events.iter().filter(|e| e.kind == NoteEventKind::On).map(|e| (e.time / PASS_SECS).round() as u32).collect()
}

fn count(events: &[NoteEvent], kind: NoteEventKind) -> usize {
    events.iter().filter(|e| e.kind == kind).count()
}

#[test]
fn full_probability_plays_every_pass() {
    let mut s = Scheduler::new(&scene(note(100), vec![]), SchedulerConfig::default());
    let events = play_pattern(&mut s, PASSES);
    assert_eq!(passes_on(&events), (0..PASSES).collect::<Vec<_>>());
}

#[test]
fn half_probability_plays_about_half_the_passes_the_same_each_run() {
    let run = || play_pattern(&mut Scheduler::new(&scene(note(50), vec![]), SchedulerConfig::default()), PASSES);
    let (a, b) = (run(), run());
    let played = passes_on(&a);
    assert!((150..250).contains(&played.len()), "{} of {PASSES} passes played", played.len());
    assert_eq!(played, passes_on(&b), "two runs play the same passes");
    assert_eq!(count(&a, NoteEventKind::On), count(&a, NoteEventKind::Off), "a skipped note sends no off");
}

#[test]
fn song_mode_decides_by_occurrence_on_the_arrangement() {
    let placement = Placement { id: PlacementId(2), clip: CLIP, start: 0, length: 480 * PASSES };
    let run = || {
        let mut s = Scheduler::new(&scene(note(30), vec![placement]), SchedulerConfig::default());
        s.play(0.0);
        let mut out = Vec::new();
        // Uneven windows: the decision must not depend on the partition.
        let mut t = 0.0;
        while t < f64::from(PASSES) * PASS_SECS {
            t += 0.037;
            s.advance(t, &mut out);
        }
        out
    };
    let (a, b) = (run(), run());
    let played = passes_on(&a);
    assert!((70..170).contains(&played.len()), "{} of {PASSES} passes played", played.len());
    assert_eq!(played, passes_on(&b));
    // Seeking back to an occurrence replays its decision.
    let mut s = Scheduler::new(&scene(note(30), vec![placement]), SchedulerConfig::default());
    let Some(&first) = played.first() else { panic!("no pass played") };
    s.seek(first * 480);
    s.play(0.0);
    let mut out = Vec::new();
    s.advance(0.1, &mut out);
    assert_eq!(count(&out, NoteEventKind::On), 1, "occurrence {first} plays again");
}

#[test]
fn probability_edit_arrives_with_notes_changed() {
    let mut s = Scheduler::new(&scene(note(100), vec![]), SchedulerConfig::default());
    let before = play_pattern(&mut s, 20);
    assert_eq!(count(&before, NoteEventKind::On), 20);
    let delta = NoteDelta { upserted: vec![(NoteId(9), note(10))], removed: vec![] };
    s.apply(&AudioDiff::NotesChanged { clip: CLIP, delta }).expect("known clip");
    let mut after = Vec::new();
    for w in 1..=PASSES * 10 {
        s.advance(20.0 * PASS_SECS + f64::from(w) * PASS_SECS / 10.0, &mut after);
    }
    let on = count(&after, NoteEventKind::On);
    assert!((10..80).contains(&on), "{on} of {PASSES} passes played at 10 %");
}
