//! The engine on a real private scsynth when things go wrong: releases sent
//! right after a voice starts, a panic with voices still on their way,
//! signals at the engine's threads, a busy server, a killed server while
//! playing. A large project and server refusals are in `scale.rs`.

// Test code: a failed unwrap is a failed test. Signals are sent with libc.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, unsafe_code)]

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use imbolc_audio::backend::{NodeId, ServerOp};
use imbolc_audio::engine::{AudioHandle, TapEvent};
use imbolc_audio::server::JackMode;
use imbolc_audio::status::ServerState;
use imbolc_tests::engine::{engine_tree, tapped_engine, wait_until};
use imbolc_tests::tagged_servers;
use imbolc_types::catalog::SourceKind;
use imbolc_types::{
    AudioDiff, AudioScene, Clip, ClipId, EnvelopeDef, Instrument, InstrumentDef, InstrumentId, MixerSettings, Note,
    NoteId, Placement, PlacementId, TICKS_PER_QUARTER,
};

const WAIT: Duration = Duration::from_secs(5);
const VOICE_DEFS: [&str; 3] = ["imbolc_sine", "imbolc_saw", "imbolc_square"];

fn instrument(id: u32, source: SourceKind) -> Instrument {
    let mut def = InstrumentDef::new(source);
    def.amp_env = EnvelopeDef { attack: 0.001, decay: 0.01, sustain: 0.7, release: 0.02 };
    Instrument { id: InstrumentId(id), name: format!("i{id}"), def, mixer: MixerSettings::default() }
}

fn two_instruments() -> AudioScene {
    AudioScene {
        instruments: vec![instrument(0, SourceKind::SAW), instrument(1, SourceKind::SINE)],
        ..AudioScene::default()
    }
}

/// Two instruments and a one-bar loop of eighth notes on the first.
fn looping_scene() -> AudioScene {
    let eighth = TICKS_PER_QUARTER / 2;
    let notes = (0..8).map(|k| (NoteId(k), Note::new(60 + k as u8, 100, k * eighth, eighth / 2))).collect();
    let clip = Clip {
        id: ClipId(1),
        name: "loop".into(),
        instrument: InstrumentId(0),
        length: 4 * TICKS_PER_QUARTER,
        looping: true,
        notes,
        drums: None,
    };
    let placement = Placement { id: PlacementId(1), clip: ClipId(1), start: 0, length: 64 * TICKS_PER_QUARTER };
    AudioScene { clips: vec![clip], placements: vec![placement], tempo: 120.0, ..two_instruments() }
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
            self.record(event);
        }
    }

    /// Records until the tap shows a batch with `op` (so every command sent
    /// before it was handled); false if none comes within [`WAIT`].
    fn drain_until(&mut self, tap: &Receiver<TapEvent>, op: impl Fn(&ServerOp) -> bool) -> bool {
        let deadline = Instant::now() + WAIT;
        while let Ok(event) = tap.recv_deadline(deadline) {
            let seen = matches!(&event, TapEvent::Sent { ops, .. } if ops.iter().any(&op));
            self.record(event);
            if seen {
                return true;
            }
        }
        false
    }

    fn record(&mut self, event: TapEvent) {
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
/// `/n_go`. Voices stolen at the polyphony limit as their tail ends are
/// freed without a refusal.
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
    // Every voice was sent once 200 note-ons went through the tap.
    let deadline = Instant::now() + WAIT;
    while voices.started.len() < 200 && Instant::now() < deadline {
        voices.drain(&tap);
        std::thread::sleep(Duration::from_millis(5));
    }
    let hanging = wait_all_ended(&mut voices, &tap);
    assert_eq!(voices.started.len(), 200);
    assert!(hanging.is_empty(), "{} of 200 voices never ended: {hanging:?}", hanging.len());
    assert_eq!(voices_on_server(&audio), 0);
    let counters = audio.counters();
    assert_eq!((counters.fails, counters.mismatches, counters.refused), (0, 0, 0), "{counters:?}");
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
        assert!(voices.drain_until(&tap, |op| matches!(op, ServerOp::FreeAll { .. })), "the panic was sent");
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

/// Issue 19: a killed scsynth used to stop play for good (the UI still
/// showing it playing). Now the new server plays on from where the old one
/// stopped, within the restart time.
#[test]
fn play_goes_on_on_the_new_server_after_scsynth_is_killed() {
    let tag = format!("reliability-kill-{}", std::process::id());
    let (mut audio, tap, running) = tapped_engine(&tag, JackMode::Dummy);
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(looping_scene()))]).unwrap();
    engine_tree(&audio);
    audio.play().unwrap();
    wait_until(&mut audio, WAIT, "playing", |f| f.transport.playing && f.transport.tick > 480);
    let old = running.scsynth_pid.unwrap();
    let generation = audio.feedback().generation;
    let _ = tap.try_iter().count();
    assert!(std::process::Command::new("kill").args(["-KILL", &old.to_string()]).status().unwrap().success());
    let killed = Instant::now();
    let cut = audio.transport_state().tick;

    // The new server: up, playing again, and starting voices (their /n_go).
    // A bound for liveness only: the times are printed, not asserted.
    let within = Duration::from_secs(30);
    wait_until(&mut audio, within, "a new server", |f| {
        f.generation > generation && matches!(f.server, ServerState::Running { .. })
    });
    let up = killed.elapsed();
    wait_until(&mut audio, within, "play again", |f| f.transport.playing);
    let mut started = HashSet::new();
    let sounding = loop {
        let left = (killed + within).saturating_duration_since(Instant::now());
        match tap.recv_timeout(left) {
            Ok(TapEvent::Sent { ops, .. }) => started.extend(ops.iter().filter_map(|op| match op {
                ServerOp::SynthNew { id, .. } => Some(id.0),
                _ => None,
            })),
            Ok(TapEvent::Go(node)) if started.contains(&node.0) => break killed.elapsed(),
            Ok(_) => {}
            Err(_) => panic!("no voice started on the new server after the kill"),
        }
    };
    let resumed_at = audio.transport_state().tick;
    std::thread::sleep(Duration::from_millis(300));
    let later = audio.transport_state().tick;
    assert!(later > resumed_at, "the playhead moves on: {resumed_at} → {later}");
    assert!(resumed_at + 240 >= cut, "play went on from about where it was cut ({cut}), not the start: {resumed_at}");
    eprintln!(
        "kill to running: {} ms; kill to a voice sounding: {} ms; cut at tick {cut}, resumed at {resumed_at}",
        up.as_millis(),
        sounding.as_millis()
    );
    audio.stop().unwrap();
    wait_until(&mut audio, WAIT, "stopped", |f| !f.transport.playing && f.transport.voices == 0);
    let counters = audio.counters();
    assert_eq!((counters.restarts, counters.fails, counters.mismatches), (1, 0, 0), "{counters:?}");
    audio.shutdown();
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new());
}

extern "C" fn ignore_signal(_: libc::c_int) {}

/// Makes SIGUSR1 interrupt blocking calls (a handler without SA_RESTART,
/// as a debugger or tracer attaching does) instead of ending the process.
fn interrupt_with_sigusr1() {
    // SAFETY: installs a handler that does nothing (async-signal-safe);
    // the sigaction struct is fully initialised before use.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = ignore_signal as extern "C" fn(libc::c_int) as usize;
        action.sa_flags = 0;
        libc::sigemptyset(&mut action.sa_mask);
        assert_eq!(libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut()), 0);
    }
}

/// Thread ids of this process's threads with one of `names`.
fn threads_named(names: &[&str]) -> Vec<libc::pid_t> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return Vec::new() };
    tasks
        .flatten()
        .filter_map(|t| {
            let tid = t.file_name().to_str()?.parse().ok()?;
            let comm = std::fs::read_to_string(t.path().join("comm")).ok()?;
            names.contains(&comm.trim()).then_some(tid)
        })
        .collect()
}

/// Issue 19: a signal during a socket wait (EINTR) was taken for a lost
/// server, which was then killed and restarted. Signals now hit the
/// engine's threads about every millisecond, from before boot through
/// three seconds of play; nothing restarts and play goes on.
#[test]
fn signals_at_the_engines_threads_restart_nothing() {
    interrupt_with_sigusr1();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let signaller = {
        let (stop, sent) = (std::sync::Arc::clone(&stop), std::sync::Arc::clone(&sent));
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for tid in threads_named(&["imbolc-audio", "scsynth-monitor"]) {
                    // SAFETY: tgkill with our own pid and one of our threads.
                    let r = unsafe { libc::syscall(libc::SYS_tgkill, libc::getpid(), tid, libc::SIGUSR1) };
                    if r == 0 {
                        sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    let tag = format!("reliability-eintr-{}", std::process::id());
    let (mut audio, tap, _) = tapped_engine(&tag, JackMode::Dummy);
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(looping_scene()))]).unwrap();
    engine_tree(&audio);
    audio.play().unwrap();
    let mut voices = Voices::default();
    let began = Instant::now();
    while began.elapsed() < Duration::from_secs(3) {
        voices.drain(&tap);
        std::thread::sleep(Duration::from_millis(20));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    signaller.join().unwrap();
    audio.stop().unwrap();
    let counters = audio.counters();
    let signals = sent.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!("{signals} signals sent; {} voices started while playing; {counters:?}", voices.started.len());
    assert!(signals > 1000, "the threads were signalled ({signals})");
    assert_eq!(counters.restarts, 0, "a signal was taken for a lost server: {counters:?}");
    assert_eq!(audio.feedback().generation, 1);
    assert!(voices.started.len() >= 10, "play went on: {} voices in 3 s", voices.started.len());
    assert!(wait_all_ended(&mut voices, &tap).is_empty());
    audio.shutdown();
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new());
}

/// Issue 24 fault 10: a busy scsynth was declared lost after 1.2 s
/// without a `/status` reply. A `/b_allocRead` that takes seconds (a
/// FIFO stands in for a large file on a slow disk: scsynth's command
/// thread waits on it, and no reply comes meanwhile) must not restart it.
#[test]
fn a_server_busy_reading_a_sample_for_seconds_is_not_restarted() {
    let tag = format!("reliability-busy-{}", std::process::id());
    let (mut audio, _tap, running) = tapped_engine(&tag, JackMode::Dummy);
    let pid = running.scsynth_pid.unwrap();
    let fifo = std::env::temp_dir().join(format!("imbolc-busy-{}.wav", std::process::id()));
    let _ = std::fs::remove_file(&fifo);
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.connect(("127.0.0.1", imbolc_tests::engine::scsynth_port(pid))).unwrap();
    let read = rosc::OscPacket::Message(rosc::OscMessage {
        addr: "/b_allocRead".into(),
        args: vec![rosc::OscType::Int(900), rosc::OscType::String(fifo.display().to_string())],
    });
    socket.send(&rosc::encoder::encode(&read).unwrap()).unwrap();
    let began = Instant::now();
    while began.elapsed() < Duration::from_millis(3500) {
        assert!(matches!(audio.feedback().server, ServerState::Running { .. }), "{:?}", audio.feedback().server);
        std::thread::sleep(Duration::from_millis(50));
    }
    // The read ends: scsynth gets an empty file (and tells our socket so).
    let writer = {
        use std::os::unix::fs::OpenOptionsExt;
        std::fs::OpenOptions::new().write(true).custom_flags(libc::O_NONBLOCK).open(&fifo)
    };
    assert!(writer.is_ok(), "scsynth was reading the FIFO: {writer:?}");
    drop(writer);
    let _ = std::fs::remove_file(&fifo);
    // Status replies come again; the same server runs.
    let stats_before = audio.feedback().server.clone();
    wait_until(&mut audio, WAIT, "status replies again", |f| f.server != stats_before);
    let counters = audio.counters();
    assert_eq!(counters.restarts, 0, "a busy server was restarted: {counters:?}");
    assert!(counters.server_busy >= 1, "the server was silent long enough to count as busy: {counters:?}");
    assert_eq!(audio.feedback().scsynth_pid, Some(pid));
    audio.shutdown();
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new());
}
