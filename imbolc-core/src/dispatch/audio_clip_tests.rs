//! Audio tracks and clips: each edit is one undo step back to the exact
//! previous project, with diffs the size of the edit.

use std::time::{Duration, Instant};

use imbolc_types::{
    Action, AudioDiff, AudioRegion, ClipId, InstrumentId, PlacementId, Project, SampleFormat, SampleRef, SourceKind,
};

use super::{DispatchError, dispatch};
use crate::UndoHistory;

fn sample() -> SampleRef {
    SampleRef {
        hash: "ab".repeat(32),
        name: "take.wav".into(),
        format: SampleFormat::Wav,
        channels: 2,
        sample_rate: 48_000,
        frames: 48_000 * 4,
        bytes: 100,
    }
}

/// Applies `a`, checks undo gives back the project before it exactly and
/// redo the one after; returns the diffs.
fn step(p: &mut Project, a: Action) -> Vec<AudioDiff> {
    let before = p.clone();
    let out = dispatch(p, a).expect("applies");
    let after = p.clone();
    let mut h = UndoHistory::default();
    h.push(out.undo.expect("entry"), Instant::now() - Duration::from_secs(100));
    h.undo(p).expect("undo").expect("step");
    assert_eq!(*p, before);
    h.redo(p).expect("redo").expect("step");
    assert_eq!(*p, after);
    out.diffs
}

fn track_with_clip() -> (Project, InstrumentId, ClipId, PlacementId) {
    let mut p = Project::new("t");
    step(&mut p, Action::AddAudioTrack { name: String::new() });
    let track = InstrumentId(0);
    assert!(p.instruments[&track].def.audio_track);
    let region = Box::new(AudioRegion::new(sample()));
    let d = step(&mut p, Action::AddAudioClip { instrument: track, region, start: 960, length: 3840 });
    assert!(matches!(&d[..], [AudioDiff::ClipAdded { .. }, AudioDiff::PlacementAdded { .. }]));
    (p, track, ClipId(0), PlacementId(0))
}

#[test]
fn every_audio_clip_edit_is_one_exact_undo_step_with_a_small_diff() {
    let (mut p, _, clip, pl) = track_with_clip();
    // Gain and fades: one region diff.
    let mut region = p.clips[&clip].audio.clone().expect("audio");
    region.gain_db = -6.0;
    region.fade_in = 0.25;
    let d = step(&mut p, Action::SetAudioRegion { clip, region: Box::new(region) });
    assert!(matches!(&d[..], [AudioDiff::AudioRegionChanged { .. }]));
    // Move, trim end: one placement diff.
    let d = step(&mut p, Action::MovePlacement { placement: pl, start: 1920 });
    assert!(matches!(&d[..], [AudioDiff::PlacementChanged { .. }]));
    let d = step(&mut p, Action::ResizePlacement { placement: pl, length: 1920 });
    assert!(matches!(&d[..], [AudioDiff::PlacementChanged { .. }]));
    // Trim start: placement and offset together.
    let d = step(&mut p, Action::SetAudioClipSpan { placement: pl, start: 2400, length: 1440, offset: 0.25 });
    assert!(matches!(&d[..], [AudioDiff::PlacementChanged { .. }, AudioDiff::AudioRegionChanged { .. }]));
    // Split: the old placement shrinks, a new clip starts where it was cut,
    // that far into the audio (0.25 s + 480 ticks at 120 bpm = 0.75 s).
    let d = step(&mut p, Action::SplitAudioClip { placement: pl, at: 2880 });
    assert_eq!(d.len(), 3);
    assert_eq!(p.placements[&pl].length, 480);
    let new = p.clips.values().find(|c| c.id != clip).expect("new clip");
    assert!((new.audio.as_ref().expect("audio").offset - 0.75).abs() < 1e-9);
    let new_pl = p.placements.values().find(|x| x.clip == new.id).expect("placement");
    assert_eq!((new_pl.start, new_pl.length), (2880, 960));
    // Duplicate (another placement of it) and delete.
    step(&mut p, Action::AddPlacement { clip, start: 10_000, length: 480 });
    step(&mut p, Action::RemoveClip { clip });
}

#[test]
fn refused_audio_edits_change_nothing() {
    let (mut p, _, clip, pl) = track_with_clip();
    dispatch(&mut p, Action::AddInstrument { source: SourceKind::SAW, name: "lead".into() }).expect("add");
    let before = p.clone();
    let region = Box::new(AudioRegion::new(sample()));
    let synth = InstrumentId(1);
    let e = dispatch(&mut p, Action::AddAudioClip { instrument: synth, region: region.clone(), start: 0, length: 10 });
    assert_eq!(e.err(), Some(DispatchError::NotAnAudioTrack(synth)));
    let bad = Box::new(AudioRegion { gain_db: 40.0, ..(*region).clone() });
    assert_eq!(
        dispatch(&mut p, Action::SetAudioRegion { clip, region: bad }).err(),
        Some(DispatchError::InvalidAudioRegion)
    );
    let e = dispatch(&mut p, Action::SplitAudioClip { placement: pl, at: 960 });
    assert_eq!(e.err(), Some(DispatchError::SplitOutside));
    let e = dispatch(&mut p, Action::SetAudioClipSpan { placement: pl, start: 0, length: 10, offset: -1.0 });
    assert_eq!(e.err(), Some(DispatchError::InvalidAudioRegion));
    assert_eq!(p, before);
    assert_eq!(p.ids, before.ids);
}

#[test]
fn the_track_input_cycles_pairs_buses_instruments_and_the_master_one_undo_step_each() {
    use crate::audio_track::{input_label, next_input_action};
    use imbolc_types::{BusId, TrackInput};
    let mut p = Project::new("inputs");
    step(&mut p, Action::AddAudioTrack { name: "voice".into() });
    step(&mut p, Action::AddBus { name: "verb".into() });
    step(&mut p, Action::AddInstrument { source: SourceKind::SINE, name: "lead".into() });
    let track = InstrumentId(0);
    assert_eq!(p.instruments[&track].def.record_input, TrackInput::Hardware { channel: 0 }, "inputs 1-2 at first");
    let mut seen = Vec::new();
    for _ in 0..6 {
        let a = next_input_action(&p, track, 4).expect("an audio track");
        let diffs = step(&mut p, a);
        assert!(diffs.is_empty(), "nothing for the audio thread until a take starts");
        seen.push(input_label(&p, p.instruments[&track].def.record_input));
    }
    assert_eq!(seen, ["in 3-4", "bus verb", "lead", "master", "in 1-2", "in 3-4"]);
    // Refused: the track itself, a missing bus, a pair past 64, a track
    // that plays notes; the project stays as it was.
    let before = p.clone();
    for (instrument, input) in [
        (track, TrackInput::Instrument(track)),
        (track, TrackInput::Bus(BusId(9))),
        (track, TrackInput::Hardware { channel: 63 }),
        (InstrumentId(1), TrackInput::Master),
    ] {
        assert!(dispatch(&mut p, Action::SetTrackInput { instrument, input }).is_err(), "{instrument:?} {input:?}");
    }
    assert_eq!(p, before);
    assert!(next_input_action(&p, InstrumentId(1), 4).is_err_and(|e| e.contains("not an audio track")));
    // Old files (no field) read as inputs 1-2, and the default is not written.
    let named = |d: &imbolc_types::InstrumentDef| rmp_serde::to_vec_named(d).expect("encode");
    let has_field = |bytes: &[u8]| bytes.windows(12).any(|w| w == b"record_input");
    assert!(has_field(&named(&p.instruments[&track].def)), "a chosen input is saved");
    let mut def = p.instruments[&track].def.clone();
    def.record_input = TrackInput::default();
    let bytes = named(&def);
    assert!(!has_field(&bytes), "the default is not written");
    let back: imbolc_types::InstrumentDef = rmp_serde::from_slice(&bytes).expect("decode");
    assert_eq!(back.record_input, TrackInput::Hardware { channel: 0 });
}
