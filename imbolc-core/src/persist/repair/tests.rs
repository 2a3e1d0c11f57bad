//! Unit tests of the repair rules; the property test over arbitrary
//! projects is `tests/repair_props.rs`.

use imbolc_types::{
    Action, AutomationLane, Clip, ClipId, EffectKind, InstrumentId, LaneId, Note, NoteId, ParamTarget, Placement,
    PlacementId, Project, SourceKind, TimeSignature,
};

use super::*;
use crate::dispatch;

fn four_instruments() -> Project {
    let mut p = Project::new("four");
    for name in ["bass", "lead", "pad", "keys"] {
        dispatch(&mut p, Action::AddInstrument { source: SourceKind::SAW, name: name.into() }).unwrap();
    }
    p
}

#[test]
fn a_valid_project_needs_no_repair() {
    let mut p = crate::demo::demo_project();
    let before = p.clone();
    let r = repair(&mut p);
    assert!(r.is_empty(), "{:?}", r.details());
    assert_eq!(p, before);
    assert_eq!(p.ids, before.ids);
}

#[test]
fn missing_counters_are_raised_so_a_new_instrument_replaces_nothing() {
    let mut p = four_instruments();
    p.ids = Default::default();
    let r = repair(&mut p);
    assert_eq!(r.count(RepairKind::IdCounter), 1, "{:?}", r.details());
    assert_eq!(p.ids.instrument, 4);
    dispatch(&mut p, Action::AddInstrument { source: SourceKind::SINE, name: String::new() }).unwrap();
    assert_eq!(p.instruments.len(), 5);
    assert_eq!(p.instruments.get(&InstrumentId(0)).map(|i| i.name.as_str()), Some("bass"));
}

#[test]
fn a_counter_at_the_top_stays_and_allocation_refuses() {
    let mut p = four_instruments();
    p.ids.instrument = u32::MAX;
    assert!(repair(&mut p).is_empty(), "a high counter is valid");
    let refused = dispatch(&mut p, Action::AddInstrument { source: SourceKind::SINE, name: String::new() });
    assert_eq!(refused.unwrap_err(), dispatch::DispatchError::IdsExhausted("instrument"));
    assert_eq!(p.instruments.len(), 4);
}

#[test]
fn dangling_clips_placements_and_lanes_go_and_the_line_says_so() {
    let mut p = four_instruments();
    p.tempo = 0.01;
    for k in 0..2 {
        let clip = Clip {
            id: ClipId(10 + k),
            name: String::new(),
            instrument: InstrumentId(99),
            length: 1920,
            looping: false,
            notes: Default::default(),
            drums: None,
            audio: None,
        };
        p.clips.insert(clip.id, clip);
    }
    p.placements.insert(PlacementId(3), Placement { id: PlacementId(3), clip: ClipId(77), start: 0, length: 10 });
    let target = ParamTarget::Mixer { instrument: InstrumentId(42), param: imbolc_types::MixerParam::Level };
    p.automation.insert(LaneId(0), AutomationLane::new(LaneId(0), target));
    let r = repair(&mut p);
    assert!(p.clips.is_empty() && p.placements.is_empty() && p.automation.is_empty());
    assert_eq!(
        r.line().unwrap(),
        "repaired on open: tempo 0.01 → 20, 2 dangling clips removed, 1 dangling placement removed, \
         1 automation lane of a missing target removed"
    );
    assert!(repair(&mut p).is_empty(), "idempotent");
}

#[test]
fn hostile_numbers_come_back_in_range_and_nan_becomes_the_default() {
    let mut p = four_instruments();
    dispatch(
        &mut p,
        Action::AddEffect { owner: imbolc_types::ChainOwner::Master, kind: EffectKind::DELAY, index: None },
    )
    .unwrap();
    p.tempo = f32::NAN;
    p.time_signature = TimeSignature { numerator: 0, denominator: 3 };
    p.master.level = 1e30;
    let inst = p.instruments.get_index_mut(0).unwrap().1;
    inst.mixer.level = f32::INFINITY;
    inst.mixer.pan = -7.0;
    inst.def.amp_env.release = 1e9;
    inst.def.amp_env.attack = f32::NAN;
    inst.def.source.params.insert("detune".into(), f32::NEG_INFINITY);
    inst.def.source.params.insert("bogus".into(), 1.0);
    inst.def.voice.polyphony = 0;
    p.master_effects[0].params.remove("time");
    let clip = Clip {
        id: ClipId(0),
        name: String::new(),
        instrument: InstrumentId(0),
        length: 0,
        looping: true,
        notes: [(NoteId(5), Note { pitch: 200, velocity: 0, start: u32::MAX, length: 0, probability: 0 })]
            .into_iter()
            .collect(),
        drums: None,
        audio: None,
    };
    p.clips.insert(ClipId(0), clip);
    let r = repair(&mut p);
    assert_eq!(p.tempo, 120.0);
    assert_eq!(p.time_signature, TimeSignature::default());
    assert_eq!(p.master.level, 2.0);
    let inst = &p.instruments[0];
    assert_eq!((inst.mixer.level, inst.mixer.pan), (0.8, -1.0));
    assert_eq!((inst.def.amp_env.attack, inst.def.amp_env.release), (0.01, 30.0));
    assert_eq!(inst.def.source.params.get("detune"), Some(&0.1));
    assert!(!inst.def.source.params.contains_key("bogus"));
    assert_eq!(inst.def.voice.polyphony, 1);
    assert_eq!(p.master_effects[0].params.get("time"), Some(&0.3));
    let clip = &p.clips[&ClipId(0)];
    assert!(clip.notes.values().all(Note::is_valid));
    assert_eq!(clip.length, 1920, "a zero-length clip gets a bar");
    assert_eq!(p.ids.note, 6, "the note counter covers note 5");
    let line = r.line().unwrap();
    assert!(line.starts_with("repaired on open: tempo NaN → 120, meter 0/3 → 4/4"), "{line}");
    assert!(repair(&mut p).is_empty(), "idempotent");
}

#[test]
fn numbers_read_like_numbers() {
    assert_eq!(num(0.01), "0.01");
    assert_eq!(num(1e-30), "1e-30");
    assert_eq!(num(120.0), "120");
    assert_eq!(num(f32::INFINITY), "inf");
    assert_eq!(num(1e30), "1e30");
}

/// Found by the property test (`repair_props`): an effect id held by two
/// chains is renumbered in the second; a lane on that second effect must
/// follow it, not be dropped on a second repair (which would make repair
/// not idempotent and leave a dangling lane after the first).
#[test]
fn a_lane_follows_its_effect_when_a_duplicate_id_is_renumbered() {
    use imbolc_types::ChainOwner;
    let mut p = four_instruments();
    let (a, b) = (ChainOwner::Instrument(InstrumentId(0)), ChainOwner::Instrument(InstrumentId(1)));
    for owner in [a, b] {
        dispatch(&mut p, Action::AddEffect { owner, kind: EffectKind::DELAY, index: None }).unwrap();
    }
    let shared = p.chain(a).unwrap()[0].id;
    p.chain_mut(b).unwrap()[0].id = shared;
    let param = EffectKind::DELAY.params()[0].id.to_owned();
    for (lane, owner) in [(0, a), (1, b)] {
        let target = ParamTarget::Effect { owner, effect: shared, param: param.clone() };
        p.automation.insert(LaneId(lane), AutomationLane::new(LaneId(lane), target));
    }
    p.ids.lane = 2;
    let r = repair(&mut p);
    assert_eq!(r.count(RepairKind::DuplicateId), 1, "{:?}", r.details());
    assert_eq!(r.count(RepairKind::DanglingAutomation), 0, "{:?}", r.details());
    let fresh = p.chain(b).unwrap()[0].id;
    assert_ne!(fresh, shared);
    let effect_of = |lane| match &p.automation[&LaneId(lane)].target {
        ParamTarget::Effect { effect, .. } => *effect,
        other => panic!("{other:?}"),
    };
    assert_eq!((effect_of(0), effect_of(1)), (shared, fresh));
    assert!(repair(&mut p).is_empty(), "idempotent");
}

#[test]
fn sync_on_a_parameter_that_cannot_follow_the_tempo_is_removed() {
    let mut p = Project::new("sync");
    let master = imbolc_types::ChainOwner::Master;
    for kind in [EffectKind::DELAY, EffectKind::REVERB] {
        dispatch(&mut p, Action::AddEffect { owner: master, kind, index: None }).unwrap();
    }
    let quarter = imbolc_types::NoteDivision::QUARTER;
    p.master_effects[0].sync.insert("time".into(), quarter);
    p.master_effects[0].sync.insert("feedback".into(), quarter);
    p.master_effects[1].sync.insert("mix".into(), quarter);
    let r = repair(&mut p);
    assert_eq!(p.master_effects[0].sync.keys().collect::<Vec<_>>(), ["time"], "the delay time stays synced");
    assert!(p.master_effects[1].sync.is_empty());
    assert_eq!(r.details().len(), 2, "{r:?}");
    assert!(repair(&mut p).is_empty(), "idempotent");
}

#[test]
fn a_sidechain_or_vocoder_key_naming_a_missing_chain_is_cleared() {
    use imbolc_types::{BusId, ChainOwner};
    let mut p = four_instruments();
    dispatch(&mut p, Action::AddBus { name: "drums".into() }).unwrap();
    let bus = *p.buses.keys().next().unwrap();
    let pad = ChainOwner::Instrument(InstrumentId(2));
    let kick = ChainOwner::Instrument(InstrumentId(0));
    for (owner, kind) in [
        (pad, EffectKind::SIDECHAIN_COMPRESSOR),
        (pad, EffectKind::VOCODER),
        (ChainOwner::Bus(bus), EffectKind::SIDECHAIN_COMPRESSOR),
        (ChainOwner::Master, EffectKind::SIDECHAIN_COMPRESSOR),
    ] {
        dispatch(&mut p, Action::AddEffect { owner, kind, index: None }).unwrap();
    }
    // A valid key stays.
    let valid = p.chain(pad).unwrap()[0].id;
    dispatch(&mut p, Action::SetEffectKey { owner: pad, effect: valid, key: Some(kick) }).unwrap();
    assert!(repair(&mut p.clone()).is_empty(), "a valid key needs no repair");
    // What a hand-edited or older file could hold.
    p.chain_mut(pad).unwrap()[1].key = Some(ChainOwner::Instrument(InstrumentId(99)));
    p.buses.get_mut(&bus).unwrap().effects[0].key = Some(ChainOwner::Bus(BusId(7)));
    p.master_effects[0].key = Some(ChainOwner::Master);
    let r = repair(&mut p);
    assert_eq!(r.count(RepairKind::DanglingKey), 3, "one entry each: {:?}", r.details());
    assert_eq!(r.details().len(), 3, "{:?}", r.details());
    assert_eq!(p.chain(pad).unwrap()[0].key, Some(kick), "the valid key stays");
    assert_eq!(p.chain(pad).unwrap()[1].key, None);
    assert_eq!(p.buses.get(&bus).unwrap().effects[0].key, None);
    assert_eq!(p.master_effects[0].key, None);
    assert_eq!(r.line().unwrap(), "repaired on open: 3 sidechain keys of missing chains cleared");
    assert!(repair(&mut p).is_empty(), "idempotent");
    // The repaired project is one dispatch accepts edits of.
    let vocoder = p.chain(pad).unwrap()[1].id;
    dispatch(&mut p, Action::SetEffectKey { owner: pad, effect: vocoder, key: Some(kick) }).unwrap();
}
