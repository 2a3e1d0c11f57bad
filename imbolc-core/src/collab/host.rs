//! The host: accepts clients, orders every edit and broadcasts it.
//!
//! [`Host::pump`] runs on the thread that owns the project (the TUI loop
//! or a test): it applies client actions with the same `dispatch` as a
//! local edit, numbers them and queues the encoded frame, once, on every
//! client's outbox.

use std::collections::{BTreeMap, VecDeque};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use imbolc_types::{Action, Project};

use super::host_conn::{Event, Shared, accept_loop, close_with};
use super::outbox::{Item, Outbox, OutboxStats, Pushed};
use super::wire::{ClientMsg, CoalesceKey, HostMsg, encode};
use super::{CollabError, HOST_AUTHOR, JoinCode, Limits, Replica};
use crate::DispatchError;

/// What happened during a [`Host::pump`].
#[derive(Debug, Clone, PartialEq)]
pub enum HostEvent {
    Joined {
        client: u32,
        name: String,
    },
    Left {
        client: u32,
        reason: String,
    },
    /// A client's action was applied as number `seq`.
    Applied {
        seq: u64,
        author: u32,
    },
    Refused {
        client: u32,
        reason: String,
    },
}

#[derive(Debug)]
pub(super) struct Conn {
    pub(super) outbox: Arc<Outbox>,
    pub(super) stream: TcpStream,
    pub(super) name: String,
    /// The ping in flight: its nonce and when it was queued.
    pub(super) ping: Option<(u64, Instant)>,
    pub(super) rtt: Option<Duration>,
    /// Bytes sent at the last sample and the rate since.
    pub(super) sample: (Instant, u64),
    pub(super) bytes_per_sec: u64,
}

/// See the module docs.
#[derive(Debug)]
pub struct Host {
    addr: SocketAddr,
    pub(super) shared: Arc<Shared>,
    events: Receiver<Event>,
    pub(super) clients: BTreeMap<u32, Conn>,
    session: u64,
    seq: u64,
    log: VecDeque<(u64, Arc<[u8]>)>,
    digest_at: (Instant, u64),
    /// Bytes of the last broadcast frame (before encryption).
    last_frame: usize,
    pub(super) rights: super::Rights,
    /// Pings, byte rates and the metrics log line.
    pub(super) session_clock: super::host_session::Clock,
}

impl Host {
    /// Listens on `addr` for clients that know `code`.
    ///
    /// # Errors
    ///
    /// When the address cannot be bound.
    pub fn bind(addr: impl ToSocketAddrs, code: JoinCode, limits: Limits) -> Result<Host, CollabError> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let (tx, events) = crossbeam_channel::unbounded();
        let mut session = [0u8; 8];
        getrandom::fill(&mut session).map_err(|e| CollabError::Noise(e.to_string()))?;
        let shared = Arc::new(Shared {
            code,
            limits,
            connected: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            next_id: AtomicU32::new(1),
        });
        let acceptor = Arc::clone(&shared);
        std::thread::Builder::new().name("collab-accept".into()).spawn(move || accept_loop(listener, acceptor, tx))?;
        tracing::info!("collab: hosting on {addr}");
        Ok(Host {
            addr,
            shared,
            events,
            clients: BTreeMap::new(),
            session: u64::from_le_bytes(session),
            seq: 0,
            log: VecDeque::new(),
            digest_at: (Instant::now(), 0),
            last_frame: 0,
            rights: super::Rights::default(),
            session_clock: super::host_session::Clock::new(),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Clients connected now.
    pub fn connected(&self) -> usize {
        self.clients.len()
    }

    /// The number of the last applied action.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Bytes of the last broadcast frame, before encryption.
    pub fn last_frame_len(&self) -> usize {
        self.last_frame
    }

    /// Each client's outbox counters.
    pub fn outbox_stats(&self) -> Vec<(u32, OutboxStats)> {
        self.clients.iter().map(|(id, c)| (*id, c.outbox.stats())).collect()
    }

    /// Handles what clients sent, waiting up to `wait` for the first event.
    pub fn pump<R: Replica>(&mut self, replica: &mut R, wait: Duration) -> Vec<HostEvent> {
        let mut out = Vec::new();
        let mut next = self.events.recv_timeout(wait).ok();
        let mut handled = 0;
        while let Some(event) = next {
            self.handle(replica, event, &mut out);
            handled += 1;
            next = if handled < 4096 { self.events.try_recv().ok() } else { None };
        }
        let every = self.shared.limits.digest_every;
        if self.seq != self.digest_at.1 && self.digest_at.0.elapsed() >= every {
            self.send_digest(replica.project());
        }
        self.tick_session();
        out
    }

    fn handle<R: Replica>(&mut self, replica: &mut R, event: Event, out: &mut Vec<HostEvent>) {
        match event {
            Event::Joined { id, name, resume, outbox, stream } => {
                let now = Instant::now();
                let conn = Conn {
                    outbox,
                    stream,
                    name: name.clone(),
                    ping: None,
                    rtt: None,
                    sample: (now, 0),
                    bytes_per_sec: 0,
                };
                self.welcome(&conn, id, resume, replica.project());
                self.clients.insert(id, conn);
                self.rights.names.insert(id, name.clone());
                self.send_rights();
                out.push(HostEvent::Joined { client: id, name });
            }
            Event::Left { id, reason } => {
                self.clients.remove(&id);
                self.forget(id);
                out.push(HostEvent::Left { client: id, reason });
            }
            Event::Pong { id, nonce, at } => self.pong(id, nonce, at),
            Event::Msg { id, msg: ClientMsg::Claim { instrument, own } } => {
                if let Err(reason) = self.claim(replica.project(), id, instrument, own) {
                    self.push_to(id, &HostMsg::Refused { id: 0, reason: reason.clone() });
                    out.push(HostEvent::Refused { client: id, reason });
                }
            }
            Event::Msg { id, msg: ClientMsg::Act { id: act, action } } => {
                let checked = self.rights.check(replica.project(), id, &action);
                match checked.and_then(|()| replica.apply(action.clone()).map_err(|e| e.to_string())) {
                    Ok(_) => {
                        let seq = self.publish_act(id, act, action);
                        out.push(HostEvent::Applied { seq, author: id });
                    }
                    Err(reason) => {
                        tracing::info!("collab: client {id}: action {act} refused: {reason}");
                        self.push_to(id, &HostMsg::Refused { id: act, reason: reason.clone() });
                        out.push(HostEvent::Refused { client: id, reason });
                    }
                }
            }
            Event::Msg { id, msg: ClientMsg::Resync } => {
                tracing::warn!("collab: client {id} asked for a snapshot (its digest differed)");
                let snapshot = HostMsg::Snapshot { seq: self.seq, project: Box::new(replica.project().clone()) };
                self.push_to(id, &snapshot);
            }
            Event::Msg { .. } => {}
        }
    }

    fn welcome(&self, conn: &Conn, id: u32, resume: Option<(u64, u64)>, project: &Project) {
        let push = |msg: &HostMsg| match encode(msg) {
            Ok(bytes) => {
                conn.outbox.push(Item { key: None, bytes: bytes.into() });
            }
            Err(e) => tracing::error!("collab: {e}"),
        };
        push(&HostMsg::Welcome { client: id, session: self.session, seq: self.seq });
        push(&HostMsg::Rights(self.rights.clone()));
        // A replay longer than half the outbox would overflow it: a
        // snapshot costs less then.
        let room = (self.shared.limits.outbox_frames / 2) as u64;
        let from_log = match resume {
            Some((session, last)) if session == self.session && last <= self.seq && self.seq - last <= room => {
                let oldest = self.log.front().map_or(self.seq + 1, |(s, _)| *s);
                (last + 1 >= oldest).then_some(last)
            }
            _ => None,
        };
        match from_log {
            Some(last) => {
                let mut n = 0;
                for (_, bytes) in self.log.iter().filter(|(s, _)| *s > last) {
                    conn.outbox.push(Item { key: None, bytes: Arc::clone(bytes) });
                    n += 1;
                }
                tracing::info!("collab: client {id} resumes after {last}: {n} actions replayed");
            }
            None => {
                push(&HostMsg::Snapshot { seq: self.seq, project: Box::new(project.clone()) });
                tracing::info!("collab: client {id} gets a snapshot at {}", self.seq);
            }
        }
    }

    pub(super) fn push_to(&self, id: u32, msg: &HostMsg) {
        let Some(conn) = self.clients.get(&id) else { return };
        match encode(msg) {
            Ok(bytes) => {
                if conn.outbox.push(Item { key: None, bytes: bytes.into() }) == Pushed::Overflow {
                    self.drop_client(id, conn);
                }
            }
            Err(e) => tracing::error!("collab: {e}"),
        }
    }

    fn drop_client(&self, id: u32, conn: &Conn) {
        let reason = conn.outbox.closed().unwrap_or_default();
        tracing::warn!("collab: client {id} disconnected: {reason}");
        let _ = conn.stream.shutdown(Shutdown::Both);
    }

    /// Applies the host's own edit and broadcasts it.
    ///
    /// # Errors
    ///
    /// As [`crate::dispatch()`]; nothing is sent then.
    pub fn apply_local<R: Replica>(&mut self, replica: &mut R, action: Action) -> Result<u64, DispatchError> {
        replica.apply(action.clone())?;
        Ok(self.publish(HOST_AUTHOR, action))
    }

    /// Numbers an action already applied to the host's project and queues
    /// it, encoded once, for every client.
    pub fn publish(&mut self, author: u32, action: Action) -> u64 {
        self.publish_act(author, 0, action)
    }

    fn publish_act(&mut self, author: u32, act: u64, action: Action) -> u64 {
        self.seq += 1;
        let seq = self.seq;
        let key = match &action {
            Action::SetParam { target, .. } => Some(CoalesceKey::Param(target.clone())),
            _ => None,
        };
        let bytes: Arc<[u8]> = match encode(&HostMsg::Applied { seq, author, act, action }) {
            Ok(b) => b.into(),
            Err(e) => {
                tracing::error!("collab: {e}");
                return seq;
            }
        };
        self.last_frame = bytes.len();
        self.log.push_back((seq, Arc::clone(&bytes)));
        while self.log.len() > self.shared.limits.replay_log {
            self.log.pop_front();
        }
        self.broadcast(key, bytes);
        seq
    }

    pub(super) fn broadcast(&mut self, key: Option<CoalesceKey>, bytes: Arc<[u8]>) {
        for (id, conn) in &self.clients {
            if conn.outbox.push(Item { key: key.clone(), bytes: Arc::clone(&bytes) }) == Pushed::Overflow {
                self.drop_client(*id, conn);
            }
        }
    }

    /// Sends the output meters (only the latest reaches a slow client).
    pub fn send_meters(&mut self, levels: Vec<f32>) {
        if let Ok(b) = encode(&HostMsg::Meters { levels }) {
            self.broadcast(Some(CoalesceKey::Meters), b.into());
        }
    }

    /// Sends the playhead (coalesced like meters).
    pub fn send_playhead(&mut self, tick: u64) {
        if let Ok(b) = encode(&HostMsg::Playhead { tick }) {
            self.broadcast(Some(CoalesceKey::Playhead), b.into());
        }
    }

    /// Broadcasts the digest of `project` (after the last action) now.
    pub fn send_digest(&mut self, project: &Project) {
        let digest = super::digest::digest(project);
        self.digest_at = (Instant::now(), self.seq);
        if let Ok(b) = encode(&HostMsg::Digest { seq: self.seq, digest }) {
            self.broadcast(None, b.into());
        }
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        for conn in self.clients.values() {
            close_with(&conn.outbox, "the host closed");
        }
        // Wakes the acceptor, which then sees `stop`.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
    }
}
