//! Unit tests of the history: coalescing, limits, redo clearing, size.

use std::time::{Duration, Instant};

use imbolc_types::{Action, AudioDiff, ChainOwner, EffectKind, MixerParam, ParamTarget, Project, SourceKind};

use super::{UndoHistory, history::DEFAULT_MAX_ENTRIES};
use crate::dispatch;

fn setup() -> (Project, ParamTarget) {
    let mut p = Project::new("u");
    dispatch(&mut p, Action::AddInstrument { source: SourceKind::SINE, name: String::new() }).expect("add");
    let i = *p.instruments.keys().next().expect("inst");
    (p, ParamTarget::Mixer { instrument: i, param: MixerParam::Level })
}

fn set(p: &mut Project, h: &mut UndoHistory, target: &ParamTarget, value: f32, at: Instant) {
    let out = dispatch(p, Action::SetParam { target: target.clone(), value }).expect("set");
    h.push(out.undo.expect("entry"), at);
}

#[test]
fn a_gesture_within_the_window_is_one_step() {
    let (mut p, target) = setup();
    let start = p.clone();
    let mut h = UndoHistory::default();
    let t = Instant::now();
    for (k, ms) in [0u64, 200, 400, 600, 1000].iter().enumerate() {
        set(&mut p, &mut h, &target, 0.1 * (k as f32 + 1.0), t + Duration::from_millis(*ms));
    }
    assert_eq!(h.len(), 1, "each edit came within 500 ms of the previous one");
    set(&mut p, &mut h, &target, 1.5, t + Duration::from_millis(1600));
    assert_eq!(h.len(), 2, "a pause of 600 ms starts a new step");
    h.undo(&mut p).expect("undo");
    h.undo(&mut p).expect("undo");
    assert_eq!(p, start);
}

#[test]
fn other_targets_and_undo_break_coalescing() {
    let (mut p, target) = setup();
    let mut h = UndoHistory::default();
    let t = Instant::now();
    set(&mut p, &mut h, &target, 0.1, t);
    set(&mut p, &mut h, &ParamTarget::MasterLevel, 0.5, t + Duration::from_millis(10));
    set(&mut p, &mut h, &target, 0.2, t + Duration::from_millis(20));
    assert_eq!(h.len(), 3);
    h.undo(&mut p).expect("undo");
    set(&mut p, &mut h, &ParamTarget::MasterLevel, 0.6, t + Duration::from_millis(30));
    assert_eq!(h.len(), 3, "after an undo a new gesture is a new step");
    assert!(!h.can_redo(), "a new edit clears redo");
}

#[test]
fn depth_and_bytes_are_bounded() {
    let (mut p, target) = setup();
    let mut h = UndoHistory::default();
    let t = Instant::now();
    for k in 0..(DEFAULT_MAX_ENTRIES + 100) {
        set(&mut p, &mut h, &target, (k % 20) as f32 * 0.1, t + Duration::from_secs(k as u64));
    }
    assert_eq!(h.len(), DEFAULT_MAX_ENTRIES);
    assert!(h.bytes() < 200 * 1024, "500 parameter steps hold {} bytes", h.bytes());

    let mut small = UndoHistory::new(500, 4096);
    for k in 0..100 {
        set(&mut p, &mut small, &target, 0.5, t + Duration::from_secs(k));
    }
    assert!(small.bytes() <= 4096 && small.len() < 100 && small.len() > 1, "{} steps", small.len());
}

#[test]
fn undoing_add_effect_emits_effect_removed_and_redo_re_adds_it() {
    let (mut p, _) = setup();
    let mut h = UndoHistory::default();
    let out = dispatch(&mut p, Action::AddEffect { owner: ChainOwner::Master, kind: EffectKind::REVERB, index: None })
        .expect("add");
    let added = out.diffs.clone();
    h.push(out.undo.expect("entry"), Instant::now());
    let undo = h.undo(&mut p).expect("undo").expect("step");
    assert!(matches!(&undo.diffs[..], [AudioDiff::EffectRemoved { .. }]));
    let redo = h.redo(&mut p).expect("redo").expect("step");
    assert_eq!(redo.diffs, added, "redo emits the same diff as the edit");
}

/// Edits joined since a mark undo as one step and redo as one step, back
/// to the exact projects; earlier steps stay as they were.
#[test]
fn edits_joined_since_a_mark_are_one_step() {
    let (mut p, target) = setup();
    let mut h = UndoHistory::default();
    let t = Instant::now();
    set(&mut p, &mut h, &target, 0.3, t);
    let before = p.clone();
    let mark = h.state();
    let inst = *p.instruments.keys().next().expect("inst");
    for action in [
        Action::AddClip { instrument: inst, name: String::new(), length: 1920 },
        Action::AddPlacement { clip: imbolc_types::ClipId(0), start: 0, length: 1920 },
        Action::AddNote { clip: imbolc_types::ClipId(0), note: imbolc_types::Note::new(60, 100, 0, 240) },
    ] {
        let out = dispatch(&mut p, action).expect("applies");
        h.push(out.undo.expect("entry"), t);
    }
    let after = p.clone();
    h.join_since(mark, "add notes");
    assert_eq!((h.len(), h.undo_label()), (2, Some("add notes")));
    assert_ne!(h.state(), mark, "the joined step leads to a new state");
    h.undo(&mut p).expect("undo").expect("a step");
    assert_eq!(p, before);
    h.redo(&mut p).expect("redo").expect("a step");
    assert_eq!(p, after);
    h.undo(&mut p).expect("undo").expect("a step");
    h.undo(&mut p).expect("undo").expect("the level step");
    assert_eq!(h.len(), 0);
}
