//! [`JackWatch`]: Imbolc's own JACK client beside midir's, for what midir
//! does not offer. Opening it is how MIDI finds out that a JACK server
//! runs (no `jack_lsp` process; libjack's messages go to the log, not over
//! the terminal UI). JACK then tells it when the server goes away
//! (shutdown) and when ports appear or connections change, and it:
//!
//! - connects each physical MIDI output that appears (a keyboard bridged
//!   by jackd's `-X seq`, `a2jmidid` or PipeWire: all of them mark
//!   hardware ports physical) to Imbolc's input, unless auto-connect is
//!   off. A port is connected once, when it appears: a connection the
//!   musician removes stays removed until the port comes back.
//! - lists what is connected to Imbolc's input, for the server pane.
//!
//! Imbolc's own ports are never physical, so they are never connected to
//! themselves; ports of clients named `imbolc…` and the configured device
//! (which has its own input and curve) are skipped as well.
//!
//! JACK forbids server calls inside its notification callbacks, so they
//! only wake a thread of ours, which rescans.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once, PoisonError};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, bounded, select};
use jack::{AsyncClient, Client, ClientOptions, ClientStatus, NotificationHandler, PortFlags, PortId};

use super::MidiError;

/// JACK client name of the watcher.
pub const WATCH_CLIENT: &str = "imbolc-watch";

/// Prefix of every JACK client Imbolc opens; their ports are never
/// auto-connected.
const OWN_PREFIX: &str = "imbolc";

/// What the watcher connects and to where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchSettings {
    /// Full name of Imbolc's input port (`imbolc:midi_in`).
    pub input: String,
    /// Connect physical MIDI outputs as they appear.
    pub auto_connect: bool,
    /// The configured device port, connected elsewhere: skipped here.
    pub device: Option<String>,
}

/// State the watcher shares with the UI.
#[derive(Debug, Default)]
struct Shared {
    /// False once JACK shut the client down (the server went away).
    dead: AtomicBool,
    /// Sources connected to Imbolc's input, as shown to the musician.
    devices: Mutex<Vec<String>>,
}

/// A JACK client open on the default server (see the module docs).
/// Dropping it closes the client.
pub struct JackWatch {
    client: Option<Client>,
    shared: Arc<Shared>,
    running: Option<(Sender<()>, JoinHandle<()>)>,
}

impl std::fmt::Debug for JackWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JackWatch").field("alive", &self.is_alive()).finish_non_exhaustive()
    }
}

impl JackWatch {
    /// Opens the watcher's client on the server named by
    /// `JACK_DEFAULT_SERVER` (else `default`); never starts a server.
    ///
    /// # Errors
    /// [`MidiError::NoJack`] when no such server runs.
    pub fn open() -> Result<JackWatch, MidiError> {
        route_libjack_messages_to_log();
        let (client, _) = Client::new(WATCH_CLIENT, ClientOptions::NO_START_SERVER)
            .map_err(|_| MidiError::NoJack(imbolc_audio::server::jack::default_server_name()))?;
        Ok(JackWatch { client: Some(client), shared: Arc::default(), running: None })
    }

    /// Whether a port of this full name exists on the server.
    pub fn port_exists(&self, name: &str) -> bool {
        self.client.as_ref().is_some_and(|c| c.port_by_name(name).is_some())
    }

    /// Activates the client and starts the thread that connects and lists
    /// (once; later calls do nothing).
    ///
    /// # Errors
    /// [`MidiError::Init`] when JACK refuses to activate the client or the
    /// thread cannot start.
    pub fn start(&mut self, settings: WatchSettings) -> Result<(), MidiError> {
        let Some(client) = self.client.take() else { return Ok(()) };
        let (wake_tx, wake) = bounded(1);
        let notifications = Notifications { wake: wake_tx.clone(), shared: Arc::clone(&self.shared) };
        let active = client.activate_async(notifications, ()).map_err(|e| MidiError::Init(e.to_string()))?;
        let (stop_tx, stop) = bounded(1);
        let shared = Arc::clone(&self.shared);
        let thread = std::thread::Builder::new()
            .name("imbolc-midi-jack".into())
            .spawn(move || run(&active, &settings, &shared, &wake, &stop))
            .map_err(|e| MidiError::Init(e.to_string()))?;
        // The first scan: ports present before we started.
        let _ = wake_tx.try_send(());
        self.running = Some((stop_tx, thread));
        Ok(())
    }

    /// False once the JACK server went away: the ports must be reopened.
    pub fn is_alive(&self) -> bool {
        !self.shared.dead.load(Ordering::Relaxed)
    }

    /// Sources connected to Imbolc's input, as shown in the server pane.
    pub fn devices(&self) -> Vec<String> {
        self.shared.devices.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl Drop for JackWatch {
    fn drop(&mut self) {
        if let Some((stop, thread)) = self.running.take() {
            let _ = stop.send(());
            let _ = thread.join();
        }
    }
}

/// The watcher thread: rescans on every wake until told to stop; owns the
/// active client so that closing it happens here.
fn run(
    active: &AsyncClient<Notifications, ()>,
    settings: &WatchSettings,
    shared: &Shared,
    wake: &Receiver<()>,
    stop: &Receiver<()>,
) {
    let mut seen = BTreeSet::new();
    loop {
        select! {
            recv(stop) -> _ => return,
            recv(wake) -> _ => {
                if shared.dead.load(Ordering::Relaxed) {
                    shared.devices.lock().unwrap_or_else(PoisonError::into_inner).clear();
                    continue;
                }
                let client = active.as_client();
                connect_new(client, settings, &mut seen);
                let devices = connected(client, &settings.input);
                *shared.devices.lock().unwrap_or_else(PoisonError::into_inner) = devices;
            }
        }
    }
}

/// Connects physical MIDI outputs not seen before; forgets ports that are
/// gone, so a device that comes back is connected again.
fn connect_new(client: &Client, settings: &WatchSettings, seen: &mut BTreeSet<String>) {
    let present: BTreeSet<String> = client
        .ports(None, Some(jack::jack_sys::RAW_MIDI_TYPE), PortFlags::IS_OUTPUT | PortFlags::IS_PHYSICAL)
        .into_iter()
        .collect();
    for port in present.difference(seen) {
        if !settings.auto_connect || !is_candidate(port, settings) {
            continue;
        }
        match client.connect_ports_by_name(port, &settings.input) {
            Ok(()) => tracing::info!("MIDI: connected {port} to {}", settings.input),
            Err(e) => tracing::warn!("MIDI: cannot connect {port} to {}: {e}", settings.input),
        }
    }
    *seen = present;
}

/// Whether an output port may be auto-connected: not Imbolc's own, not
/// the configured device.
fn is_candidate(port: &str, settings: &WatchSettings) -> bool {
    let client = port.split_once(':').map_or(port, |(c, _)| c);
    !client.starts_with(OWN_PREFIX) && settings.device.as_deref() != Some(port)
}

/// Sources connected to `input`: each port name, with the device name
/// when the port has an alias naming it (the ALSA bridge's
/// `Keystation:Keystation MIDI 1 (capture)` for `system:midi_capture_1`).
fn connected(client: &Client, input: &str) -> Vec<String> {
    let Some(port) = client.port_by_name(input) else { return Vec::new() };
    port.get_connections()
        .into_iter()
        .map(|name| {
            let alias = client.port_by_name(&name).and_then(|p| p.aliases().ok()).and_then(|a| a.last().cloned());
            match alias {
                Some(alias) => format!("{alias} ({name})"),
                None => name,
            }
        })
        .collect()
}

/// JACK's notifications: each wakes the thread; shutdown marks the client
/// dead first.
struct Notifications {
    wake: Sender<()>,
    shared: Arc<Shared>,
}

impl NotificationHandler for Notifications {
    // The trait declares it unsafe: it runs in JACK's thread while the
    // client is being torn down. We only store a flag and try a send.
    #[allow(unsafe_code)]
    unsafe fn shutdown(&mut self, _status: ClientStatus, _reason: &str) {
        self.shared.dead.store(true, Ordering::Relaxed);
        let _ = self.wake.try_send(());
    }

    fn port_registration(&mut self, _: &Client, _: PortId, _: bool) {
        let _ = self.wake.try_send(());
    }

    fn ports_connected(&mut self, _: &Client, _: PortId, _: PortId, _: bool) {
        let _ = self.wake.try_send(());
    }
}

/// Sends libjack's messages (also those of midir's clients) to the log:
/// printed, they would land on top of the terminal UI. Done before the
/// first client is opened.
fn route_libjack_messages_to_log() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        jack::set_logger(jack::LoggerType::Custom { info: libjack_info, error: libjack_error });
    });
}

#[allow(unsafe_code)]
unsafe extern "C" fn libjack_info(message: *const std::ffi::c_char) {
    // SAFETY: libjack passes a NUL-terminated string valid for this call.
    let text = unsafe { std::ffi::CStr::from_ptr(message) };
    tracing::debug!("libjack: {}", text.to_string_lossy());
}

#[allow(unsafe_code)]
unsafe extern "C" fn libjack_error(message: *const std::ffi::c_char) {
    // SAFETY: as in `libjack_info`.
    let text = unsafe { std::ffi::CStr::from_ptr(message) };
    // Failing to reach an absent server is how `open` finds out: not an error.
    tracing::debug!("libjack error: {}", text.to_string_lossy());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_ports_and_the_configured_device_are_never_candidates() {
        let settings = WatchSettings {
            input: "imbolc:midi_in".into(),
            auto_connect: true,
            device: Some("a2j:Keys (capture): Keys MIDI 1".into()),
        };
        assert!(is_candidate("system:midi_capture_1", &settings));
        assert!(is_candidate("Midi-Bridge:Keys:(capture_0) Keys MIDI 1", &settings));
        assert!(!is_candidate("imbolc-clock:clock_out", &settings));
        assert!(!is_candidate("imbolc-4242:midi_in", &settings));
        assert!(!is_candidate("a2j:Keys (capture): Keys MIDI 1", &settings));
    }
}
