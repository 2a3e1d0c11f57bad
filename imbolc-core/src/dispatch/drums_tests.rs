//! Drum dispatch: diffs the size of the edit, undo round trips, refusals
//! without change, the kit and pattern invariants, and persistence.

use imbolc_types::drums::{MAX_STEPS, PAD_COUNT};
use imbolc_types::{
    Action, AudioDiff, ClipId, DrumPad, DrumStep, DrumVoice, InstrumentId, PadSound, Project, StepDelta, StepResolution,
};

use super::super::{DispatchError, apply, dispatch};

const KIT: InstrumentId = InstrumentId(0);
const PATTERN: ClipId = ClipId(0);

fn ok(p: &mut Project, a: Action) -> Vec<AudioDiff> {
    dispatch(p, a).expect("applies").diffs
}

/// Applies `action`, then its inverse, and checks the project came back.
fn round_trip(p: &mut Project, action: Action) -> Vec<AudioDiff> {
    let before = p.clone();
    let out = dispatch(p, action.clone()).expect("applies");
    assert_ne!(*p, before, "{action:?} changed nothing");
    for inverse in out.undo.expect("undo entry").inverse {
        apply(p, inverse).expect("inverse applies");
    }
    assert_eq!(*p, before, "undo of {action:?}");
    dispatch(p, action).expect("redo").diffs
}

/// Checks the drum invariants on every kit and pattern.
fn check_invariants(p: &Project) {
    for inst in p.instruments.values() {
        if let Some(kit) = &inst.def.drums {
            assert_eq!(kit.pads.len(), PAD_COUNT, "kit {}", inst.id);
            assert!(kit.pads.iter().all(DrumPad::is_valid));
        }
    }
    for clip in p.clips.values() {
        if let Some(pattern) = &clip.drums {
            assert_eq!(clip.length, pattern.length_ticks(), "clip {}", clip.id);
            assert!(p.instruments[&clip.instrument].def.drums.is_some(), "a pattern plays a kit");
            assert!(pattern.hits.iter().all(|(k, s)| k.0 < MAX_STEPS && usize::from(k.1) < PAD_COUNT && s.is_valid()));
        }
    }
}

fn kit_with_pattern() -> Project {
    let mut p = Project::new("drums");
    ok(&mut p, Action::AddDrumKit { name: String::new() });
    ok(
        &mut p,
        Action::AddDrumPattern {
            instrument: KIT,
            name: "beat".into(),
            steps: 16,
            resolution: StepResolution::Sixteenth,
        },
    );
    p
}

#[test]
fn a_kit_has_sixteen_pads_and_a_pattern_is_a_looping_clip() {
    let mut p = Project::new("drums");
    let d = round_trip(&mut p, Action::AddDrumKit { name: "kit".into() });
    assert!(matches!(&d[..], [AudioDiff::InstrumentAdded { instrument, .. }] if instrument.def.drums.is_some()));
    let d = round_trip(
        &mut p,
        Action::AddDrumPattern {
            instrument: InstrumentId(1),
            name: String::new(),
            steps: 12,
            resolution: StepResolution::Eighth,
        },
    );
    let [AudioDiff::ClipAdded { clip }] = &d[..] else { panic!("{d:?}") };
    assert_eq!((clip.length, clip.looping), (12 * 240, true));
    check_invariants(&p);
}

#[test]
fn step_edits_travel_as_small_deltas_and_undo() {
    let mut p = kit_with_pattern();
    let d = round_trip(&mut p, Action::ToggleDrumStep { clip: PATTERN, key: (4, 1) });
    let set = StepDelta { set: vec![((4, 1), DrumStep::default())], cleared: vec![] };
    assert_eq!(d, vec![AudioDiff::DrumStepsChanged { clip: PATTERN, delta: set }]);
    let d = round_trip(&mut p, Action::ToggleDrumStep { clip: PATTERN, key: (4, 1) });
    let cleared = StepDelta { set: vec![], cleared: vec![(4, 1)] };
    assert_eq!(d, vec![AudioDiff::DrumStepsChanged { clip: PATTERN, delta: cleared }]);

    let loud = DrumStep { velocity: 127, probability: 50, pitch: -3 };
    let steps = vec![((0, 0), Some(loud)), ((8, 0), Some(DrumStep::default())), ((2, 3), None)];
    round_trip(&mut p, Action::SetDrumSteps { clip: PATTERN, steps });
    assert_eq!(p.clips[&PATTERN].drums.as_ref().map(|d| d.hits.len()), Some(2));
    check_invariants(&p);
}

#[test]
fn pattern_settings_keep_the_clip_length_and_undo() {
    let mut p = kit_with_pattern();
    ok(&mut p, Action::ToggleDrumStep { clip: PATTERN, key: (15, 0) });
    let d = round_trip(
        &mut p,
        Action::SetDrumPattern { clip: PATTERN, steps: 8, resolution: StepResolution::ThirtySecond, swing: 0.5 },
    );
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(matches!(d[1], AudioDiff::ClipChanged { length: 480, .. }));
    check_invariants(&p);
    // Swing alone does not reshape the clip.
    let d = ok(
        &mut p,
        Action::SetDrumPattern { clip: PATTERN, steps: 8, resolution: StepResolution::ThirtySecond, swing: 0.25 },
    );
    assert_eq!(d.len(), 1);
    // Steps past the end are kept, so lengthening brings them back.
    ok(&mut p, Action::SetDrumPattern { clip: PATTERN, steps: 16, resolution: StepResolution::Sixteenth, swing: 0.0 });
    assert!(p.clips[&PATTERN].drums.as_ref().is_some_and(|d| d.hits.contains_key(&(15, 0))));
    check_invariants(&p);
}

#[test]
fn pads_change_sound_level_and_tune_and_undo() {
    let mut p = kit_with_pattern();
    let sample = DrumPad {
        name: "vox".into(),
        sound: PadSound::Sample { path: "/tmp/vox.wav".into() },
        level: 0.8,
        pitch: -5.0,
        region: None,
        loop_beats: None,
    };
    let d = round_trip(&mut p, Action::SetDrumPad { instrument: KIT, pad: 15, def: sample.clone() });
    assert_eq!(d, vec![AudioDiff::DrumPadChanged { instrument: KIT, pad: 15, def: sample }]);
    let cowbell = DrumPad { level: 1.5, ..DrumPad::voice(DrumVoice::Cowbell) };
    round_trip(&mut p, Action::SetDrumPad { instrument: KIT, pad: 0, def: cowbell });
    check_invariants(&p);
}

#[test]
fn a_stored_pad_with_a_malformed_hash_is_refused() {
    let mut p = kit_with_pattern();
    let before = p.clone();
    let stored = |hash: &str| DrumPad {
        name: "s".into(),
        sound: PadSound::Stored(imbolc_types::SampleRef {
            hash: hash.into(),
            name: "s.wav".into(),
            format: imbolc_types::SampleFormat::Wav,
            channels: 1,
            sample_rate: 48_000,
            frames: 1,
            bytes: 46,
        }),
        level: 1.0,
        pitch: 0.0,
        region: None,
        loop_beats: None,
    };
    for bad in ["", "../../etc/passwd", &"A".repeat(64)] {
        let err = dispatch(&mut p, Action::SetDrumPad { instrument: KIT, pad: 1, def: stored(bad) });
        assert!(matches!(err, Err(DispatchError::InvalidPad)), "{bad}: {err:?}");
    }
    assert_eq!(p, before);
    round_trip(&mut p, Action::SetDrumPad { instrument: KIT, pad: 1, def: stored(&"0f".repeat(32)) });
}

#[test]
fn bad_drum_actions_change_nothing() {
    let mut p = kit_with_pattern();
    ok(&mut p, Action::AddInstrument { source: imbolc_types::SourceKind::SAW, name: "bass".into() });
    ok(&mut p, Action::AddClip { instrument: InstrumentId(1), name: String::new(), length: 960 });
    let notes = ClipId(1);
    let before = p.clone();
    let bad_step = DrumStep { velocity: 0, ..DrumStep::default() };
    let cases = [
        (Action::ToggleDrumStep { clip: PATTERN, key: (64, 0) }, DispatchError::NoSuchStep { step: 64, pad: 0 }),
        (Action::ToggleDrumStep { clip: PATTERN, key: (0, 16) }, DispatchError::NoSuchStep { step: 0, pad: 16 }),
        (Action::ToggleDrumStep { clip: notes, key: (0, 0) }, DispatchError::NotADrumPattern(notes)),
        (
            Action::SetDrumSteps { clip: PATTERN, steps: vec![((0, 0), Some(DrumStep::default())), ((0, 0), None)] },
            DispatchError::DuplicateStep { step: 0, pad: 0 },
        ),
        (Action::SetDrumSteps { clip: PATTERN, steps: vec![((1, 1), Some(bad_step))] }, DispatchError::InvalidStep),
        (
            Action::SetDrumPattern { clip: PATTERN, steps: 0, resolution: StepResolution::Quarter, swing: 0.0 },
            DispatchError::InvalidPattern,
        ),
        (
            Action::SetDrumPattern { clip: PATTERN, steps: 16, resolution: StepResolution::Quarter, swing: 0.8 },
            DispatchError::InvalidPattern,
        ),
        (Action::SetClipLength { clip: PATTERN, length: 100 }, DispatchError::DrumClipLength),
        (
            Action::SetDrumPad { instrument: InstrumentId(1), pad: 0, def: DrumPad::voice(DrumVoice::Kick) },
            DispatchError::NotADrumKit(InstrumentId(1)),
        ),
        (
            Action::SetDrumPad { instrument: KIT, pad: 16, def: DrumPad::voice(DrumVoice::Kick) },
            DispatchError::NoSuchPad { instrument: KIT, pad: 16 },
        ),
        (
            Action::SetDrumPad {
                instrument: KIT,
                pad: 0,
                def: DrumPad { pitch: 30.0, ..DrumPad::voice(DrumVoice::Kick) },
            },
            DispatchError::InvalidPad,
        ),
        (Action::SetDrumPads { instrument: KIT, pads: vec![] }, DispatchError::Empty),
        (
            Action::SetDrumPads {
                instrument: KIT,
                pads: vec![(1, DrumPad::voice(DrumVoice::Kick)), (1, DrumPad::voice(DrumVoice::Rim))],
            },
            DispatchError::InvalidPad,
        ),
        (
            Action::SetDrumPads {
                instrument: KIT,
                pads: vec![(1, DrumPad::voice(DrumVoice::Kick)), (16, DrumPad::voice(DrumVoice::Rim))],
            },
            DispatchError::NoSuchPad { instrument: KIT, pad: 16 },
        ),
        (
            Action::SetDrumPads { instrument: InstrumentId(1), pads: vec![(1, DrumPad::voice(DrumVoice::Kick))] },
            DispatchError::NotADrumKit(InstrumentId(1)),
        ),
        (
            Action::AddDrumPattern {
                instrument: InstrumentId(1),
                name: String::new(),
                steps: 16,
                resolution: StepResolution::Sixteenth,
            },
            DispatchError::NotADrumKit(InstrumentId(1)),
        ),
    ];
    for (action, want) in cases {
        assert_eq!(dispatch(&mut p, action.clone()), Err(want), "{action:?}");
        assert_eq!(p, before, "{action:?} changed the project");
    }
}

#[test]
fn removing_a_kit_and_undoing_brings_its_patterns_back() {
    let mut p = kit_with_pattern();
    ok(&mut p, Action::ToggleDrumStep { clip: PATTERN, key: (0, 0) });
    ok(&mut p, Action::AddPlacement { clip: PATTERN, start: 0, length: 7680 });
    round_trip(&mut p, Action::RemoveInstrument { instrument: KIT });
}

#[test]
fn kits_and_patterns_survive_the_file_format() {
    let mut p = kit_with_pattern();
    let steps =
        vec![((0, 0), Some(DrumStep { velocity: 90, probability: 40, pitch: 2 })), ((3, 5), Some(DrumStep::default()))];
    ok(&mut p, Action::SetDrumSteps { clip: PATTERN, steps });
    ok(&mut p, Action::SetDrumPattern { clip: PATTERN, steps: 16, resolution: StepResolution::Sixteenth, swing: 0.3 });
    let bytes = crate::persist::format::encode(&p).expect("encode");
    let back = crate::persist::format::decode(crate::persist::FORMAT_VERSION, &bytes).expect("decode");
    assert_eq!(back, p);
}
