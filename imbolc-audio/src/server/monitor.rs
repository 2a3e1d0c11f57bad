//! The monitor thread: reads everything scsynth sends, pings `/status` to
//! detect a dead server, and hands each reply to the caller's handler.
//!
//! Busy is not gone: scsynth answers `/status` late while its command
//! thread is held up (a large or slow `/b_allocRead` stops every reply for
//! as long as the read takes; a loaded machine delays them). So silence
//! alone only counts after [`SILENT_AFTER`]; before that the server is lost
//! only when its process has exited or its port refuses packets (a killed
//! scsynth is noticed at once).
//!
//! A signal (a debugger or tracer attaching) interrupts the socket wait
//! with `EINTR`; that is retried, never taken for a lost server.

use std::net::UdpSocket;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rosc::{OscMessage, OscPacket};

use super::osc::{MAX_DATAGRAM, decode, float_arg, int_arg};

/// How often the server is asked for its status.
pub const PING_INTERVAL: Duration = Duration::from_millis(200);
/// Without a status reply this long, the monitor checks that the scsynth
/// process still runs (and says the server is busy if it does).
pub const CHECK_AFTER: Duration = Duration::from_millis(1200);
/// A server whose process runs but has not answered for this long is lost
/// (hung): it is replaced.
pub const SILENT_AFTER: Duration = Duration::from_secs(5);

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
    /// No status reply for this long, but the process runs: busy, not
    /// lost (sent once per silence, after [`CHECK_AFTER`]).
    Busy(Duration),
    /// A line of the server's log saying it refused something: a failed
    /// command (from any client) or a UGen that could not allocate memory,
    /// which scsynth reports only there.
    Refused(String),
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

/// Lines of scsynth's log that report a refusal.
const REFUSAL_MARKS: [&str; 2] = ["FAILURE IN SERVER", "alloc failed"];

/// Reads what scsynth wrote to its log since the last call.
#[derive(Debug)]
pub(super) struct LogWatch {
    file: std::fs::File,
    /// The start of a line not yet complete.
    partial: Vec<u8>,
}

impl LogWatch {
    pub fn open(path: &std::path::Path) -> Option<LogWatch> {
        std::fs::File::open(path).ok().map(|file| LogWatch { file, partial: Vec::new() })
    }

    /// Refusal lines written since the last call (a bounded read each).
    fn refusals(&mut self) -> Vec<String> {
        use std::io::Read;
        let mut chunk = vec![0u8; 64 * 1024];
        let Ok(n) = retry_interrupted(|| self.file.read(&mut chunk)) else { return Vec::new() };
        self.partial.extend_from_slice(&chunk[..n]);
        let Some(end) = self.partial.iter().rposition(|&b| b == b'\n') else { return Vec::new() };
        let complete: Vec<u8> = self.partial.drain(..=end).collect();
        String::from_utf8_lossy(&complete)
            .lines()
            .filter(|l| REFUSAL_MARKS.iter().any(|m| l.contains(m)))
            .map(|l| l.trim().to_owned())
            .collect()
    }
}

pub(super) fn run(
    socket: Arc<UdpSocket>,
    pid: Option<u32>,
    mut log: Option<LogWatch>,
    shared: Arc<MonitorShared>,
    mut handler: EventHandler,
) {
    let mut buf = vec![0u8; MAX_DATAGRAM];
    let mut last_reply = Instant::now();
    let mut last_ping: Option<Instant> = None;
    let mut busy_told = false;
    let status = status_request();
    let _ = socket.set_read_timeout(Some(Duration::from_millis(20)));
    while !shared.stop.load(Ordering::Relaxed) {
        if last_ping.is_none_or(|t| t.elapsed() >= PING_INTERVAL) {
            let _ = retry_interrupted(|| socket.send(&status));
            last_ping = Some(Instant::now());
            for line in log.as_mut().map(LogWatch::refusals).unwrap_or_default() {
                handler(ServerEvent::Refused(line));
            }
        }
        match socket.recv(&mut buf) {
            Ok(n) => match decode(&buf[..n]) {
                Some(messages) => {
                    for m in messages {
                        if m.addr == "/status.reply" {
                            last_reply = Instant::now();
                            busy_told = false;
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
            Err(e) if is_retry(&e) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                handler(ServerEvent::Lost("scsynth is gone (its port refuses packets)".to_owned()));
                return;
            }
            Err(e) => {
                handler(ServerEvent::Lost(format!("socket error: {e}")));
                return;
            }
        }
        let silent = last_reply.elapsed();
        if silent >= CHECK_AFTER {
            if pid.is_some_and(|pid| !process_runs(pid)) {
                handler(ServerEvent::Lost("scsynth exited".to_owned()));
                return;
            }
            if silent >= SILENT_AFTER {
                handler(ServerEvent::Lost(format!("no reply to /status for {} s", SILENT_AFTER.as_secs())));
                return;
            }
            if !busy_told {
                busy_told = true;
                handler(ServerEvent::Busy(silent));
            }
        }
    }
}

/// Read timeouts and signals (`EINTR`): wait again.
fn is_retry(e: &std::io::Error) -> bool {
    matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut | std::io::ErrorKind::Interrupted)
}

/// Runs a socket call again while a signal interrupts it (`EINTR`).
///
/// # Errors
/// Whatever error `call` returns other than `Interrupted`.
pub fn retry_interrupted<T>(mut call: impl FnMut() -> std::io::Result<T>) -> std::io::Result<T> {
    loop {
        match call() {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

/// Whether process `pid` exists and has not exited (a zombie has).
pub fn process_runs(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state letter follows the command name in parentheses.
        Ok(stat) => {
            stat.rsplit(')').next().is_some_and(|rest| !matches!(rest.trim_start().chars().next(), Some('Z' | 'X')))
        }
        Err(_) => false,
    }
}

fn status_request() -> Vec<u8> {
    let packet = OscPacket::Message(OscMessage { addr: "/status".to_owned(), args: Vec::new() });
    rosc::encoder::encode(&packet).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interrupted_calls_are_retried_and_other_errors_returned() {
        let mut calls = 0;
        let got = retry_interrupted(|| {
            calls += 1;
            if calls < 3 { Err(std::io::Error::from(std::io::ErrorKind::Interrupted)) } else { Ok(calls) }
        });
        assert_eq!(got.unwrap(), 3);
        let err = retry_interrupted(|| Err::<(), _>(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)));
        assert_eq!(err.unwrap_err().kind(), std::io::ErrorKind::ConnectionRefused);
        assert!(is_retry(&std::io::Error::from(std::io::ErrorKind::Interrupted)));
    }

    #[test]
    fn this_process_runs_and_a_reaped_child_does_not() {
        assert!(process_runs(std::process::id()));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        while std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.contains(") Z")) {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(!process_runs(pid), "an exited child (zombie) does not run");
        child.wait().unwrap();
        assert!(!process_runs(pid));
    }
}
