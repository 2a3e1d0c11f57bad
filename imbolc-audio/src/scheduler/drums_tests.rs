//! Drum hits from the scheduler: steps on the right ticks in any window
//! partition, swing, probability 0/100 % and determinism, and edits of
//! steps, length and resolution picked up in the next window.

use imbolc_types::{
    AudioDiff, AudioScene, Clip, ClipId, DrumPattern, DrumStep, InstrumentId, Placement, PlacementId, StepDelta,
    StepResolution,
};

use super::{DrumHit, PlayMode, Scheduler, SchedulerConfig};

const KIT: InstrumentId = InstrumentId(3);
const BEAT: ClipId = ClipId(7);
/// Seconds per tick at 120 BPM.
const SPT: f64 = 60.0 / (120.0 * 480.0);

fn pattern(steps: u8, res: StepResolution, swing: f32, hits: &[(u8, u8, u8)]) -> DrumPattern {
    let mut p = DrumPattern::new(steps, res);
    p.swing = swing;
    for &(step, pad, probability) in hits {
        p.hits.insert((step, pad), DrumStep { probability, ..DrumStep::default() });
    }
    p
}

fn scene(p: DrumPattern, placements: Vec<Placement>) -> AudioScene {
    let clip = Clip {
        id: BEAT,
        name: "beat".into(),
        instrument: KIT,
        length: p.length_ticks(),
        looping: true,
        notes: Default::default(),
        drums: Some(p),
        audio: None,
    };
    AudioScene { tempo: 120.0, clips: vec![clip], placements, ..AudioScene::default() }
}

/// Plays from 0 in `mode` until `until` seconds in windows of the given
/// sizes (cycled) and returns every hit.
fn play(s: &mut Scheduler, mode: PlayMode, until: f64, windows: &[f64]) -> Vec<DrumHit> {
    s.set_mode(mode);
    s.play(0.0);
    let mut hits = Vec::new();
    let mut events = Vec::new();
    let mut t = 0.0;
    for w in windows.iter().cycle() {
        if t >= until {
            break;
        }
        t = (t + w).min(until);
        s.advance(t, &mut events);
        s.take_hits(&mut hits);
    }
    assert!(events.is_empty(), "patterns make no note events");
    hits
}

/// (tick, pad) of each hit, ticks rounded to 1/1000.
fn ticks(hits: &[DrumHit]) -> Vec<(f64, u8)> {
    hits.iter().map(|h| ((h.time / SPT * 1000.0).round() / 1000.0, h.pad)).collect()
}

#[test]
fn steps_land_on_their_ticks_whatever_the_windows() {
    let p = pattern(16, StepResolution::Sixteenth, 0.0, &[(0, 0, 100), (4, 0, 100), (4, 1, 100), (12, 2, 100)]);
    let want: Vec<(f64, u8)> = (0..3)
        .flat_map(|bar| [(0.0, 0), (480.0, 0), (480.0, 1), (1440.0, 2)].map(|(t, pad)| (t + 1920.0 * bar as f64, pad)))
        .collect();
    for windows in [&[0.05][..], &[0.013, 0.2, 0.001], &[1.0]] {
        let mut s = Scheduler::new(&scene(p.clone(), vec![]), SchedulerConfig::default());
        let hits = play(&mut s, PlayMode::Pattern(BEAT), 3.0 * 1920.0 * SPT, windows);
        assert_eq!(ticks(&hits), want, "windows {windows:?}");
        assert!(hits.windows(2).all(|w| w[0].time <= w[1].time), "in time order");
    }
}

#[test]
fn song_mode_plays_placements_of_the_pattern() {
    let p = pattern(4, StepResolution::Quarter, 0.0, &[(0, 0, 100), (2, 1, 100)]);
    let placements = vec![Placement { id: PlacementId(1), clip: BEAT, start: 960, length: 2 * 1920 }];
    let mut s = Scheduler::new(&scene(p, placements), SchedulerConfig::default());
    let hits = play(&mut s, PlayMode::Song, 6000.0 * SPT, &[0.05]);
    assert_eq!(ticks(&hits), vec![(960.0, 0), (1920.0, 1), (2880.0, 0), (3840.0, 1)]);
    assert!(hits.iter().all(|h| h.key.placement == Some(PlacementId(1))));
}

#[test]
fn swing_delays_off_beats_by_the_set_amount_only() {
    let all: Vec<(u8, u8, u8)> = (0..8).map(|s| (s, 0, 100)).collect();
    let p = pattern(8, StepResolution::Sixteenth, 0.5, &all);
    let mut s = Scheduler::new(&scene(p, vec![]), SchedulerConfig::default());
    let hits = play(&mut s, PlayMode::Pattern(BEAT), 960.0 * SPT, &[0.007]);
    let want: Vec<(f64, u8)> =
        (0..8).map(|k| (f64::from(k) * 120.0 + if k % 2 == 1 { 60.0 } else { 0.0 }, 0)).collect();
    assert_eq!(ticks(&hits), want);

    // 1/32 steps with 75 % swing: a fractional delay, exact in time.
    let p = pattern(2, StepResolution::ThirtySecond, 0.75, &[(1, 0, 100)]);
    let mut s = Scheduler::new(&scene(p, vec![]), SchedulerConfig::default());
    let hits = play(&mut s, PlayMode::Pattern(BEAT), 120.0 * SPT, &[0.003]);
    assert_eq!(hits.len(), 1);
    assert!((hits[0].time - 105.0 * SPT).abs() < 1e-12);
}

#[test]
fn probability_zero_never_plays_hundred_always_and_renders_repeat() {
    let p = pattern(16, StepResolution::Sixteenth, 0.0, &[(0, 0, 0), (1, 1, 100), (2, 2, 50)]);
    let until = 32.0 * 1920.0 * SPT;
    let mut a = Scheduler::new(&scene(p.clone(), vec![]), SchedulerConfig::default());
    let first = play(&mut a, PlayMode::Pattern(BEAT), until, &[0.05]);
    assert!(first.iter().all(|h| h.pad != 0), "probability 0 never plays");
    assert_eq!(first.iter().filter(|h| h.pad == 1).count(), 32, "probability 100 always plays");
    let half = first.iter().filter(|h| h.pad == 2).count();
    assert!((6..=26).contains(&half), "about half of 32 loops: {half}");
    let mut b = Scheduler::new(&scene(p, vec![]), SchedulerConfig::default());
    let second = play(&mut b, PlayMode::Pattern(BEAT), until, &[0.011, 0.07]);
    assert_eq!(ticks(&first), ticks(&second), "the same song plays the same hits");
}

#[test]
fn edits_are_picked_up_in_the_next_window() {
    let p = pattern(16, StepResolution::Sixteenth, 0.0, &[(0, 0, 100)]);
    let mut s = Scheduler::new(&scene(p, vec![]), SchedulerConfig::default());
    s.set_mode(PlayMode::Pattern(BEAT));
    s.play(0.0);
    let (mut hits, mut events) = (Vec::new(), Vec::new());
    // One bar, then a step is added: it plays from the next window on.
    s.advance(1920.0 * SPT, &mut events);
    s.take_hits(&mut hits);
    let delta = StepDelta { set: vec![((8, 1), DrumStep::default())], cleared: vec![] };
    s.apply(&AudioDiff::DrumStepsChanged { clip: BEAT, delta }).expect("known clip");
    s.advance(2.0 * 1920.0 * SPT, &mut events);
    s.take_hits(&mut hits);
    assert_eq!(ticks(&hits), vec![(0.0, 0), (1920.0, 0), (2880.0, 1)]);

    // Half the steps at 1/8: the same length, steps twice as far apart.
    hits.clear();
    s.apply(&AudioDiff::DrumPatternChanged { clip: BEAT, steps: 8, resolution: StepResolution::Eighth, swing: 0.0 })
        .expect("known clip");
    s.apply(&AudioDiff::ClipChanged { clip: BEAT, length: 1920, looping: true }).expect("known clip");
    s.advance(3.0 * 1920.0 * SPT, &mut events);
    s.take_hits(&mut hits);
    // Step 8 is now past the end: only step 0; then 4 steps → 960 ticks.
    assert_eq!(ticks(&hits), vec![(3840.0, 0)]);
    s.apply(&AudioDiff::DrumPatternChanged { clip: BEAT, steps: 4, resolution: StepResolution::Eighth, swing: 0.0 })
        .expect("known clip");
    s.apply(&AudioDiff::ClipChanged { clip: BEAT, length: 960, looping: true }).expect("known clip");
    hits.clear();
    s.advance(4.0 * 1920.0 * SPT, &mut events);
    s.take_hits(&mut hits);
    assert_eq!(ticks(&hits), vec![(5760.0, 0), (6720.0, 0)]);
}
