//! NRT against real time: 2 bars rendered with `scsynth -N` and the same
//! bundles played on a live private scsynth (realtime dummy JACK) and
//! recorded with `DiskOut`. Both instruments are panned hard left.
//!
//! Timing: the dummy JACK driver skips whole periods on a loaded machine,
//! so the live recording's sample clock drifts from wall time by hundreds
//! of samples at a time (docs/onset-timing.md); a recording across a
//! period jackd reports lost is made again (`on_realtime_jack`). As in `playback_audio.rs`,
//! the test therefore sends its own timed reference burst to the right
//! channel at the wall time of every beat: both go through the same wall →
//! sample mapping. Per beat, (live onset − reference onset) must equal
//! (NRT onset − the beat's exact sample) within one control block, once
//! aligned on the first beat. Level: the RMS of each note, measured over
//! a fixed window from its own onset, within 1 dB.
//!
//! `DiskOut` writes whole halves of its buffer, so the recording runs past
//! the end.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, SystemTime};

use imbolc_audio::backend::Timetag;
use imbolc_audio::offline::{self, OfflineSpec, StemSet};
use imbolc_audio::server::{JackMode, ServerConfig};
use imbolc_core::dispatch;
use imbolc_core::render::{self, RenderOptions, RenderRange, SampleFormat, Tail};
use imbolc_tests::recording::{DiskRecorder, RealtimeJack, on_realtime_jack, onsets, read_channel, reference_burst};
use imbolc_tests::{ScServer, test_config};
use imbolc_types::{Action, EnvelopeStage, MixerParam, Note, ParamTarget, Project, SourceKind};
use rosc::{OscBundle, OscMessage, OscPacket, OscTime};

const RATE: f64 = 48_000.0;
const BLOCK: i64 = 64;
/// Onsets follow at least 0.1 s of silence.
const QUIET: usize = 4800;
/// A note lasts 200 ticks (0.21 s) plus a 20 ms release; its level is
/// measured over 0.3 s from its onset.
const NOTE_WINDOW: usize = 14_400;
/// The recorder's node and buffer, and the first reference node: far from
/// what the score allocates.
const RECORDER_NODE: i32 = 2_100_000_000;
const RECORDER_BUFFER: i32 = 1000;
const REFERENCE_NODE: i32 = 2_000_000_000;

/// Two bars of eighth notes on quarter beats for two instruments, with
/// short envelopes so every onset follows silence.
fn two_bars() -> Project {
    let mut p = Project::new("nrt vs live");
    p.tempo = 120.0;
    for (source, pitch) in [(SourceKind::SINE, 69u8), (SourceKind::SAW, 57)] {
        dispatch(&mut p, Action::AddInstrument { source, name: format!("{source:?}") }).unwrap();
        let id = *p.instruments.keys().next_back().unwrap();
        for (stage, v) in [(EnvelopeStage::Attack, 0.002), (EnvelopeStage::Release, 0.02)] {
            dispatch(&mut p, Action::SetParam { target: ParamTarget::Envelope { instrument: id, stage }, value: v })
                .unwrap();
        }
        let pan = ParamTarget::Mixer { instrument: id, param: MixerParam::Pan };
        dispatch(&mut p, Action::SetParam { target: pan, value: -1.0 }).unwrap();
        dispatch(&mut p, Action::AddClip { instrument: id, name: "c".into(), length: 3840 }).unwrap();
        let clip = *p.clips.keys().next_back().unwrap();
        // The sine on even beats, the saw on odd ones: one onset per beat.
        let offset = if source == SourceKind::SINE { 0 } else { 480 };
        let notes = (0..4).map(|k| Note::new(pitch + k as u8, 100, offset + k * 960, 200)).collect();
        dispatch(&mut p, Action::AddNotes { clip, notes }).unwrap();
        dispatch(&mut p, Action::AddPlacement { clip, start: 0, length: 3840 }).unwrap();
    }
    p
}

/// Onset times of the 8 notes, seconds from the start of bar 1.
fn beat_secs(k: usize) -> f64 {
    k as f64 * 0.5
}

fn rms_db(x: &[f32]) -> f64 {
    let ms = x.iter().map(|&s| f64::from(s) * f64::from(s)).sum::<f64>() / x.len().max(1) as f64;
    10.0 * ms.max(1e-24).log10()
}

fn timed(at: SystemTime, messages: Vec<OscMessage>) -> OscPacket {
    let t = Timetag::from_system_time(at);
    OscPacket::Bundle(OscBundle {
        timetag: OscTime { seconds: t.seconds, fractional: t.fraction },
        content: messages.into_iter().map(OscPacket::Message).collect(),
    })
}

#[test]
fn nrt_render_matches_a_live_recording_of_the_same_two_bars() {
    let project = two_bars();
    let dir = std::env::temp_dir().join(format!("imbolc-render-live-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    // NRT.
    let opts = RenderOptions {
        out_dir: dir.clone(),
        range: RenderRange::Bars { first: 1, last: 2 },
        tail: Tail::Secs(0.5),
        format: SampleFormat::Float32,
        ..RenderOptions::default()
    };
    render::render(&project, &opts, &AtomicBool::new(false), &mut |_| {}).unwrap();
    let nrt_path = dir.join("master.wav");
    assert!(read_channel(&nrt_path, 1).iter().all(|s| s.abs() < 1e-6), "hard left: the NRT right channel is silent");
    let nrt = read_channel(&nrt_path, 0);

    // A period jackd loses mid-note shortens it live: that recording is
    // made again (`on_realtime_jack`), a mismatch without one fails.
    on_realtime_jack("1", 256, |jack| {
        let (live, reference) = record_live(jack, &project, &dir);
        if let Err(e) = compare(&nrt, &live, &reference) {
            panic!("the live recording does not match the NRT render: {e}");
        }
    });
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Plays the score of `project`'s first 2 bars on a live server with a
/// reference burst on the right channel at every beat, and records its
/// output: (left, right).
fn record_live(jack: &RealtimeJack, project: &Project, dir: &Path) -> (Vec<f32>, Vec<f32>) {
    let server = ScServer::start_with(ServerConfig { jack: JackMode::Existing(jack.name.clone()), ..test_config() });
    let scene = project.audio_scene();
    let spec = OfflineSpec {
        start: 0,
        end: 3840,
        tail: 0.5,
        stems: StemSet::default(),
        pre_fader: false,
        only: None,
        max_secs: 60.0,
    };
    let plan = offline::plan(&scene, &spec, &|| false).unwrap();
    assert_eq!(plan.channels, 2, "the live server has 2 outputs; private buses follow them");
    let sender = server.sender();
    let mut entries = plan.score.entries.iter().filter(|e| e.messages.iter().all(|m| m.addr != "/d_recv"));
    let build = entries.next().unwrap();
    sender
        .send(&OscPacket::Bundle(OscBundle {
            timetag: OscTime { seconds: 0, fractional: 1 },
            content: build.messages.iter().cloned().map(OscPacket::Message).collect(),
        }))
        .unwrap();
    // After the build, so the recorder is the last node of the root group.
    let port = server.server.addr().unwrap().port();
    let recorder = DiskRecorder::start(port, RECORDER_NODE, RECORDER_BUFFER, &dir.join("live.wav"));
    let t0 = SystemTime::now() + Duration::from_millis(400);
    for e in entries {
        sender.send(&timed(t0 + Duration::from_secs_f64(e.time), e.messages.clone())).unwrap();
    }
    for k in 0..8 {
        let at = t0 + Duration::from_secs_f64(beat_secs(k));
        let (on, off) = reference_burst(REFERENCE_NODE + k as i32, RECORDER_NODE, 1.0);
        sender.send(&timed(at, vec![on])).unwrap();
        sender.send(&timed(at + Duration::from_millis(30), vec![off])).unwrap();
    }
    std::thread::sleep(Duration::from_millis(400) + Duration::from_secs_f64(plan.score.end() + 2.0));
    let live_path = recorder.finish();
    let recorded = (read_channel(&live_path, 0), read_channel(&live_path, 1));
    drop(server);
    recorded
}

/// Onsets within one block and note levels within 1 dB, or why not.
fn compare(nrt: &[f32], live: &[f32], reference: &[f32]) -> Result<(), String> {
    let a = onsets(nrt, QUIET);
    let b = onsets(live, QUIET);
    let r = onsets(reference, QUIET);
    if a.len() != 8 || b.len() != 8 || r.len() != 8 {
        return Err(format!("expected 8 onsets each: NRT {a:?}, live {b:?}, reference {r:?}"));
    }
    // Where each note starts against its beat: the NRT against the exact
    // sample, the live one against the reference burst of that beat.
    let nrt_lag: Vec<i64> = a.iter().enumerate().map(|(k, &x)| x - (beat_secs(k) * RATE).round() as i64).collect();
    let live_lag: Vec<i64> = b.iter().zip(&r).map(|(x, y)| x - y).collect();
    let deviations: Vec<i64> =
        nrt_lag.iter().zip(&live_lag).map(|(n, l)| (l - live_lag[0]) - (n - nrt_lag[0])).collect();
    let wall: Vec<i64> = r.iter().enumerate().map(|(k, &x)| x - r[0] - (beat_secs(k) * RATE).round() as i64).collect();
    println!("NRT onset lag (samples): {nrt_lag:?}; live lag behind reference: {live_lag:?}");
    println!("deviation live - NRT (samples): {deviations:?}; reference vs wall clock: {wall:?}");
    if deviations.iter().any(|d| d.abs() > BLOCK) {
        return Err(format!("onsets beyond one block: {deviations:?}"));
    }
    for k in 0..8 {
        let (sa, sb) = (a[k] as usize, b[k] as usize);
        let (ra, rb) = (rms_db(&nrt[sa..sa + NOTE_WINDOW]), rms_db(&live[sb..sb + NOTE_WINDOW]));
        println!("note {k}: NRT {ra:.2} dB, live {rb:.2} dB");
        if (ra - rb).abs() >= 1.0 {
            return Err(format!("note {k}: NRT {ra:.2} dB, live {rb:.2} dB"));
        }
    }
    Ok(())
}
