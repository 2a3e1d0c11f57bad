//! Tempo sync of effect parameters: one targeted diff, one undo step,
//! refused where the catalog does not allow it, kept by save and load.

use imbolc_types::{
    Action, AudioDiff, ChainOwner, EffectId, EffectKind, NoteDivision, ParamTarget, Project, SourceKind,
};

use super::{DispatchError, dispatch};
use crate::session::{RecordingSink, Session};

fn eighth_dotted() -> NoteDivision {
    NoteDivision::parse("1/8.").expect("a division")
}

fn project_with_delay() -> (Project, ChainOwner, EffectId) {
    let mut p = Project::new("sync");
    dispatch(&mut p, Action::AddInstrument { source: SourceKind::SAW, name: "lead".into() }).expect("instrument");
    let owner = ChainOwner::Instrument(imbolc_types::InstrumentId(0));
    dispatch(&mut p, Action::AddEffect { owner, kind: EffectKind::DELAY, index: None }).expect("delay");
    (p, owner, EffectId(0))
}

fn sync(owner: ChainOwner, effect: EffectId, param: &str, division: Option<NoteDivision>) -> Action {
    Action::SetEffectSync { owner, effect, param: param.to_owned(), division }
}

#[test]
fn syncing_is_one_diff_and_its_inverse_frees_it() {
    let (mut p, owner, effect) = project_with_delay();
    let out = dispatch(&mut p, sync(owner, effect, "time", Some(eighth_dotted()))).expect("sync");
    assert_eq!(
        out.diffs,
        vec![AudioDiff::EffectSyncChanged { owner, effect, param: "time".into(), division: Some(eighth_dotted()) }]
    );
    let slot = p.chain(owner).and_then(|c| c.iter().find(|e| e.id == effect)).expect("slot");
    assert_eq!(slot.sync.get("time"), Some(&eighth_dotted()));
    assert_eq!(slot.params.get("time"), Some(&0.3), "the free value is kept");
    let undo = out.undo.expect("undo entry");
    assert_eq!(undo.inverse, vec![sync(owner, effect, "time", None)]);
}

#[test]
fn session_undo_and_redo_replay_the_sync() {
    let (p, owner, effect) = project_with_delay();
    let sink = RecordingSink::default();
    let mut s = Session::new(p.clone(), sink.clone());
    sink.take();
    s.dispatch(sync(owner, effect, "time", Some(NoteDivision::QUARTER))).expect("sync");
    s.dispatch(sync(owner, effect, "time", Some(eighth_dotted()))).expect("another division");
    assert_eq!(s.history().len(), 2);
    sink.take();
    s.undo().expect("undo");
    assert_eq!(
        sink.take(),
        vec![AudioDiff::EffectSyncChanged {
            owner,
            effect,
            param: "time".into(),
            division: Some(NoteDivision::QUARTER)
        }]
    );
    s.undo().expect("undo");
    assert_eq!(s.project(), &p, "undone to the project it started from");
    s.redo().expect("redo");
    let slot = s.project().chain(owner).and_then(|c| c.first()).expect("slot");
    assert_eq!(slot.sync.get("time"), Some(&NoteDivision::QUARTER));
}

#[test]
fn only_catalog_syncable_parameters_can_follow_the_tempo() {
    let (mut p, owner, effect) = project_with_delay();
    let before = p.clone();
    let q = Some(NoteDivision::QUARTER);
    assert_eq!(
        dispatch(&mut p, sync(owner, effect, "feedback", q)),
        Err(DispatchError::NotSyncable { name: "feedback".into() })
    );
    assert_eq!(
        dispatch(&mut p, sync(owner, effect, "nope", q)),
        Err(DispatchError::UnknownParamName { name: "nope".into() })
    );
    assert_eq!(
        dispatch(&mut p, sync(owner, EffectId(7), "time", q)),
        Err(DispatchError::NoSuchEffect { owner, effect: EffectId(7) })
    );
    assert_eq!(p, before);
}

#[test]
fn a_removed_synced_effect_comes_back_synced() {
    let (mut p, owner, effect) = project_with_delay();
    dispatch(&mut p, sync(owner, effect, "time", Some(eighth_dotted()))).expect("sync");
    let synced = p.clone();
    let out = dispatch(&mut p, Action::RemoveEffect { owner, effect }).expect("remove");
    let undo = out.undo.expect("undo").inverse;
    for a in undo {
        dispatch(&mut p, a).expect("restore");
    }
    assert_eq!(p, synced);
}

#[test]
fn setting_a_synced_parameter_changes_its_free_value() {
    let (mut p, owner, effect) = project_with_delay();
    dispatch(&mut p, sync(owner, effect, "time", Some(eighth_dotted()))).expect("sync");
    let target = ParamTarget::Effect { owner, effect, param: "time".into() };
    dispatch(&mut p, Action::SetParam { target, value: 0.8 }).expect("set");
    let slot = p.chain(owner).and_then(|c| c.first()).expect("slot");
    assert_eq!(slot.params.get("time"), Some(&0.8));
    assert_eq!(slot.sync.get("time"), Some(&eighth_dotted()), "still synced");
}

#[test]
fn sync_survives_save_and_load_and_old_files_have_none() {
    let (mut p, owner, effect) = project_with_delay();
    let plain = crate::persist::format::encode(&p).expect("encode");
    let back = crate::persist::format::decode(crate::persist::format::FORMAT_VERSION, &plain).expect("decode");
    assert!(back.chain(owner).and_then(|c| c.first()).expect("slot").sync.is_empty());
    dispatch(&mut p, sync(owner, effect, "time", Some(eighth_dotted()))).expect("sync");
    let bytes = crate::persist::format::encode(&p).expect("encode");
    let back = crate::persist::format::decode(crate::persist::format::FORMAT_VERSION, &bytes).expect("decode");
    assert_eq!(back, p);
}
