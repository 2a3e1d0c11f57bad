//! Clip launcher scheduling: quantized launches land on the song's grid
//! (across tempo changes and loop wraps), the old clip or arrangement ends
//! at the boundary, columns loop independently (polymeter), and a group
//! shares one boundary.

use std::collections::BTreeMap;

use imbolc_types::{
    AudioScene, Clip, ClipId, InstrumentId, LaunchQuantize, LaunchTarget, Note, NoteId, Placement, PlacementId,
};

use super::*;

fn clip(id: u32, instrument: u32, length: u32, notes: &[(u8, u32, u32)]) -> Clip {
    let notes: BTreeMap<_, _> = notes
        .iter()
        .enumerate()
        .map(|(i, &(pitch, start, length))| (NoteId(i as u32), Note::new(pitch, 100, start, length)))
        .collect();
    Clip {
        id: ClipId(id),
        name: String::new(),
        instrument: InstrumentId(instrument),
        length,
        looping: true,
        notes: notes.into(),
        drums: None,
        audio: None,
    }
}

/// Instrument 0 plays clip 0 (a three-beat note, 60, every three beats) on the
/// arrangement for 8 bars; clip 1 (72 on each half bar) and clip 2 (instrument
/// 1: 80 every three beats) are only launched. 120 bpm: a bar is 2 s.
fn scheduler() -> Scheduler {
    let arrangement = clip(0, 0, 1440, &[(60, 0, 1440)]);
    let launched = clip(1, 0, 960, &[(72, 0, 240)]);
    let three = clip(2, 1, 1440, &[(80, 0, 240)]);
    let four = clip(3, 2, 1920, &[(84, 0, 240)]);
    let scene = AudioScene {
        tempo: 120.0,
        clips: vec![arrangement, launched, three, four],
        placements: vec![Placement { id: PlacementId(0), clip: ClipId(0), start: 0, length: 8 * 1920 }],
        ..AudioScene::default()
    };
    Scheduler::new(&scene, SchedulerConfig::default())
}

fn launch(instrument: u32, target: LaunchTarget, group: u32) -> Launch {
    Launch { instrument: InstrumentId(instrument), target, quantize: LaunchQuantize::Bar, group }
}

fn run(s: &mut Scheduler, to: f64) -> Vec<NoteEvent> {
    let mut out = Vec::new();
    s.advance(to, &mut out);
    out
}

/// `(microseconds, on?, pitch)`.
fn summary(events: &[NoteEvent]) -> Vec<(i64, bool, u8)> {
    events.iter().map(|e| ((e.time * 1e6).round() as i64, e.kind == NoteEventKind::On, e.pitch)).collect()
}

fn ons(events: &[NoteEvent], pitch: u8) -> Vec<i64> {
    summary(events).into_iter().filter(|e| e.1 && e.2 == pitch).map(|e| e.0).collect()
}

#[test]
fn a_launch_starts_on_the_next_bar_and_ends_the_arrangement_there() {
    let mut s = scheduler();
    s.play(0.0);
    let mut events = run(&mut s, 0.6);
    s.launch(launch(0, LaunchTarget::Clip(ClipId(1)), 0));
    events.extend(run(&mut s, 1.3));
    events.extend(run(&mut s, 4.2));
    // The arrangement's notes up to the bar line, none after.
    assert_eq!(ons(&events, 60), vec![0, 1_500_000]);
    // The launched clip from the bar line, looping every half bar.
    assert_eq!(ons(&events, 72), vec![2_000_000, 3_000_000, 4_000_000]);
    // The arrangement note sounding at the bar line ends exactly there.
    let off60: Vec<i64> = summary(&events).into_iter().filter(|e| !e.1 && e.2 == 60).map(|e| e.0).collect();
    assert_eq!(off60.last(), Some(&2_000_000));
}

#[test]
fn a_stop_ends_the_clip_at_the_boundary_with_nothing_left_sounding() {
    let mut s = scheduler();
    s.play(0.0);
    s.launch(launch(0, LaunchTarget::Clip(ClipId(1)), 0));
    let mut events = run(&mut s, 2.1);
    // A long note across the next bar line: stop it there.
    s.launch(launch(0, LaunchTarget::Stop, 0));
    events.extend(run(&mut s, 7.0));
    assert!(ons(&events, 72).iter().all(|t| *t < 4_000_000));
    assert!(ons(&events, 60).is_empty(), "a stopped column keeps the arrangement silent");
    assert_eq!(s.sounding(), 0);
    let on = summary(&events).iter().filter(|e| e.1).count();
    let off = summary(&events).iter().filter(|e| !e.1).count();
    assert_eq!(on, off);
}

#[test]
fn back_to_arrangement_resumes_the_placements_on_the_boundary() {
    let mut s = scheduler();
    s.play(0.0);
    s.launch(launch(0, LaunchTarget::Stop, 0));
    let mut events = run(&mut s, 2.5);
    s.launch(launch(0, LaunchTarget::Arrangement, 0));
    events.extend(run(&mut s, 5.0));
    // The note due at 3 s was silenced; the next one plays.
    assert_eq!(ons(&events, 60), vec![4_500_000]);
}

#[test]
fn clips_of_different_lengths_loop_independently() {
    let mut s = scheduler();
    s.play(0.0);
    let mut events = run(&mut s, 1.0);
    s.launch(launch(1, LaunchTarget::Clip(ClipId(2)), 9));
    events.extend(run(&mut s, 1.5));
    s.launch(launch(2, LaunchTarget::Clip(ClipId(3)), 9));
    events.extend(run(&mut s, 8.1));
    assert_eq!(ons(&events, 80), vec![2_000_000, 3_500_000, 5_000_000, 6_500_000, 8_000_000]);
    assert_eq!(ons(&events, 84), vec![2_000_000, 4_000_000, 6_000_000, 8_000_000]);
}

#[test]
fn a_group_keeps_its_boundary_when_a_window_passes_it() {
    let mut s = scheduler();
    s.play(0.0);
    run(&mut s, 1.9);
    s.launch(launch(1, LaunchTarget::Clip(ClipId(2)), 4));
    // The window passes the bar line before the group's second launch.
    run(&mut s, 2.05);
    s.launch(launch(2, LaunchTarget::Clip(ClipId(3)), 4));
    let events = run(&mut s, 4.1);
    // It keeps the group's phase: its next loop starts with the others'.
    assert_eq!(ons(&events, 84), vec![4_000_000]);
    assert_eq!(ons(&events, 80), vec![3_500_000]);
}

#[test]
fn a_launch_after_a_tempo_change_lands_on_the_new_bar_line() {
    let mut s = scheduler();
    s.play(0.0);
    run(&mut s, 0.5);
    s.set_tempo(60.0);
    s.launch(launch(0, LaunchTarget::Clip(ClipId(1)), 0));
    let events = run(&mut s, 4.0);
    // Tick 480 at 0.5 s, then 480 ticks a second: bar line 1920 at 3.5 s.
    assert_eq!(ons(&events, 72), vec![3_500_000]);
}

#[test]
fn a_launch_follows_a_loop_wrap_to_the_loop_start() {
    let mut s = scheduler();
    s.set_loop(LoopRegion::new(0, 2880));
    s.play(0.0);
    run(&mut s, 2.1);
    s.launch(launch(0, LaunchTarget::Clip(ClipId(1)), 0));
    let events = run(&mut s, 3.6);
    // Song 2016 of a 1.5-bar loop: no bar line before the wrap at 3.0 s,
    // where the loop starts on one.
    assert_eq!(ons(&events, 72), vec![3_000_000]);
}

#[test]
fn a_launch_while_stopped_waits_for_play_and_stop_resets() {
    let mut s = scheduler();
    s.launch(launch(0, LaunchTarget::Clip(ClipId(1)), 0));
    assert!(!s.launcher_feedback(0.0).is_empty());
    s.play(1.0);
    let events = run(&mut s, 2.1);
    assert_eq!(ons(&events, 72), vec![1_000_000, 2_000_000]);
    assert!(ons(&events, 60).is_empty());
    let fb = s.launcher_feedback(1.25);
    assert_eq!(fb.first().and_then(|c| c.playing), Some((ClipId(1), 240)));
    let mut out = Vec::new();
    s.stop(&mut out);
    assert!(s.launcher_feedback(0.0).is_empty());
}

#[test]
fn a_launch_made_while_stopped_starts_after_the_count_in() {
    let mut s = scheduler();
    s.set_count_in(1);
    s.launch(launch(0, LaunchTarget::Clip(ClipId(1)), 0));
    s.play(0.0);
    let events = run(&mut s, 2.6);
    assert_eq!(ons(&events, 72), vec![2_000_000]);
}

/// Instrument 3's column: three half-bar clips (pitches 60, 62, 64) in
/// scenes 0..3, each with `follow`.
fn follow_scheduler(follow: imbolc_types::FollowAction, seed: u64) -> Scheduler {
    let clips: Vec<Clip> = (0..3).map(|k| clip(10 + k, 3, 960, &[(60 + 2 * k as u8, 0, 240)])).collect();
    let scene = AudioScene { tempo: 120.0, clips, ..AudioScene::default() };
    let mut s = Scheduler::new(&scene, SchedulerConfig::default());
    let mut grid = imbolc_types::Launcher { seed, ..Default::default() };
    for k in 0..3u32 {
        grid.set(InstrumentId(3), k as u16, Some(ClipId(10 + k)));
        grid.follow.insert(ClipId(10 + k), follow);
    }
    s.set_launcher_grid(grid);
    s
}

/// The pitches launched clips play over 8 s (eight half bars), launched
/// from scene 0.
fn follow_sequence(follow: imbolc_types::FollowAction, seed: u64) -> Vec<u8> {
    let mut s = follow_scheduler(follow, seed);
    s.play(0.0);
    s.launch(launch(3, LaunchTarget::Clip(ClipId(10)), 0));
    let mut events = Vec::new();
    for k in 1..=64 {
        events.extend(run(&mut s, f64::from(k) * 0.125));
    }
    summary(&events).into_iter().filter(|e| e.1).map(|e| e.2).collect()
}

#[test]
fn follow_actions_go_next_after_their_loops() {
    use imbolc_types::{FollowAction, FollowKind};
    let next = FollowAction { after_loops: 2, ..FollowAction::default() };
    assert_eq!(follow_sequence(next, 0), vec![60, 60, 62, 62, 64, 64, 60, 60]);
    let stop = FollowAction { after_loops: 1, first: FollowKind::Stop, second: FollowKind::Stop, first_chance: 100 };
    assert_eq!(follow_sequence(stop, 0), vec![60]);
}

#[test]
fn a_seeded_follow_chain_is_the_same_every_run() {
    use imbolc_types::{FollowAction, FollowKind};
    let chance = FollowAction { after_loops: 1, first: FollowKind::Other, second: FollowKind::Any, first_chance: 60 };
    let a = follow_sequence(chance, 42);
    assert_eq!(a.len(), 8);
    assert_eq!(a, follow_sequence(chance, 42));
    // `other` never repeats the clip; `any` may: the chain is not fixed.
    let others: Vec<Vec<u8>> = (0..8).map(|seed| follow_sequence(chance, seed)).collect();
    assert!(others.iter().any(|o| *o != a), "the seed changes the chain");
    eprintln!("seed 42: {a:?}");
}
