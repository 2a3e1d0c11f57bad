//! The monitor thread: reads everything scsynth sends, pings `/status` to
//! detect a dead server, and hands each reply to the caller's handler.

use std::net::UdpSocket;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rosc::{OscMessage, OscPacket};

use super::osc::{MAX_DATAGRAM, decode, float_arg, int_arg};

/// How often the server is asked for its status.
pub const PING_INTERVAL: Duration = Duration::from_millis(200);
/// A server that has not answered a ping for this long is reported lost.
pub const LOST_AFTER: Duration = Duration::from_millis(1200);

/// What the server reported in its last `/status.reply`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ServerStats {
    pub ugens: u32,
    pub synths: u32,
    pub groups: u32,
    pub synthdefs: u32,
    /// Average and peak DSP load in percent.
    pub avg_cpu: f32,
    pub peak_cpu: f32,
    pub nominal_sample_rate: f64,
    pub actual_sample_rate: f64,
}

impl ServerStats {
    /// Reads a `/status.reply`; `None` if it is malformed.
    pub fn from_reply(m: &OscMessage) -> Option<ServerStats> {
        let count = |i| int_arg(m, i).and_then(|v| u32::try_from(v).ok());
        Some(ServerStats {
            ugens: count(1)?,
            synths: count(2)?,
            groups: count(3)?,
            synthdefs: count(4)?,
            avg_cpu: float_arg(m, 5)? as f32,
            peak_cpu: float_arg(m, 6)? as f32,
            nominal_sample_rate: float_arg(m, 7)?,
            actual_sample_rate: float_arg(m, 8)?,
        })
    }
}

/// What the monitor thread reports to the server's owner.
#[derive(Debug, Clone)]
pub enum ServerEvent {
    /// Any message from the server other than a status reply: node
    /// notifications, `/fail`, `/done`, meters, query replies.
    Message(OscMessage),
    /// A fresh status reply.
    Status(ServerStats),
    /// The server stopped answering or is gone; sent once, then the monitor
    /// thread ends.
    Lost(String),
}

/// Handler called on the monitor thread for every event. It must not block.
pub type EventHandler = Box<dyn FnMut(ServerEvent) + Send>;

/// Shared between the monitor thread and [`super::Server`].
#[derive(Debug, Default)]
pub(super) struct MonitorShared {
    pub stop: AtomicBool,
    /// Datagrams that were not valid OSC: counted and ignored.
    pub malformed: AtomicU64,
}

pub(super) fn run(socket: Arc<UdpSocket>, shared: Arc<MonitorShared>, mut handler: EventHandler) {
    let mut buf = vec![0u8; MAX_DATAGRAM];
    let mut last_reply = Instant::now();
    let mut last_ping: Option<Instant> = None;
    let status = status_request();
    let _ = socket.set_read_timeout(Some(Duration::from_millis(20)));
    while !shared.stop.load(Ordering::Relaxed) {
        if last_ping.is_none_or(|t| t.elapsed() >= PING_INTERVAL) {
            let _ = socket.send(&status);
            last_ping = Some(Instant::now());
        }
        match socket.recv(&mut buf) {
            Ok(n) => match decode(&buf[..n]) {
                Some(messages) => {
                    for m in messages {
                        if m.addr == "/status.reply" {
                            last_reply = Instant::now();
                            match ServerStats::from_reply(&m) {
                                Some(stats) => handler(ServerEvent::Status(stats)),
                                None => _ = shared.malformed.fetch_add(1, Ordering::Relaxed),
                            }
                        } else {
                            handler(ServerEvent::Message(m));
                        }
                    }
                }
                None => _ = shared.malformed.fetch_add(1, Ordering::Relaxed),
            },
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                handler(ServerEvent::Lost("scsynth is gone (its port refuses packets)".to_owned()));
                return;
            }
            Err(e) => {
                handler(ServerEvent::Lost(format!("socket error: {e}")));
                return;
            }
        }
        if last_reply.elapsed() >= LOST_AFTER {
            handler(ServerEvent::Lost(format!("no reply to /status for {} ms", LOST_AFTER.as_millis())));
            return;
        }
    }
}

fn status_request() -> Vec<u8> {
    let packet = OscPacket::Message(OscMessage { addr: "/status".to_owned(), args: Vec::new() });
    rosc::encoder::encode(&packet).unwrap_or_default()
}
