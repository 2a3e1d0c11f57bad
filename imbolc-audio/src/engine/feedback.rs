//! [`EngineFeedback`]: what the audio side shows the UI (server state,
//! meters), published through one triple buffer so the UI's reader never
//! blocks and always sees a consistent whole.
//!
//! Two threads write it: the monitor thread (status replies, meters, 20
//! times a second per strip) and the audio thread (boot, loss, removed
//! strips). They share the writer behind a mutex that only writers take;
//! each holds it for one clone of the state.

use std::sync::{Arc, Mutex, PoisonError};

use imbolc_types::Tick;

use crate::backend::Timetag;
use crate::server::ServerStats;
use crate::status::ServerState;

use super::meters::{MeterReading, Meters};
use super::priority::Scheduling;

/// Everything the UI reads from the audio side each frame.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EngineFeedback {
    pub server: ServerState,
    /// Counts servers started by this engine: 1 for the first, +1 per
    /// restart. Meters carry the generation that produced them.
    pub generation: u64,
    /// The running scsynth's pid (for diagnostics and tests).
    pub scsynth_pid: Option<u32>,
    pub meters: Meters,
    pub transport: TransportFeedback,
    /// How the audio thread is scheduled (realtime or not, and why).
    pub audio_thread: Scheduling,
    /// Play the engine stopped by itself, for the UI to follow.
    pub stopped: EngineStop,
    /// What the server refused (from any client), for the user to see.
    pub refusals: Refusals,
    /// How the graph was last sent whole to a new server.
    pub rebuild: RebuildStats,
}

/// The last rebuild of the graph on a new server, and its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RebuildStats {
    pub ops: usize,
    /// UDP datagrams the ops went out in (bundles are split only at the
    /// datagram limit).
    pub datagrams: usize,
    /// Time to encode and send them.
    pub send_micros: u64,
    /// The server's real-time memory (KB) and node limit.
    pub rt_memory_kb: u32,
    pub max_nodes: u32,
}

/// Refusals reported by the server: `/fail`s and the failures it only
/// writes to its log (a UGen that could not allocate its memory). Counted
/// across server restarts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Refusals {
    pub count: u64,
    /// The latest one, as the server put it.
    pub last: String,
}

/// Play stopped by the engine, not the user (a lost server that could not
/// be replaced in time): `count` grows by one each time, so a UI that
/// remembers the last count it saw knows to show the stop and `reason`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EngineStop {
    pub count: u64,
    pub reason: String,
}

/// The transport as the audio thread runs it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TransportFeedback {
    /// Song position (the playhead), in ticks.
    pub tick: Tick,
    pub playing: bool,
    /// Beats per minute.
    pub bpm: f32,
    /// While playing, the current tempo line (see [`TempoAnchor`]).
    pub anchor: Option<TempoAnchor>,
    /// Voices the allocator counts (held, sustained and release tails
    /// until their `/n_end`): zero some time after stop, or something hangs.
    pub voices: usize,
    /// Playing, but still in the count-in (the song has not started).
    pub counting_in: bool,
}

/// Where the current tempo line starts: play tick `t` (counted from the
/// start of play, never wrapping) sounds at `timetag + (t - play_tick) × 60
/// / (bpm × TICKS_PER_QUARTER)` seconds. A tempo change starts a new line
/// where the old one reached, so nothing already sent moves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TempoAnchor {
    /// Wall-clock (NTP) time of the anchor.
    pub timetag: Timetag,
    /// Fractional play tick at the anchor.
    pub play_tick: f64,
    pub bpm: f32,
}

/// Reader side, owned by the UI; reading never blocks.
pub type FeedbackOutput = triple_buffer::Output<EngineFeedback>;

#[derive(Debug)]
struct Inner {
    input: triple_buffer::Input<EngineFeedback>,
    /// The authoritative copy; the triple buffer's back buffer is stale.
    current: EngineFeedback,
    /// The audio driver of the running server, for `ServerState::Running`.
    driver: String,
}

/// Writer side, shared by the audio and monitor threads.
#[derive(Debug, Clone)]
pub(crate) struct Publisher {
    inner: Arc<Mutex<Inner>>,
}

impl Publisher {
    /// A publisher and its reader, starting at [`ServerState::Booting`].
    pub fn new() -> (Publisher, FeedbackOutput) {
        let initial = EngineFeedback::default();
        let (input, output) = triple_buffer::triple_buffer(&initial);
        let inner = Inner { input, current: initial, driver: String::new() };
        (Publisher { inner: Arc::new(Mutex::new(inner)) }, output)
    }

    /// Changes the state with `f` and publishes it.
    fn update(&self, f: impl FnOnce(&mut EngineFeedback, &mut String)) {
        let mut guard = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let inner = &mut *guard;
        f(&mut inner.current, &mut inner.driver);
        inner.input.input_buffer_mut().clone_from(&inner.current);
        inner.input.publish();
    }

    /// A new server generation is booting (or failed to): meters go silent.
    pub fn server_state(&self, generation: u64, state: ServerState) {
        self.update(|f, _| {
            f.generation = generation;
            if !matches!(state, ServerState::Running { .. }) {
                f.scsynth_pid = None;
                f.meters.silence();
            }
            f.server = state;
        });
    }

    /// Server `generation` is up.
    pub fn running(&self, generation: u64, stats: ServerStats, driver: String, pid: Option<u32>) {
        self.update(|f, current| {
            f.generation = generation;
            f.scsynth_pid = pid;
            f.server = ServerState::Running { stats, driver: driver.clone() };
            *current = driver;
        });
    }

    /// A status reply from server `generation` (ignored once replaced).
    pub fn status(&self, generation: u64, stats: ServerStats) {
        self.update(|f, driver| {
            if f.generation == generation && matches!(f.server, ServerState::Running { .. }) {
                f.server = ServerState::Running { stats, driver: driver.clone() };
            }
        });
    }

    /// A meter reply from server `generation` (ignored once replaced).
    pub fn meter(&self, generation: u64, reading: &MeterReading) {
        self.update(|f, _| {
            if f.generation == generation {
                f.meters.record(reading, generation);
            }
        });
    }

    /// The transport's state, when it changed.
    /// How the audio thread ended up scheduled (once, as it starts).
    pub fn audio_thread(&self, scheduling: Scheduling) {
        self.update(|f, _| f.audio_thread = scheduling);
    }

    pub fn transport(&self, transport: TransportFeedback) {
        self.update(|f, _| f.transport = transport);
    }

    /// The graph was sent whole to a new server.
    pub fn rebuilt(&self, stats: RebuildStats) {
        self.update(|f, _| f.rebuild = stats);
    }

    /// The server refused something.
    pub fn refused(&self, text: &str) {
        self.update(|f, _| {
            f.refusals.count += 1;
            text.clone_into(&mut f.refusals.last);
        });
    }

    /// Play stopped without the user asking, and why.
    pub fn stopped_play(&self, reason: String) {
        self.update(|f, _| {
            f.stopped.count += 1;
            f.stopped.reason = reason;
        });
    }

    /// The last play stop by the engine (for tests).
    #[cfg(test)]
    pub fn snapshot_stopped(&self) -> EngineStop {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner).current.stopped.clone()
    }

    /// Changes the meter table (strips removed, scene replaced).
    pub fn meters(&self, edit: impl FnOnce(&mut Meters)) {
        self.update(|f, _| edit(&mut f.meters));
    }
}

#[cfg(test)]
mod tests {
    use imbolc_types::{ChainOwner, InstrumentId};

    use super::*;

    #[test]
    fn readers_see_status_and_meters_of_the_current_generation_only() {
        let (publisher, mut output) = Publisher::new();
        assert_eq!(output.read().server, ServerState::Booting);
        publisher.running(1, ServerStats::default(), "dummy".into(), Some(42));
        let reading = MeterReading { owner: ChainOwner::Instrument(InstrumentId(3)), peak: [0.5; 2], rms: [0.3; 2] };
        publisher.meter(1, &reading);
        publisher.meter(0, &reading);
        let seen = output.read();
        assert!(seen.server.summary().starts_with("scsynth: running"));
        assert_eq!(seen.scsynth_pid, Some(42));
        assert_eq!(seen.meters.instrument(InstrumentId(3)).unwrap().updates, 1, "stale generation ignored");

        publisher.server_state(2, ServerState::Lost { reason: "gone".into() });
        publisher.status(1, ServerStats::default());
        let seen = output.read();
        assert!(matches!(seen.server, ServerState::Lost { .. }), "a late status of the old server is ignored");
        assert_eq!(seen.meters.instrument(InstrumentId(3)).unwrap().peak, [0.0; 2]);
    }
}
