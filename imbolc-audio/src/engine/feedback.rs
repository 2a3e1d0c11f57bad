//! [`EngineFeedback`]: what the audio side shows the UI (server state,
//! transport, meters). The UI's reader never blocks and always sees a
//! consistent whole.
//!
//! Two kinds of threads write it, each through its own triple buffer:
//! - the audio thread (boot, loss, transport, scheduling): no lock at all.
//!   It runs at realtime priority, and a lock shared with a normal thread
//!   is a priority inversion: when the holder is preempted on a busy
//!   machine, the audio thread waits for it (measured before the split:
//!   timed bundles sent up to 65 ms after their time at a load of 7).
//! - the monitor threads (status replies, meters, 20 times a second per
//!   strip), one per server generation, behind a mutex only they take.
//!
//! The audio thread's meter edits (a strip removed, a new scene) reach the
//! monitor side over a channel and are applied with its next update; the
//! reader merges both sides when either changed.

use std::sync::{Arc, Mutex, PoisonError};

use crossbeam_channel::{Receiver, Sender, unbounded};
use imbolc_types::{ChainOwner, Tick};

use crate::backend::Timetag;
use crate::server::ServerStats;
use crate::server::jack::JackSetup;
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
    /// The take being recorded and how the last one ended.
    pub recording: super::recorder::RecordFeedback,
    /// The clip launcher's columns that are launched or queued.
    pub launcher: Vec<crate::scheduler::ColumnFeedback>,
    /// The launches of the current (or last) run of the transport, for
    /// capture into the arrangement (shared: published only when it grows).
    pub performance: Arc<imbolc_types::Performance>,
    /// Ableton Link, when the user turned it on.
    pub link: LinkFeedback,
}

/// Ableton Link as the audio thread follows it (see `crate::link`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LinkFeedback {
    pub enabled: bool,
    /// Other apps in the session.
    pub peers: u64,
    /// The session's tempo (quarters per minute).
    pub tempo: f64,
    /// Counts tempo changes that came from other peers: a UI that
    /// remembers the count it saw knows to take `tempo` into the project.
    /// Our own changes sent to the session do not count.
    pub peer_tempo_changes: u64,
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

/// What the audio thread owns.
#[derive(Debug, Clone, PartialEq, Default)]
struct AudioSide {
    server: ServerState,
    generation: u64,
    scsynth_pid: Option<u32>,
    transport: TransportFeedback,
    audio_thread: Scheduling,
    stopped: EngineStop,
    rebuild: RebuildStats,
    recording: super::recorder::RecordFeedback,
    launcher: Vec<crate::scheduler::ColumnFeedback>,
    performance: Arc<imbolc_types::Performance>,
    link: LinkFeedback,
}

/// What the monitor threads own: the latest status and meters, and the
/// generation of the server that sent them; refusals of every generation.
#[derive(Debug, Clone, PartialEq, Default)]
struct MonitorSide {
    generation: u64,
    stats: Option<ServerStats>,
    meters: Meters,
    refusals: Refusals,
}

/// A change to the meter table asked for by the audio thread.
#[derive(Debug, Clone, Copy, PartialEq)]
enum MeterEdit {
    Remove(ChainOwner),
    Clear,
}

/// Writer side of the audio thread: never takes a lock.
#[derive(Debug)]
pub(crate) struct Publisher {
    input: triple_buffer::Input<AudioSide>,
    current: AudioSide,
    edits: Sender<MeterEdit>,
    monitor: MonitorPublisher,
}

/// Writer side of the monitor threads (cloned for each server generation).
#[derive(Debug, Clone)]
pub(crate) struct MonitorPublisher {
    inner: Arc<Mutex<MonitorInner>>,
}

#[derive(Debug)]
struct MonitorInner {
    input: triple_buffer::Input<MonitorSide>,
    current: MonitorSide,
    edits: Receiver<MeterEdit>,
}

/// Reader side, owned by the UI; reading never blocks.
#[derive(Debug)]
pub struct FeedbackReader {
    audio: triple_buffer::Output<AudioSide>,
    monitor: triple_buffer::Output<MonitorSide>,
    merged: EngineFeedback,
}

impl Publisher {
    /// A publisher and its reader, starting at [`ServerState::Booting`].
    pub fn new() -> (Publisher, FeedbackReader) {
        let (input, audio) = triple_buffer::triple_buffer(&AudioSide::default());
        let (monitor_input, monitor) = triple_buffer::triple_buffer(&MonitorSide::default());
        let (edits, edits_rx) = unbounded();
        let inner = MonitorInner { input: monitor_input, current: MonitorSide::default(), edits: edits_rx };
        let monitor_publisher = MonitorPublisher { inner: Arc::new(Mutex::new(inner)) };
        let publisher = Publisher { input, current: AudioSide::default(), edits, monitor: monitor_publisher };
        (publisher, FeedbackReader { audio, monitor, merged: EngineFeedback::default() })
    }

    /// The writer to hand to a server generation's monitor thread.
    pub fn monitor(&self) -> MonitorPublisher {
        self.monitor.clone()
    }

    fn update(&mut self, f: impl FnOnce(&mut AudioSide)) {
        f(&mut self.current);
        self.input.input_buffer_mut().clone_from(&self.current);
        self.input.publish();
    }

    /// A new server generation is booting (or failed to, or was lost).
    pub fn server_state(&mut self, generation: u64, state: ServerState) {
        self.update(|f| {
            f.generation = generation;
            if !matches!(state, ServerState::Running { .. }) {
                f.scsynth_pid = None;
            }
            f.server = state;
        });
    }

    /// Server `generation` is up.
    pub fn running(&mut self, generation: u64, stats: ServerStats, jack: JackSetup, pid: Option<u32>) {
        self.update(|f| {
            f.generation = generation;
            f.scsynth_pid = pid;
            f.server = ServerState::Running { stats, jack };
        });
    }

    /// How the audio thread ended up scheduled (once, as it starts).
    pub fn audio_thread(&mut self, scheduling: Scheduling) {
        self.update(|f| f.audio_thread = scheduling);
    }

    /// The transport's state, when it changed.
    pub fn transport(&mut self, transport: TransportFeedback) {
        self.update(|f| f.transport = transport);
    }

    /// The clip launcher's columns, when they changed.
    pub fn launcher(&mut self, columns: &[crate::scheduler::ColumnFeedback]) {
        self.update(|f| {
            f.launcher.clear();
            f.launcher.extend_from_slice(columns);
        });
    }

    /// The performance, when it changed (a launch took effect, play
    /// started or stopped).
    pub fn performance(&mut self, performance: &imbolc_types::Performance) {
        let shared = Arc::new(performance.clone());
        self.update(|f| f.performance = shared);
    }

    /// Ableton Link's state, when it changed.
    pub fn link(&mut self, link: LinkFeedback) {
        self.update(|f| f.link = link);
    }

    /// The graph was sent whole to a new server.
    pub fn rebuilt(&mut self, stats: RebuildStats) {
        self.update(|f| f.rebuild = stats);
    }

    /// The recorder's state, when it changed.
    pub fn recording(&mut self, f: impl FnOnce(&mut super::recorder::RecordFeedback)) {
        self.update(|side| f(&mut side.recording));
    }

    /// Play stopped without the user asking, and why.
    pub fn stopped_play(&mut self, reason: String) {
        self.update(|f| {
            f.stopped.count += 1;
            f.stopped.reason = reason;
        });
    }

    /// The last play stop by the engine (for tests).
    #[cfg(test)]
    pub fn snapshot_stopped(&self) -> EngineStop {
        self.current.stopped.clone()
    }

    /// Forgets a strip that no longer exists.
    pub fn remove_meter(&self, owner: ChainOwner) {
        // Fails only when the monitor side is gone with the reader.
        let _ = self.edits.send(MeterEdit::Remove(owner));
    }

    /// Forgets every strip (a new scene).
    pub fn clear_meters(&self) {
        let _ = self.edits.send(MeterEdit::Clear);
    }
}

impl MonitorPublisher {
    fn update(&self, generation: u64, f: impl FnOnce(&mut MonitorSide)) {
        let mut guard = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let inner = &mut *guard;
        if generation < inner.current.generation {
            return;
        }
        inner.current.generation = generation;
        inner.publish(f);
    }

    /// A status reply from server `generation` (ignored once replaced).
    pub fn status(&self, generation: u64, stats: ServerStats) {
        self.update(generation, |f| f.stats = Some(stats));
    }

    /// A meter reply from server `generation` (ignored once replaced).
    pub fn meter(&self, generation: u64, reading: &MeterReading) {
        self.update(generation, |f| f.meters.record(reading, generation));
    }

    /// The server refused something (counted whichever server said so).
    pub fn refused(&self, text: &str) {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner).publish(|f| {
            f.refusals.count += 1;
            text.clone_into(&mut f.refusals.last);
        });
    }
}

impl MonitorInner {
    /// Applies the audio thread's meter edits and `f`, and publishes.
    fn publish(&mut self, f: impl FnOnce(&mut MonitorSide)) {
        for edit in self.edits.try_iter() {
            match edit {
                MeterEdit::Remove(owner) => self.current.meters.remove(owner),
                MeterEdit::Clear => self.current.meters.clear(),
            }
        }
        f(&mut self.current);
        self.input.input_buffer_mut().clone_from(&self.current);
        self.input.publish();
    }
}

impl FeedbackReader {
    /// The latest feedback of both sides: a running server shows its latest
    /// status; meters of another generation than the running server's show
    /// as silent.
    pub fn read(&mut self) -> &EngineFeedback {
        let audio_changed = self.audio.update();
        let monitor_changed = self.monitor.update();
        if audio_changed || monitor_changed {
            let audio = self.audio.output_buffer();
            let monitor = self.monitor.output_buffer();
            let merged = &mut self.merged;
            merged.server.clone_from(&audio.server);
            merged.generation = audio.generation;
            merged.scsynth_pid = audio.scsynth_pid;
            merged.transport = audio.transport;
            merged.audio_thread = audio.audio_thread;
            merged.stopped.clone_from(&audio.stopped);
            merged.rebuild = audio.rebuild;
            merged.recording.clone_from(&audio.recording);
            merged.launcher.clone_from(&audio.launcher);
            merged.performance = Arc::clone(&audio.performance);
            merged.link = audio.link;
            merged.refusals.clone_from(&monitor.refusals);
            merged.meters.clone_from(&monitor.meters);
            let current = monitor.generation == audio.generation;
            match &mut merged.server {
                ServerState::Running { stats, .. } if current => {
                    if let Some(latest) = monitor.stats {
                        *stats = latest;
                    }
                }
                ServerState::Running { .. } => {}
                _ => merged.meters.silence(),
            }
            if !current {
                merged.meters.silence();
            }
        }
        &self.merged
    }
}

#[cfg(test)]
mod tests {
    use imbolc_types::{ChainOwner, InstrumentId};

    use super::*;

    #[test]
    fn readers_see_status_and_meters_of_the_current_generation_only() {
        let (mut publisher, mut output) = Publisher::new();
        let monitor = publisher.monitor();
        assert_eq!(output.read().server, ServerState::Booting);
        publisher.running(1, ServerStats::default(), JackSetup::default(), Some(42));
        let reading = MeterReading {
            owner: ChainOwner::Instrument(InstrumentId(3)),
            peak: [0.5; 2],
            rms: [0.3; 2],
            pre_limit: None,
        };
        monitor.meter(1, &reading);
        monitor.meter(0, &reading);
        let busy = ServerStats { ugens: 7, ..ServerStats::default() };
        monitor.status(1, busy);
        let seen = output.read();
        assert!(seen.server.summary().starts_with("scsynth: running"));
        assert!(matches!(seen.server, ServerState::Running { stats, .. } if stats == busy), "latest status shown");
        assert_eq!(seen.scsynth_pid, Some(42));
        assert_eq!(seen.meters.instrument(InstrumentId(3)).unwrap().updates, 1, "stale generation ignored");

        publisher.server_state(2, ServerState::Lost { reason: "gone".into() });
        monitor.status(1, ServerStats::default());
        let seen = output.read();
        assert!(matches!(seen.server, ServerState::Lost { .. }), "a late status of the old server is ignored");
        assert_eq!(seen.meters.instrument(InstrumentId(3)).unwrap().peak, [0.0; 2]);
    }

    #[test]
    fn meter_edits_of_the_audio_thread_apply_with_the_next_monitor_update() {
        let (mut publisher, mut output) = Publisher::new();
        let monitor = publisher.monitor();
        publisher.running(1, ServerStats::default(), JackSetup::default(), None);
        let strip = |id| MeterReading {
            owner: ChainOwner::Instrument(InstrumentId(id)),
            peak: [0.5; 2],
            rms: [0.3; 2],
            pre_limit: None,
        };
        monitor.meter(1, &strip(1));
        monitor.meter(1, &strip(2));
        publisher.remove_meter(ChainOwner::Instrument(InstrumentId(1)));
        monitor.meter(1, &strip(2));
        let seen = output.read();
        assert!(seen.meters.instrument(InstrumentId(1)).is_none(), "removed strip forgotten");
        assert_eq!(seen.meters.instrument(InstrumentId(2)).unwrap().updates, 2);
        publisher.clear_meters();
        monitor.status(1, ServerStats::default());
        assert_eq!(output.read().meters.instrument_count(), 0, "a new scene starts with no meters");
    }
}
