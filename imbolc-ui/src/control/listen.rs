//! The control socket's threads: one accepts connections, one per
//! connection reads lines and waits for their answers. Lines go to the UI
//! thread over a channel that the UI drains without blocking
//! ([`ControlSocket::try_next`]); only the connection's thread waits.

use std::io::{BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::time::Duration;

use super::framing::{Line, MAX_LINE, Reply, read_line};
use super::path::{ControlError, own_uid, private_dir};

/// At most this many connections at once; more are answered with an
/// error and closed.
pub const MAX_CONNECTIONS: usize = 8;

/// How long a connection waits for the UI to answer a line.
const ANSWER_WAIT: Duration = Duration::from_secs(30);

/// A line from a client, waiting for its answer.
#[derive(Debug)]
pub struct Request {
    /// The line, as text.
    pub line: String,
    reply: SyncSender<Reply>,
}

impl Request {
    /// Sends the answer back to the connection (never blocks).
    pub fn answer(self, reply: Reply) {
        let _ = self.reply.try_send(reply);
    }
}

/// A listening control socket; the file goes when this is dropped.
#[derive(Debug)]
pub struct ControlSocket {
    path: PathBuf,
    requests: Receiver<Request>,
    stop: Arc<AtomicBool>,
}

impl ControlSocket {
    /// Listens at `path` (its folder made private first), answering only
    /// clients running as our own user. A socket file left by a process
    /// that is gone is replaced; one that answers is not.
    ///
    /// # Errors
    /// [`ControlError`] when the folder is not private or binding fails.
    pub fn bind(path: &Path) -> Result<ControlSocket, ControlError> {
        Self::bind_for(path, own_uid())
    }

    /// As [`ControlSocket::bind`], answering only clients of uid `owner`
    /// (tests use a uid that is not theirs to see a refusal).
    ///
    /// # Errors
    /// As [`ControlSocket::bind`].
    pub fn bind_for(path: &Path, owner: u32) -> Result<ControlSocket, ControlError> {
        if let Some(dir) = path.parent() {
            private_dir(dir, own_uid())?;
        }
        if path.exists() {
            if UnixStream::connect(path).is_ok() {
                return Err(ControlError::InUse(path.to_owned()));
            }
            std::fs::remove_file(path).map_err(|e| ControlError::Io(path.to_owned(), e))?;
        }
        let listener = UnixListener::bind(path).map_err(|e| ControlError::Io(path.to_owned(), e))?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| ControlError::Io(path.to_owned(), e))?;
        let (tx, requests) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("imbolc-control".into())
            .spawn(move || accept(&listener, owner, &tx, &flag))
            .map_err(|e| ControlError::Io(path.to_owned(), e))?;
        Ok(ControlSocket { path: path.to_owned(), requests, stop })
    }

    /// Where it listens.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next line waiting for an answer, if any (never blocks).
    pub fn try_next(&self) -> Option<Request> {
        self.requests.try_recv().ok()
    }
}

impl Drop for ControlSocket {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accepting thread so it sees the flag and ends.
        let _ = UnixStream::connect(&self.path);
        let _ = std::fs::remove_file(&self.path);
    }
}

fn accept(listener: &UnixListener, owner: u32, tx: &Sender<Request>, stop: &AtomicBool) {
    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(mut stream) = stream else { continue };
        if open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            open.fetch_sub(1, Ordering::SeqCst);
            let _ = stream.write_all(Reply::Err("too many connections".into()).to_json_line().as_bytes());
            continue;
        }
        let tx = tx.clone();
        let count = Arc::clone(&open);
        let spawned = std::thread::Builder::new().name("imbolc-control-conn".into()).spawn(move || {
            serve(stream, owner, &tx);
            count.fetch_sub(1, Ordering::SeqCst);
        });
        if let Err(e) = spawned {
            open.fetch_sub(1, Ordering::SeqCst);
            tracing::warn!("control socket: cannot serve a connection: {e}");
        }
    }
}

/// Whether a client of uid `peer` may talk to a socket of `owner`.
///
/// # Errors
/// The refusal's text, when it may not.
pub fn admit(peer: u32, owner: u32) -> Result<(), String> {
    if peer == owner { Ok(()) } else { Err(format!("refused: uid {peer} is not this session's user ({owner})")) }
}

fn serve(mut stream: UnixStream, owner: u32, tx: &Sender<Request>) {
    let admitted = rustix::net::sockopt::socket_peercred(&stream)
        .map_err(|e| format!("refused: cannot tell who is connecting: {e}"))
        .and_then(|cred| admit(cred.uid.as_raw(), owner));
    if let Err(refusal) = admitted {
        tracing::warn!("control socket: {refusal}");
        let _ = stream.write_all(Reply::Err(refusal).to_json_line().as_bytes());
        return;
    }
    let Ok(read_half) = stream.try_clone() else { return };
    let mut reader = BufReader::new(read_half);
    while let Ok(Some(line)) = read_line(&mut reader, MAX_LINE) {
        let reply = match (Reply::for_unreadable(&line), line) {
            (Some(reply), _) => reply,
            (None, Line::Text(text)) => ask(tx, text),
            (None, _) => Reply::Err("unreadable line".into()),
        };
        if stream.write_all(reply.to_json_line().as_bytes()).is_err() {
            return;
        }
    }
}

/// Hands a line to the UI and waits (on this thread) for its answer.
fn ask(tx: &Sender<Request>, line: String) -> Reply {
    let (reply, answer) = mpsc::sync_channel(1);
    if tx.send(Request { line, reply }).is_err() {
        return Reply::Err("imbolc is closing".into());
    }
    answer.recv_timeout(ANSWER_WAIT).unwrap_or_else(|_| Reply::Err("imbolc did not answer in time".into()))
}
