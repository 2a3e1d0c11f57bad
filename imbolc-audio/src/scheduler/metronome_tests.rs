//! Metronome and count-in in the scheduler: clicks on the beats of the
//! time signature, accents on bar starts, and a count-in during which the
//! song waits at its start.

use imbolc_types::{AudioScene, Clip, ClipId, InstrumentId, Note, NoteId, Placement, PlacementId, TimeSignature};

use super::ClickEvent;
use crate::scheduler::{LoopRegion, NoteEvent, NoteEventKind, Scheduler, SchedulerConfig};

fn scheduler(ts: TimeSignature) -> Scheduler {
    let notes = (0..8).map(|k| (NoteId(k), Note::new(60, 100, k * 480, 240))).collect();
    let clip = Clip {
        id: ClipId(0),
        name: String::new(),
        instrument: InstrumentId(0),
        length: 3840,
        looping: false,
        notes,
        drums: None,
        audio: None,
    };
    let scene = AudioScene {
        tempo: 120.0,
        time_signature: ts,
        clips: vec![clip],
        placements: vec![Placement { id: PlacementId(0), clip: ClipId(0), start: 0, length: 3840 }],
        ..AudioScene::default()
    };
    Scheduler::new(&scene, SchedulerConfig::default())
}

/// Advances in 30 ms windows from clock 0 to `until`.
fn run(s: &mut Scheduler, until: f64) -> (Vec<NoteEvent>, Vec<ClickEvent>) {
    let (mut notes, mut clicks) = (Vec::new(), Vec::new());
    let mut t = 0.0;
    while t < until {
        t += 0.03;
        s.advance(t, &mut notes);
    }
    s.drain_clicks(&mut clicks);
    (notes, clicks)
}

fn summary(clicks: &[ClickEvent]) -> Vec<(i64, bool, bool)> {
    clicks.iter().map(|c| ((c.time * 1000.0).round() as i64, c.accent, c.count_in)).collect()
}

#[test]
fn four_four_clicks_every_beat_with_an_accent_on_each_bar() {
    let mut s = scheduler(TimeSignature::default());
    s.set_metronome(true);
    s.play(0.0);
    let (_, clicks) = run(&mut s, 4.1);
    let got = summary(&clicks);
    assert_eq!(got.len(), 9, "beats at 0, 0.5 … 4.0 s");
    for (k, (ms, accent, count_in)) in got.iter().enumerate() {
        assert_eq!(*ms, k as i64 * 500);
        assert_eq!(*accent, k % 4 == 0, "beat {k}");
        assert!(!count_in);
    }
}

#[test]
fn six_eight_clicks_every_eighth_and_accents_every_six() {
    let mut s = scheduler(TimeSignature { numerator: 6, denominator: 8 });
    s.set_metronome(true);
    s.play(0.0);
    let (_, clicks) = run(&mut s, 3.0);
    let got = summary(&clicks);
    assert!(got.iter().enumerate().all(|(k, (ms, accent, _))| *ms == k as i64 * 250 && *accent == (k % 6 == 0)));
    assert_eq!(got.len(), 13, "0 to 3 s");
}

#[test]
fn a_count_in_clicks_a_bar_before_the_song_which_waits_at_its_start() {
    let mut s = scheduler(TimeSignature::default());
    s.set_count_in(1);
    s.seek(960);
    s.play(0.0);
    let (notes, clicks) = run(&mut s, 1.0);
    assert!(notes.is_empty(), "nothing of the song during the count-in");
    assert_eq!(s.position_at(1.0), 960, "the song stays at its start");
    assert!(s.counting_in_at(1.0));
    let (notes, more) = run(&mut s, 3.2);
    let all: Vec<_> = summary(&clicks).into_iter().chain(summary(&more)).collect();
    assert_eq!(all, vec![(0, true, true), (500, false, true), (1000, false, true), (1500, false, true)]);
    let ons: Vec<f64> = notes.iter().filter(|e| e.kind == NoteEventKind::On).map(|e| e.time).collect();
    assert!((ons[0] - 2.0).abs() < 1e-9, "the song starts after one bar: {ons:?}");
    assert_eq!(ons.len(), 3, "from beat 3 of the clip on (it started at tick 960)");
    assert!(!s.counting_in_at(2.5));
    assert!(s.position_at(2.5) >= 960 + 480);
}

#[test]
fn a_count_in_with_the_metronome_keeps_clicking_into_the_song_and_across_a_loop() {
    let mut s = scheduler(TimeSignature { numerator: 3, denominator: 4 });
    s.set_count_in(2);
    s.set_metronome(true);
    s.set_loop(LoopRegion::new(0, 960));
    s.play(0.0);
    let (notes, clicks) = run(&mut s, 4.6);
    let got = summary(&clicks);
    // Two 3/4 bars of count-in (3 s), then a two-beat loop: the song's beat
    // 0 is a bar start every pass (the loop start is tick 0).
    let count_in: Vec<_> = got.iter().filter(|c| c.2).collect();
    assert_eq!(count_in.len(), 6);
    assert_eq!(count_in.iter().filter(|c| c.1).count(), 2);
    let song: Vec<(i64, bool)> = got.iter().filter(|c| !c.2).map(|c| (c.0, c.1)).collect();
    assert_eq!(song, vec![(3000, true), (3500, false), (4000, true), (4500, false)]);
    assert_eq!(notes.iter().filter(|e| e.kind == NoteEventKind::On).count(), 4);
}

#[test]
fn without_metronome_or_count_in_nothing_clicks() {
    let mut s = scheduler(TimeSignature::default());
    s.play(0.0);
    assert!(run(&mut s, 2.0).1.is_empty());
}

#[test]
fn the_song_position_has_the_part_of_a_tick_and_waits_during_the_count_in() {
    let mut s = scheduler(TimeSignature::default());
    s.play(0.0);
    // 960 ticks a second at 120 BPM: 0.0104 s is 9.984 ticks.
    assert_eq!(s.position_at(0.0104), 9);
    assert!((s.song_position_at(0.0104) - 9.984).abs() < 1e-9, "{}", s.song_position_at(0.0104));
    let mut s = scheduler(TimeSignature::default());
    s.set_count_in(1);
    s.play(0.0);
    assert_eq!(s.song_position_at(1.0), 0.0, "the song waits at its start while counting in");
    assert!((s.song_position_at(2.5) - 480.0).abs() < 1e-9, "{}", s.song_position_at(2.5));
}

#[test]
fn the_count_in_end_is_known_while_it_is_ahead() {
    let mut s = scheduler(TimeSignature::default());
    assert_eq!(s.count_in_ends_after(0.0), None, "stopped");
    s.set_count_in(2);
    s.play(1.0);
    assert_eq!(s.count_in_ends_after(1.1), Some(5.0), "two bars of 2 s after play at 1 s");
    assert_eq!(s.count_in_ends_after(5.5), None, "over");
}
