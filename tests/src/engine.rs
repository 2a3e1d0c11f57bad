//! Helpers for tests that drive the real engine (`AudioHandle`): starting
//! it with a tap, waiting on its feedback, reading its node tree, finding
//! its scsynth's port.

use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use imbolc_audio::engine::{AudioHandle, EngineConfig, EngineFeedback, TapEvent};
use imbolc_audio::server::JackMode;
use imbolc_audio::status::ServerState;

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
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).expect("scsynth's command line");
    let args: Vec<String> = cmdline.split(|&b| b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
    let at = args.iter().position(|a| a == "-u").expect("scsynth started with -u");
    args.get(at + 1).and_then(|p| p.parse().ok()).expect("a port number after -u")
}
