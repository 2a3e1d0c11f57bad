//! [`MidiPorts`]: the midir side. Registers Imbolc's virtual input
//! (`imbolc:midi_in` with the JACK backend), keeps the configured device
//! port connected (a watcher thread rescans every [`RESCAN`] and connects
//! it whenever it is present, so a device that goes away and comes back is
//! reconnected), and runs the clock output ([`super::ClockOut`]).
//! With JACK, a [`JackWatch`](super::watch::JackWatch) beside them finds
//! the server, connects hardware MIDI as it appears and notices when the
//! server goes away. Every input callback goes straight to the shared
//! [`LivePlayer`](super::live::LivePlayer).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use imbolc_audio::engine::TransportFeedback;
use midir::os::unix::VirtualInput;
use midir::os::unix::VirtualOutput;
use midir::{MidiInput, MidiInputConnection, MidiOutput, MidiOutputConnection};

use super::ClockOut;
use super::MidiError;
use super::config::MidiConfig;
use super::live::{InputId, LivePlayer};
use super::runtime::MidiRuntime;
use super::stats::MidiStats;
use super::timebase::wall_now;

/// JACK client of the virtual input; its port is [`INPUT_PORT`].
pub const CLIENT: &str = "imbolc";
/// Port name of the virtual input (`imbolc:midi_in`).
pub const INPUT_PORT: &str = "midi_in";
/// JACK client that connects to the configured device (`imbolc-device:in`).
pub const DEVICE_CLIENT: &str = "imbolc-device";
/// How often the device port is looked for.
pub const RESCAN: Duration = Duration::from_millis(250);
/// JACK client of the pad LED output; its port is [`PADS_PORT`]
/// (`imbolc-pads:out`).
pub const PADS_CLIENT: &str = "imbolc-pads";
pub const PADS_PORT: &str = "out";

/// Open MIDI ports; closing them (drop) unregisters everything.
pub struct MidiPorts {
    input_port: String,
    _input: MidiInputConnection<()>,
    clock: Option<ClockOut>,
    pads_out: Mutex<MidiOutputConnection>,
    watcher: Option<(Arc<AtomicBool>, JoinHandle<()>)>,
    #[cfg(feature = "jack-midi")]
    jack: super::watch::JackWatch,
}

impl std::fmt::Debug for MidiPorts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MidiPorts").field("input", &self.input_port).field("clock", &self.clock.is_some()).finish()
    }
}

impl MidiPorts {
    /// Opens the virtual input, the clock output (if `config.send_clock`)
    /// and the device watcher (if `config.device` is set), feeding
    /// `runtime`'s player. Also applies the config's curves.
    /// With JACK, hardware MIDI outputs are connected to the input as they
    /// appear when `config.auto_connect` is set.
    ///
    /// # Errors
    /// [`MidiError::NoJack`] when no JACK server runs under the name in
    /// `JACK_DEFAULT_SERVER` (else `default`), [`MidiError::Init`] when no
    /// MIDI client can be opened, [`MidiError::Port`] when the port cannot
    /// be registered.
    pub fn open(runtime: &MidiRuntime, config: &MidiConfig) -> Result<MidiPorts, MidiError> {
        runtime.configure(|s| {
            s.curves = [config.curve, config.device_curve];
        });
        #[cfg(feature = "jack-midi")]
        let mut jack = super::watch::JackWatch::open()?;
        // A second Imbolc on the same server gets a client name of its own,
        // so that each one connects devices to its own input.
        #[cfg(feature = "jack-midi")]
        let client = match jack.port_exists(&format!("{CLIENT}:{INPUT_PORT}")) {
            true => format!("{CLIENT}-{}", std::process::id()),
            false => CLIENT.to_owned(),
        };
        #[cfg(not(feature = "jack-midi"))]
        let client = CLIENT.to_owned();
        let input = MidiInput::new(&client).map_err(|e| MidiError::Init(e.to_string()))?;
        let callback = callback(runtime.player(), InputId::Virtual);
        let input =
            input.create_virtual(INPUT_PORT, callback, ()).map_err(|e| MidiError::Port(e.kind().to_string()))?;
        let input_port = format!("{client}:{INPUT_PORT}");
        #[cfg(feature = "jack-midi")]
        jack.start(super::watch::WatchSettings {
            input: input_port.clone(),
            auto_connect: config.auto_connect,
            device: config.device.clone(),
        })?;
        let clock = if config.send_clock { Some(ClockOut::open(config.clock_offset_ms)?) } else { None };
        let pads_out = MidiOutput::new(PADS_CLIENT)
            .map_err(|e| MidiError::Init(e.to_string()))?
            .create_virtual(PADS_PORT)
            .map_err(|e| MidiError::Port(e.kind().to_string()))?;
        let watcher = match &config.device {
            Some(device) => Some(watch(device.clone(), runtime.player(), runtime.stats())?),
            None => None,
        };
        tracing::info!(
            "MIDI input {input_port} open; device {:?}; auto-connect {}",
            config.device,
            config.auto_connect
        );
        Ok(MidiPorts {
            input_port,
            _input: input,
            clock,
            pads_out: Mutex::new(pads_out),
            watcher,
            #[cfg(feature = "jack-midi")]
            jack,
        })
    }

    /// Full name of Imbolc's input port (`imbolc:midi_in`).
    pub fn input_port(&self) -> &str {
        &self.input_port
    }

    /// False once the JACK server went away: drop the ports and open
    /// them again when a server is back.
    pub fn is_alive(&self) -> bool {
        #[cfg(feature = "jack-midi")]
        return self.jack.is_alive();
        #[cfg(not(feature = "jack-midi"))]
        true
    }

    /// Sources connected to Imbolc's input (with JACK; empty otherwise).
    pub fn devices(&self) -> Vec<String> {
        #[cfg(feature = "jack-midi")]
        return self.jack.devices();
        #[cfg(not(feature = "jack-midi"))]
        Vec::new()
    }

    /// Output ports other clients offer (device candidates for the config).
    ///
    /// # Errors
    /// [`MidiError::Init`] when no MIDI client can be opened.
    pub fn device_ports() -> Result<Vec<String>, MidiError> {
        let scan = MidiInput::new("imbolc-scan").map_err(|e| MidiError::Init(e.to_string()))?;
        Ok(scan.ports().iter().filter_map(|p| scan.port_name(p).ok()).collect())
    }

    /// Sends pad LED messages on `imbolc-pads:out`.
    pub fn send_pads(&self, messages: &[[u8; 3]]) {
        let mut out = self.pads_out.lock().unwrap_or_else(PoisonError::into_inner);
        for m in messages {
            if let Err(e) = out.send(m) {
                tracing::warn!("pad LED send failed: {e}");
            }
        }
    }

    /// Tells the clock output where the transport is (every UI frame).
    pub fn observe(&self, transport: &TransportFeedback) {
        if let Some(clock) = &self.clock {
            clock.observe(transport);
        }
    }
}

impl Drop for MidiPorts {
    fn drop(&mut self) {
        if let Some((stop, thread)) = self.watcher.take() {
            stop.store(true, Ordering::Relaxed);
            let _ = thread.join();
        }
    }
}

/// The midir callback for one input: wall time at entry, then the player.
fn callback(player: Arc<Mutex<LivePlayer>>, input: InputId) -> impl FnMut(u64, &[u8], &mut ()) + Send + 'static {
    move |stamp, bytes, _| {
        let wall = wall_now();
        player.lock().unwrap_or_else(PoisonError::into_inner).handle(input, stamp, wall, bytes);
    }
}

/// Starts the thread that keeps `device` connected.
fn watch(
    device: String,
    player: Arc<Mutex<LivePlayer>>,
    stats: Arc<MidiStats>,
) -> Result<(Arc<AtomicBool>, JoinHandle<()>), MidiError> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let thread = std::thread::Builder::new()
        .name("imbolc-midi-watch".into())
        .spawn(move || watch_loop(&device, &player, &stats, &flag))
        .map_err(|e| MidiError::Init(e.to_string()))?;
    Ok((stop, thread))
}

fn watch_loop(device: &str, player: &Arc<Mutex<LivePlayer>>, stats: &MidiStats, stop: &AtomicBool) {
    let mut link: Option<MidiInputConnection<()>> = None;
    let mut scan: Option<MidiInput> = None;
    while !stop.load(Ordering::Relaxed) {
        if scan.is_none() {
            scan = MidiInput::new("imbolc-scan").ok();
        }
        let present =
            scan.as_ref().and_then(|s| s.ports().into_iter().find(|p| s.port_name(p).is_ok_and(|n| n == device)));
        match (present, link.is_some()) {
            (Some(port), false) => match MidiInput::new(DEVICE_CLIENT) {
                Ok(input) => match input.connect(&port, "in", callback(Arc::clone(player), InputId::Device), ()) {
                    Ok(conn) => {
                        tracing::info!("MIDI device {device} connected");
                        link = Some(conn);
                        stats.set_device_connected(true);
                    }
                    Err(e) => tracing::warn!("cannot connect MIDI device {device}: {e}"),
                },
                Err(e) => tracing::warn!("cannot open a MIDI client for {device}: {e}"),
            },
            (None, true) => {
                tracing::info!("MIDI device {device} went away");
                link = None;
                stats.set_device_connected(false);
            }
            _ => {}
        }
        std::thread::sleep(RESCAN);
    }
}
