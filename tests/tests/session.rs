//! A session wired to the real audio thread: every edit, undo and redo
//! reaches scsynth as the targeted change it is.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use imbolc_audio::engine::{AudioHandle, EngineConfig};
use imbolc_audio::status::ServerState;
use imbolc_core::session::Session;
use imbolc_tests::{TreeNode, test_config};
use imbolc_types::{Action, ChainOwner, EffectKind, InstrumentId, Project, SourceKind};

fn tree(session: &mut Session<AudioHandle>) -> TreeNode {
    let reply = session.audio_mut().request_tree().unwrap().recv_timeout(Duration::from_secs(5)).expect("no tree");
    TreeNode::parse(&reply).expect("malformed tree")
}

fn count(tree: &TreeNode, def: &str) -> usize {
    tree.walk().iter().filter(|n| n.def.as_deref() == Some(def)).count()
}

#[test]
fn edits_undo_and_redo_reach_the_server() {
    let mut audio = AudioHandle::spawn(EngineConfig::new(test_config())).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !matches!(audio.server_state(), ServerState::Running { .. }) {
        assert!(Instant::now() < deadline, "no server: {:?}", audio.server_state());
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut session = Session::new(Project::new("live"), audio);

    session.dispatch(Action::AddInstrument { source: SourceKind::SAW, name: "lead".into() }).unwrap();
    let owner = ChainOwner::Instrument(InstrumentId(0));
    session.dispatch(Action::AddEffect { owner, kind: EffectKind::REVERB, index: None }).unwrap();
    let with_reverb = tree(&mut session);
    assert_eq!(count(&with_reverb, "imbolc_strip"), 1, "the instrument's strip is on the server");
    assert_eq!(count(&with_reverb, "imbolc_reverb"), 1, "the reverb is on the server");

    session.undo().unwrap();
    let undone = tree(&mut session);
    assert_eq!(count(&undone, "imbolc_reverb"), 0, "undo removed the reverb");
    assert_eq!(count(&undone, "imbolc_strip"), 1, "undo left the instrument alone");
    let strip = |t: &TreeNode| t.walk().iter().find(|n| n.def.as_deref() == Some("imbolc_strip")).map(|n| n.id);
    assert_eq!(strip(&undone), strip(&with_reverb), "the strip node was not rebuilt");

    session.redo().unwrap();
    assert_eq!(count(&tree(&mut session), "imbolc_reverb"), 1, "redo put the reverb back");
}
