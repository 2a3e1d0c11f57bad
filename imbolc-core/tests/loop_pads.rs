//! Loop pads in files and edits: a pad saved before `loop_beats` existed
//! loads as a one-shot, a loop's beats survive save and load, dispatch
//! refuses a length outside the range (or not a number), and undo restores
//! the previous length.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] fns

mod common;

use common::temp_dir;
use imbolc_core::{DispatchError, dispatch, persist};
use imbolc_types::{Action, DrumPad, InstrumentId, PadSound, Project};
use serde::Serialize;

const KIT: InstrumentId = InstrumentId(0);

/// A pad as written before loops existed.
#[derive(Serialize)]
struct PadBefore {
    name: String,
    sound: PadSound,
    level: f32,
    pitch: f32,
}

fn kit() -> Project {
    let mut p = Project::new("loops");
    dispatch(&mut p, Action::AddDrumKit { name: "kit".into() }).expect("kit");
    p
}

fn pad(p: &Project, i: usize) -> DrumPad {
    p.instruments[&KIT].def.drums.as_ref().expect("kit").pads[i].clone()
}

fn sample_pad(beats: Option<f32>) -> DrumPad {
    DrumPad {
        name: "loop".into(),
        sound: PadSound::Sample { path: "/nonexistent/loop_100bpm.wav".into() },
        level: 1.0,
        pitch: 0.0,
        region: None,
        loop_beats: beats,
    }
}

#[test]
fn a_pad_saved_before_loops_loads_as_a_one_shot() {
    let old =
        PadBefore { name: "vox".into(), sound: PadSound::Sample { path: "/x/vox.wav".into() }, level: 1.0, pitch: 2.0 };
    let bytes = rmp_serde::to_vec_named(&old).expect("encode");
    let pad: DrumPad = rmp_serde::from_slice(&bytes).expect("decode");
    assert_eq!(pad.loop_beats, None);
    assert_eq!(pad.pitch, 2.0);
}

#[test]
fn a_loops_beats_survive_save_and_load() {
    let mut p = kit();
    dispatch(&mut p, Action::SetDrumPad { instrument: KIT, pad: 3, def: sample_pad(Some(8.0)) }).expect("a loop");
    let dir = temp_dir("loop-pads");
    let path = dir.join("p.imbolc");
    persist::save(&path, &p).expect("save");
    let loaded = persist::load(&path).expect("load").project;
    assert_eq!(pad(&loaded, 3).loop_beats, Some(8.0));
    assert_eq!(pad(&loaded, 0).loop_beats, None);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn dispatch_refuses_lengths_out_of_range_and_undo_restores_the_last() {
    let mut p = kit();
    let d = dispatch(&mut p, Action::SetDrumPad { instrument: KIT, pad: 3, def: sample_pad(Some(8.0)) }).expect("8");
    let first = d.undo.expect("undo").inverse;
    let d = dispatch(&mut p, Action::SetDrumPad { instrument: KIT, pad: 3, def: sample_pad(Some(4.0)) }).expect("4");
    for bad in [0.0, 0.1, 257.0, f32::NAN, f32::INFINITY, -8.0] {
        let r = dispatch(&mut p, Action::SetDrumPad { instrument: KIT, pad: 3, def: sample_pad(Some(bad)) });
        assert!(matches!(r, Err(DispatchError::InvalidPad)), "{bad} beats is refused: {r:?}");
    }
    assert_eq!(pad(&p, 3).loop_beats, Some(4.0));
    for a in d.undo.expect("undo").inverse {
        dispatch(&mut p, a).expect("undo");
    }
    assert_eq!(pad(&p, 3).loop_beats, Some(8.0));
    for a in first {
        dispatch(&mut p, a).expect("undo");
    }
    assert_eq!(pad(&p, 3), pad(&kit(), 3));
}

#[test]
fn a_file_with_a_bad_loop_length_opens_repaired() {
    let mut p = kit();
    if let Some(k) = p.instruments.get_mut(&KIT).and_then(|i| i.def.drums.as_mut()) {
        k.pads[1] = sample_pad(Some(f32::NAN));
        k.pads[2] = sample_pad(Some(1e9));
        k.pads[3] = sample_pad(Some(8.0));
    }
    let repairs = imbolc_core::persist::repair::repair(&mut p);
    assert_eq!(pad(&p, 1).loop_beats, None, "not a number: a one-shot");
    assert_eq!(pad(&p, 2).loop_beats, Some(imbolc_types::drums::LOOP_BEATS_RANGE.1), "clamped");
    assert_eq!(pad(&p, 3).loop_beats, Some(8.0), "a good one stays");
    assert!(repairs.details().len() >= 2, "{:?}", repairs.details());
    assert!(pad(&p, 2).is_valid());
}
