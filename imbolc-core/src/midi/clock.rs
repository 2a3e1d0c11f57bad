//! [`ClockOut`] through midir, used without JACK (`alsa-midi`; with JACK,
//! [`super::jack_out`] replaces it): MIDI clock (24 ticks per quarter note) and start/stop on
//! an output port (`imbolc-clock:clock_out` with the JACK backend) while
//! the transport plays. A thread computes each tick's wall time from the
//! engine's tempo line (not by counting sleeps), so the rate is exact on
//! average and follows tempo changes; JACK writes each event at the start
//! of the next period, which bounds one tick's jitter by a period.

use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, unbounded};
use imbolc_audio::engine::{TempoAnchor, TransportFeedback};
use midir::MidiOutput;
use midir::os::unix::VirtualOutput;

use super::MidiError;
use super::clock_line::TICKS_PER_CLOCK;
use super::timebase::{play_tick_at, wall_at, wall_now};

/// JACK client and port of the clock output.
pub const CLOCK_CLIENT: &str = "imbolc-clock";
pub const CLOCK_PORT: &str = "clock_out";
/// Longest sleep, so transport changes are seen quickly.
const MAX_SLEEP: Duration = Duration::from_millis(10);

const CLOCK: u8 = 0xF8;
const START: u8 = 0xFA;
const STOP: u8 = 0xFC;

/// What the clock thread follows.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Line {
    playing: bool,
    anchor: Option<TempoAnchor>,
}

/// The clock output and its thread; dropping it stops both.
#[derive(Debug)]
pub struct ClockOut {
    updates: Option<Sender<Line>>,
    last: std::cell::Cell<Option<Line>>,
    thread: Option<JoinHandle<()>>,
}

impl ClockOut {
    /// Registers the port and starts the thread.
    ///
    /// # Errors
    /// [`MidiError::Init`] or [`MidiError::Port`] as for the input.
    pub fn open(offset_ms: f32) -> Result<ClockOut, MidiError> {
        let offset = f64::from(offset_ms.clamp(-50.0, 50.0)) / 1000.0;
        let (tx, rx) = unbounded();
        let (ready_tx, ready_rx) = crossbeam_channel::bounded(1);
        let thread = std::thread::Builder::new()
            .name("imbolc-midi-clock".into())
            .spawn(move || {
                let port = MidiOutput::new(CLOCK_CLIENT)
                    .map_err(|e| MidiError::Init(e.to_string()))
                    .and_then(|o| o.create_virtual(CLOCK_PORT).map_err(|e| MidiError::Port(e.kind().to_string())));
                match port {
                    Ok(mut conn) => {
                        let _ = ready_tx.send(Ok(()));
                        run(&rx, offset, |bytes| {
                            if let Err(e) = conn.send(bytes) {
                                tracing::warn!("MIDI clock send failed: {e}");
                            }
                        });
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            })
            .map_err(|e| MidiError::Init(e.to_string()))?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(ClockOut { updates: Some(tx), last: std::cell::Cell::new(None), thread: Some(thread) }),
            Ok(Err(e)) => {
                let _ = thread.join();
                Err(e)
            }
            Err(_) => Err(MidiError::Init("the clock thread ended".into())),
        }
    }

    /// The transport as published; only changes reach the thread.
    pub fn observe(&self, transport: &TransportFeedback) {
        let line = Line { playing: transport.playing, anchor: transport.anchor };
        if self.last.get() != Some(line) {
            self.last.set(Some(line));
            if let Some(tx) = &self.updates {
                let _ = tx.send(line);
            }
        }
    }
}

impl Drop for ClockOut {
    fn drop(&mut self) {
        self.updates = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The thread: sends ticks on the current line until the sender is dropped.
fn run(updates: &Receiver<Line>, offset: f64, mut send: impl FnMut(&[u8])) {
    let mut line = Line { playing: false, anchor: None };
    let mut next: i64 = 0;
    loop {
        let wait = match (line.playing, line.anchor) {
            (true, Some(anchor)) => {
                let due = wall_at(&anchor, next as f64 * TICKS_PER_CLOCK) + offset;
                let now = wall_now();
                if due <= now + 0.000_2 {
                    if next == 0 {
                        send(&[START]);
                    }
                    send(&[CLOCK]);
                    next += 1;
                    continue;
                }
                Duration::from_secs_f64(due - now).min(MAX_SLEEP)
            }
            _ => Duration::from_millis(100),
        };
        match updates.recv_timeout(wait) {
            Ok(new) => {
                if line.playing && !new.playing {
                    send(&[STOP]);
                }
                if let (true, Some(anchor)) = (new.playing, new.anchor) {
                    // From the next tick not yet due on the new line.
                    let now_tick = play_tick_at(&anchor, wall_now());
                    let first = if line.playing { (now_tick / TICKS_PER_CLOCK).ceil().max(0.0) as i64 } else { 0 };
                    if !line.playing && now_tick > TICKS_PER_CLOCK {
                        // Play started well before we heard of it.
                        send(&[START]);
                        next = (now_tick / TICKS_PER_CLOCK).ceil() as i64;
                    } else {
                        next = first;
                    }
                }
                line = new;
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}
