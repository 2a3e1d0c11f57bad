//! Four clients and the host edit at once; every replica ends equal to
//! the host's project, and the digests agree.

use std::time::{Duration, Instant};

use imbolc_core::collab::digest::digest;
use imbolc_core::collab::{ClientEvent, HOST_AUTHOR, HostEvent};
use imbolc_types::{Action, ClipId, InstrumentId, MixerParam, Note, ParamTarget, SourceKind};

use crate::harness::{HostThread, Peer, Rng, base_project, roomy};

/// A random edit on a small project; some name missing ids or carry
/// values out of range, so the host refuses them.
pub fn random_action(rng: &mut Rng) -> Action {
    let inst = InstrumentId(rng.below(5) as u32);
    match rng.below(10) {
        0 => Action::SetParam { target: ParamTarget::Tempo, value: rng.below(500) as f32 },
        1 | 2 => Action::AddNote {
            clip: ClipId(rng.below(4) as u32),
            note: Note {
                pitch: rng.below(140) as u8,
                velocity: 1 + rng.below(127) as u8,
                start: rng.below(3840) as u32,
                length: rng.below(480) as u32,
                probability: 100,
            },
        },
        3 => Action::RenameInstrument { instrument: inst, name: format!("i{}", rng.below(100)) },
        4 => Action::AddInstrument { source: SourceKind::SAW, name: "more".into() },
        5 => Action::SetParam {
            target: ParamTarget::Mixer { instrument: inst, param: MixerParam::Level },
            value: rng.below(150) as f32 / 100.0 - 0.25,
        },
        6 => Action::AddClip { instrument: inst, name: "c".into(), length: rng.below(4000) as u32 },
        7 => Action::SetMute { instrument: inst, mute: rng.below(2) == 0 },
        8 => Action::RenameProject { name: format!("song {}", rng.below(1000)) },
        _ => Action::SetSolo { instrument: inst, solo: rng.below(2) == 0 },
    }
}

fn run_once(seed: u64) {
    let limits = roomy();
    let (project, _) = base_project();
    let host = HostThread::start(project, limits.clone());
    let mut peers: Vec<Peer> = (0..4).map(|_| Peer::join(host.addr, &host.code, &limits)).collect();
    let handles: Vec<_> = peers
        .drain(..)
        .enumerate()
        .map(|(i, mut peer)| {
            std::thread::spawn(move || {
                let mut rng = Rng(seed.wrapping_mul(31).wrapping_add(i as u64 + 1) | 1);
                for _ in 0..225 {
                    peer.client.send(random_action(&mut rng)).unwrap();
                    peer.pump(Duration::ZERO);
                }
                peer.client.flush();
                peer
            })
        })
        .collect();
    let mut rng = Rng(seed ^ 0x9E37_79B9_7F4A_7C15);
    for _ in 0..100 {
        let action = random_action(&mut rng);
        host.run(move |h, p| {
            let _ = h.apply_local(p, action);
        });
    }
    let mut peers: Vec<Peer> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    // Every action a client sent is answered on the host: applied (a
    // client may never see its own superseded SetParam: coalesced) or
    // refused.
    let sent: u64 = peers.iter().map(|p| p.client.acts_sent()).sum();
    let (mut refused, mut applied_by_clients) = (0u64, 0u64);
    let start = Instant::now();
    while refused + applied_by_clients < sent {
        assert!(start.elapsed() < Duration::from_secs(60), "{refused} + {applied_by_clients} of {sent} answered");
        match host.events.recv_timeout(Duration::from_millis(50)) {
            Ok(HostEvent::Refused { .. }) => refused += 1,
            Ok(HostEvent::Applied { author, .. }) if author != HOST_AUTHOR => applied_by_clients += 1,
            _ => {}
        }
    }
    let final_seq = host.seq();
    host.run(|h, p| h.send_digest(p));
    let truth = host.project();
    for peer in &mut peers {
        peer.until(Duration::from_secs(30), |p| p.client.seq() == final_seq);
        let start = Instant::now();
        while start.elapsed() < Duration::from_millis(100) {
            peer.pump(Duration::from_millis(5));
        }
        assert!(
            !peer.events.iter().any(|e| matches!(e, ClientEvent::Diverged { .. })),
            "a replica diverged (seed {seed})"
        );
        assert!(peer.replica == truth, "replica differs from the host (seed {seed})");
        assert_eq!(digest(&peer.replica), digest(&truth), "digests differ (seed {seed})");
        assert!(
            peer.events.iter().any(|e| matches!(e, ClientEvent::Applied { author, .. } if *author == HOST_AUTHOR)),
            "host edits reached the client"
        );
    }
    assert!(refused > 10, "the random actions include refused ones ({refused})");
    assert!(applied_by_clients > 300, "most client actions applied ({applied_by_clients})");
    eprintln!("seed {seed}: {final_seq} applied, {refused} refused, {applied_by_clients} from clients");
}

#[test]
fn four_clients_and_host_converge() {
    for seed in [1, 2, 3] {
        run_once(seed);
    }
}
