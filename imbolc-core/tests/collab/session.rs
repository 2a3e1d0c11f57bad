//! What the Session pane shows: each collaborator's round-trip time,
//! outbox depth, bytes per second, dropped coalesced updates and what it
//! owns; and a host that falls silent is noticed by its clients.

use std::time::{Duration, Instant};

use imbolc_core::collab::{ClientEvent, Limits};
use imbolc_types::{Action, MixerParam, ParamTarget};

use crate::harness::{HostThread, Peer, roomy};
use crate::rights::{outcome, project, until_rights};

#[test]
fn collaborators_show_round_trip_traffic_and_ownership() {
    let (p, ids) = project();
    // Small socket buffers: a stalled client's frames wait in its outbox.
    let limits = Limits { socket_buffer: Some(16 * 1024), ..roomy() };
    let host = HostThread::start(p, limits.clone());
    let mut a = Peer::join(host.addr, &host.code, &limits);
    let mut b = Peer::join(host.addr, &host.code, &limits);
    let a_id = a.client.id();
    a.client.claim(ids.lead, true).unwrap();
    until_rights(&mut a, |r| r.owner(ids.lead) == Some(a_id));
    // Traffic: a drag on the pad while b stalls, so b's outbox fills and
    // coalesces.
    b.client.pause_reading(true);
    let target = ParamTarget::Mixer { instrument: ids.pad, param: MixerParam::Level };
    host.run(move |h, p| {
        for i in 0..5000 {
            let value = (i % 100) as f32 / 100.0;
            h.apply_local(p, Action::SetParam { target: target.clone(), value }).unwrap();
        }
        for i in 0..2000 {
            h.apply_local(p, Action::RenameInstrument { instrument: ids.pad, name: format!("pad {i}") }).unwrap();
        }
    });
    assert_eq!(outcome(&mut a, Action::SetMute { instrument: ids.lead, mute: true }), Ok(()));
    let start = Instant::now();
    let list = loop {
        a.pump(Duration::from_millis(20));
        let list = host.run(|h, _| h.collaborators());
        let ready = list.iter().all(|c| c.rtt.is_some()) && list.iter().any(|c| c.bytes_per_sec > 0);
        if ready && start.elapsed() > Duration::from_millis(2500) {
            break list;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "no metrics: {list:?}");
    };
    for c in &list {
        eprintln!(
            "client {}: rtt {:?}, outbox {}, {} B/s, {} dropped, owns {:?}",
            c.id, c.rtt, c.outbox_depth, c.bytes_per_sec, c.dropped, c.owns
        );
    }
    let ca = list.iter().find(|c| c.id == a_id).unwrap();
    let cb = list.iter().find(|c| c.id != a_id).unwrap();
    assert_eq!(ca.owns, vec![ids.lead]);
    assert!(cb.owns.is_empty());
    assert!(ca.rtt.unwrap() < Duration::from_secs(1), "a reads: {:?}", ca.rtt);
    assert!(cb.dropped > 0, "the stalled client's drag updates coalesced");
    assert!(cb.rtt.unwrap() >= Duration::from_millis(900), "a stalled client's rtt grows: {:?}", cb.rtt);
    assert!(cb.outbox_depth > 0, "frames wait for the stalled client");
    b.client.pause_reading(false);
    b.until(Duration::from_secs(10), |p| p.replica == a.replica);
}

#[test]
fn a_silent_host_is_noticed() {
    let (p, _) = project();
    let host = HostThread::start(p, roomy());
    let client_limits = Limits { idle_timeout: Duration::from_secs(3), ..roomy() };
    let mut peer = Peer::join(host.addr, &host.code, &client_limits);
    // The host answers pings for a while...
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(4) {
        peer.pump(Duration::from_millis(50));
    }
    assert!(peer.client.gone().is_none(), "a pinging host is alive");
    // ... then hangs (its thread blocked, the socket still open).
    host.run_later(|_, _| std::thread::sleep(Duration::from_secs(6)));
    peer.until(Duration::from_secs(10), |p| p.client.gone().is_some());
    assert!(
        peer.events.iter().any(|e| matches!(e, ClientEvent::HostGone { reason } if reason.contains("no word"))),
        "{:?}",
        peer.events
    );
}
