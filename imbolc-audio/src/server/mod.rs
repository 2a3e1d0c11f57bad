//! The scsynth server's life cycle: find it, give it a JACK server, start it
//! on a free port of 127.0.0.1, load the SynthDefs, watch its health and shut
//! it down without leaving processes behind.
//!
//! - [`config`]: what to start ([`ServerConfig`]).
//! - [`jack`]: finding or starting the JACK server; [`jack_registry`]:
//!   freeing registry slots of JACK servers that died.
//! - [`scsynth`]: spawning scsynth; [`sizing`]: its memory, node, bus and
//!   buffer limits for a project.
//! - [`process`]: spawning children that die with us, and stopping them.
//! - [`osc`]: the UDP link ([`OscSender`]) and OSC decoding helpers.
//! - [`monitor`]: the thread that reads replies and pings `/status`.

pub mod config;
pub mod error;
pub mod jack;
pub mod jack_registry;
pub mod monitor;
pub mod osc;
pub mod process;
pub mod scsynth;
pub mod sizing;

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rosc::OscType;

pub use config::{JackMode, ServerConfig};
pub use error::ServerError;
pub use monitor::{EventHandler, ServerEvent, ServerStats};
pub use osc::OscSender;

use crate::synthdefs;
pub use jack::Jack;
use jack::JackOrigin;
use monitor::MonitorShared;
use osc::{await_reply, str_arg};
use process::{find_program, terminate, wait_timeout};
use scsynth::ScsynthProcess;

/// How long scsynth may take to answer its first `/status`.
const BOOT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one boot command (`/notify`, `/d_recv`) may take.
const REPLY_TIMEOUT: Duration = Duration::from_secs(3);
/// Start attempts when the chosen port was taken meanwhile, or JACK refused
/// the client while other servers were starting.
const PORT_ATTEMPTS: usize = 5;

/// A running scsynth (and the JACK server under it when we started one).
/// Dropping it shuts both down.
///
/// Children are tied to the spawning *thread* (see
/// [`process::die_with_parent`]): start the server from a thread that lives
/// as long as the server should.
#[derive(Debug)]
pub struct Server {
    scsynth: Option<ScsynthProcess>,
    socket: Arc<UdpSocket>,
    monitor: Option<JoinHandle<()>>,
    shared: Arc<MonitorShared>,
    /// `None` only once handed on by [`Server::shutdown_keeping_jack`].
    jack: Option<Jack>,
    stats: ServerStats,
}

impl Server {
    /// Boots JACK (if needed) and scsynth, registers for notifications
    /// (`/notify 1`), loads every SynthDef with `/d_recv`, then starts the
    /// monitor thread, which calls `handler` for every reply and status.
    ///
    /// # Errors
    /// [`ServerError`] naming what failed: a missing program (with the
    /// package to install), JACK, scsynth's boot, or a rejected SynthDef.
    pub fn start(config: &ServerConfig, handler: EventHandler) -> Result<Server, ServerError> {
        Server::start_on(config, None, handler)
    }

    /// [`Server::start`] on a JACK server kept from a server that was lost
    /// ([`Server::shutdown_keeping_jack`]), when there is one: replacing a
    /// crashed scsynth then does not stop and start JACK too.
    ///
    /// # Errors
    /// As [`Server::start`].
    pub fn start_on(config: &ServerConfig, jack: Option<Jack>, handler: EventHandler) -> Result<Server, ServerError> {
        let scsynth_path = match &config.scsynth {
            Some(path) => path.clone(),
            None => find_program("scsynth", "supercollider-server")?,
        };
        let jack = match jack.and_then(|mut j| j.is_alive().then_some(j)) {
            Some(jack) => jack,
            None => Jack::ensure(config)?,
        };
        let (jack, (process, socket, stats)) = match boot(config, &scsynth_path, &jack) {
            // A private JACK server that keeps refusing scsynth is replaced
            // once by a fresh one: nothing but us uses it.
            Err(ServerError::ScsynthFailed { detail })
                if jack.setup().origin == JackOrigin::Private && detail.contains("could not initialize audio") =>
            {
                tracing::warn!("JACK server {} refused scsynth ({detail}); starting a fresh one", jack.name());
                drop(jack);
                let fresh = Jack::ensure(config)?;
                let booted = boot(config, &scsynth_path, &fresh)?;
                (fresh, booted)
            }
            booted => (jack, booted?),
        };
        let mut server = Server {
            scsynth: Some(process),
            socket: Arc::new(socket),
            monitor: None,
            shared: Arc::new(MonitorShared::default()),
            jack: Some(jack),
            stats,
        };
        server.notify()?;
        server.load_synthdefs()?;
        server.stats = server.query_status()?;
        let (socket, shared) = (Arc::clone(&server.socket), Arc::clone(&server.shared));
        let pid = server.scsynth_pid();
        // Refusals already in the log (from boot) are read by the monitor too.
        let log = server.scsynth.as_ref().and_then(|p| monitor::LogWatch::open(&p.log));
        server.monitor = Some(
            std::thread::Builder::new()
                .name("scsynth-monitor".into())
                .spawn(move || monitor::run(socket, pid, log, shared, handler))?,
        );
        Ok(server)
    }

    fn notify(&self) -> Result<(), ServerError> {
        self.sender().message("/notify", vec![OscType::Int(1)])?;
        await_reply(&self.socket, "/notify", REPLY_TIMEOUT, |m| {
            (m.addr == "/done" && str_arg(m, 0) == Some("/notify")).then_some(())
        })
    }

    /// `/d_recv` answers `/done` even for garbage, so the count of defs in
    /// `/status` is checked afterwards too. Defs are sent a window at a
    /// time and the window's replies (which come in order) awaited after
    /// it: a few waits instead of one round trip per def, which matters
    /// when a lost server is replaced while music plays. A window stays well
    /// inside the kernel's default UDP receive buffer (about 208 KiB, which
    /// counts each datagram's overhead too): sending every def at once
    /// overflowed it while other servers booted, a def was dropped, and the
    /// boot failed waiting for its reply.
    fn load_synthdefs(&self) -> Result<(), ServerError> {
        const WINDOW_BYTES: usize = 48 * 1024;
        let mut rest = synthdefs::ALL;
        while !rest.is_empty() {
            let mut bytes = 0;
            let len = rest
                .iter()
                .take_while(|def| {
                    bytes += def.bytes.len();
                    bytes <= WINDOW_BYTES
                })
                .count()
                .max(1);
            let (window, after) = rest.split_at(len);
            rest = after;
            for def in window {
                self.sender().message("/d_recv", vec![OscType::Blob(def.bytes.to_vec())])?;
            }
            for def in window {
                let reply =
                    await_reply(&self.socket, "/d_recv", REPLY_TIMEOUT, |m| match (m.addr.as_str(), str_arg(m, 0)) {
                        ("/done", Some("/d_recv")) => Some(Ok(())),
                        ("/fail", Some("/d_recv")) => Some(Err(str_arg(m, 1).unwrap_or("refused").to_owned())),
                        _ => None,
                    })?;
                reply.map_err(|detail| ServerError::SynthDefRejected { name: def.name.to_owned(), detail })?;
            }
        }
        let stats = self.query_status()?;
        let expected = u32::try_from(synthdefs::ALL.len()).unwrap_or(u32::MAX);
        if stats.synthdefs < expected {
            if let Some(ugen) = self.scsynth.as_ref().and_then(|p| missing_ugen(&std::fs::read_to_string(&p.log).ok()?))
            {
                return Err(ServerError::PluginMissing { ugen, package: "sc3-plugins-server" });
            }
            return Err(ServerError::SynthDefRejected {
                name: "(some)".to_owned(),
                detail: format!("server holds {} of {expected} SynthDefs", stats.synthdefs),
            });
        }
        Ok(())
    }

    fn query_status(&self) -> Result<ServerStats, ServerError> {
        query_status(&self.socket, REPLY_TIMEOUT)
    }

    /// A sender for OSC to this server.
    pub fn sender(&self) -> OscSender {
        OscSender::new(Arc::clone(&self.socket))
    }

    /// The server's address (127.0.0.1 and its port).
    ///
    /// # Errors
    /// [`ServerError::Io`] if the socket is broken.
    pub fn addr(&self) -> Result<SocketAddr, ServerError> {
        Ok(self.socket.peer_addr()?)
    }

    /// Status at the end of boot (later ones arrive as [`ServerEvent::Status`]).
    pub fn boot_stats(&self) -> ServerStats {
        self.stats
    }

    /// Pid of scsynth.
    pub fn scsynth_pid(&self) -> Option<u32> {
        self.scsynth.as_ref().map(|p| p.child.id())
    }

    /// The JACK server in use (`None` once handed on).
    pub fn jack(&self) -> Option<&Jack> {
        self.jack.as_ref()
    }

    /// Datagrams from the server that were not valid OSC.
    pub fn malformed_packets(&self) -> u64 {
        self.shared.malformed.load(Ordering::Relaxed)
    }

    /// Whether the scsynth process is still running.
    pub fn is_alive(&mut self) -> bool {
        self.scsynth.as_mut().is_some_and(|p| matches!(p.child.try_wait(), Ok(None)))
    }

    /// Stops the monitor, quits scsynth (`/quit`, then signals) and stops a
    /// JACK server we started. Also done on drop.
    pub fn shutdown(mut self) {
        self.stop();
    }

    /// Stops the monitor and scsynth but hands back the JACK server, if it
    /// still runs, for the next scsynth ([`Server::start_on`]).
    pub fn shutdown_keeping_jack(mut self) -> Option<Jack> {
        self.stop_scsynth();
        let mut jack = self.jack.take()?;
        jack.is_alive().then_some(jack)
    }

    fn stop(&mut self) {
        self.stop_scsynth();
        self.jack = None;
    }

    fn stop_scsynth(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(monitor) = self.monitor.take() {
            let _ = monitor.join();
        }
        if let Some(mut process) = self.scsynth.take() {
            let _ = self.sender().message("/quit", Vec::new());
            if !wait_timeout(&mut process.child, Duration::from_secs(2)) {
                terminate(&mut process.child, Duration::from_secs(1));
            }
            let port = process.port;
            jack::remove_shm_files(|f| f == format!("SuperColliderServer_{port}"));
            let _ = std::fs::remove_file(&process.log);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Spawns scsynth until one owns its port and answers `/status`.
fn boot(
    config: &ServerConfig,
    scsynth: &std::path::Path,
    jack: &Jack,
) -> Result<(ScsynthProcess, UdpSocket, ServerStats), ServerError> {
    let mut last_error = String::new();
    for attempt in 0..PORT_ATTEMPTS {
        let mut process = ScsynthProcess::spawn(config, scsynth, jack.name())?;
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        socket.connect(("127.0.0.1", process.port))?;
        // Node notifications arrive in bursts of one datagram each.
        let _ = socket2::SockRef::from(&socket).set_recv_buffer_size(4 << 20);
        match wait_until_ready(&socket, &mut process) {
            Ok(stats) => return Ok((process, socket, stats)),
            Err(e) => {
                terminate(&mut process.child, Duration::from_secs(1));
                let retry = process.failed_transiently();
                let _ = std::fs::remove_file(&process.log);
                let port = process.port;
                jack::remove_shm_files(|f| f == format!("SuperColliderServer_{port}"));
                if !retry {
                    return Err(e);
                }
                let jack_said = jack.log_tail(4);
                last_error = if jack_said.is_empty() { e.to_string() } else { format!("{e} (jackd: {jack_said})") };
                tracing::warn!("scsynth attempt {} failed: {last_error}", attempt + 1);
                // JACK refuses clients for a while when several servers
                // start at once: back off 0.1, 0.2, 0.4, 0.8 s.
                std::thread::sleep(Duration::from_millis(100 << attempt));
            }
        }
    }
    Err(ServerError::ScsynthFailed { detail: format!("gave up after {PORT_ATTEMPTS} tries: {last_error}") })
}

fn wait_until_ready(socket: &UdpSocket, process: &mut ScsynthProcess) -> Result<ServerStats, ServerError> {
    let deadline = Instant::now() + BOOT_TIMEOUT;
    while Instant::now() < deadline {
        if let Ok(Some(status)) = process.child.try_wait() {
            return Err(ServerError::ScsynthFailed { detail: format!("exited with {status}: {}", process.log_tail()) });
        }
        // Until scsynth binds its port the kernel refuses our packets.
        match query_status(socket, Duration::from_millis(50)) {
            Ok(stats) => return Ok(stats),
            Err(ServerError::Timeout { .. }) => {}
            Err(ServerError::Io(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(e),
        }
    }
    Err(ServerError::ScsynthFailed { detail: format!("no answer within {BOOT_TIMEOUT:?}: {}", process.log_tail()) })
}

fn query_status(socket: &UdpSocket, timeout: Duration) -> Result<ServerStats, ServerError> {
    OscSender::new(Arc::new(socket.try_clone()?)).message("/status", Vec::new())?;
    await_reply(socket, "/status", timeout, |m| {
        (m.addr == "/status.reply").then(|| ServerStats::from_reply(m)).flatten()
    })
}

/// The UGen scsynth reported missing while loading SynthDefs
/// ("UGen 'MoogLadder' not installed."): the built-in sounds take the
/// community UGens from sc3-plugins.
fn missing_ugen(log: &str) -> Option<String> {
    let start = log.find("UGen '")? + "UGen '".len();
    let len = log[start..].find("' not installed")?;
    Some(log[start..start + len].to_owned())
}

#[cfg(test)]
mod plugin_tests {
    use super::*;

    #[test]
    fn a_missing_ugen_is_read_from_the_log() {
        let log = "*** ERROR: UGen 'MoogLadder' not installed.\n*** ERROR: SynthDef imbolc_moog_bass not found";
        assert_eq!(missing_ugen(log).as_deref(), Some("MoogLadder"));
        assert_eq!(missing_ugen("all fine"), None);
        let e = ServerError::PluginMissing { ugen: "MoogLadder".into(), package: "sc3-plugins-server" };
        assert!(e.to_string().contains("apt-get install sc3-plugins-server"), "{e}");
    }
}
