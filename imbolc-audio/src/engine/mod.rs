//! The audio thread and the only way into it, [`AudioHandle`].
//!
//! ```text
//!  UI / MIDI ──AudioHandle──► realtime lane (voices, transport) ─┐
//!                          └► normal lane (diffs, queries, shutdown)
//!                                                      ▼
//!        audio thread (run): Playback (Clock, Scheduler, VoiceAllocator)
//!                            SignalGraph ─► ScBackend ─► scsynth (timed bundles)
//!                           NodeRegistry ◄─ /n_go /n_end /fail ◄─┐
//!        monitor thread (inbound): /meter, /status.reply ──► triple buffer ┐
//!        audio thread: server state, transport ─────────────► triple buffer ┴► UI reads
//! ```
//!
//! - [`cmd`]: [`EngineCmd`], [`EngineConfig`], [`EngineError`].
//! - [`handle`]: the [`AudioHandle`]; `lane`: the bounded normal lane,
//!   whose backlog coalesces value changes.
//! - `run`: the loop; `restart`: server (re)start, rebuild, and play going
//!   on across a restart (`resume`); `send`: one bundle per batch (split
//!   only beyond a datagram).
//! - [`inbound`]: classifying what the server sends (fuzzed).
//! - [`registry`]: [`NodeRegistry`], node lifetimes checked against the graph.
//! - [`meters`]: `/meter` parsing and the [`Meters`] table.
//! - [`feedback`]: [`EngineFeedback`], published through triple buffers
//!   (lock-free for the audio thread).
//! - [`counters`]: [`EngineCounters`], problems counted, never fatal.
//! - `playback`: transport, scheduler and voice allocator, and the rule
//!   that keeps timed voice batches in order.
//! - [`traffic`]: the size of what crosses into the audio thread.
//! - [`priority`]: realtime scheduling of the audio thread, so a live note
//!   is not left waiting for a core.
//! - `run_views`: the views' tap on the server and its chunk reads (the
//!   analysis is in [`crate::views`]).
//! - `run_link`: following Ableton Link (tempo, bar phase, start/stop;
//!   the binding is in [`crate::link`]); `playback_link`: what playback
//!   offers it.
//! - [`live`]: [`LiveSender`], a cloneable realtime-lane sender for MIDI
//!   input (notes, pedal, bend, aftertouch, panic); `expression` applies
//!   bend and aftertouch to live voices.

pub mod cmd;
pub mod counters;
mod expression;
pub mod feedback;
mod gates;
pub mod handle;
mod horizons;
pub mod inbound;
mod lane;
pub mod live;
pub mod meters;
pub(crate) mod playback;
pub mod preview;
pub mod priority;
pub mod recorder;
pub mod registry;
mod run;
mod send;
pub mod traffic;
mod usage;

pub use cmd::{EngineCmd, EngineConfig, EngineError, TapEvent, TransportCmd, VoiceId};
pub use counters::{Counter, CounterSnapshot, EngineCounters};
pub use feedback::{
    EngineFeedback, EngineStop, FeedbackReader, LinkFeedback, RebuildStats, Refusals, TempoAnchor, TransportFeedback,
};
pub use handle::AudioHandle;
pub use inbound::{Inbound, NodeNotice, Rejected, classify};
pub use live::LiveSender;
pub use meters::{Meter, MeterError, MeterReading, Meters, meter_owner, to_dbfs};
pub use priority::Scheduling;
pub use recorder::{ActiveTake, RECORD_METER, RecordFeedback, RecordRequest};
pub use registry::{EndOutcome, LiveNode, NodeRegistry};
pub use traffic::diff_payload_bytes;
