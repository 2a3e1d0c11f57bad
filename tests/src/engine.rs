//! Helpers for tests that drive the real engine (`AudioHandle`): starting
//! it with a tap, waiting on its feedback, reading its node tree, finding
//! its scsynth's port.

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use imbolc_audio::engine::{AudioHandle, EngineConfig, EngineFeedback, TapEvent};
use imbolc_audio::server::JackMode;
use imbolc_audio::status::ServerState;

use rosc::{OscMessage, OscPacket, OscType};

use crate::{TEST_TAG_VAR, TreeNode, test_config};

/// An engine on a private scsynth (JACK as `jack` says) whose processes
/// carry `tag` (so a test can check none is left behind), with its tap.
/// Returns once the server runs, with the feedback of that moment.
pub fn tapped_engine(tag: &str, jack: JackMode) -> (AudioHandle, Receiver<TapEvent>, EngineFeedback) {
    let mut config = test_config();
    config.jack = jack;
    config.child_env = vec![(TEST_TAG_VAR.to_owned(), tag.to_owned())];
    let (tap_tx, tap_rx) = crossbeam_channel::unbounded();
    let mut engine_config = EngineConfig::new(config);
    engine_config.tap = Some(tap_tx);
    let mut audio = AudioHandle::spawn(engine_config).expect("the audio thread starts");
    // Booting JACK and scsynth takes about half a second, but many times
    // that while the machine compiles beside the tests.
    let running =
        wait_feedback(&mut audio, Duration::from_secs(30), |f| matches!(f.server, ServerState::Running { .. }));
    (audio, tap_rx, running)
}

/// How long a tree request may take.
const TREE_WAIT: Duration = Duration::from_secs(5);

/// Polls the engine's feedback (a triple buffer: nothing to block on) until
/// `done` holds; fails the test after `within`, showing the transport.
pub fn wait_feedback(
    audio: &mut AudioHandle,
    within: Duration,
    done: impl Fn(&EngineFeedback) -> bool,
) -> EngineFeedback {
    let deadline = Instant::now() + within;
    loop {
        let feedback = audio.feedback();
        if done(feedback) {
            return feedback.clone();
        }
        assert!(Instant::now() < deadline, "feedback never got there: {:?}", feedback.transport);
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The engine's scsynth node tree (`/g_queryTree` through the engine).
pub fn engine_tree(audio: &AudioHandle) -> TreeNode {
    let reply = audio.request_tree().expect("the engine takes a tree request");
    let reply = reply.recv_timeout(TREE_WAIT).expect("no tree from the engine");
    TreeNode::parse(&reply).expect("malformed tree")
}

/// The UDP port of the engine's scsynth, from its command line (`-u PORT`).
pub fn scsynth_port(pid: u32) -> u16 {
    try_scsynth_port(pid).expect("scsynth's command line with -u PORT")
}

/// Like [`scsynth_port`], but `None` once the process is gone.
pub fn try_scsynth_port(pid: u32) -> Option<u16> {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let args: Vec<String> = cmdline.split(|&b| b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
    let at = args.iter().position(|a| a == "-u")?;
    args.get(at + 1).and_then(|p| p.parse().ok())
}

/// The node tree of the scsynth on `port` (`/g_queryTree 0 1`), asked
/// from a socket of our own: for a scsynth another process runs.
pub fn scsynth_tree(port: u16) -> TreeNode {
    try_scsynth_tree(port).expect("no /g_queryTree.reply")
}

/// Like [`scsynth_tree`], but `None` when no reply comes within the tree
/// wait: a scsynth whose JACK server was killed still runs for a moment
/// but no longer answers.
pub fn try_scsynth_tree(port: u16) -> Option<TreeNode> {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.connect(("127.0.0.1", port)).unwrap();
    socket.set_read_timeout(Some(TREE_WAIT)).unwrap();
    let query = OscMessage { addr: "/g_queryTree".into(), args: vec![OscType::Int(0), OscType::Int(1)] };
    socket.send(&rosc::encoder::encode(&OscPacket::Message(query)).unwrap()).ok()?;
    let mut buffer = vec![0; 65536];
    loop {
        let size = socket.recv(&mut buffer).ok()?;
        if let Ok((_, OscPacket::Message(m))) = rosc::decoder::decode_udp(&buffer[..size])
            && m.addr == "/g_queryTree.reply"
        {
            return Some(TreeNode::parse(&m).expect("malformed /g_queryTree.reply"));
        }
    }
}

/// Voices (synths of an instrument's voice SynthDef) in `tree`.
pub fn voice_count(tree: &TreeNode) -> usize {
    let voice = |d: &str| {
        matches!(d, "imbolc_sine" | "imbolc_saw" | "imbolc_square" | "imbolc_sampler") || d.starts_with("imbolc_drum_")
    };
    tree.walk().iter().filter(|n| n.def.as_deref().is_some_and(voice)).count()
}

/// Waits until `done` holds for the engine's feedback; fails after `within`.
pub fn wait_until(audio: &mut AudioHandle, within: Duration, what: &str, done: impl Fn(&EngineFeedback) -> bool) {
    let deadline = Instant::now() + within;
    while !done(audio.feedback()) {
        let f = audio.feedback();
        assert!(Instant::now() < deadline, "{what}: {:?} {:?}", f.server, f.transport);
        std::thread::sleep(Duration::from_millis(5));
    }
}
