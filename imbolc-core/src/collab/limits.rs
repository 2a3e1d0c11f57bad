//! The host's limits: each one hit is a message to the client and a log
//! line.

use std::time::Duration;

/// Limits a host enforces on every connection.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Clients connected at once; one more is refused ("host is full").
    pub max_clients: usize,
    /// Largest frame a client may send (bytes, before decryption).
    pub max_client_frame: usize,
    /// Largest frame a client accepts from the host (a snapshot).
    pub max_host_frame: usize,
    /// Actions a client may send per second on average ...
    pub actions_per_sec: u32,
    /// ... and in one burst; beyond, an action is refused.
    pub action_burst: u32,
    /// A client that sends nothing for this long is disconnected (clients
    /// ping at a third of it).
    pub idle_timeout: Duration,
    /// How long a new connection may take to prove it knows the code.
    pub handshake_timeout: Duration,
    /// Frames queued for one client; beyond, it is disconnected and catches
    /// up when it reconnects.
    pub outbox_frames: usize,
    /// Bytes queued for one client, likewise.
    pub outbox_bytes: usize,
    /// Applied actions kept for replay to a reconnecting client; one
    /// further behind gets a snapshot.
    pub replay_log: usize,
    /// How often the host broadcasts the project digest (when it changed).
    pub digest_every: Duration,
    /// Kernel socket buffer size for each connection (`None`: the
    /// system's); small buffers make a stalled client hit the outbox bound
    /// sooner.
    pub socket_buffer: Option<usize>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_clients: 16,
            max_client_frame: 16 << 20,
            max_host_frame: 512 << 20,
            actions_per_sec: 200,
            action_burst: 400,
            idle_timeout: Duration::from_secs(30),
            handshake_timeout: Duration::from_secs(5),
            outbox_frames: 4096,
            outbox_bytes: 64 << 20,
            replay_log: 4096,
            digest_every: Duration::from_secs(2),
            socket_buffer: None,
        }
    }
}

/// Applies [`Limits::socket_buffer`] to `stream`.
pub(crate) fn size_buffers(stream: &std::net::TcpStream, limits: &Limits) {
    if let Some(size) = limits.socket_buffer {
        let sock = socket2::SockRef::from(stream);
        if let Err(e) = sock.set_send_buffer_size(size).and_then(|()| sock.set_recv_buffer_size(size)) {
            tracing::warn!("collab: could not size socket buffers: {e}");
        }
    }
}
