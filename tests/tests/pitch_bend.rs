//! Pitch bend reaches notes the sequencer plays, not only live ones: on a
//! real scsynth, a sustained timeline note is bent +2 semitones (a full
//! throw of the default ±2 range) and back, and the recorded pitch follows
//! within 10 cents.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use imbolc_audio::server::JackMode;
use imbolc_tests::engine::{scsynth_port, tapped_engine, wait_feedback};
use imbolc_tests::recording::{DiskRecorder, RealtimeJack, onsets, read_channel};
use imbolc_tests::sound_check::analysis::partial_near;
use imbolc_types::catalog::SourceKind;
use imbolc_types::{
    AudioDiff, AudioScene, Clip, ClipId, Instrument, InstrumentDef, InstrumentId, MixerSettings, Note, NoteId,
    Placement, PlacementId, TICKS_PER_QUARTER,
};

const INST: InstrumentId = InstrumentId(0);
const CLIP: ClipId = ClipId(1);
const WAIT: Duration = Duration::from_secs(5);
const RATE: f64 = 48_000.0;
/// Seconds each stage (unbent, bent, back) lasts.
const STAGE: f64 = 1.5;
const C4: f64 = 261.625_565;

fn scene() -> AudioScene {
    let def = InstrumentDef::new(SourceKind::SINE);
    let bars = 8 * TICKS_PER_QUARTER * 4;
    let notes = [(NoteId(0), Note::new(60, 100, 0, bars))].into_iter().collect();
    let clip = Clip {
        id: CLIP,
        name: "held".into(),
        instrument: INST,
        length: bars,
        looping: false,
        notes,
        drums: None,
        audio: None,
    };
    AudioScene {
        instruments: vec![Instrument { id: INST, name: "sine".into(), def, mixer: MixerSettings::default() }],
        tempo: 120.0,
        clips: vec![clip],
        placements: vec![Placement { id: PlacementId(1), clip: CLIP, start: 0, length: bars }],
        ..AudioScene::default()
    }
}

fn cents_at(samples: &[f32], from: f64, expected: f64) -> f64 {
    let (a, b) = (((from + 0.4) * RATE) as usize, ((from + STAGE - 0.4) * RATE) as usize);
    let found = partial_near(&samples[a.min(samples.len())..b.min(samples.len())], expected)
        .unwrap_or_else(|| panic!("no partial near {expected} Hz at {from:.2} s"));
    found.cents
}

#[test]
fn a_bend_moves_a_sustained_sequenced_note_two_semitones_up_and_back() {
    let tag = format!("pitch-bend-{}", std::process::id());
    let dir = std::env::temp_dir().join(format!("imbolc-pitch-bend-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let jack = RealtimeJack::start(&tag);
    let (mut audio, _tap, up) = tapped_engine(&tag, JackMode::Existing(jack.name.clone()));
    let port = scsynth_port(up.scsynth_pid.expect("the engine reports scsynth's pid"));
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(scene()))]).unwrap();
    audio.request_tree().unwrap().recv_timeout(WAIT).expect("the scene is on the server");
    let recorder = DiskRecorder::start(port, 2_100_000_000, 1000, &dir.join("bend.wav"));

    let live = audio.live_sender();
    audio.play().unwrap();
    wait_feedback(&mut audio, WAIT, |f| f.transport.voices > 0);
    let start = Instant::now();
    let at = |secs: f64| {
        let until = start + Duration::from_secs_f64(secs);
        std::thread::sleep(until.saturating_duration_since(Instant::now()));
    };
    at(STAGE);
    live.bend(INST, 1.0).unwrap();
    at(2.0 * STAGE);
    live.bend(INST, 0.0).unwrap();
    at(3.0 * STAGE);
    audio.stop().unwrap();
    wait_feedback(&mut audio, WAIT, |f| f.transport.voices == 0);
    recorder.wait_written_past_now();
    let path = recorder.finish();
    audio.shutdown();
    drop(jack);

    let left = read_channel(&path, 0);
    let onset = *onsets(&left, 1440).first().expect("the note sounds") as f64 / RATE;
    let before = cents_at(&left, onset, C4);
    let bent = cents_at(&left, onset + STAGE, C4 * 2f64.powf(2.0 / 12.0));
    let back = cents_at(&left, onset + 2.0 * STAGE, C4);
    println!("cents: before {before:+.2}, bent {bent:+.2} (from D4), back {back:+.2}");
    assert!(before.abs() <= 10.0, "unbent C4 off by {before:+.1} cents");
    assert!(bent.abs() <= 10.0, "bent note is {bent:+.1} cents from two semitones up");
    assert!(back.abs() <= 10.0, "after the bend returns: {back:+.1} cents");
    let _ = std::fs::remove_dir_all(&dir);
}
