//! Timing of what the server actually plays: a 1-bar loop of 16th notes
//! played through the engine ([`AudioHandle`]) on a private scsynth, whose
//! output (hardware buses 0–1) is recorded with `DiskOut`. The tempo
//! changes from 120 to 150 BPM during the second pass and the loop wraps
//! twice. The instrument is panned hard left.
//!
//! The reference: for every step the test computes the ideal time from the
//! transport's published tempo anchors and sends its own timed sine burst
//! straight to the right channel. On the left channel every reference
//! onset must have exactly one engine onset within one control block (64
//! samples at 48 kHz), once aligned on the first pair, and the left
//! channel must have no other onset.
//!
//! Why a reference on the server rather than the wall clock alone: the
//! dummy JACK driver, even with realtime scheduling, skips whole periods
//! on this loaded machine, so the recording's sample clock loses 256–600
//! samples at a time against wall time (measured: up to −1305 samples over
//! 4.6 s, see docs/onset-timing.md). Any timed bundle, the engine's or the
//! test's, goes through the same wall → sample mapping, so the reference
//! cancels the driver and measures the engine. The wall-clock deviation is
//! printed too.
//!
//! Notes are 1/64 long with a 2 ms attack and 10 ms release, so each
//! onset follows at least 40 ms of silence.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use imbolc_tests::loop_timing::{CLIP, INST, LOOP_END, SIXTEENTH, STEPS, onsets_land_within_a_block};
use imbolc_types::catalog::SourceKind;
use imbolc_types::{
    AudioScene, Clip, EnvelopeDef, Instrument, InstrumentDef, MixerSettings, Note, NoteId, Placement, PlacementId,
};

fn scene() -> AudioScene {
    let mut def = InstrumentDef::new(SourceKind::SINE);
    def.amp_env = EnvelopeDef { attack: 0.002, decay: 0.01, sustain: 0.5, release: 0.01 };
    let notes = (0..STEPS).map(|k| (NoteId(k), Note::new(69, 100, k * SIXTEENTH, SIXTEENTH / 4))).collect();
    let clip = Clip {
        id: CLIP,
        name: "16ths".into(),
        instrument: INST,
        length: LOOP_END,
        looping: true,
        notes,
        drums: None,
        audio: None,
    };
    let mixer = MixerSettings { pan: -1.0, ..MixerSettings::default() };
    AudioScene {
        instruments: vec![Instrument { id: INST, name: "sine".into(), def, mixer }],
        tempo: 120.0,
        clips: vec![clip],
        placements: vec![Placement { id: PlacementId(1), clip: CLIP, start: 0, length: LOOP_END }],
        ..AudioScene::default()
    }
}

#[test]
fn recorded_onsets_land_within_a_block_across_loop_wraps_and_a_tempo_change() {
    onsets_land_within_a_block("playback-audio", scene());
}
