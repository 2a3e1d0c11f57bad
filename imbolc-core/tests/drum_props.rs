//! Properties of drum editing, for random sequences of drum actions on a
//! project with two kits and patterns:
//!
//! - undo after each action restores the project exactly, redo re-applies
//!   it, and a refused action changes nothing;
//! - the audio thread's scheduler, fed only the diffs, plays exactly the
//!   hits of a scheduler built from scratch from the final project (so the
//!   small deltas never drift from the project).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] fns

use std::time::{Duration, Instant};

use imbolc_audio::scheduler::{DrumHit, PlayMode, Scheduler, SchedulerConfig};
use imbolc_core::{UndoHistory, dispatch};
use imbolc_types::{Action, ClipId, DrumPad, DrumStep, DrumVoice, InstrumentId, Project, StepResolution};
use proptest::prelude::*;

/// A step edit: step, pad, and the new (velocity, probability, pitch) or
/// `None` to clear.
type StepEdit = (u8, u8, Option<(u8, u8, i8)>);

/// One random drum edit; indices are folded into range when applied.
#[derive(Debug, Clone)]
enum Op {
    Toggle { pattern: u8, step: u8, pad: u8 },
    SetSteps { pattern: u8, steps: Vec<StepEdit> },
    Settings { pattern: u8, steps: u8, resolution: u8, swing: u8 },
    Pad { kit: u8, pad: u8, voice: u8, level: u8, pitch: i8 },
    AddPattern { kit: u8 },
    Remove { pattern: u8 },
}

fn op() -> impl Strategy<Value = Op> {
    let step = prop_oneof![3 => 0u8..16, 1 => 0u8..70];
    let pad = prop_oneof![3 => 0u8..16, 1 => 0u8..20];
    let value = proptest::option::of((0u8..=130, 0u8..=110, -30i8..=30));
    prop_oneof![
        6 => (any::<u8>(), step.clone(), pad.clone()).prop_map(|(pattern, step, pad)| Op::Toggle { pattern, step, pad }),
        4 => (any::<u8>(), proptest::collection::vec((step, pad, value), 1..6))
            .prop_map(|(pattern, steps)| Op::SetSteps { pattern, steps }),
        2 => (any::<u8>(), 0u8..=66, 0u8..4, 0u8..=80)
            .prop_map(|(pattern, steps, resolution, swing)| Op::Settings { pattern, steps, resolution, swing }),
        2 => (0u8..3, 0u8..18, 0u8..8, 0u8..=25, -30i8..=30)
            .prop_map(|(kit, pad, voice, level, pitch)| Op::Pad { kit, pad, voice, level, pitch }),
        1 => (0u8..3).prop_map(|kit| Op::AddPattern { kit }),
        1 => any::<u8>().prop_map(|pattern| Op::Remove { pattern }),
    ]
}

fn patterns(p: &Project) -> Vec<ClipId> {
    p.clips.values().filter(|c| c.drums.is_some()).map(|c| c.id).collect()
}

fn to_action(p: &Project, op: &Op) -> Option<Action> {
    let pick = |n: u8| {
        let all = patterns(p);
        (!all.is_empty()).then(|| all[usize::from(n) % all.len()])
    };
    Some(match op {
        Op::Toggle { pattern, step, pad } => Action::ToggleDrumStep { clip: pick(*pattern)?, key: (*step, *pad) },
        Op::SetSteps { pattern, steps } => Action::SetDrumSteps {
            clip: pick(*pattern)?,
            steps: steps
                .iter()
                .map(|(s, pad, v)| {
                    ((*s, *pad), v.map(|(velocity, probability, pitch)| DrumStep { velocity, probability, pitch }))
                })
                .collect(),
        },
        Op::Settings { pattern, steps, resolution, swing } => Action::SetDrumPattern {
            clip: pick(*pattern)?,
            steps: *steps,
            resolution: StepResolution::ALL[usize::from(*resolution) % 4],
            swing: f32::from(*swing) / 100.0,
        },
        Op::Pad { kit, pad, voice, level, pitch } => Action::SetDrumPad {
            instrument: InstrumentId(u32::from(*kit)),
            pad: *pad,
            def: DrumPad {
                level: f32::from(*level) / 10.0,
                pitch: f32::from(*pitch),
                ..DrumPad::voice(DrumVoice::ALL[usize::from(*voice) % DrumVoice::ALL.len()])
            },
        },
        Op::AddPattern { kit } => Action::AddDrumPattern {
            instrument: InstrumentId(u32::from(*kit)),
            name: String::new(),
            steps: 16,
            resolution: StepResolution::Sixteenth,
        },
        Op::Remove { pattern } => Action::RemoveClip { clip: pick(*pattern)? },
    })
}

/// Two kits with a pattern each (kit 2 is a saw: actions on it are refused).
fn start() -> Project {
    let mut p = Project::new("drums");
    for a in [
        Action::AddDrumKit { name: "a".into() },
        Action::AddDrumKit { name: "b".into() },
        Action::AddInstrument { source: imbolc_types::SourceKind::SAW, name: "saw".into() },
        Action::AddDrumPattern {
            instrument: InstrumentId(0),
            name: String::new(),
            steps: 16,
            resolution: StepResolution::Sixteenth,
        },
        Action::AddDrumPattern {
            instrument: InstrumentId(1),
            name: String::new(),
            steps: 12,
            resolution: StepResolution::Eighth,
        },
    ] {
        dispatch(&mut p, a).unwrap();
    }
    p
}

/// Every hit of each pattern in pattern mode over 4 s, in 50 ms windows,
/// as comparable tuples.
fn hits_of(s: &mut Scheduler, clips: &[ClipId]) -> Vec<(u64, u32, u8, u8, i8)> {
    let mut all = Vec::new();
    for &clip in clips {
        s.set_mode(PlayMode::Pattern(clip));
        s.play(0.0);
        let (mut events, mut hits): (Vec<_>, Vec<DrumHit>) = (Vec::new(), Vec::new());
        for k in 1..=80 {
            s.advance(f64::from(k) * 0.05, &mut events);
            s.take_hits(&mut hits);
        }
        s.stop(&mut events);
        s.seek(0);
        all.extend(hits.iter().map(|h| ((h.time * 1e9).round() as u64, h.key.clip.0, h.pad, h.velocity, h.pitch)));
    }
    all
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn drum_edits_undo_exactly_and_deltas_keep_the_scheduler_in_step(ops in proptest::collection::vec(op(), 1..40)) {
        let mut p = start();
        let mut history = UndoHistory::default();
        let mut live = Scheduler::new(&p.audio_scene(), SchedulerConfig::default());
        let t0 = Instant::now();
        for (i, o) in ops.iter().enumerate() {
            let Some(action) = to_action(&p, o) else { continue };
            let before = p.clone();
            match dispatch(&mut p, action.clone()) {
                Err(_) => prop_assert_eq!(&p, &before, "a refused action changed the project: {:?}", action),
                Ok(outcome) => {
                    for diff in &outcome.diffs {
                        live.apply(diff).expect("the scheduler knows what the diff names");
                    }
                    let after = p.clone();
                    history.push(outcome.undo.expect("undo entry"), t0 + Duration::from_secs(i as u64 * 10));
                    let undone = history.undo(&mut p).expect("undo applies").expect("one step");
                    prop_assert_eq!(&p, &before, "undo of {:?}", action);
                    let redone = history.redo(&mut p).expect("redo applies").expect("one step");
                    prop_assert_eq!(&p, &after, "redo of {:?}", action);
                    for diff in undone.diffs.iter().chain(&redone.diffs) {
                        live.apply(diff).expect("undo and redo diffs fit too");
                    }
                }
            }
            for c in p.clips.values() {
                if let Some(d) = &c.drums {
                    prop_assert_eq!(c.length, d.length_ticks(), "clip length follows the pattern");
                }
            }
        }
        let clips = patterns(&p);
        let mut fresh = Scheduler::new(&p.audio_scene(), SchedulerConfig::default());
        prop_assert_eq!(hits_of(&mut live, &clips), hits_of(&mut fresh, &clips));
    }
}
