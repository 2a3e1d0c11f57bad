//! A wrong code learns nothing; random and oversized frames close only
//! their own connection; every limit is hit once.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use imbolc_core::collab::frame::handshake_initiator;
use imbolc_core::collab::wire::{ClientMsg, HostMsg, decode, encode};
use imbolc_core::collab::{Client, ClientEvent, CollabError, HostEvent, JoinCode, Limits};
use imbolc_types::Action;

use crate::harness::{HostThread, Peer, Rng, base_project, roomy};

/// A stream that counts what it reads.
struct Counting {
    inner: TcpStream,
    read: usize,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n;
        Ok(n)
    }
}

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

fn read_all(s: &mut TcpStream) -> usize {
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    buf.len()
}

#[test]
fn wrong_code_is_refused_before_any_data() {
    let limits = roomy();
    let host = HostThread::start(base_project().0, limits.clone());
    let wrong = JoinCode::parse("AAAA-BBBB-CCCC-DDDD");
    let err = Client::connect(host.addr, &wrong, "intruder", None, &limits).unwrap_err();
    assert!(matches!(err, CollabError::WrongCode), "{err}");
    let mut s = Counting { inner: TcpStream::connect(host.addr).unwrap(), read: 0 };
    s.inner.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    assert!(handshake_initiator(&mut s, &wrong, 1 << 20).is_err());
    assert_eq!(s.read, 0, "not one byte came back to a wrong code");
    assert!(host.events.try_recv().is_err(), "nobody joined");
    // The right code, any case and spacing, works.
    let typed = JoinCode::parse(&host.code.to_string().to_lowercase().replace('-', " "));
    Peer::join(host.addr, &typed, &limits);
}

#[test]
fn garbage_closes_only_its_connection() {
    let limits = Limits { max_client_frame: 64 * 1024, ..roomy() };
    let host = HostThread::start(base_project().0, limits.clone());
    let mut good = Peer::join(host.addr, &host.code, &limits);
    let mut rng = Rng(7);
    for round in 0..40u64 {
        let mut s = TcpStream::connect(host.addr).unwrap();
        match round % 4 {
            // Random bytes instead of a handshake.
            0 => {
                let bytes: Vec<u8> = (0..1 + rng.below(3000)).map(|_| rng.next() as u8).collect();
                let _ = s.write_all(&bytes);
            }
            // A handshake, then bytes that do not decrypt.
            1 => {
                let mut ch = handshake_initiator(&mut s, &host.code, 1 << 20).unwrap();
                ch.sealer.send(&mut s, &encode(&ClientMsg::Hello { name: "f".into(), resume: None }).unwrap()).unwrap();
                let bytes: Vec<u8> = (0..2 + rng.below(500)).map(|_| rng.next() as u8).collect();
                let _ = s.write_all(&bytes);
            }
            // Encrypted, but not a message.
            2 => {
                let mut ch = handshake_initiator(&mut s, &host.code, 1 << 20).unwrap();
                ch.sealer.send(&mut s, &encode(&ClientMsg::Hello { name: "f".into(), resume: None }).unwrap()).unwrap();
                let junk: Vec<u8> = (0..1 + rng.below(200)).map(|_| rng.next() as u8).collect();
                let _ = ch.sealer.send(&mut s, &junk);
            }
            // Over the frame limit.
            _ => {
                let mut ch = handshake_initiator(&mut s, &host.code, 1 << 20).unwrap();
                ch.sealer.send(&mut s, &encode(&ClientMsg::Hello { name: "f".into(), resume: None }).unwrap()).unwrap();
                let _ = ch.sealer.send(&mut s, &vec![0u8; 200 * 1024]);
            }
        }
        let _ = s.shutdown(std::net::Shutdown::Write);
        read_all(&mut s); // returns once the host closed it
        let name = format!("still here {round}");
        host.run(move |h, p| h.apply_local(p, Action::RenameProject { name }).unwrap());
        good.until(Duration::from_secs(10), |p| p.client.seq() == round + 1);
    }
    assert!(good.client.gone().is_none());
    assert!(good.replica == host.project());
}

#[test]
fn max_clients_is_enforced() {
    let limits = Limits { max_clients: 2, ..roomy() };
    let host = HostThread::start(base_project().0, limits.clone());
    let _a = Peer::join(host.addr, &host.code, &limits);
    let _b = Peer::join(host.addr, &host.code, &limits);
    let err = Client::connect(host.addr, &host.code, "third", None, &limits).unwrap_err();
    assert!(err.to_string().contains("full (2 clients)"), "{err}");
}

#[test]
fn rate_limit_refuses_with_a_message() {
    let limits = Limits { actions_per_sec: 10, action_burst: 10, ..Limits::default() };
    let (project, _) = base_project();
    let instrument = *project.instruments.keys().next().unwrap();
    let host = HostThread::start(project, limits.clone());
    let mut peer = Peer::join(host.addr, &host.code, &limits);
    for i in 0..50 {
        // Not a project-wide edit: those need the host's grant.
        peer.client.send(Action::RenameInstrument { instrument, name: format!("n{i}") }).unwrap();
    }
    peer.until(Duration::from_secs(10), |p| {
        p.events.iter().filter(|e| matches!(e, ClientEvent::Applied { .. } | ClientEvent::Refused { .. })).count() >= 50
    });
    let refused: Vec<_> = peer
        .events
        .iter()
        .filter_map(|e| if let ClientEvent::Refused { reason, .. } = e { Some(reason) } else { None })
        .collect();
    assert!(refused.len() >= 30, "{} refused", refused.len());
    assert!(refused[0].contains("rate limit"), "{}", refused[0]);
    assert!(peer.client.gone().is_none(), "the client stays connected");
}

#[test]
fn idle_connection_is_closed_with_a_message() {
    let limits = Limits { idle_timeout: Duration::from_millis(300), ..roomy() };
    let host = HostThread::start(base_project().0, limits.clone());
    let mut s = TcpStream::connect(host.addr).unwrap();
    let mut ch = handshake_initiator(&mut s, &host.code, 1 << 30).unwrap();
    ch.sealer.send(&mut s, &encode(&ClientMsg::Hello { name: "sleepy".into(), resume: None }).unwrap()).unwrap();
    let start = Instant::now();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut last = None;
    while let Ok(frame) = ch.opener.recv(&mut s) {
        last = Some(decode::<HostMsg>(&frame).unwrap());
    }
    assert!(matches!(&last, Some(HostMsg::Closing { reason }) if reason.contains("idle")), "{last:?}");
    assert!(start.elapsed() >= Duration::from_millis(300));
    let mut saw = false;
    while let Ok(e) = host.events.recv_timeout(Duration::from_secs(5)) {
        if matches!(e, HostEvent::Left { ref reason, .. } if reason.contains("idle")) {
            saw = true;
            break;
        }
    }
    assert!(saw, "the host logged the idle client leaving");
    // A real client pings, so it stays.
    let mut peer = Peer::join(host.addr, &host.code, &limits);
    let t = Instant::now();
    while t.elapsed() < Duration::from_millis(900) {
        peer.pump(Duration::from_millis(20));
    }
    assert!(peer.client.gone().is_none());
}
