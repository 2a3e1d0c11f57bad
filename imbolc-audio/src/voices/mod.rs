//! [`VoiceAllocator`]: the life cycle of every voice (one synth per
//! sounding note) of every instrument.
//!
//! It turns note-on, note-off, sustain pedal and stop into [`ServerOp`]s
//! built with [`SignalGraph::voice_on`] / [`SignalGraph::voice_off`] (voice
//! synths at the tail of the instrument's `voices` group, `out` = chain bus,
//! `gate 0` releases), and keeps the count honest:
//!
//! - a released voice keeps sounding its release tail and stays counted
//!   until the server reports its end ([`VoiceAllocator::on_node_end`],
//!   from `/n_end`): the server, not a timer, is the ground truth;
//! - at the polyphony limit a voice is stolen with `/n_free` in the same
//!   batch as the new `/s_new`, so the limit holds on the server at every
//!   moment. Victims: releasing voices first, then voices held only by the
//!   pedal, then held ones, picked by the instrument's [`StealStrategy`];
//! - mono mode keeps a stack of held keys (last note priority); legato
//!   glides the sounding voice (`/n_set freq`) instead of retriggering;
//! - with the pedal down, released keys keep their voices until pedal up;
//! - per-voice control buses (when configured) come from a pool and return
//!   to it when the voice's node ends, so they are reused, never leaked;
//! - one-shot voices (drum hits, samples: synths that free themselves) go
//!   through [`VoiceAllocator::trigger`]: counted and stealable, never
//!   gated.
//!
//! Pure: no I/O. Every method appends the ops to send (as one batch) to an
//! `out` vector.
//!
//! [`StealStrategy`]: imbolc_types::StealStrategy
//! [`ServerOp`]: crate::backend::ServerOp
//! [`SignalGraph::voice_on`]: crate::graph::SignalGraph::voice_on
//! [`SignalGraph::voice_off`]: crate::graph::SignalGraph::voice_off

mod alloc;
mod mono;
mod steal;
#[cfg(test)]
mod tests;

use imbolc_types::InstrumentId;

pub use alloc::VoiceAllocator;

use crate::backend::{ControlName, NodeId};
use crate::graph::GraphError;

/// Highest polyphony an instrument may ask for.
pub const MAX_POLYPHONY: u16 = 256;

/// Allocator settings shared by all instruments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoiceConfig {
    /// First control bus of the per-voice pool. Must not overlap the
    /// graph's own control buses (LFOs start at
    /// `GraphConfig::first_control_bus`); scsynth has 16384 by default.
    pub first_voice_bus: u32,
    /// When set, every voice gets its own control bus from the pool, passed
    /// to its synth as this control (e.g. per-voice modulation).
    pub voice_bus_control: Option<ControlName>,
}

impl Default for VoiceConfig {
    fn default() -> Self {
        VoiceConfig { first_voice_bus: 8192, voice_bus_control: None }
    }
}

/// Where a voice is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VoiceState {
    /// Gate off sent, or a one-shot (see [`VoiceAllocator::trigger`]):
    /// sounding its tail until `/n_end`. Ordered first: the cheapest voice
    /// to steal.
    Releasing,
    /// Key up while the pedal is down: held by the pedal.
    Sustained,
    /// Key down.
    Held,
}

/// One voice: a synth node playing one note.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Voice {
    pub node: NodeId,
    /// MIDI note it plays now (legato glides change it).
    pub pitch: u8,
    /// MIDI velocity it was started with.
    pub velocity: u8,
    /// Start order (higher = newer), for "oldest" stealing.
    pub seq: u64,
    pub state: VoiceState,
    /// Its control bus from the pool, if the config asks for one.
    pub bus: Option<u32>,
}

/// A voice request the graph cannot serve. Nothing was sent.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VoiceError {
    /// The instrument is not in the graph (deleted, or not yet added): the
    /// note is dropped; nothing to retry.
    #[error("unknown instrument {0}")]
    UnknownInstrument(InstrumentId),
    /// Any other refusal of the graph (its copy disagrees with the caller).
    #[error(transparent)]
    Graph(#[from] GraphError),
}
