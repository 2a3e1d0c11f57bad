//! The engine on a real private scsynth when things go wrong: releases sent
//! right after a voice starts, a panic with voices still on their way,
//! signals at the engine's threads, a busy server, a killed server while
//! playing, and a large project rebuilt after a restart.

// Test code: a failed unwrap is a failed test. Signals are sent with libc.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, unsafe_code)]

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use imbolc_audio::backend::{NodeId, ServerOp};
use imbolc_audio::engine::{AudioHandle, EngineFeedback, TapEvent};
use imbolc_audio::server::JackMode;
use imbolc_audio::status::ServerState;
use imbolc_tests::engine::{engine_tree, tapped_engine};
use imbolc_tests::tagged_servers;
use imbolc_types::catalog::EffectKind;
use imbolc_types::catalog::SourceKind;
use imbolc_types::{
    AudioDiff, AudioScene, Bus, BusId, Clip, ClipId, EffectId, EffectSlot, EnvelopeDef, Instrument, InstrumentDef,
    InstrumentId, MixerSettings, Note, NoteId, Placement, PlacementId, TICKS_PER_QUARTER,
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
        instruments: vec![instrument(0, SourceKind::Saw), instrument(1, SourceKind::Sine)],
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

/// Waits until `done` holds for the engine's feedback; fails after `within`.
fn wait_until(audio: &mut AudioHandle, within: Duration, what: &str, done: impl Fn(&EngineFeedback) -> bool) {
    let deadline = Instant::now() + within;
    while !done(audio.feedback()) {
        let f = audio.feedback();
        assert!(Instant::now() < deadline, "{what}: {:?} {:?}", f.server, f.transport);
        std::thread::sleep(Duration::from_millis(5));
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
    let within = Duration::from_secs(3);
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
            Err(_) => panic!("no voice started on the new server within 3 s of the kill"),
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

/// 256 instruments with four effects each (delay, reverb, low-pass,
/// delay: 512 two-second delay lines) and a reverb bus.
fn large_scene() -> AudioScene {
    let kinds = [EffectKind::Delay, EffectKind::Reverb, EffectKind::LowPass, EffectKind::Delay];
    let instruments = (0..256u32)
        .map(|i| {
            let mut def = InstrumentDef::new(SourceKind::ALL[i as usize % SourceKind::ALL.len()]);
            def.effects =
                kinds.iter().enumerate().map(|(k, &kind)| EffectSlot::new(EffectId(i * 4 + k as u32), kind)).collect();
            Instrument { id: InstrumentId(i), name: format!("i{i}"), def, mixer: MixerSettings::default() }
        })
        .collect();
    let reverb = Bus {
        id: BusId(1),
        name: "reverb".into(),
        effects: vec![EffectSlot::new(EffectId(5000), EffectKind::Reverb)],
        mixer: MixerSettings::default(),
    };
    AudioScene { instruments, buses: vec![reverb], ..AudioScene::default() }
}

/// (depth, SynthDef or `None` for a group) of every node in pre-order.
fn shape_of_server(tree: &imbolc_tests::TreeNode) -> Vec<(usize, Option<String>)> {
    fn visit(node: &imbolc_tests::TreeNode, depth: usize, out: &mut Vec<(usize, Option<String>)>) {
        out.push((depth, node.def.clone()));
        for child in &node.children {
            visit(child, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    visit(tree, 0, &mut out);
    out
}

fn shape_of_model(model: &imbolc_audio::backend::ModelBackend) -> Vec<(usize, Option<String>)> {
    use imbolc_audio::backend::CanonicalKind;
    model
        .canonical_tree()
        .nodes
        .iter()
        .map(|n| match &n.kind {
            CanonicalKind::Group => (n.depth, None),
            CanonicalKind::Synth { def, .. } => (n.depth, Some(def.clone())),
        })
        .collect()
}

/// The whole tree of the scsynth at `port` without controls (a tree of
/// this size with controls does not fit one datagram), asked from a socket
/// of our own.
fn server_shape(port: u16) -> Vec<(usize, Option<String>)> {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.connect(("127.0.0.1", port)).unwrap();
    socket.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    let query = rosc::OscPacket::Message(rosc::OscMessage {
        addr: "/g_queryTree".into(),
        args: vec![rosc::OscType::Int(0), rosc::OscType::Int(0)],
    });
    socket.send(&rosc::encoder::encode(&query).unwrap()).unwrap();
    let mut buf = vec![0u8; 65_536];
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        let Ok(n) = socket.recv(&mut buf) else { continue };
        if let Ok((_, rosc::OscPacket::Message(m))) = rosc::decoder::decode_udp(&buf[..n])
            && m.addr == "/g_queryTree.reply"
        {
            return shape_of_server(&imbolc_tests::TreeNode::parse(&m).expect("a tree"));
        }
    }
    panic!("no /g_queryTree.reply from port {port}");
}

fn cmdline_value(pid: u32, flag: &str) -> u32 {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    let args: Vec<String> = cmdline.split(|&b| b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
    let at = args.iter().position(|a| a == flag).unwrap_or_else(|| panic!("no {flag} in {args:?}"));
    args[at + 1].parse().unwrap()
}

/// Issue 19 (scale) and issue 24 fault 13: a project of 256 instruments
/// with four effects each and a reverb bus builds completely on a real
/// scsynth, which is grown to fit it (its default memory holds eight
/// delay lines), and is rebuilt completely after a restart: the tree
/// equals the model's both times, with no refusal.
#[test]
fn a_256_by_4_project_builds_completely_and_rebuilds_after_a_kill() {
    use imbolc_audio::backend::{AudioBackend, ModelBackend, Timing};
    use imbolc_audio::engine::EngineConfig;
    use imbolc_audio::graph::SignalGraph;
    let tag = format!("reliability-scale-{}", std::process::id());
    let (mut audio, _tap, _) = tapped_engine(&tag, JackMode::Dummy);
    let scene = large_scene();
    let graph_config = EngineConfig::new(imbolc_tests::test_config()).graph_config();
    let (_, ops) = SignalGraph::build(graph_config, &scene);
    let mut model = ModelBackend::new();
    model.execute(Timing::Now, &ops).unwrap();
    let expected = shape_of_model(&model);

    let loaded = Instant::now();
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(scene))]).unwrap();
    let check = |audio: &mut AudioHandle, when: &str| -> u32 {
        let pid = loop {
            let f = audio.feedback();
            if let (ServerState::Running { .. }, Some(pid)) = (&f.server, f.scsynth_pid)
                && f.rebuild.ops > 1000
            {
                break pid;
            }
            assert!(loaded.elapsed() < Duration::from_secs(60), "{when}: not rebuilt: {:?}", f.server);
            std::thread::sleep(Duration::from_millis(20));
        };
        let port = imbolc_tests::engine::scsynth_port(pid);
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut got = server_shape(port);
        while got != expected && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(200));
            got = server_shape(port);
        }
        assert_eq!(got.len(), expected.len(), "{when}: node count on the server");
        assert!(got == expected, "{when}: the server's tree differs from the model's");
        pid
    };
    let pid = check(&mut audio, "after loading");
    let rss = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS"))
        .unwrap_or_default()
        .to_owned();
    eprintln!("scsynth {rss}");
    let f = audio.feedback().clone();
    eprintln!(
        "loaded: {} nodes; server grown to -m {} KB -n {}; rebuild {} ops in {} datagrams, sent in {} µs; \
         load to tree checked {} ms",
        expected.len(),
        cmdline_value(pid, "-m"),
        cmdline_value(pid, "-n"),
        f.rebuild.ops,
        f.rebuild.datagrams,
        f.rebuild.send_micros,
        loaded.elapsed().as_millis()
    );
    assert!(cmdline_value(pid, "-m") >= 512 * 1024, "room for 512 delay lines");
    let counters = audio.counters();
    assert_eq!((counters.fails, counters.refused, counters.grown), (0, 0, 1), "{counters:?}");

    assert!(std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status().unwrap().success());
    let killed = Instant::now();
    let generation = audio.feedback().generation;
    while audio.feedback().generation == generation || audio.feedback().scsynth_pid.is_none() {
        assert!(killed.elapsed() < Duration::from_secs(30), "no new server");
        std::thread::sleep(Duration::from_millis(10));
    }
    let pid = check(&mut audio, "after the kill");
    let f = audio.feedback().clone();
    eprintln!(
        "after a kill: rebuild of {} ops in {} datagrams sent in {} µs; kill to tree checked {} ms (-m {} KB)",
        f.rebuild.ops,
        f.rebuild.datagrams,
        f.rebuild.send_micros,
        killed.elapsed().as_millis(),
        cmdline_value(pid, "-m")
    );
    let counters = audio.counters();
    assert_eq!((counters.fails, counters.refused, counters.grown, counters.restarts), (0, 0, 1, 1), "{counters:?}");
    audio.shutdown();
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new());
}

/// Sends `messages` to the scsynth at `port` from a socket of our own (so
/// the engine sees only what the server says about it in its log).
fn send_raw(port: u16, messages: Vec<rosc::OscMessage>) {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.connect(("127.0.0.1", port)).unwrap();
    for m in messages {
        socket.send(&rosc::encoder::encode(&rosc::OscPacket::Message(m)).unwrap()).unwrap();
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn s_new(def: &str, id: i32) -> rosc::OscMessage {
    use rosc::OscType::{Int, String};
    rosc::OscMessage { addr: "/s_new".into(), args: vec![String(def.into()), Int(id), Int(0), Int(0)] }
}

/// Issue 19 (scale): a refusal is shown, not only logged, whoever caused
/// it: here a SynthDef the server lacks, asked for by another client.
#[test]
fn a_forced_refusal_reaches_the_feedback() {
    let tag = format!("reliability-refusal-{}", std::process::id());
    let (mut audio, _tap, running) = tapped_engine(&tag, JackMode::Dummy);
    send_raw(imbolc_tests::engine::scsynth_port(running.scsynth_pid.unwrap()), vec![s_new("no_such_def", 99_000)]);
    wait_until(&mut audio, WAIT, "the refusal shown", |f| f.refusals.count >= 1);
    let refusals = audio.feedback().refusals.clone();
    assert!(refusals.last.contains("SynthDef not found"), "{refusals:?}");
    assert_eq!(audio.counters().grown, 0, "not a question of room");
    audio.shutdown();
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new());
}

/// A server that runs out of real-time memory anyway (here: another
/// client's delay lines, which scsynth reports only in its log) is
/// replaced by one with twice the memory.
#[test]
fn running_out_of_real_time_memory_grows_the_server() {
    let tag = format!("reliability-grow-{}", std::process::id());
    let (mut audio, _tap, running) = tapped_engine(&tag, JackMode::Dummy);
    let pid = running.scsynth_pid.unwrap();
    let before = cmdline_value(pid, "-m");
    let delays = (0..120).map(|k| s_new("imbolc_delay", 90_000 + k)).collect();
    send_raw(imbolc_tests::engine::scsynth_port(pid), delays);
    wait_until(&mut audio, Duration::from_secs(20), "a larger server", |f| {
        f.generation > running.generation && matches!(f.server, ServerState::Running { .. })
    });
    let after = cmdline_value(audio.feedback().scsynth_pid.unwrap(), "-m");
    let c = audio.counters();
    eprintln!("real-time memory {before} KB → {after} KB after {} refusals", c.refused);
    assert_eq!(after, before * 2);
    assert!(c.refused >= 1 && c.grown == 1 && c.restarts == 0, "{c:?}");
    let last = &audio.feedback().refusals.last;
    assert!(last.contains("alloc failed") || last.contains("out of real time memory"), "{last}");
    audio.shutdown();
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new());
}
