//! One client connection on the host: a reader thread (handshake, limits,
//! messages to the host's event channel) and a writer thread draining the
//! client's own outbox, so a slow client never blocks anyone else.

use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;

use super::frame::{Sealer, handshake_responder};
use super::outbox::{Item, Outbox};
use super::wire::{ClientMsg, HostMsg, decode, encode};
use super::{CollabError, JoinCode, Limits};

/// What connection threads tell the host.
#[derive(Debug)]
pub(crate) enum Event {
    Joined {
        id: u32,
        name: String,
        resume: Option<(u64, u64)>,
        outbox: Arc<Outbox>,
        stream: TcpStream,
    },
    Msg {
        id: u32,
        msg: ClientMsg,
    },
    /// A client answered ping `nonce` (read at `at`).
    Pong {
        id: u32,
        nonce: u64,
        at: Instant,
    },
    Left {
        id: u32,
        reason: String,
    },
}

/// Shared by the acceptor and connection threads.
#[derive(Debug)]
pub(crate) struct Shared {
    pub code: JoinCode,
    pub limits: Limits,
    pub connected: AtomicUsize,
    pub stop: AtomicBool,
    pub next_id: AtomicU32,
}

pub(crate) fn accept_loop(listener: TcpListener, shared: Arc<Shared>, tx: Sender<Event>) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::Relaxed) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let shared = Arc::clone(&shared);
        let tx = tx.clone();
        let spawned = std::thread::Builder::new().name("collab-conn".into()).spawn(move || serve(stream, &shared, &tx));
        if let Err(e) = spawned {
            tracing::error!("collab: could not start a connection thread: {e}");
        }
    }
}

/// A message sealed and written directly (before the writer thread runs).
fn send_now(stream: &mut TcpStream, sealer: &mut Sealer, msg: &HostMsg) -> Result<(), CollabError> {
    sealer.send(stream, &encode(msg)?).map(|_| ())
}

/// Queues a `Closing` for the client and closes its outbox.
pub(crate) fn close_with(outbox: &Outbox, reason: &str) {
    if let Ok(bytes) = encode(&HostMsg::Closing { reason: reason.to_string() }) {
        outbox.push(Item { key: None, bytes: bytes.into() });
    }
    outbox.close(reason);
}

struct Bucket {
    tokens: f64,
    last: Instant,
    rate: f64,
    burst: f64,
}

impl Bucket {
    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * self.rate).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

fn serve(mut stream: TcpStream, shared: &Shared, tx: &Sender<Event>) {
    let peer = stream.peer_addr().map_or_else(|_| "?".to_string(), |a: SocketAddr| a.to_string());
    let limits = &shared.limits;
    let _ = stream.set_nodelay(true);
    super::limits::size_buffers(&stream, limits);
    if stream.set_read_timeout(Some(limits.handshake_timeout)).is_err() {
        return;
    }
    let channel = match handshake_responder(&mut stream, &shared.code, limits.max_client_frame) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!("collab: refused {peer}: {e}");
            let _ = stream.shutdown(Shutdown::Both);
            return;
        }
    };
    let (mut sealer, mut opener) = (channel.sealer, channel.opener);
    let hello = opener.recv(&mut stream).and_then(|f| decode::<ClientMsg>(&f));
    let Ok(ClientMsg::Hello { name, resume }) = hello else {
        tracing::warn!("collab: {peer} sent no greeting; closed");
        let _ = stream.shutdown(Shutdown::Both);
        return;
    };
    if shared.connected.fetch_add(1, Ordering::SeqCst) >= limits.max_clients {
        shared.connected.fetch_sub(1, Ordering::SeqCst);
        let reason = format!("the host is full ({} clients)", limits.max_clients);
        tracing::warn!("collab: refused {peer} ({name}): {reason}");
        let _ = send_now(&mut stream, &mut sealer, &HostMsg::Closing { reason });
        let _ = stream.shutdown(Shutdown::Both);
        return;
    }
    let id = shared.next_id.fetch_add(1, Ordering::SeqCst);
    let outbox = Arc::new(Outbox::new(limits.outbox_frames, limits.outbox_bytes));
    let (Ok(write_half), Ok(host_half)) = (stream.try_clone(), stream.try_clone()) else {
        shared.connected.fetch_sub(1, Ordering::SeqCst);
        return;
    };
    let writer_box = Arc::clone(&outbox);
    let writer = std::thread::Builder::new()
        .name("collab-writer".into())
        .spawn(move || write_loop(write_half, sealer, &writer_box));
    if writer.is_err() {
        shared.connected.fetch_sub(1, Ordering::SeqCst);
        return;
    }
    tracing::info!("collab: client {id} ({name}) joined from {peer}");
    let _ = tx.send(Event::Joined { id, name, resume, outbox: Arc::clone(&outbox), stream: host_half });
    let reason = read_loop(&mut stream, &mut opener, shared, tx, id, &outbox);
    // A client dropped for falling behind says so, not "disconnected".
    let reason = outbox.closed().unwrap_or(reason);
    tracing::info!("collab: client {id} left: {reason}");
    close_with(&outbox, &reason);
    shared.connected.fetch_sub(1, Ordering::SeqCst);
    let _ = tx.send(Event::Left { id, reason });
}

fn read_loop(
    stream: &mut TcpStream,
    opener: &mut super::frame::Opener,
    shared: &Shared,
    tx: &Sender<Event>,
    id: u32,
    outbox: &Outbox,
) -> String {
    let limits = &shared.limits;
    if stream.set_read_timeout(Some(limits.idle_timeout)).is_err() {
        return "could not set the idle timeout".into();
    }
    let rate = f64::from(limits.actions_per_sec);
    let burst = f64::from(limits.action_burst.max(1));
    let mut bucket = Bucket { tokens: burst, last: Instant::now(), rate, burst };
    loop {
        if shared.stop.load(Ordering::Relaxed) {
            return "the host closed".into();
        }
        if let Some(reason) = outbox.closed() {
            return reason;
        }
        let frame = match opener.recv(stream) {
            Ok(f) => f,
            Err(CollabError::Io(e))
                if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) =>
            {
                return format!("idle for {:?} (the idle timeout)", limits.idle_timeout);
            }
            Err(CollabError::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return "disconnected".into();
            }
            Err(e) => return format!("closed: {e}"),
        };
        let msg = match decode::<ClientMsg>(&frame) {
            Ok(m) => m,
            Err(e) => return format!("closed: {e}"),
        };
        match msg {
            ClientMsg::Ping | ClientMsg::Hello { .. } => {}
            ClientMsg::Pong { nonce } => {
                if tx.send(Event::Pong { id, nonce, at: Instant::now() }).is_err() {
                    return "the host closed".into();
                }
            }
            ClientMsg::Act { id: act, .. } if !bucket.take() => {
                let reason = format!("rate limit: more than {} actions a second", limits.actions_per_sec);
                tracing::warn!("collab: client {id}: action {act} refused: {reason}");
                if let Ok(bytes) = encode(&HostMsg::Refused { id: act, reason }) {
                    outbox.push(Item { key: None, bytes: bytes.into() });
                }
            }
            msg => {
                if tx.send(Event::Msg { id, msg }).is_err() {
                    return "the host closed".into();
                }
            }
        }
    }
}

fn write_loop(mut stream: TcpStream, mut sealer: Sealer, outbox: &Outbox) {
    loop {
        match outbox.pop(Duration::from_millis(500)) {
            Ok(Some(item)) => match sealer.send(&mut stream, &item.bytes) {
                Ok(n) => outbox.note_sent(n),
                Err(e) => {
                    outbox.close(&format!("write failed: {e}"));
                    break;
                }
            },
            Ok(None) => {}
            Err(_) => break,
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
}
