//! Large projects and refusals on a real private scsynth: a 256 × 4
//! project builds completely and is rebuilt after a kill, a refusal reaches
//! the feedback, and running out of real-time memory grows the server.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, unsafe_code)]

use std::time::{Duration, Instant};

use imbolc_audio::engine::AudioHandle;
use imbolc_audio::server::JackMode;
use imbolc_audio::status::ServerState;
use imbolc_tests::engine::{tapped_engine, wait_until};
use imbolc_tests::tagged_servers;
use imbolc_types::catalog::{EffectKind, SourceKind};
use imbolc_types::{
    AudioDiff, AudioScene, Bus, BusId, EffectId, EffectSlot, Instrument, InstrumentDef, InstrumentId, MixerSettings,
};

const WAIT: Duration = Duration::from_secs(5);

/// 256 instruments with four effects each (delay, reverb, low-pass,
/// delay: 512 two-second delay lines) and a reverb bus.
fn large_scene() -> AudioScene {
    let kinds = [EffectKind::DELAY, EffectKind::REVERB, EffectKind::LOW_PASS, EffectKind::DELAY];
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
        effects: vec![EffectSlot::new(EffectId(5000), EffectKind::REVERB)],
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
