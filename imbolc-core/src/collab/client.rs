//! A client: sends its edits to the host and applies what the host
//! broadcasts to its replica with the same `dispatch`. Its replica stays
//! when the host is gone (it can be saved locally).

use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use imbolc_types::{Action, ParamTarget};

use super::frame::{Opener, Sealer, handshake_initiator};
use super::own_history::{Dir, OwnHistory};
use super::rights::{Rights, scope};
use super::wire::{ClientMsg, HostMsg, decode, encode};
use super::{CollabError, JoinCode, Limits, Replica};

/// A drag sends at most this often per parameter.
const DRAG_INTERVAL: Duration = Duration::from_millis(33);

/// A dragged parameter: when it was last sent, and a value held back
/// (with its action id) until the interval has passed.
type Drag = (ParamTarget, Instant, Option<(u64, f32)>);

/// Where a reconnecting client left off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resume {
    pub session: u64,
    pub seq: u64,
}

/// What a [`Client::pump`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientEvent {
    Snapshot {
        seq: u64,
    },
    Applied {
        seq: u64,
        author: u32,
    },
    Refused {
        id: u64,
        reason: String,
    },
    /// The replica differed from the host's; a snapshot was asked for.
    Diverged {
        seq: u64,
    },
    Meters {
        levels: Vec<f32>,
    },
    Playhead {
        tick: u64,
    },
    /// The owner map or the grants changed.
    Rights,
    /// The host closed the connection, saying why (a limit, or it quit).
    Closed {
        reason: String,
    },
    /// The connection broke without a word (host killed, network).
    HostGone {
        reason: String,
    },
}

enum Incoming {
    Msg(HostMsg),
    Gone(String),
}

/// See the module docs.
#[derive(Debug)]
pub struct Client {
    incoming: Receiver<Incoming>,
    out: Sender<Vec<u8>>,
    stream: TcpStream,
    client: u32,
    session: u64,
    seq: u64,
    ready: bool,
    next_act: u64,
    acts_sent: u64,
    gone: Option<String>,
    paused: Arc<AtomicBool>,
    /// Last send time and a held value, per dragged parameter.
    drags: Vec<Drag>,
    rights: Rights,
    history: OwnHistory,
}

impl std::fmt::Debug for Incoming {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Incoming")
    }
}

impl Client {
    /// Connects to a host, proves the code and says hello (with `resume`
    /// when reconnecting).
    ///
    /// # Errors
    ///
    /// [`CollabError::WrongCode`], [`CollabError::Refused`] (host full),
    /// [`CollabError::Timeout`], network errors.
    pub fn connect(
        addr: SocketAddr,
        code: &JoinCode,
        name: &str,
        resume: Option<Resume>,
        limits: &Limits,
    ) -> Result<Client, CollabError> {
        let mut stream = TcpStream::connect_timeout(&addr, limits.handshake_timeout)?;
        stream.set_nodelay(true)?;
        super::limits::size_buffers(&stream, limits);
        stream.set_read_timeout(Some(limits.handshake_timeout))?;
        let channel = handshake_initiator(&mut stream, code, limits.max_host_frame)?;
        let (mut sealer, mut opener) = (channel.sealer, channel.opener);
        let hello = ClientMsg::Hello { name: name.to_string(), resume: resume.map(|r| (r.session, r.seq)) };
        sealer.send(&mut stream, &encode(&hello)?)?;
        let first = match opener.recv(&mut stream) {
            Ok(f) => f,
            Err(CollabError::Io(e))
                if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) =>
            {
                return Err(CollabError::Timeout(limits.handshake_timeout));
            }
            Err(e) => return Err(e),
        };
        let (client, session, host_seq) = match decode::<HostMsg>(&first)? {
            HostMsg::Welcome { client, session, seq } => (client, session, seq),
            HostMsg::Closing { reason } => return Err(CollabError::Refused(reason)),
            other => return Err(CollabError::Malformed(format!("expected a welcome, got {other:?}"))),
        };
        // The host pings at least every second: silence for the idle
        // timeout means it is gone.
        stream.set_read_timeout(Some(limits.idle_timeout))?;
        let (in_tx, incoming) = crossbeam_channel::unbounded();
        let (out, out_rx) = crossbeam_channel::unbounded();
        let paused = Arc::new(AtomicBool::new(false));
        let read_half = stream.try_clone()?;
        let write_half = stream.try_clone()?;
        let reader_pause = Arc::clone(&paused);
        let pong = out.clone();
        std::thread::Builder::new()
            .name("collab-client-read".into())
            .spawn(move || read_loop(read_half, opener, &in_tx, &pong, &reader_pause))?;
        let ping = limits.idle_timeout / 3;
        std::thread::Builder::new()
            .name("collab-client-write".into())
            .spawn(move || write_loop(write_half, sealer, &out_rx, ping))?;
        // Resuming in the same session: the replica is good up to its seq
        // (the host replays the rest, or sends a snapshot).
        let (seq, ready) = match resume {
            Some(r) if r.session == session && r.seq <= host_seq => (r.seq, true),
            _ => (0, false),
        };
        Ok(Client {
            incoming,
            out,
            stream,
            client,
            session,
            seq,
            ready,
            next_act: 0,
            acts_sent: 0,
            gone: None,
            paused,
            drags: Vec::new(),
            rights: Rights::default(),
            history: OwnHistory::default(),
        })
    }

    /// This client's author number.
    pub fn id(&self) -> u32 {
        self.client
    }

    /// The last action applied to the replica.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Whether the replica holds the host's project (after the snapshot).
    pub fn is_ready(&self) -> bool {
        self.ready
    }

    /// Why the connection ended, once it has.
    pub fn gone(&self) -> Option<&str> {
        self.gone.as_deref()
    }

    /// What to pass to [`Client::connect`] when reconnecting.
    pub fn resume(&self) -> Option<Resume> {
        self.ready.then_some(Resume { session: self.session, seq: self.seq })
    }

    /// Stops (or resumes) reading from the socket, as a stalled machine
    /// would: the host's outbox for this client then fills.
    pub fn pause_reading(&self, paused: bool) {
        self.paused.store(paused, Ordering::SeqCst);
    }

    /// Actions sent to the host so far (held drag values not counted).
    pub fn acts_sent(&self) -> u64 {
        self.acts_sent
    }

    /// Who owns which instrument and who holds the grant (the host's map).
    pub fn rights(&self) -> &Rights {
        &self.rights
    }

    /// Asks the host for an unowned instrument (`own: true`) or gives one
    /// back; the answer is a new owner map or a refusal.
    ///
    /// # Errors
    ///
    /// [`CollabError::Closed`] when the connection is gone.
    pub fn claim(&mut self, instrument: imbolc_types::InstrumentId, own: bool) -> Result<(), CollabError> {
        self.send_msg(&ClientMsg::Claim { instrument, own })
    }

    /// Whether there is an own edit to undo (or redo).
    pub fn can_undo(&self, redo: bool) -> bool {
        self.history.can(if redo { Dir::Redo } else { Dir::Undo })
    }

    /// Undoes this client's own last edit the host applied: sends its
    /// inverse. Refused when someone changed the same thing since.
    ///
    /// # Errors
    ///
    /// [`CollabError::Refused`] with the reason; [`CollabError::Closed`].
    pub fn undo(&mut self) -> Result<(), CollabError> {
        self.undo_redo(Dir::Undo)
    }

    /// Redoes this client's last undone edit (as [`Client::undo`]).
    ///
    /// # Errors
    ///
    /// As [`Client::undo`].
    pub fn redo(&mut self) -> Result<(), CollabError> {
        self.undo_redo(Dir::Redo)
    }

    fn undo_redo(&mut self, dir: Dir) -> Result<(), CollabError> {
        if let Some(reason) = &self.gone {
            return Err(CollabError::Refused(reason.clone()));
        }
        let actions = self.history.take(dir).map_err(CollabError::Refused)?;
        let mut acts = std::collections::BTreeSet::new();
        for action in actions {
            self.next_act += 1;
            let id = self.next_act;
            acts.insert(id);
            self.send_msg(&ClientMsg::Act { id, action })?;
        }
        self.history.sent(dir, acts);
        Ok(())
    }

    fn send_msg(&mut self, msg: &ClientMsg) -> Result<(), CollabError> {
        if matches!(msg, ClientMsg::Act { .. }) {
            self.acts_sent += 1;
        }
        self.out.send(encode(msg)?).map_err(|_| CollabError::Closed)
    }

    /// Sends an edit to the host; it reaches the replica when the host
    /// broadcasts it. A parameter drag is thinned to one update per 33 ms
    /// per parameter (the last value is always sent). Returns the id a
    /// refusal names.
    ///
    /// # Errors
    ///
    /// [`CollabError::Closed`] when the connection is gone.
    pub fn send(&mut self, action: Action) -> Result<u64, CollabError> {
        if let Some(reason) = &self.gone {
            return Err(CollabError::Refused(reason.clone()));
        }
        self.next_act += 1;
        let id = self.next_act;
        if let Action::SetParam { target, value } = &action {
            let now = Instant::now();
            if let Some(d) = self.drags.iter_mut().find(|d| d.0 == *target) {
                if now.duration_since(d.1) < DRAG_INTERVAL {
                    d.2 = Some((id, *value));
                    return Ok(id);
                }
                d.1 = now;
                d.2 = None;
            } else {
                self.drags.push((target.clone(), now, None));
            }
        }
        self.send_msg(&ClientMsg::Act { id, action })?;
        Ok(id)
    }

    fn flush_drags(&mut self, force: bool) {
        let now = Instant::now();
        let mut due = Vec::new();
        for d in &mut self.drags {
            if let Some((id, value)) = d.2
                && (force || now.duration_since(d.1) >= DRAG_INTERVAL)
            {
                d.1 = now;
                d.2 = None;
                due.push(ClientMsg::Act { id, action: Action::SetParam { target: d.0.clone(), value } });
            }
        }
        self.drags.retain(|d| d.2.is_some() || now.duration_since(d.1) < Duration::from_secs(1));
        for msg in due {
            let _ = self.send_msg(&msg);
        }
    }

    /// Sends held drag values now (before a test compares replicas).
    pub fn flush(&mut self) {
        self.flush_drags(true);
    }

    /// Applies what the host sent, waiting up to `wait` for the first.
    pub fn pump<R: Replica>(&mut self, replica: &mut R, wait: Duration) -> Vec<ClientEvent> {
        self.flush_drags(false);
        let mut out = Vec::new();
        let mut next = self.incoming.recv_timeout(wait).ok();
        while let Some(msg) = next {
            self.handle(replica, msg, &mut out);
            next = self.incoming.try_recv().ok();
        }
        out
    }

    fn handle<R: Replica>(&mut self, replica: &mut R, msg: Incoming, out: &mut Vec<ClientEvent>) {
        let msg = match msg {
            Incoming::Msg(m) => m,
            Incoming::Gone(reason) => {
                if self.gone.is_none() {
                    tracing::warn!("collab: the host is gone: {reason}");
                    self.gone = Some(reason.clone());
                    out.push(ClientEvent::HostGone { reason });
                }
                return;
            }
        };
        match msg {
            HostMsg::Welcome { .. } => {}
            HostMsg::Snapshot { seq, project } => {
                replica.replace(*project);
                self.seq = seq;
                self.ready = true;
                out.push(ClientEvent::Snapshot { seq });
            }
            HostMsg::Applied { seq, author, act, action } => {
                if !self.ready || seq <= self.seq {
                    return;
                }
                self.seq = seq;
                let before = scope(replica.project(), &action);
                let mine = author == self.client;
                let record = mine.then(|| action.clone());
                let inverse = match replica.apply(action) {
                    Ok(inverse) => inverse,
                    Err(e) => {
                        tracing::error!("collab: action {seq} does not apply here ({e}); asking for a snapshot");
                        self.ready = false;
                        let _ = self.send_msg(&ClientMsg::Resync);
                        out.push(ClientEvent::Diverged { seq });
                        return;
                    }
                };
                match record {
                    Some(action) => {
                        let after = inverse.iter().map(|a| scope(replica.project(), a)).collect();
                        self.history.own(act, &action, before, inverse, after);
                    }
                    None => self.history.foreign(before, &self.rights.name(author)),
                }
                out.push(ClientEvent::Applied { seq, author });
            }
            HostMsg::Rights(rights) => {
                self.rights = rights;
                out.push(ClientEvent::Rights);
            }
            HostMsg::Ping { .. } => {}
            HostMsg::Digest { seq, digest } => {
                if self.ready && seq == self.seq && super::digest::digest(replica.project()) != digest {
                    tracing::error!("collab: the replica differs from the host at {seq}; asking for a snapshot");
                    self.ready = false;
                    let _ = self.send_msg(&ClientMsg::Resync);
                    out.push(ClientEvent::Diverged { seq });
                }
            }
            HostMsg::Refused { id, reason } => {
                self.history.refused(id);
                out.push(ClientEvent::Refused { id, reason });
            }
            HostMsg::Meters { levels } => out.push(ClientEvent::Meters { levels }),
            HostMsg::Playhead { tick } => out.push(ClientEvent::Playhead { tick }),
            HostMsg::Closing { reason } => {
                tracing::warn!("collab: the host closed the connection: {reason}");
                self.gone = Some(reason.clone());
                out.push(ClientEvent::Closed { reason });
            }
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

fn read_loop(
    mut stream: TcpStream,
    mut opener: Opener,
    tx: &Sender<Incoming>,
    pong: &Sender<Vec<u8>>,
    paused: &AtomicBool,
) {
    loop {
        while paused.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(5));
        }
        let msg = opener.recv(&mut stream).and_then(|f| decode::<HostMsg>(&f));
        match msg {
            Ok(HostMsg::Ping { nonce }) => {
                // Answered here, not on the pump: the host measures the
                // network, not this machine's frame rate.
                if let Ok(bytes) = encode(&ClientMsg::Pong { nonce }) {
                    let _ = pong.send(bytes);
                }
            }
            Ok(m) => {
                let closing = matches!(m, HostMsg::Closing { .. });
                if tx.send(Incoming::Msg(m)).is_err() || closing {
                    return;
                }
            }
            Err(CollabError::Io(e))
                if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) =>
            {
                let _ = tx.send(Incoming::Gone("no word from the host for the idle timeout".into()));
                return;
            }
            Err(e) => {
                let _ = tx.send(Incoming::Gone(e.to_string()));
                return;
            }
        }
    }
}

fn write_loop(mut stream: TcpStream, mut sealer: Sealer, rx: &Receiver<Vec<u8>>, ping: Duration) {
    let ping_frame = encode(&ClientMsg::Ping).unwrap_or_default();
    loop {
        let frame = match rx.recv_timeout(ping) {
            Ok(f) => f,
            Err(RecvTimeoutError::Timeout) => ping_frame.clone(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if sealer.send(&mut stream, &frame).is_err() {
            return;
        }
    }
}
