//! Tempo-synced effect parameters on a real `scsynth -N`: a delay synced to
//! a quarter note echoes half a second after a note at 120 BPM and two
//! thirds of a second after it at 90 BPM, and follows a tempo lane.
//!
//! The fixture is a short click (sine, 1 ms attack, no sustain) through a
//! delay with no feedback and mix 0.5, so each note is heard twice at equal
//! level: the dry note and one echo. Onsets are where sound starts after
//! 100 ms of silence, so the distance between the two is the delay time to
//! a sample or two.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use imbolc_core::dispatch;
use imbolc_core::render::{self, RenderOptions};
use imbolc_tests::recording::{onsets, read_channel};
use imbolc_types::{
    Action, ChainOwner, EffectId, EffectKind, EnvelopeStage, InstrumentId, Note, NoteDivision, ParamTarget, Project,
    SourceKind,
};

const BAR: u32 = 1920;
const RATE: f64 = 48_000.0;

fn apply(p: &mut Project, a: Action) {
    dispatch(p, a).unwrap();
}

/// One click instrument through a quarter-note synced delay, with a click
/// at each of `ticks`.
fn clicks(bpm: f32, ticks: &[u32]) -> Project {
    let mut p = Project::new("tempo sync");
    p.tempo = bpm;
    apply(&mut p, Action::AddInstrument { source: SourceKind::SINE, name: "click".into() });
    let i = InstrumentId(0);
    for (stage, v) in [
        (EnvelopeStage::Attack, 0.001),
        (EnvelopeStage::Decay, 0.03),
        (EnvelopeStage::Sustain, 0.0),
        (EnvelopeStage::Release, 0.01),
    ] {
        apply(&mut p, Action::SetParam { target: ParamTarget::Envelope { instrument: i, stage }, value: v });
    }
    let owner = ChainOwner::Instrument(i);
    apply(&mut p, Action::AddEffect { owner, kind: EffectKind::DELAY, index: None });
    let effect = EffectId(0);
    for (param, v) in [("feedback", 0.0), ("mix", 0.5)] {
        let target = ParamTarget::Effect { owner, effect, param: param.into() };
        apply(&mut p, Action::SetParam { target, value: v });
    }
    let division = Some(NoteDivision::QUARTER);
    apply(&mut p, Action::SetEffectSync { owner, effect, param: "time".into(), division });
    let last = ticks.iter().max().copied().unwrap_or(0);
    let length = (last / BAR + 1) * BAR;
    apply(&mut p, Action::AddClip { instrument: i, name: "clicks".into(), length });
    let clip = *p.clips.keys().next().unwrap();
    let notes = ticks.iter().map(|&t| Note::new(69, 110, t, 40)).collect();
    apply(&mut p, Action::AddNotes { clip, notes });
    apply(&mut p, Action::AddPlacement { clip, start: 0, length });
    p
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("imbolc-tempo-sync-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Onsets (seconds) of the rendered master's left channel.
fn rendered_onsets(p: &Project, dir: &Path) -> Vec<f64> {
    let o = RenderOptions { out_dir: dir.to_owned(), force: true, ..RenderOptions::default() };
    render::render(p, &o, &AtomicBool::new(false), &mut |_| {}).unwrap();
    let left = read_channel(&dir.join("master.wav"), 0);
    onsets(&left, (0.1 * RATE) as usize).into_iter().map(|i| i as f64 / RATE).collect()
}

/// Asserts the echo of the click at `onsets[k]` comes `secs` later.
fn assert_echo(onsets: &[f64], k: usize, secs: f64, what: &str) {
    let d = onsets[k + 1] - onsets[k];
    assert!((d - secs).abs() < 0.002, "{what}: echo {d:.4} s after the click, want {secs:.4} s ({onsets:?})");
}

#[test]
fn a_synced_delay_echoes_a_quarter_note_later_at_120_and_at_90_bpm() {
    for bpm in [120.0f32, 90.0] {
        let dir = tempdir(&format!("{bpm}"));
        let found = rendered_onsets(&clicks(bpm, &[0]), &dir);
        assert_eq!(found.len(), 2, "the click and one echo at {bpm} BPM: {found:?}");
        assert!(found[0] < 0.005, "the click starts the song: {found:?}");
        assert_echo(&found, 0, 60.0 / f64::from(bpm), &format!("{bpm} BPM"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn a_synced_delay_follows_a_tempo_lane() {
    // 120 BPM for the first bar, then 90: a click in bar 1 and in bar 3.
    let mut p = clicks(120.0, &[0, 2 * BAR]);
    apply(&mut p, Action::AddLane { target: ParamTarget::Tempo });
    let lane = *p.automation.keys().next().unwrap();
    for (tick, bpm) in [(0, 120.0), (BAR - 1, 120.0), (BAR, 90.0)] {
        apply(&mut p, Action::SetAutomationPoint { lane, tick, value: bpm });
    }
    let dir = tempdir("lane");
    let found = rendered_onsets(&p, &dir);
    assert_eq!(found.len(), 4, "two clicks, each with one echo: {found:?}");
    assert_echo(&found, 0, 0.5, "at 120 BPM");
    assert_echo(&found, 2, 60.0 / 90.0, "after the lane went to 90 BPM");
    // The scheduler reads a tempo lane once per window, so the new tempo
    // starts up to a window (50 ms) after the lane's point.
    let bar3 = 2.0 + 4.0 * 60.0 / 90.0;
    assert!((found[2] - bar3).abs() < 0.05, "bar 3 starts after a bar at 120 and one at 90: {found:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}
