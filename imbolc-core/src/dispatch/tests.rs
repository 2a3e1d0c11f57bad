//! Unit tests of dispatch: diffs, cascades, and refusal without change.

use imbolc_types::{
    Action, AudioDiff, ChainOwner, EffectId, EffectKind, InstrumentId, MidiCurve, MidiMapping, MixerParam, Note,
    OutputTarget, ParamTarget, Project, SourceKind,
};

use super::{DispatchError, dispatch};

fn ok(p: &mut Project, a: Action) -> Vec<AudioDiff> {
    dispatch(p, a).expect("applies").diffs
}

fn project_with_instrument() -> (Project, InstrumentId) {
    let mut p = Project::new("t");
    ok(&mut p, Action::AddInstrument { source: SourceKind::SAW, name: "lead".into() });
    (p, InstrumentId(0))
}

#[test]
fn add_effect_says_where_it_goes() {
    let (mut p, i) = project_with_instrument();
    let owner = ChainOwner::Instrument(i);
    ok(&mut p, Action::AddEffect { owner, kind: EffectKind::DELAY, index: None });
    let d = ok(&mut p, Action::AddEffect { owner, kind: EffectKind::REVERB, index: Some(1) });
    assert!(
        matches!(&d[..], [AudioDiff::EffectAdded { after: Some(EffectId(0)), effect, .. }] if effect.id == EffectId(1))
    );
    let d = ok(&mut p, Action::MoveEffect { owner, effect: EffectId(1), index: 0 });
    assert_eq!(d, vec![AudioDiff::EffectMoved { owner, effect: EffectId(1), after: None }]);
}

#[test]
fn refused_actions_change_nothing() {
    let (mut p, i) = project_with_instrument();
    ok(&mut p, Action::AddClip { instrument: i, name: String::new(), length: 1920 });
    let clip = *p.clips.keys().next().expect("clip");
    ok(&mut p, Action::AddNotes { clip, notes: vec![Note::new(60, 90, 0, 10), Note::new(62, 90, 50, 10)] });
    let notes: Vec<_> = p.clips[&clip].notes.keys().copied().collect();
    let before = p.clone();
    let bad = [
        (Action::RemoveInstrument { instrument: InstrumentId(9) }, DispatchError::NoSuchInstrument(InstrumentId(9))),
        (
            Action::SetParam { target: ParamTarget::Mixer { instrument: i, param: MixerParam::Level }, value: 3.0 },
            DispatchError::OutOfRange { value: 3.0, min: 0.0, max: 2.0 },
        ),
        (Action::SetParam { target: ParamTarget::Tempo, value: f32::NAN }, DispatchError::NotFinite),
        // The second note would start before zero: neither note moves.
        (Action::MoveNotes { clip, notes: notes.clone(), ticks: -20, semitones: 0 }, DispatchError::InvalidNote),
        (Action::RemoveNotes { clip, notes: vec![notes[0], notes[0]] }, DispatchError::DuplicateNote(notes[0])),
        (
            Action::RemoveEffect { owner: ChainOwner::Master, effect: EffectId(4) },
            DispatchError::NoSuchEffect { owner: ChainOwner::Master, effect: EffectId(4) },
        ),
        (Action::MoveInstrument { instrument: i, index: 5 }, DispatchError::BadIndex { index: 5, len: 1 }),
    ];
    for (action, want) in bad {
        assert_eq!(dispatch(&mut p, action.clone()), Err(want), "{action:?}");
        assert_eq!(p, before, "{action:?} changed the project");
    }
}

#[test]
fn removing_an_instrument_takes_its_clips_lanes_and_mappings() {
    let (mut p, i) = project_with_instrument();
    ok(&mut p, Action::AddClip { instrument: i, name: String::new(), length: 1920 });
    let clip = *p.clips.keys().next().expect("clip");
    ok(&mut p, Action::AddPlacement { clip, start: 0, length: 1920 });
    let target = ParamTarget::Mixer { instrument: i, param: MixerParam::Pan };
    ok(&mut p, Action::AddLane { target: target.clone() });
    ok(
        &mut p,
        Action::MapMidiCc(Box::new(MidiMapping {
            channel: 0,
            cc: 1,
            target,
            min: -1.0,
            max: 1.0,
            curve: MidiCurve::Linear,
        })),
    );
    ok(
        &mut p,
        Action::MapMidiCc(Box::new(MidiMapping {
            channel: 0,
            cc: 7,
            target: ParamTarget::MasterLevel,
            min: 0.0,
            max: 1.0,
            curve: MidiCurve::Linear,
        })),
    );
    let out = dispatch(&mut p, Action::RemoveInstrument { instrument: i }).expect("remove");
    assert!(p.clips.is_empty() && p.placements.is_empty() && p.automation.is_empty());
    assert_eq!(p.midi_mappings.len(), 1, "the master mapping stays");
    assert_eq!(out.diffs.last(), Some(&AudioDiff::InstrumentRemoved { instrument: i }));
    assert!(matches!(&out.undo.as_ref().expect("undo").inverse[..], [Action::RestoreInstrument(_)]));
}

#[test]
fn removing_a_bus_sends_its_strips_to_master() {
    let (mut p, i) = project_with_instrument();
    ok(&mut p, Action::AddBus { name: "verb".into() });
    let bus = *p.buses.keys().next().expect("bus");
    ok(&mut p, Action::SetOutput { instrument: i, output: OutputTarget::Bus(bus) });
    ok(&mut p, Action::AddSend { instrument: i, bus, level: 0.5 });
    let d = ok(&mut p, Action::RemoveBus { bus });
    let m = &p.instruments[&i].mixer;
    assert_eq!(m.output, OutputTarget::Master);
    assert!(m.sends.is_empty());
    assert!(matches!(&d[..], [AudioDiff::MixerSet { .. }, AudioDiff::BusRemoved { .. }]));
}

#[test]
fn set_param_emits_one_targeted_diff() {
    let (mut p, i) = project_with_instrument();
    let target = ParamTarget::Source { instrument: i, param: "detune".into() };
    let d = ok(&mut p, Action::SetParam { target: target.clone(), value: 0.5 });
    assert_eq!(d, vec![AudioDiff::ParamSet { target, value: 0.5 }]);
    let missing = ParamTarget::Source { instrument: i, param: "width".into() };
    assert_eq!(
        dispatch(&mut p, Action::SetParam { target: missing.clone(), value: 0.5 }),
        Err(DispatchError::NoSuchParam(missing))
    );
}

#[test]
fn the_limiter_ceiling_is_a_parameter_with_its_range_and_inverse() {
    let mut p = Project::new("t");
    let target = ParamTarget::MasterLimiterCeiling;
    let applied = dispatch(&mut p, Action::SetParam { target: target.clone(), value: -6.0 }).expect("applies");
    assert_eq!(applied.diffs, vec![AudioDiff::ParamSet { target: target.clone(), value: -6.0 }]);
    assert_eq!(p.master.limiter_ceiling_db, -6.0);
    assert!(applied.undo.is_some(), "undoable");
    assert_eq!(super::param_value(&p, &target), Some(-6.0));
    let before = p.clone();
    for bad in [-30.0f32, 1.0] {
        let e = dispatch(&mut p, Action::SetParam { target: target.clone(), value: bad }).unwrap_err();
        assert_eq!(e, DispatchError::OutOfRange { value: f64::from(bad), min: -24.0, max: 0.0 });
    }
    assert_eq!(p, before);
    // A lane can automate it.
    ok(&mut p, Action::AddLane { target: target.clone() });
    let lane = *p.automation.keys().next().expect("lane");
    ok(&mut p, Action::SetAutomationPoint { lane, tick: 0, value: -12.0 });
}

#[test]
fn a_duplicated_clip_copies_the_content_under_a_new_name_and_undoes_exactly() {
    let (mut p, lead) = project_with_instrument();
    ok(&mut p, Action::AddClip { instrument: lead, name: "fill".into(), length: 1920 });
    let clip = imbolc_types::ClipId(0);
    let note = Note { pitch: 60, velocity: 100, start: 0, length: 240, probability: 100 };
    ok(&mut p, Action::AddNote { clip, note });
    let before = p.clone();
    let out = dispatch(&mut p, Action::DuplicateClip { clip }).expect("applies");
    let copy = p.clips.values().find(|c| c.id != clip).expect("a new clip").clone();
    assert_eq!(copy.name, "fill 2");
    assert_eq!((copy.length, copy.instrument), (1920, lead));
    assert_eq!(copy.notes.values().collect::<Vec<_>>(), p.clips[&clip].notes.values().collect::<Vec<_>>());
    assert!(matches!(&out.diffs[..], [AudioDiff::ClipAdded { .. }]), "one diff: the new clip");
    assert!(p.placements.is_empty(), "the copy is not placed");

    let mut h = crate::UndoHistory::default();
    h.push(out.undo.expect("entry"), std::time::Instant::now());
    h.undo(&mut p).expect("undo").expect("step");
    assert_eq!(p.clips, before.clips);
    h.redo(&mut p).expect("redo").expect("step");
    assert_eq!(p.clips[&copy.id], copy, "redo brings back the same clip");

    ok(&mut p, Action::DuplicateClip { clip: copy.id });
    assert!(p.clips.values().any(|c| c.name == "fill 3"), "the next free number");
    let missing = dispatch(&mut p, Action::DuplicateClip { clip: imbolc_types::ClipId(9) });
    assert!(matches!(missing, Err(DispatchError::NoSuchClip(_))));
}
