//! [`EngineCmd`]: the messages the audio thread accepts, and the settings
//! and errors of the engine.

use crossbeam_channel::Sender;
use imbolc_types::{AudioDiff, InstrumentId};
use rosc::OscMessage;

use crate::graph::GraphConfig;
use crate::server::ServerConfig;

/// A sounding voice, named by the caller's side so a note-off can be sent
/// before the audio thread has created the node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VoiceId(pub u64);

/// One command to the audio thread.
#[derive(Debug, Clone)]
pub enum EngineCmd {
    /// Realtime lane: start a sustained voice.
    VoiceOn { voice: VoiceId, instrument: InstrumentId, freq: f32, velocity: f32 },
    /// Realtime lane: release a voice (it frees itself after its release).
    VoiceOff { voice: VoiceId },
    /// Normal lane: changes to apply in order, one bundle each.
    Diffs(Vec<AudioDiff>),
    /// Normal lane: the server's whole node tree with controls; the
    /// `/g_queryTree.reply` is sent back on the channel, which is dropped
    /// instead when there is no server.
    QueryTree(Sender<OscMessage>),
    /// Either lane: stop the server and end the thread.
    Shutdown,
}

/// Settings of the engine.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub server: ServerConfig,
    /// Capacity of the realtime lane; a full lane drops voices (counted)
    /// rather than block the caller.
    pub realtime_capacity: usize,
}

impl EngineConfig {
    /// Defaults for `server`.
    pub fn new(server: ServerConfig) -> Self {
        EngineConfig { server, realtime_capacity: 1024 }
    }

    /// Where the graph may put its nodes and buses on this server.
    pub fn graph_config(&self) -> GraphConfig {
        GraphConfig {
            first_private_bus: self.server.first_private_bus(),
            first_control_bus: 0,
            first_node_id: 1000,
            hardware_out: 0,
        }
    }
}

/// Why a command could not be handed to the audio thread.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The audio thread could not be started; the system is out of
    /// threads or memory. Retrying rarely helps.
    #[error("could not start the audio thread: {0}")]
    Spawn(#[from] std::io::Error),
    /// The audio thread has ended (shut down, or it died): nothing will
    /// play until a new engine is started.
    #[error("the audio thread is not running")]
    Stopped,
    /// The realtime lane is full (the audio thread is stalled, e.g. booting
    /// a server); the voice was dropped. Later notes may get through.
    #[error("the audio thread is busy; a voice was dropped")]
    Busy,
}
