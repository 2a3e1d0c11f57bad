//! The engine on a real private scsynth when things go wrong: releases sent
//! right after a voice starts, a panic with voices still on their way,
//! signals at the engine's threads, a busy server, a killed server while
//! playing, and a large project rebuilt after a restart.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use imbolc_audio::backend::{NodeId, ServerOp};
use imbolc_audio::engine::{AudioHandle, TapEvent};
use imbolc_audio::server::JackMode;
use imbolc_tests::engine::{engine_tree, tapped_engine};
use imbolc_tests::tagged_servers;
use imbolc_types::catalog::SourceKind;
use imbolc_types::{AudioDiff, AudioScene, EnvelopeDef, Instrument, InstrumentDef, InstrumentId, MixerSettings};

const WAIT: Duration = Duration::from_secs(5);
const VOICE_DEFS: [&str; 3] = ["imbolc_sine", "imbolc_saw", "imbolc_square"];

fn instrument(id: u32, source: SourceKind) -> Instrument {
    let mut def = InstrumentDef::new(source);
    def.amp_env = EnvelopeDef { attack: 0.001, decay: 0.01, sustain: 0.7, release: 0.02 };
    Instrument { id: InstrumentId(id), name: format!("i{id}"), def, mixer: MixerSettings::default() }
}

fn two_instruments() -> AudioScene {
    AudioScene {
        instruments: vec![instrument(0, SourceKind::Saw), instrument(1, SourceKind::Sine)],
        ..AudioScene::default()
    }
}

fn voices_on_server(audio: &AudioHandle) -> usize {
    engine_tree(audio).walk().iter().filter(|n| n.def.as_deref().is_some_and(|d| VOICE_DEFS.contains(&d))).count()
}

/// Voice nodes the tap saw started, and those it saw end.
#[derive(Default)]
struct Voices {
    started: HashSet<i32>,
    ended: HashSet<i32>,
}

impl Voices {
    fn drain(&mut self, tap: &Receiver<TapEvent>) {
        for event in tap.try_iter() {
            match event {
                TapEvent::Sent { ops, .. } => {
                    for op in ops {
                        if let ServerOp::SynthNew { id, .. } = op {
                            self.started.insert(id.0);
                        }
                    }
                }
                TapEvent::End(NodeId(n)) => _ = self.ended.insert(n),
                TapEvent::Go(_) => {}
            }
        }
    }

    fn hanging(&self) -> Vec<i32> {
        let mut left: Vec<i32> = self.started.difference(&self.ended).copied().collect();
        left.sort_unstable();
        left
    }
}

/// Waits until every voice the tap saw start has ended; returns those
/// that did not.
fn wait_all_ended(voices: &mut Voices, tap: &Receiver<TapEvent>) -> Vec<i32> {
    let deadline = Instant::now() + WAIT;
    loop {
        voices.drain(tap);
        if voices.hanging().is_empty() || Instant::now() >= deadline {
            return voices.hanging();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The cause of the MIDI panic flake (issue 19): a live voice's `/s_new`
/// goes out untimed and runs at the server's next period; a release sent
/// a moment later could run in the same control block, so the envelope
/// never opened and the voice hung. Releases now wait for the voice's
/// `/n_go`.
#[test]
fn live_voices_released_at_once_all_end() {
    let tag = format!("reliability-gates-{}", std::process::id());
    let (audio, tap, _) = tapped_engine(&tag, JackMode::Dummy);
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(two_instruments()))]).unwrap();
    engine_tree(&audio);
    let mut voices = Voices::default();
    for k in 0..200u32 {
        let v = audio.voice_on(InstrumentId(k % 2), 200.0 + k as f32, 0.5).unwrap();
        audio.voice_off(v).unwrap();
        if k % 20 == 19 {
            std::thread::sleep(Duration::from_millis(3));
        }
    }
    let hanging = wait_all_ended(&mut voices, &tap);
    assert_eq!(voices.started.len(), 200);
    assert!(hanging.is_empty(), "{} of 200 voices never ended: {hanging:?}", hanging.len());
    assert_eq!(voices_on_server(&audio), 0);
    let counters = audio.counters();
    assert_eq!((counters.fails, counters.mismatches), (0, 0), "{counters:?}");
    eprintln!("200 voices released at once all ended");
    audio.shutdown();
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new());
}

/// Panic is authoritative: voices held, releasing, and still on their way
/// to the server when it is pressed all go, and the allocator agrees.
#[test]
fn panic_with_voices_in_flight_leaves_none_on_the_server() {
    let tag = format!("reliability-panic-{}", std::process::id());
    let (mut audio, tap, _) = tapped_engine(&tag, JackMode::Dummy);
    let mut scene = two_instruments();
    // A long release: without the panic these tails would ring for 5 s.
    scene.instruments[1].def.amp_env.release = 5.0;
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(scene))]).unwrap();
    engine_tree(&audio);
    let live = audio.live_sender();
    let mut voices = Voices::default();
    for round in 0..5 {
        for k in 0..40u32 {
            let v = audio.voice_on(InstrumentId(k % 2), 200.0 + k as f32, 0.5).unwrap();
            if k % 3 == 0 {
                audio.voice_off(v).unwrap();
            }
        }
        // Right behind the note-ons, before the server has run them.
        live.release_all().unwrap();
        let hanging = wait_all_ended(&mut voices, &tap);
        assert!(hanging.is_empty(), "round {round}: voices left after panic: {hanging:?}");
        assert_eq!(voices_on_server(&audio), 0, "round {round}");
        assert_eq!(audio.transport_state().voices, 0, "the allocator agrees");
    }
    let counters = audio.counters();
    assert_eq!((counters.fails, counters.mismatches), (0, 0), "{counters:?}");
    audio.shutdown();
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new());
}
