//! NRT against real time: 2 bars rendered with `scsynth -N` and the same
//! bundles played on a live private scsynth (dummy JACK) and recorded with
//! `DiskOut`. Onsets must agree within one control block once aligned on
//! the first onset, and the RMS of each beat within 1 dB.
//!
//! The live side sends the score's bundles with wall-clock timetags (what
//! the audio thread sends while playing). `DiskOut` writes whole halves of
//! its buffer, so the recording runs past the end and is trimmed.
//!
//! The JACK server here runs with realtime scheduling (the shared fixture
//! uses `--no-realtime`): on a loaded machine a non-realtime dummy driver
//! skips periods, and the recording then lost up to 0.5 s in 4 s (measured
//! with a load average of 11 on 2 cores), which no timing check survives.
//! The test is short and light, so realtime priority costs others nothing.

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
use imbolc_tests::recording::{RECORD_DEF, RealtimeJack, onsets, read_left};
use imbolc_tests::{ScServer, test_config};
use imbolc_types::{Action, EnvelopeStage, Note, ParamTarget, Project, SourceKind};
use rosc::{OscBundle, OscMessage, OscPacket, OscTime, OscType};

const RATE: f64 = 48_000.0;
const BLOCK: i64 = 64;
/// Onsets follow at least 0.1 s of silence.
const QUIET: usize = 4800;

/// Two bars of eighth notes on quarter beats for two instruments, with
/// short envelopes so every onset follows silence.
fn two_bars() -> Project {
    let mut p = Project::new("nrt vs live");
    p.tempo = 120.0;
    for (source, pitch) in [(SourceKind::Sine, 69u8), (SourceKind::Saw, 57)] {
        dispatch(&mut p, Action::AddInstrument { source, name: format!("{source:?}") }).unwrap();
        let id = *p.instruments.keys().next_back().unwrap();
        for (stage, v) in [(EnvelopeStage::Attack, 0.002), (EnvelopeStage::Release, 0.02)] {
            dispatch(&mut p, Action::SetParam { target: ParamTarget::Envelope { instrument: id, stage }, value: v })
                .unwrap();
        }
        dispatch(&mut p, Action::AddClip { instrument: id, name: "c".into(), length: 3840 }).unwrap();
        let clip = *p.clips.keys().next_back().unwrap();
        // The sine on even beats, the saw on odd ones: one onset per beat.
        let offset = if source == SourceKind::Sine { 0 } else { 480 };
        let notes = (0..4).map(|k| Note::new(pitch + k as u8, 100, offset + k * 960, 200)).collect();
        dispatch(&mut p, Action::AddNotes { clip, notes }).unwrap();
        dispatch(&mut p, Action::AddPlacement { clip, start: 0, length: 3840 }).unwrap();
    }
    p
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
#[ignore = "flaky: the dummy JACK driver drops periods against wall time (see docs/onset-timing.md); \
            run with --ignored; playback_audio.rs checks live timing against reference bursts instead"]
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
    let nrt = read_left(&dir.join("master.wav"));

    // Real time on a shared machine can glitch (a lost period shifts every
    // later onset); up to 3 recordings are made, and one must match.
    let mut failures = Vec::new();
    for attempt in 0..3 {
        let live = record_live(&project, &dir, attempt);
        match compare(&nrt, &live) {
            Ok(()) => {
                std::fs::remove_dir_all(&dir).unwrap();
                return;
            }
            Err(e) => {
                println!("attempt {attempt}: {e}");
                failures.push(e);
            }
        }
    }
    panic!("no live recording matched the NRT render: {failures:?}");
}

/// Plays the score of `project`'s first 2 bars on a live server and
/// records its output.
fn record_live(project: &Project, dir: &Path, attempt: usize) -> Vec<f32> {
    // Live: the same score's bundles, timed from a moment shortly ahead.
    let jack = RealtimeJack::start("1");
    let server = ScServer::start_with(ServerConfig { jack: JackMode::Existing(jack.name.clone()), ..test_config() });
    server.send("/d_recv", vec![OscType::Blob(RECORD_DEF.to_vec())]);
    server.wait_for(Duration::from_secs(5), |m| m.addr == "/done").expect("record SynthDef loaded");
    let live_path = dir.join(format!("live{attempt}.wav"));
    server.send("/b_alloc", vec![OscType::Int(90), OscType::Int(65_536), OscType::Int(2)]);
    server.wait_for(Duration::from_secs(5), |m| m.addr == "/done").expect("/b_alloc");
    server.send(
        "/b_write",
        vec![
            OscType::Int(90),
            OscType::String(live_path.to_string_lossy().into_owned()),
            OscType::String("wav".into()),
            OscType::String("float".into()),
            OscType::Int(0),
            OscType::Int(0),
            OscType::Int(1),
        ],
    );
    server.wait_for(Duration::from_secs(5), |m| m.addr == "/done").expect("/b_write");

    let scene = project.audio_scene();
    let spec = OfflineSpec { start: 0, end: 3840, tail: 0.5, stems: StemSet::default(), pre_fader: false, only: None };
    let plan = offline::plan(&scene, &spec);
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
    let recorder = OscMessage {
        addr: "/s_new".into(),
        args: vec![
            OscType::String("imbolc_test_record".into()),
            OscType::Int(99_999),
            OscType::Int(1),
            OscType::Int(0),
            OscType::String("buf".into()),
            OscType::Int(90),
        ],
    };
    sender.send(&OscPacket::Message(recorder)).unwrap();
    let t0 = SystemTime::now() + Duration::from_millis(400);
    for e in entries {
        sender.send(&timed(t0 + Duration::from_secs_f64(e.time), e.messages.clone())).unwrap();
    }
    std::thread::sleep(Duration::from_millis(400) + Duration::from_secs_f64(plan.score.end() + 2.0));
    server.send("/n_free", vec![OscType::Int(99_999)]);
    server.send("/b_close", vec![OscType::Int(90)]);
    server.wait_for(Duration::from_secs(5), |m| m.addr == "/done").expect("/b_close");
    let live = read_left(&live_path);
    drop(server);
    drop(jack);

    live
}

/// Onsets within one block and beat levels within 1 dB, or why not.
fn compare(nrt: &[f32], live: &[f32]) -> Result<(), String> {
    let a = onsets(nrt, QUIET);
    let b = onsets(live, QUIET);
    if a.len() != 8 || b.len() != 8 {
        return Err(format!("expected 8 onsets each: NRT {a:?}, live {b:?}"));
    }
    let (a0, b0) = (a[0], b[0]);
    let deviations: Vec<i64> = a.iter().zip(&b).map(|(x, y)| (y - b0) - (x - a0)).collect();
    println!("onset deviation live - NRT (samples): {deviations:?}");
    if deviations.iter().any(|d| d.abs() > BLOCK) {
        return Err(format!("onsets beyond one block: {deviations:?}"));
    }
    let beat = (0.5 * RATE) as usize;
    for k in 0..8 {
        let (sa, sb) = (a0 as usize + k * beat, b0 as usize + k * beat);
        let (ra, rb) = (rms_db(&nrt[sa..sa + beat]), rms_db(&live[sb..sb + beat]));
        println!("beat {k}: NRT {ra:.2} dB, live {rb:.2} dB");
        if (ra - rb).abs() >= 1.0 {
            return Err(format!("beat {k}: NRT {ra:.2} dB, live {rb:.2} dB"));
        }
    }
    Ok(())
}
