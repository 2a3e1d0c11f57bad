//! Audio input instruments in project files: saved and opened unchanged;
//! files from before the field (the v2 fixture) open with no input; bad
//! stored values are repaired on open.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::path::PathBuf;

use common::temp_dir;
use imbolc_core::{dispatch, persist};
use imbolc_types::{Action, AudioInputDef, BusId, InputSource, InstrumentId, Project};

#[test]
fn an_input_instrument_round_trips_through_a_file() {
    let dir = temp_dir("audio-input");
    let path = dir.join("input.imbolc");
    let mut p = Project::new("input");
    dispatch(&mut p, Action::AddBus { name: "aux".into() }).unwrap();
    dispatch(&mut p, Action::AddAudioInput { name: "mic".into() }).unwrap();
    let input = AudioInputDef { source: InputSource::Bus(BusId(0)), gain_db: -3.5, monitor: false };
    dispatch(&mut p, Action::SetAudioInput { instrument: InstrumentId(0), input }).unwrap();
    persist::save(&path, &p).expect("save");
    let loaded = persist::load(&path).expect("load").project;
    assert_eq!(loaded, p);
    assert_eq!(loaded.instruments[&InstrumentId(0)].def.input, Some(input));
}

#[test]
fn files_from_before_audio_inputs_open_with_none() {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v2_enum_names.imbolc");
    let dir = temp_dir("audio-input-old");
    let path = dir.join("old.imbolc");
    std::fs::copy(fixture, &path).unwrap();
    let p = persist::load(&path).expect("the old file opens").project;
    assert!(!p.instruments.is_empty());
    assert!(p.instruments.values().all(|i| i.def.input.is_none()));
}

#[test]
fn a_stored_gain_out_of_range_is_repaired_on_open() {
    let dir = temp_dir("audio-input-bad");
    let path = dir.join("bad.imbolc");
    let mut p = Project::new("bad");
    dispatch(&mut p, Action::AddAudioInput { name: String::new() }).unwrap();
    let def = &mut p.instruments.get_index_mut(0).unwrap().1.def;
    def.input = Some(AudioInputDef { source: InputSource::Hardware { first: 9 }, gain_db: f32::NAN, monitor: true });
    persist::save(&path, &p).expect("save");
    let loaded = persist::load(&path).expect("opens, repaired");
    let input = loaded.project.instruments[&InstrumentId(0)].def.input.unwrap();
    assert_eq!((input.source, input.gain_db), (InputSource::Hardware { first: 0 }, 0.0));
}

#[test]
fn set_audio_input_refuses_bad_values_and_its_inverse_restores() {
    use imbolc_core::dispatch::DispatchError;
    use imbolc_types::{AudioDiff, SourceKind};

    let mut p = Project::new("edits");
    dispatch(&mut p, Action::AddInstrument { source: SourceKind::SINE, name: "sine".into() }).unwrap();
    dispatch(&mut p, Action::AddAudioInput { name: String::new() }).unwrap();
    let (sine, input) = (InstrumentId(0), InstrumentId(1));
    let any = AudioInputDef::default();
    let err = dispatch(&mut p, Action::SetAudioInput { instrument: sine, input: any }).unwrap_err();
    assert!(matches!(err, DispatchError::NotAnAudioInput(i) if i == sine), "{err}");
    let loud = AudioInputDef { gain_db: 30.0, ..any };
    let err = dispatch(&mut p, Action::SetAudioInput { instrument: input, input: loud }).unwrap_err();
    assert!(matches!(err, DispatchError::InvalidAudioInput), "{err}");

    let before = p.clone();
    let quiet = AudioInputDef { gain_db: -6.0, monitor: false, ..any };
    let out = dispatch(&mut p, Action::SetAudioInput { instrument: input, input: quiet }).unwrap();
    assert_eq!(out.diffs, vec![AudioDiff::AudioInputChanged { instrument: input, input: quiet }]);
    for a in out.undo.expect("undoable").inverse {
        dispatch(&mut p, a).unwrap();
    }
    assert_eq!(p, before);
}
