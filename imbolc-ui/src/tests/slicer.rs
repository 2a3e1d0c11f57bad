//! The slicer driven by keys: open it on a sample pad, divide, detect
//! onsets, edit markers, assign slices to pads and undo that in one step;
//! and its snapshot.

use std::path::{Path, PathBuf};

use imbolc_types::{Action, DrumPad, InstrumentId, PadSound};

use super::fixture::{TestApp, demo_app, press, render};
use crate::commands::PaneKind;

const SR: u32 = 48_000;
/// Frames per segment of the test file.
const SEGMENT: u64 = 12_000;

/// Four 250 ms segments, each a decaying tone of its own pitch starting
/// from silence.
fn write_segments(path: &Path) {
    let spec =
        hound::WavSpec { channels: 1, sample_rate: SR, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for k in 0..4u32 {
        let freq = 220.0 * f64::from(k + 1);
        for i in 0..SEGMENT {
            let t = i as f64 / f64::from(SR);
            let fade = ((SEGMENT - i) as f64 / 480.0).min(1.0);
            let v = (std::f64::consts::TAU * freq * t).sin() * (-t / 0.05).exp() * fade * 0.8;
            w.write_sample((v * 32767.0) as i16).unwrap();
        }
    }
    w.finalize().unwrap();
}

pub(super) struct Fixture {
    pub(super) app: TestApp,
    kit: InstrumentId,
    dir: PathBuf,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A kit whose pad 1 plays the four-segment file, the drum pane shown.
pub(super) fn fixture(tag: &str) -> Fixture {
    super::fixture::temp_cache();
    let dir = std::env::temp_dir().join(format!("imbolc-ui-slicer-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("four.wav");
    write_segments(&path);
    let mut app = demo_app();
    press(&mut app, "8 a");
    let kit = app.selected().unwrap();
    let def = DrumPad {
        name: "four".into(),
        sound: PadSound::Sample { path: path.display().to_string() },
        level: 1.0,
        pitch: 0.0,
        region: None,
        loop_beats: None,
    };
    app.session_mut().dispatch(Action::SetDrumPad { instrument: kit, pad: 0, def }).unwrap();
    Fixture { app, kit, dir }
}

fn pads(app: &TestApp, kit: InstrumentId) -> Vec<DrumPad> {
    app.session().project().instruments[&kit].def.drums.as_ref().unwrap().pads.clone()
}

fn markers(app: &TestApp) -> Vec<u64> {
    app.slicer().map(|s| s.slices.markers().to_vec()).unwrap_or_default()
}

#[test]
fn a_voice_pad_cannot_be_sliced() {
    let mut f = fixture("voice");
    press(&mut f.app, "j c");
    let m = f.app.message().unwrap();
    assert!(m.is_error() && m.text.contains("built-in voice"), "{m:?}");
    assert_eq!(f.app.pane(), PaneKind::Drums);
}

#[test]
fn a_file_that_cannot_be_decoded_is_an_error_and_the_pane_stays() {
    let mut f = fixture("bad");
    let path = f.dir.join("four.wav");
    std::fs::write(&path, "not audio").unwrap();
    press(&mut f.app, "c");
    let m = f.app.message().unwrap();
    assert!(m.is_error() && m.text.contains("four.wav"), "{m:?}");
    assert_eq!(f.app.pane(), PaneKind::Drums);
    assert!(f.app.slicer().is_none());
}

#[test]
fn divide_assign_and_undo_in_one_step() {
    let mut f = fixture("assign");
    let before = pads(&f.app, f.kit);
    press(&mut f.app, "c");
    assert_eq!(f.app.pane(), PaneKind::Slicer);
    press(&mut f.app, "d");
    assert_eq!(markers(&f.app), vec![0, SEGMENT, 2 * SEGMENT, 3 * SEGMENT]);
    press(&mut f.app, "a");
    let after = pads(&f.app, f.kit);
    let regions: Vec<_> = after.iter().take(5).map(|p| p.region).collect();
    let seg = |k: u64| Some((k * SEGMENT, (k + 1) * SEGMENT));
    assert_eq!(regions, vec![seg(0), seg(1), seg(2), seg(3), None]);
    assert!(after[..4].iter().all(|p| p.sound == before[0].sound));
    assert_eq!(after[4..], before[4..]);

    press(&mut f.app, "u");
    assert_eq!(pads(&f.app, f.kit), before, "one undo takes the whole assignment back");
    press(&mut f.app, "d d");
    assert_eq!(markers(&f.app).len(), 16, "d cycles 4, 8, 16");
    press(&mut f.app, "Esc");
    assert_eq!(f.app.pane(), PaneKind::Drums);
}

#[test]
fn onsets_and_marker_edits() {
    let mut f = fixture("onsets");
    press(&mut f.app, "c o");
    let found = markers(&f.app);
    assert_eq!(found.len(), 4, "{found:?}");
    for (m, k) in found.iter().zip(0..) {
        assert!(m.abs_diff(k * SEGMENT) <= u64::from(SR) / 200, "{found:?}");
    }
    // Sensitivity down and up re-detects; the title shows it.
    press(&mut f.app, "< <");
    assert!(f.app.slicer().unwrap().sensitivity < 0.35);
    press(&mut f.app, "> >");

    // Add a marker a few cells in, move the nearest onto the cursor, delete it.
    press(&mut f.app, "l l l m");
    let added = f.app.slicer().unwrap().cursor;
    assert!(markers(&f.app).contains(&added) && added > 0);
    press(&mut f.app, "l g");
    let moved = f.app.slicer().unwrap().cursor;
    assert!(markers(&f.app).contains(&moved) && !markers(&f.app).contains(&added));
    press(&mut f.app, "x");
    assert_eq!(markers(&f.app).len(), 4);
    press(&mut f.app, "n n");
    assert_eq!(f.app.slicer().unwrap().cursor, found[2], "n jumps to the next marker");
    press(&mut f.app, "N");
    assert_eq!(f.app.slicer().unwrap().cursor, found[1]);
}

#[test]
fn slicer_snapshot() {
    let mut f = fixture("snap");
    press(&mut f.app, "c d");
    insta::assert_snapshot!("slicer_80x16", render(&f.app, 80, 16));
    press(&mut f.app, "z z l l");
    insta::assert_snapshot!("slicer_zoomed_80x16", render(&f.app, 80, 16));
}
