//! Tempo moves: tap tempo's change lands exactly on the next bar line, and
//! a nudge moves the music by a fraction of a beat without changing the
//! tempo.

use std::collections::BTreeMap;

use imbolc_types::{AudioScene, Clip, ClipId, InstrumentId, Note, NoteId, Placement, PlacementId};

use super::*;

/// A note on every beat for 8 bars at 120 bpm.
fn scheduler() -> Scheduler {
    let notes: BTreeMap<_, _> = (0..4).map(|k| (NoteId(k), Note::new(60, 100, k * 480, 240))).collect();
    let clip = Clip {
        id: ClipId(0),
        name: String::new(),
        instrument: InstrumentId(0),
        length: 1920,
        looping: true,
        notes: notes.into(),
        drums: None,
        audio: None,
    };
    let scene = AudioScene {
        tempo: 120.0,
        clips: vec![clip],
        placements: vec![Placement { id: PlacementId(0), clip: ClipId(0), start: 0, length: 8 * 1920 }],
        ..AudioScene::default()
    };
    Scheduler::new(&scene, SchedulerConfig::default())
}

/// Note-on times in microseconds.
fn ons(events: &[NoteEvent]) -> Vec<i64> {
    events.iter().filter(|e| e.kind == NoteEventKind::On).map(|e| (e.time * 1e6).round() as i64).collect()
}

#[test]
fn a_tapped_tempo_starts_on_the_next_bar_line() {
    let mut s = scheduler();
    s.play(0.0);
    let mut out = Vec::new();
    s.advance(0.6, &mut out);
    s.set_tempo_at_bar(60.0);
    // The project's tempo edit that follows waits for the bar line too.
    s.set_tempo(60.0);
    assert!((s.tempo() - 120.0).abs() < 1e-6);
    for k in 1..=60 {
        s.advance(0.6 + f64::from(k) * 0.1, &mut out);
    }
    assert_eq!(
        ons(&out),
        vec![0, 500_000, 1_000_000, 1_500_000, 2_000_000, 3_000_000, 4_000_000, 5_000_000, 6_000_000]
    );
    assert!((s.tempo() - 60.0).abs() < 1e-6);
}

#[test]
fn a_nudge_moves_the_music_for_one_beat_and_keeps_the_tempo() {
    let mut s = scheduler();
    s.play(0.0);
    let mut out = Vec::new();
    s.advance(1.0, &mut out);
    s.nudge(true);
    s.advance(2.5, &mut out);
    let beat = 0.5 / 1.04;
    let want: Vec<i64> =
        [0.0, 0.5, 1.0, 1.0 + beat, 1.5 + beat, 2.0 + beat].iter().map(|t| (t * 1e6_f64).round() as i64).collect();
    assert_eq!(ons(&out), want);
    assert!((s.tempo() - 120.0).abs() < 1e-6);
    // Held back: the beat after is later by the same fraction.
    let mut held = scheduler();
    held.play(0.0);
    let mut out = Vec::new();
    held.advance(1.0, &mut out);
    held.nudge(false);
    held.advance(1.6, &mut out);
    assert_eq!(ons(&out).last().copied(), Some(((1.0 + 0.5 / 0.96) * 1e6_f64).round() as i64));
}

#[test]
fn stopping_before_the_bar_line_sets_the_tapped_tempo() {
    let mut s = scheduler();
    s.play(0.0);
    let mut out = Vec::new();
    s.advance(0.5, &mut out);
    s.set_tempo_at_bar(90.0);
    s.stop(&mut out);
    assert!((s.tempo() - 90.0).abs() < 1e-6);
}

/// Ableton Link: the scheduler follows an outside line from its horizon
/// (that line, not its own, decides the times after it), and a line that
/// agrees within the tolerance leaves it alone.
#[test]
fn a_followed_line_times_the_ticks_after_the_horizon() {
    let mut s = scheduler();
    s.play(0.0);
    let mut out = Vec::new();
    s.advance(0.6, &mut out);
    // 0.6 s at 120 bpm is tick 576.
    assert!(!s.follow_line(Some(576.01), 120.0), "within tolerance: nothing to do");
    // The outside timeline is 2 ms ahead and now at 240 bpm.
    let ahead = 576.0 + 0.002 / tempo::seconds_per_tick(120.0);
    assert!(s.follow_line(Some(ahead), 240.0));
    assert!((s.tempo() - 240.0).abs() < 1e-6);
    s.advance(1.2, &mut out);
    let at = |tick: f64| ((0.6 + (tick - ahead) * tempo::seconds_per_tick(240.0)) * 1e6).round() as i64;
    assert_eq!(ons(&out), vec![0, 500_000, at(960.0), at(1440.0)]);
    // Stopped, only the tempo is taken.
    s.stop(&mut Vec::new());
    assert!(s.follow_line(Some(0.0), 100.0));
    assert!((s.tempo() - 100.0).abs() < 1e-6);
}
