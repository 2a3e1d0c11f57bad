//! A client that comes back with its last sequence number gets the
//! actions it missed replayed; one 10 000 actions behind gets a snapshot.
//! A killed host leaves clients their replica.

use std::time::{Duration, Instant};

use imbolc_core::collab::ClientEvent;
use imbolc_types::{Action, ParamTarget};

use crate::harness::{HostThread, Peer, Proxy, base_project, roomy};

fn edits(host: &HostThread, n: usize) {
    host.run(move |h, p| {
        for i in 0..n {
            let name = format!("take {i}");
            h.apply_local(p, Action::RenameProject { name }).unwrap();
        }
    });
}

#[test]
fn reconnect_replays_recent_and_snapshots_far_behind() {
    let limits = roomy();
    let host = HostThread::start(base_project().0, limits.clone());
    let mut peer = Peer::join(host.addr, &host.code, &limits);
    edits(&host, 10);
    peer.until(Duration::from_secs(10), |p| p.client.seq() == 10);
    let (resume, replica) = (peer.client.resume(), peer.replica.clone());
    drop(peer);

    edits(&host, 50);
    let start = Instant::now();
    let mut back = Peer::rejoin(host.addr, &host.code, &limits, resume, replica);
    back.until(Duration::from_secs(10), |p| p.client.seq() == 60);
    eprintln!("50 behind: current after {:?}", start.elapsed());
    assert!(!back.events.iter().any(|e| matches!(e, ClientEvent::Snapshot { .. })), "replayed, no snapshot");
    assert_eq!(back.events.iter().filter(|e| matches!(e, ClientEvent::Applied { .. })).count(), 50);
    assert!(back.replica == host.project());

    let (resume, replica) = (back.client.resume(), back.replica.clone());
    drop(back);
    edits(&host, 10_000);
    let start = Instant::now();
    let mut far = Peer::rejoin(host.addr, &host.code, &limits, resume, replica);
    far.until(Duration::from_secs(10), |p| p.client.seq() == 10_060);
    eprintln!("10 000 behind: current after {:?}", start.elapsed());
    assert!(far.events.iter().any(|e| matches!(e, ClientEvent::Snapshot { seq: 10_060 })), "{:?}", far.events.first());
    assert!(far.replica == host.project());
}

#[test]
fn killed_host_leaves_clients_their_replica() {
    let limits = roomy();
    let host = HostThread::start(base_project().0, limits.clone());
    let proxy = Proxy::start(host.addr);
    let mut peer = Peer::join(proxy.addr, &host.code, &limits);
    host.run(|h, p| h.apply_local(p, Action::SetParam { target: ParamTarget::Tempo, value: 97.0 }).unwrap());
    peer.until(Duration::from_secs(10), |p| p.client.seq() == 1);
    let truth = host.project();
    proxy.sever();
    peer.until(Duration::from_secs(10), |p| p.client.gone().is_some());
    assert!(peer.events.iter().any(|e| matches!(e, ClientEvent::HostGone { .. })), "{:?}", peer.events);
    assert!(peer.replica == truth, "the replica stays");
    assert!(peer.client.send(Action::RenameProject { name: "x".into() }).is_err(), "edits are refused");
    let dir = std::env::temp_dir().join(format!("imbolc-collab-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("kept.imbolc");
    imbolc_core::persist::save(&path, &peer.replica).unwrap();
    let loaded = imbolc_core::persist::load(&path).unwrap();
    assert!(loaded.project == truth, "saved locally");
    std::fs::remove_dir_all(&dir).unwrap();
}
