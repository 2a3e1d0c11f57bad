//! Adding one note costs the same bytes on the wire in a 100-note and a
//! 100 000-note project: actions, not state.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use imbolc_core::collab::ClientEvent;
use imbolc_types::{Action, Note, Project};

use crate::harness::{HostThread, Peer, Proxy, base_project, roomy};

fn project_with(notes: u32) -> (Project, imbolc_types::ClipId) {
    let (mut p, clip) = base_project();
    let notes: Vec<Note> = (0..notes)
        .map(|i| Note { pitch: 36 + (i % 48) as u8, velocity: 90, start: i * 2, length: 2, probability: 100 })
        .collect();
    imbolc_core::dispatch(&mut p, Action::AddNotes { clip, notes }).unwrap();
    (p, clip)
}

/// Bytes both ways through the proxy for one client adding one note
/// (its action up, the broadcast back), and the old design's cost: the
/// whole piano roll (every clip) per note, as MessagePack.
fn one_note(notes: u32) -> (u64, usize) {
    let limits = roomy();
    let (project, clip) = project_with(notes);
    let whole = rmp_serde::to_vec(&project.clips).unwrap().len();
    let host = HostThread::start(project, limits.clone());
    let proxy = Proxy::start(host.addr);
    let mut peer = Peer::join(proxy.addr, &host.code, &limits);
    std::thread::sleep(Duration::from_millis(100));
    let before = proxy.total();
    let note = Note { pitch: 64, velocity: 100, start: 960, length: 240, probability: 100 };
    peer.client.send(Action::AddNote { clip, note }).unwrap();
    let t = Instant::now();
    peer.until(Duration::from_secs(10), |p| p.events.iter().any(|e| matches!(e, ClientEvent::Applied { .. })));
    let rtt = t.elapsed();
    std::thread::sleep(Duration::from_millis(100));
    let cost = proxy.total() - before;
    eprintln!(
        "{notes} notes: one note costs {cost} bytes on the wire (up {} down {}), round trip {rtt:?}; \
         whole piano roll: {whole} bytes",
        proxy.up.load(Ordering::SeqCst),
        proxy.down.load(Ordering::SeqCst)
    );
    (cost, whole)
}

#[test]
fn one_note_costs_the_same_in_small_and_huge_projects() {
    let (small, small_roll) = one_note(100);
    let (huge, huge_roll) = one_note(100_000);
    let diff = small.abs_diff(huge) as f64;
    assert!(diff <= 0.1 * small as f64, "{small} vs {huge} bytes");
    assert!(huge_roll > 100 * huge as usize, "the old design sent {huge_roll} bytes per note");
    eprintln!("per note: {small} / {huge} bytes; the old design: {small_roll} / {huge_roll} bytes");
}
