//! [`JackMidiOut`]: Imbolc's MIDI output as a JACK client of its own
//! (`imbolc-clock:clock_out`), so that every byte goes out at its own
//! frame within a JACK period instead of at the start of the next one.
//!
//! ```text
//!  UI frame: observe(transport) ─┐ bounded channel (try_send: the UI never
//!  set_offset_ms / send(bytes) ──┤ waits; try_recv: the callback never does)
//!                                ▼
//!  JACK process callback: ClockLine (tempo line → tick frames) → port
//! ```
//!
//! The callback notes the wall time it woke up at; a [`FrameLine`] fitted
//! to the floor of those wake-ups (a late wake-up moves nothing, frames
//! the driver lost are made up slowly) gives each frame's wall time, and
//! each clock tick, start, continue, song position and stop goes out at
//! the frame where its wall time falls (see [`super::clock_line`]). Other messages
//! ([`JackMidiOut::send`], e.g. pad LEDs) go out at the next period's
//! first frame. Nothing in the callback allocates or blocks.

use std::cell::Cell;

use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};
use imbolc_audio::engine::{TempoAnchor, TransportFeedback};
use jack::{AsyncClient, Client, ClientOptions, Control, MidiOut, Port, ProcessHandler, ProcessScope, RawMidi};

use super::MidiError;
use super::clock::{CLOCK_CLIENT, CLOCK_PORT};
use super::clock_line::{ClockLine, Line};
use super::frame_line::FrameLine;
use super::timebase::{play_tick_at, wall_now};

/// Messages queued between UI frames (the callback takes them every period).
const QUEUE: usize = 256;
/// Short messages held for one period (beyond, they wait for the next).
const RAW_PER_PERIOD: usize = 64;

/// What the UI side tells the callback.
#[derive(Debug, Clone, Copy)]
enum Msg {
    Line(Line),
    Offset(f64),
    Raw([u8; 3], u8),
}

/// The JACK MIDI output; dropping it closes the client.
pub struct JackMidiOut {
    tx: Sender<Msg>,
    last: Cell<Option<(bool, Option<TempoAnchor>)>>,
    port: String,
    _client: AsyncClient<(), Process>,
}

impl std::fmt::Debug for JackMidiOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JackMidiOut").field("port", &self.port).finish()
    }
}

impl JackMidiOut {
    /// Opens the client on the JACK server named by `JACK_DEFAULT_SERVER`
    /// (else `default`) and registers the port; `offset_ms` shifts all
    /// clock output (clamped to ±50 ms).
    ///
    /// # Errors
    /// [`MidiError::Init`] when no JACK client can be opened (no server),
    /// [`MidiError::Port`] when the port cannot be registered.
    pub fn open(offset_ms: f32) -> Result<JackMidiOut, MidiError> {
        let (client, _) =
            Client::new(CLOCK_CLIENT, ClientOptions::NO_START_SERVER).map_err(|e| MidiError::Init(e.to_string()))?;
        let port = client.register_port(CLOCK_PORT, MidiOut::default()).map_err(|e| MidiError::Port(e.to_string()))?;
        let name = port.name().map_err(|e| MidiError::Port(e.to_string()))?;
        let (tx, rx) = bounded(QUEUE);
        let mut clock = ClockLine::default();
        clock.set_offset(f64::from(offset_ms) / 1000.0);
        let process = Process { port, rx, clock, frames: FrameLine::default(), raw: [([0; 3], 0); RAW_PER_PERIOD] };
        let client = client.activate_async((), process).map_err(|e| MidiError::Init(e.to_string()))?;
        Ok(JackMidiOut { tx, last: Cell::new(None), port: name, _client: client })
    }

    /// Full name of the port (`imbolc-clock:clock_out`).
    pub fn port_name(&self) -> &str {
        &self.port
    }

    /// The transport as published; only changes reach the callback.
    pub fn observe(&self, transport: &TransportFeedback) {
        let key = (transport.playing, transport.anchor);
        if self.last.get() == Some(key) {
            return;
        }
        let was_playing = self.last.get().is_some_and(|(p, _)| p);
        self.last.set(Some(key));
        // Where play started in the song, for a song-position message:
        // the playhead less what has played since (seen at the first
        // frame after play, before any loop wrap).
        let song_start = match (was_playing, transport.anchor) {
            (false, Some(a)) => (f64::from(transport.tick) - play_tick_at(&a, wall_now()).max(0.0)).max(0.0),
            _ => 0.0,
        };
        let line = Line { playing: transport.playing, anchor: transport.anchor, song_start };
        self.push(Msg::Line(line));
    }

    /// Sets the clock-out offset in milliseconds (±50; positive is later).
    pub fn set_offset_ms(&self, ms: f32) {
        self.push(Msg::Offset(f64::from(ms) / 1000.0));
    }

    /// Queues a short message (1 to 3 bytes, e.g. a note on for a pad LED)
    /// for the next period. False when it is not 1–3 bytes or the queue is
    /// full.
    pub fn send(&self, bytes: &[u8]) -> bool {
        let mut raw = [0u8; 3];
        match bytes.len() {
            1..=3 => raw[..bytes.len()].copy_from_slice(bytes),
            _ => return false,
        }
        self.tx.try_send(Msg::Raw(raw, bytes.len() as u8)).is_ok()
    }

    fn push(&self, msg: Msg) {
        if let Err(TrySendError::Full(_)) = self.tx.try_send(msg) {
            tracing::warn!("MIDI out queue full; a transport change was dropped");
        }
    }
}

/// The callback's state.
struct Process {
    port: Port<MidiOut>,
    rx: Receiver<Msg>,
    clock: ClockLine,
    frames: FrameLine,
    raw: [([u8; 3], u8); RAW_PER_PERIOD],
}

impl ProcessHandler for Process {
    fn process(&mut self, client: &Client, ps: &ProcessScope) -> Control {
        // The wall time this period's callback woke up at: never before
        // its first frame, sometimes milliseconds after it.
        let woke = wall_now();
        let rate = client.sample_rate() as f64;
        let period = self.frames.period(ps.last_frame_time(), ps.n_frames(), woke, rate);
        let mut raws = 0;
        while raws < RAW_PER_PERIOD {
            match self.rx.try_recv() {
                Ok(Msg::Line(line)) => self.clock.follow(line, period.start),
                Ok(Msg::Offset(secs)) => self.clock.set_offset(secs),
                Ok(Msg::Raw(bytes, len)) => {
                    self.raw[raws] = (bytes, len);
                    raws += 1;
                }
                Err(_) => break,
            }
        }
        let mut writer = self.port.writer(ps);
        for (bytes, len) in &self.raw[..raws] {
            let _ = writer.write(&RawMidi { time: 0, bytes: &bytes[..usize::from(*len)] });
        }
        self.clock.run(&period, |time, bytes| {
            let _ = writer.write(&RawMidi { time, bytes });
        });
        Control::Continue
    }
}
