//! The filter envelope and key tracking through dispatch: one `ParamSet`
//! per edit, ranges enforced, undo restoring exactly, save and load
//! keeping them, and files without them reading as "off".

use imbolc_types::{Action, AudioDiff, FilterDef, FilterKind, InstrumentId, ParamTarget, Project, SourceKind};

use super::{DispatchError, dispatch, param_range, param_value};
use crate::session::{RecordingSink, Session};

const LEAD: InstrumentId = InstrumentId(0);

fn project() -> Project {
    let mut p = Project::new("filter env");
    dispatch(&mut p, Action::AddInstrument { source: SourceKind::SAW, name: "lead".into() }).expect("instrument");
    let filter = Some(FilterDef::new(FilterKind::LOW_PASS));
    dispatch(&mut p, Action::SetFilter { instrument: LEAD, filter }).expect("filter");
    p
}

fn target(param: &str) -> ParamTarget {
    ParamTarget::Filter { instrument: LEAD, param: param.into() }
}

#[test]
fn each_value_is_one_param_set_with_its_inverse() {
    for (param, value, old) in [
        ("env_amount", -3.5, 0.0),
        ("env_attack", 0.2, 0.005),
        ("env_decay", 1.5, 0.3),
        ("env_sustain", 0.4, 0.0),
        ("env_release", 2.0, 0.3),
        ("key_track", 1.0, 0.0),
    ] {
        let mut p = project();
        let before = p.clone();
        let out = dispatch(&mut p, Action::SetParam { target: target(param), value }).expect(param);
        assert_eq!(out.diffs, vec![AudioDiff::ParamSet { target: target(param), value }], "{param}");
        assert_eq!(param_value(&p, &target(param)), Some(value));
        let undo = out.undo.expect("undo entry");
        assert_eq!(undo.inverse, vec![Action::SetParam { target: target(param), value: old }], "{param}");
        for a in undo.inverse {
            dispatch(&mut p, a).expect("inverse");
        }
        assert_eq!(p, before, "{param}: undo restores exactly");
    }
}

#[test]
fn ranges_are_enforced_and_unknown_names_refused() {
    let mut p = project();
    assert_eq!(param_range(&p, &target("env_amount")).expect("range"), (-8.0, 8.0));
    assert_eq!(param_range(&p, &target("key_track")).expect("range"), (0.0, 1.0));
    let before = p.clone();
    assert!(dispatch(&mut p, Action::SetParam { target: target("env_amount"), value: 9.0 }).is_err());
    assert!(dispatch(&mut p, Action::SetParam { target: target("key_track"), value: f32::NAN }).is_err());
    assert!(matches!(
        dispatch(&mut p, Action::SetParam { target: target("env_depth"), value: 1.0 }),
        Err(DispatchError::NoSuchParam(_))
    ));
    let mut bad = FilterDef::new(FilterKind::LOW_PASS);
    bad.env.sustain = 2.0;
    assert!(dispatch(&mut p, Action::SetFilter { instrument: LEAD, filter: Some(bad) }).is_err());
    assert_eq!(p, before);
}

#[test]
fn session_undo_and_redo_send_one_targeted_diff() {
    let sink = RecordingSink::default();
    let mut s = Session::new(project(), sink.clone());
    sink.take();
    s.dispatch(Action::SetParam { target: target("env_amount"), value: 4.0 }).expect("set");
    assert_eq!(sink.take(), vec![AudioDiff::ParamSet { target: target("env_amount"), value: 4.0 }]);
    s.undo().expect("undo");
    assert_eq!(sink.take(), vec![AudioDiff::ParamSet { target: target("env_amount"), value: 0.0 }]);
    s.redo().expect("redo");
    assert_eq!(sink.take(), vec![AudioDiff::ParamSet { target: target("env_amount"), value: 4.0 }]);
}

#[test]
fn saved_values_load_back_and_files_without_them_read_as_off() {
    let mut p = project();
    dispatch(&mut p, Action::SetParam { target: target("env_amount"), value: 2.0 }).expect("set");
    dispatch(&mut p, Action::SetParam { target: target("key_track"), value: 0.5 }).expect("set");
    let bytes = rmp_serde::to_vec_named(&p).expect("encode");
    let back: Project = rmp_serde::from_slice(&bytes).expect("decode");
    assert_eq!(back, p);

    // A filter written before the envelope existed: no `env` field.
    let plain = project();
    let bytes = rmp_serde::to_vec_named(&plain).expect("encode");
    let back: Project = rmp_serde::from_slice(&bytes).expect("decode");
    let f = back.instruments.get(&LEAD).and_then(|i| i.def.filter.as_ref()).expect("filter");
    assert!(!f.env.is_active() && f.env.is_default());
    assert_eq!(back, plain);
}
