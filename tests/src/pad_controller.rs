//! [`FakePads`]: a JACK MIDI client standing in for a grid pad controller
//! (a Launchpad in programmer mode): its output sends pad presses, its
//! input receives the LED messages, each kept with the wall time its
//! period was processed. It joins the server named by
//! `JACK_DEFAULT_SERVER`.

use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, unbounded};
use jack::{AsyncClient, Client, ClientOptions, Control, MidiIn, MidiOut, ProcessHandler, ProcessScope, RawMidi};

/// One message received, with the wall time (seconds since the Unix
/// epoch) of the period it came in.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    pub at: f64,
    pub bytes: Vec<u8>,
}

struct Handler {
    out: jack::Port<MidiOut>,
    input: jack::Port<MidiIn>,
    queue: Receiver<Vec<u8>>,
    received: Sender<Received>,
}

impl ProcessHandler for Handler {
    fn process(&mut self, _: &Client, ps: &ProcessScope) -> Control {
        let at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
        for m in self.input.iter(ps) {
            let _ = self.received.send(Received { at, bytes: m.bytes.to_vec() });
        }
        let mut writer = self.out.writer(ps);
        for message in self.queue.try_iter() {
            let _ = writer.write(&RawMidi { time: 0, bytes: &message });
        }
        Control::Continue
    }
}

/// See the module docs. Dropping it closes the client.
pub struct FakePads {
    name: String,
    send: Sender<Vec<u8>>,
    received: Receiver<Received>,
    client: AsyncClient<(), Handler>,
}

impl std::fmt::Debug for FakePads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakePads").field("name", &self.name).finish_non_exhaustive()
    }
}

impl FakePads {
    /// Opens client `name` with ports `out` and `in`.
    ///
    /// # Errors
    /// JACK's error when no server runs or a port cannot be registered.
    pub fn open(name: &str) -> Result<FakePads, jack::Error> {
        let (client, _) = Client::new(name, ClientOptions::NO_START_SERVER | ClientOptions::USE_EXACT_NAME)?;
        let out = client.register_port("out", MidiOut::default())?;
        let input = client.register_port("in", MidiIn::default())?;
        let (send, queue) = unbounded();
        let (received_tx, received) = unbounded();
        let client = client.activate_async((), Handler { out, input, queue, received: received_tx })?;
        Ok(FakePads { name: name.to_owned(), send, received, client })
    }

    /// Connects the pads' output to `input` and `output` to the pads'
    /// input, retrying until both ports exist (or `within` passes).
    ///
    /// # Errors
    /// JACK's last error.
    pub fn connect(&self, input: &str, output: &str, within: Duration) -> Result<(), jack::Error> {
        let deadline = Instant::now() + within;
        let c = self.client.as_client();
        let (mine_out, mine_in) = (format!("{}:out", self.name), format!("{}:in", self.name));
        loop {
            let a = c.connect_ports_by_name(&mine_out, input);
            let b = c.connect_ports_by_name(output, &mine_in);
            let ok = |r: &Result<(), jack::Error>| matches!(r, Ok(()) | Err(jack::Error::PortAlreadyConnected(..)));
            match (ok(&a), ok(&b)) {
                (true, true) => return Ok(()),
                _ if Instant::now() >= deadline => return a.and(b),
                _ => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }

    /// Sends one MIDI message (at the start of the next period).
    pub fn send(&self, message: &[u8]) {
        let _ = self.send.send(message.to_vec());
    }

    /// Messages received so far (each once).
    pub fn received(&self) -> Vec<Received> {
        self.received.try_iter().collect()
    }
}
