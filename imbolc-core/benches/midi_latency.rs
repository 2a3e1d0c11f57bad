//! Live MIDI latency: from the MIDI callback's entry (`LivePlayer::handle`,
//! what midir calls) to the note's OSC bundle having left the socket to a
//! real scsynth (the engine's tap stamps the moment `send_to` returned, so
//! the figure does not include this bench's own wake-up). Measured while a
//! "UI" thread is busy 85 % of every 60 Hz frame (20 `SetParam` edits, a
//! MIDI poll, busy work) and a 16th-note sequence plays on another
//! instrument.
//!
//! Needs scsynth and jackd2 (`make test` installs them); starts a private
//! JACK server on the dummy driver. Prints median and p99 at the end, and
//! how far ahead of the send the bundle's timetag is (while the transport
//! plays, live voices are timed no earlier than the scheduler's horizon).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic, missing_docs)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::Criterion;
use crossbeam_channel::{Receiver, unbounded};
use imbolc_audio::backend::{ServerOp, Timing};
use imbolc_audio::engine::{AudioHandle, EngineConfig, TapEvent};
use imbolc_audio::server::{JackMode, ServerConfig};
use imbolc_audio::status::ServerState;
use imbolc_core::midi::timebase::{unix_secs, wall_now};
use imbolc_core::midi::{InputId, MidiRuntime};
use imbolc_core::session::Session;
use imbolc_types::catalog::SourceKind;
use imbolc_types::{Action, InstrumentId, Note, ParamTarget, Project};

/// Latencies and timetag leads (seconds) of every measured note.
static SAMPLES: Mutex<Vec<(Duration, f64)>> = Mutex::new(Vec::new());

fn project() -> (Project, InstrumentId, InstrumentId) {
    let mut p = Project::new("bench");
    imbolc_core::dispatch(&mut p, Action::AddInstrument { source: SourceKind::SINE, name: "seq".into() }).unwrap();
    imbolc_core::dispatch(&mut p, Action::AddInstrument { source: SourceKind::SAW, name: "live".into() }).unwrap();
    let ids: Vec<InstrumentId> = p.instruments.keys().copied().collect();
    imbolc_core::dispatch(&mut p, Action::AddClip { instrument: ids[0], name: "16ths".into(), length: 1920 }).unwrap();
    let clip = *p.clips.keys().next().unwrap();
    let notes = (0..16).map(|k| Note::new(60 + (k % 12) as u8, 90, k * 120, 60)).collect();
    imbolc_core::dispatch(&mut p, Action::AddNotes { clip, notes }).unwrap();
    imbolc_core::dispatch(&mut p, Action::SetClipLooping { clip, looping: true }).unwrap();
    imbolc_core::dispatch(&mut p, Action::AddPlacement { clip, start: 0, length: 1920 * 64 }).unwrap();
    (p, ids[0], ids[1])
}

/// Waits for the batch starting a live voice; returns when its send
/// returned and the timetag lead over now, in seconds (0 for an untimed
/// bundle).
fn wait_live_voice(tap: &Receiver<TapEvent>) -> (Instant, f64) {
    loop {
        match tap.recv_timeout(Duration::from_secs(5)).expect("no live voice sent") {
            TapEvent::Sent { timing, ops, at }
                if ops.iter().any(|op| matches!(op, ServerOp::SynthNew { def: "imbolc_saw", .. })) =>
            {
                let lead = match timing {
                    Timing::Now => 0.0,
                    Timing::At(t) => unix_secs(t) - wall_now(),
                };
                return (at, lead);
            }
            _ => {}
        }
    }
}

fn latency(c: &mut Criterion) {
    let server =
        ServerConfig { jack: JackMode::Dummy, jack_name_prefix: "imbolc_bench".into(), ..ServerConfig::default() };
    let (tap_tx, tap) = unbounded();
    let mut config = EngineConfig::new(server);
    config.tap = Some(tap_tx);
    let mut audio = AudioHandle::spawn(config).expect("audio thread");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !matches!(audio.server_state(), ServerState::Running { .. }) {
        assert!(Instant::now() < deadline, "scsynth did not start (install supercollider-server and jackd2)");
        std::thread::sleep(Duration::from_millis(10));
    }
    let (project, seq, live) = project();
    let runtime = MidiRuntime::new(Box::new(audio.live_sender()));
    runtime.select_instrument(Some(live));
    let player = runtime.player();
    audio.play().unwrap();

    // The busy UI thread: edits through the session and MIDI polls, no sleep.
    let stop = Arc::new(AtomicBool::new(false));
    let ui_stop = Arc::clone(&stop);
    let ui = std::thread::spawn(move || {
        let mut runtime = runtime;
        let mut session = Session::new(project, audio);
        let target = ParamTarget::Source { instrument: seq, param: "amp".into() };
        let mut k = 0u32;
        // 60 frames a second, each: 20 parameter edits (a fast knob
        // sweep), a MIDI poll, then busy work to 14 ms of the 16.7 ms frame.
        while !ui_stop.load(Ordering::Relaxed) {
            let frame = Instant::now();
            for _ in 0..20 {
                k += 1;
                let value = 0.2 + (k % 10) as f32 * 0.01;
                session.dispatch(Action::SetParam { target: target.clone(), value }).unwrap();
            }
            let transport = session.audio_mut().transport_state();
            runtime.poll(&mut session, &transport);
            let mut spin = 0u64;
            while frame.elapsed() < Duration::from_millis(14) {
                spin = std::hint::black_box(spin.wrapping_mul(31).wrapping_add(7));
            }
            std::thread::sleep(Duration::from_micros(2_700));
        }
        session
    });
    std::thread::sleep(Duration::from_millis(300));
    while tap.try_recv().is_ok() {}

    let mut key = 40u8;
    c.bench_function("midi note-on callback to OSC sent", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                key = if key >= 90 { 40 } else { key + 1 };
                let stamp = (wall_now() * 1e6) as u64;
                let began = Instant::now();
                player.lock().unwrap().handle(InputId::Virtual, stamp, wall_now(), &[0x90, key, 100]);
                let (sent, lead) = wait_live_voice(&tap);
                let took = sent.saturating_duration_since(began);
                total += took;
                SAMPLES.lock().unwrap().push((took, lead));
                std::thread::sleep(Duration::from_millis(2));
                player.lock().unwrap().handle(InputId::Virtual, stamp, wall_now(), &[0x80, key, 0]);
                std::thread::sleep(Duration::from_millis(1));
            }
            total
        });
    });

    stop.store(true, Ordering::Relaxed);
    let session = ui.join().unwrap();
    drop(session);
    let mut samples = SAMPLES.lock().unwrap().clone();
    samples.sort_by_key(|(d, _)| *d);
    let pick = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize].0;
    let mut leads: Vec<f64> = samples.iter().map(|(_, l)| *l).collect();
    leads.sort_by(f64::total_cmp);
    let lead = |q: f64| leads[((leads.len() - 1) as f64 * q).round() as usize] * 1000.0;
    println!(
        "midi latency over {} notes: median {:?}, p99 {:?}, max {:?}; timetag lead median {:.1} ms, p99 {:.1} ms",
        samples.len(),
        pick(0.5),
        pick(0.99),
        pick(1.0),
        lead(0.5),
        lead(0.99)
    );
}

fn main() {
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    latency(&mut c);
    c.final_summary();
}
