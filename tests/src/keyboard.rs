//! [`FakeKeyboard`]: a JACK client standing in for a hardware MIDI
//! keyboard. Its output port carries the physical flag, as the ports of
//! jackd's ALSA bridge, `a2jmidid` and PipeWire do for real devices, so
//! Imbolc treats it as hardware. It joins the server named by
//! `JACK_DEFAULT_SERVER`.

use crossbeam_channel::{Receiver, Sender, unbounded};
use jack::{AsyncClient, Client, ClientOptions, Control, PortFlags, PortSpec, ProcessHandler, ProcessScope};

/// A MIDI output port flagged physical (and terminal, like the bridges').
#[derive(Debug, Clone, Copy, Default)]
struct PhysicalMidiOut;

// SAFETY: the type string is JACK's MIDI type, and MIDI ports take no
// buffer size (0), as for the jack crate's own `MidiOut`.
#[allow(unsafe_code)]
unsafe impl PortSpec for PhysicalMidiOut {
    fn jack_port_type(&self) -> &str {
        jack::jack_sys::RAW_MIDI_TYPE
    }

    fn jack_flags(&self) -> PortFlags {
        PortFlags::IS_OUTPUT | PortFlags::IS_PHYSICAL | PortFlags::IS_TERMINAL
    }

    fn jack_buffer_size(&self) -> libc::c_ulong {
        0
    }
}

/// Writes the queued messages at the start of each period.
struct Writer {
    port: jack::Port<PhysicalMidiOut>,
    queue: Receiver<Vec<u8>>,
}

impl ProcessHandler for Writer {
    fn process(&mut self, _: &Client, ps: &ProcessScope) -> Control {
        #[allow(unsafe_code)]
        // SAFETY: the buffer is this client's own MIDI output port's for
        // this period (we are in its process callback); it is cleared once
        // and each event written is a slice that lives through the call.
        unsafe {
            let buffer = self.port.buffer(ps.n_frames());
            jack::jack_sys::jack_midi_clear_buffer(buffer);
            for message in self.queue.try_iter() {
                jack::jack_sys::jack_midi_event_write(buffer, 0, message.as_ptr(), message.len());
            }
        }
        Control::Continue
    }
}

/// See the module docs. Dropping it closes the client (the port goes away).
pub struct FakeKeyboard {
    port: String,
    send: Sender<Vec<u8>>,
    client: AsyncClient<(), Writer>,
}

impl std::fmt::Debug for FakeKeyboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeKeyboard").field("port", &self.port).finish_non_exhaustive()
    }
}

impl FakeKeyboard {
    /// Opens client `name` with the physical output port `out`.
    ///
    /// # Errors
    /// JACK's error when no server runs or the port cannot be registered.
    pub fn open(name: &str) -> Result<FakeKeyboard, jack::Error> {
        let (client, _) = Client::new(name, ClientOptions::NO_START_SERVER | ClientOptions::USE_EXACT_NAME)?;
        let port = client.register_port("out", PhysicalMidiOut)?;
        let full = port.name()?;
        let (send, queue) = unbounded();
        let client = client.activate_async((), Writer { port, queue })?;
        Ok(FakeKeyboard { port: full, send, client })
    }

    /// Full name of the output port (`name:out`).
    pub fn port(&self) -> &str {
        &self.port
    }

    /// Sends one MIDI message (sent at the start of the next period).
    pub fn send(&self, message: &[u8]) {
        let _ = self.send.send(message.to_vec());
    }

    /// The ports this keyboard's output is connected to.
    pub fn connections(&self) -> Vec<String> {
        self.client.as_client().port_by_name(&self.port).map(|p| p.get_connections()).unwrap_or_default()
    }
}
