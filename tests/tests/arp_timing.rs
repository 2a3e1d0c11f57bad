//! Arpeggiator timing on a real scsynth: a chord held through a 1-bar
//! loop, arpeggiated up at 16ths (gate 1/4, so each step is 1/64 long),
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
//! Steps are 1/64 long with a 2 ms attack and 10 ms release, so each
//! onset follows at least 40 ms of silence. The harness is the one of
//! `playback_audio.rs` (see docs/onset-timing.md); only the scene differs:
//! the notes the server plays are the arpeggiator's, not written ones.
//!
//! A second test renders the same arpeggio (NRT) and checks that its
//! onsets fall on the 16th grid, within a block.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use imbolc_tests::loop_timing::{
    BLOCK, CLIP, INST, LOOP_END, QUIET, RATE, SIXTEENTH, STEPS, onsets_land_within_a_block, seconds_per_tick,
};
use imbolc_tests::recording::{onsets, read_channel};
use imbolc_types::catalog::SourceKind;
use imbolc_types::sync::Feel;
use imbolc_types::transform::{ArpMode, ArpSettings, NoteTransforms};
use imbolc_types::{
    AudioScene, Clip, EnvelopeDef, Instrument, InstrumentDef, MixerSettings, Note, NoteDivision, NoteId, Placement,
    PlacementId,
};

fn arp() -> NoteTransforms {
    let sixteenth = NoteDivision::new(16, Feel::Straight).unwrap();
    let arp = ArpSettings { mode: ArpMode::Up, rate: sixteenth, octaves: 1, gate: 0.25, latch: false, seed: 1 };
    NoteTransforms { arp: Some(arp), ..NoteTransforms::default() }
}

fn scene() -> AudioScene {
    let mut def = InstrumentDef::new(SourceKind::SINE);
    def.amp_env = EnvelopeDef { attack: 0.002, decay: 0.01, sustain: 0.5, release: 0.01 };
    def.transforms = arp();
    // A chord held through the whole loop: the arpeggiator plays it.
    let notes =
        [57u8, 64, 69].iter().enumerate().map(|(k, &p)| (NoteId(k as u32), Note::new(p, 100, 0, LOOP_END))).collect();
    let clip = Clip {
        id: CLIP,
        name: "chord".into(),
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
fn arpeggio_onsets_land_within_a_block_across_loop_wraps_and_a_tempo_change() {
    onsets_land_within_a_block("arp-timing", scene());
}

/// The same arpeggio rendered (NRT, two bars at 120 BPM): one onset per
/// 16th, each within a block of the grid.
#[test]
fn the_rendered_arpeggio_has_the_same_onsets() {
    use std::sync::atomic::AtomicBool;

    use imbolc_core::dispatch;
    use imbolc_core::render::{self, RenderOptions, SampleFormat, Tail};
    use imbolc_types::{Action, Project};

    let dir = std::env::temp_dir().join(format!("imbolc-arp-render-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut p = Project::new("arp");
    dispatch(&mut p, Action::AddInstrument { source: SourceKind::SINE, name: "sine".into() }).unwrap();
    let id = *p.instruments.keys().next().unwrap();
    p.instruments.get_mut(&id).unwrap().def.amp_env =
        EnvelopeDef { attack: 0.002, decay: 0.01, sustain: 0.5, release: 0.01 };
    dispatch(&mut p, Action::SetTransforms { instrument: id, transforms: arp() }).unwrap();
    let bars = 2 * LOOP_END;
    dispatch(&mut p, Action::AddClip { instrument: id, name: "c".into(), length: bars }).unwrap();
    let clip = *p.clips.keys().next().unwrap();
    let notes = [57u8, 64, 69].iter().map(|&k| Note::new(k, 100, 0, bars)).collect();
    dispatch(&mut p, Action::AddNotes { clip, notes }).unwrap();
    dispatch(&mut p, Action::AddPlacement { clip, start: 0, length: bars }).unwrap();
    let out = dir.join("out");
    let o = RenderOptions {
        out_dir: out.clone(),
        tail: Tail::Secs(0.3),
        format: SampleFormat::Float32,
        force: true,
        ..RenderOptions::default()
    };
    render::render(&p, &o, &AtomicBool::new(false), &mut |_| {}).unwrap();
    let wav = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "wav"))
        .unwrap();
    let found = onsets(&read_channel(&wav, 0), QUIET);
    let spt = seconds_per_tick(120.0);
    let ideal: Vec<f64> = (0..2 * STEPS).map(|k| f64::from(k * SIXTEENTH) * spt * RATE).collect();
    assert_eq!(found.len(), ideal.len(), "one onset per 16th: {found:?}");
    // Aligned on the first onset (the render's start is its own).
    let worst = found.iter().zip(&ideal).map(|(&f, &i)| ((f - found[0]) as f64 - i).abs()).fold(0.0, f64::max);
    eprintln!(
        "rendered arpeggio: {} onsets, worst {worst:.0} samples from the 16th grid (limit {BLOCK:.0})",
        found.len()
    );
    assert!(worst <= BLOCK, "worst deviation {worst} samples");
    std::fs::remove_dir_all(&dir).unwrap();
}
