//! The audio thread and the only way into it, [`AudioHandle`].
//!
//! ```text
//!  UI / MIDI ──AudioHandle──► realtime lane (voices)  ─┐
//!                          └► normal lane (diffs, queries, shutdown)
//!                                                      ▼
//!        audio thread (run): SignalGraph ─► ScBackend ─► scsynth
//!                           NodeRegistry ◄─ /n_go /n_end /fail ◄─┐
//!        monitor thread (inbound): /meter, /status.reply ──► triple buffer
//!                                        (EngineFeedback) ──► UI reads
//! ```
//!
//! - [`cmd`]: [`EngineCmd`], [`EngineConfig`], [`EngineError`].
//! - [`handle`]: the [`AudioHandle`].
//! - `run`: the loop, server (re)start and rebuild; `send`: one bundle per
//!   batch (split only beyond a datagram).
//! - [`inbound`]: classifying what the server sends (fuzzed).
//! - [`registry`]: [`NodeRegistry`], node lifetimes checked against the graph.
//! - [`meters`]: `/meter` parsing and the [`Meters`] table.
//! - [`feedback`]: [`EngineFeedback`], published through a triple buffer.
//! - [`counters`]: [`EngineCounters`], problems counted, never fatal.

pub mod cmd;
pub mod counters;
pub mod feedback;
pub mod handle;
pub mod inbound;
pub mod meters;
pub mod registry;
mod run;
mod send;

pub use cmd::{EngineCmd, EngineConfig, EngineError, VoiceId};
pub use counters::{Counter, CounterSnapshot, EngineCounters};
pub use feedback::{EngineFeedback, FeedbackOutput};
pub use handle::AudioHandle;
pub use inbound::{Inbound, NodeNotice, Rejected, classify};
pub use meters::{Meter, MeterError, MeterReading, Meters, meter_owner, to_dbfs};
pub use registry::{EndOutcome, LiveNode, NodeRegistry};
