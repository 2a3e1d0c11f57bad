//! Undo on a client undoes that client's own last edit (sent to the host
//! as the inverse), and is refused when someone changed the same thing
//! since; redo likewise. Replicas stay equal.

use imbolc_core::collab::CollabError;
use imbolc_types::{Action, MixerParam, ParamTarget};

use crate::harness::{HostThread, Peer, roomy};
use crate::rights::{outcome, project, settle};

fn level(peer: &Peer, instrument: imbolc_types::InstrumentId) -> f32 {
    peer.replica.instruments[&instrument].mixer.level
}

/// Undoes (or redoes) and waits until the host applied it.
fn undo(peer: &mut Peer, host: &HostThread, redo: bool) -> Result<(), CollabError> {
    let before = host.seq();
    if redo { peer.client.redo() } else { peer.client.undo() }?;
    peer.until(std::time::Duration::from_secs(10), |p| p.client.seq() > before);
    settle(host, &mut [peer]);
    Ok(())
}

#[test]
fn a_client_undoes_its_own_edit_and_not_someone_elses() {
    let (p, ids) = project();
    let host = HostThread::start(p, roomy());
    let mut a = Peer::join(host.addr, &host.code, &roomy());
    let mut b = Peer::join(host.addr, &host.code, &roomy());
    let target = |i| ParamTarget::Mixer { instrument: i, param: MixerParam::Level };
    let start = level(&a, ids.pad);

    // a's edit, then b's edit of another instrument: a's undo takes back
    // a's edit only.
    assert_eq!(outcome(&mut a, Action::SetParam { target: target(ids.pad), value: 0.2 }), Ok(()));
    assert_eq!(outcome(&mut b, Action::SetMute { instrument: ids.lead, mute: true }), Ok(()));
    undo(&mut a, &host, false).unwrap();
    settle(&host, &mut [&mut a, &mut b]);
    assert_eq!(level(&a, ids.pad), start, "a's level edit undone");
    assert!(a.replica.instruments[&ids.lead].mixer.mute, "b's edit stays");
    // Redo puts it back.
    undo(&mut a, &host, true).unwrap();
    assert_eq!(level(&a, ids.pad), 0.2);
    // A drag is one undo step.
    for v in [0.3, 0.4, 0.5] {
        assert_eq!(outcome(&mut a, Action::SetParam { target: target(ids.pad), value: v }), Ok(()));
    }
    undo(&mut a, &host, false).unwrap();
    assert_eq!(level(&a, ids.pad), 0.2, "the whole drag undone");

    // An added note is removed by undo.
    let n = imbolc_types::Note { pitch: 64, velocity: 90, start: 0, length: 240, probability: 100 };
    assert_eq!(outcome(&mut a, Action::AddNote { clip: ids.clip, note: n }), Ok(()));
    undo(&mut a, &host, false).unwrap();
    assert!(a.replica.clips[&ids.clip].notes.is_empty(), "note undone");

    // b changes the same instrument after a's edit: a's undo no longer
    // applies and is refused with a message; nothing changes.
    assert_eq!(outcome(&mut a, Action::SetParam { target: target(ids.lead), value: 0.7 }), Ok(()));
    assert_eq!(outcome(&mut b, Action::SetParam { target: target(ids.lead), value: 0.1 }), Ok(()));
    settle(&host, &mut [&mut a, &mut b]);
    let seq = host.seq();
    match a.client.undo() {
        Err(CollabError::Refused(reason)) => assert!(reason.contains("no longer applies"), "{reason}"),
        other => panic!("undo after someone else's change: {other:?}"),
    }
    assert_eq!(host.seq(), seq, "nothing was sent");
    assert_eq!(level(&a, ids.lead), 0.1, "b's value stays");
    // b's own undo still works (its edit is the latest of that instrument).
    undo(&mut b, &host, false).unwrap();
    settle(&host, &mut [&mut a, &mut b]);
    assert_eq!(level(&b, ids.lead), 0.7);
    let truth = host.project();
    assert!(a.replica == truth && b.replica == truth, "replicas equal after undos");
}
