//! [`EngineCmd`]: the messages the audio thread accepts, and the settings
//! and errors of the engine.

use crossbeam_channel::Sender;
use imbolc_types::{AudioDiff, InstrumentId, Tick};
use rosc::OscMessage;

use crate::backend::{NodeId, ServerOp, Timing};
use crate::graph::GraphConfig;
use crate::scheduler::{LoopRegion, PlayMode, SchedulerConfig};
use crate::server::ServerConfig;
use crate::voices::VoiceConfig;

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
    /// Realtime lane: a transport command.
    Transport(TransportCmd),
    /// Normal lane: changes to apply in order, one bundle each.
    Diffs(Vec<AudioDiff>),
    /// Normal lane: the server's whole node tree with controls; the
    /// `/g_queryTree.reply` is sent back on the channel, which is dropped
    /// instead when there is no server.
    QueryTree(Sender<OscMessage>),
    /// Either lane: stop the server and end the thread.
    Shutdown,
    /// Realtime lane: sustain pedal of an instrument down or up.
    Pedal { instrument: InstrumentId, down: bool },
    /// Realtime lane: pitch bend of every voice of an instrument, -1..=1 of
    /// its bend range (`VoiceSettings::bend_range`).
    Bend { instrument: InstrumentId, amount: f32 },
    /// Realtime lane: channel aftertouch on an instrument's live voices, 0..=1.
    Pressure { instrument: InstrumentId, amount: f32 },
    /// Realtime lane: polyphonic aftertouch on one live voice, 0..=1.
    VoicePressure { voice: VoiceId, amount: f32 },
    /// Realtime lane: panic, release every voice (play goes on).
    ReleaseAll,
    /// Realtime lane: play this sound file once at the master's input
    /// (replacing the preview sounding), or stop the preview (`None`).
    Preview(Option<String>),
    /// Realtime lane: start a take (`Some`) or stop the one running
    /// (`None`); see `engine::recorder`.
    Record(Option<super::recorder::RecordRequest>),
    /// Realtime lane: the clip launcher's slots, follow actions and seed,
    /// sent before launches (follow actions choose among the slots).
    LauncherGrid(Box<imbolc_types::Launcher>),
    /// Realtime lane: watch this target's sound in the views (scope,
    /// spectrum, loudness), replacing the one watched; `None` closes the
    /// view (its tap leaves the server). See [`crate::views`].
    View(Option<imbolc_types::ChainOwner>),
    /// Realtime lane: join (`true`) or leave the Ableton Link session on
    /// the network (see `engine::run_link`).
    Link(bool),
    /// Realtime lane: with Link on, follow the session's tempo without
    /// sending it ours (`true`: a collaborator's engine, whose tempo edits
    /// come from the host, which alone sends them to the session).
    LinkFollowOnly(bool),
}

/// Transport commands. State lives on the audio thread and is shown in
/// `EngineFeedback::transport`; it is never written back to the project.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TransportCmd {
    /// Play from the current position (one lookahead from now).
    Play,
    /// Stop, release every voice, and return to where play started.
    Stop,
    /// Stop and release every voice, keeping the position.
    Pause,
    /// Move the song position; while playing, play goes on from there.
    Seek(Tick),
    /// Beats per minute; while playing it takes effect within a lookahead.
    SetTempo(f32),
    /// Loop region in song ticks (`None`: no loop).
    SetLoop(Option<LoopRegion>),
    /// Song or pattern mode.
    SetMode(PlayMode),
    /// Metronome clicks on every beat while playing.
    SetMetronome(bool),
    /// Bars of clicks (0, 1 or 2) before the song starts on the next play.
    SetCountIn(u8),
    /// A clip launcher launch or stop, at its next boundary.
    Launch(crate::scheduler::Launch),
    /// Beats per minute from the next bar line (tap tempo); stopped: at
    /// once. The project's tempo edit that follows waits with it.
    TempoAtBar(f32),
    /// Push the music faster (`true`) or hold it back for one beat.
    Nudge(bool),
}

/// What the engine reports on its tap (see [`EngineConfig::tap`]).
#[derive(Debug, Clone, PartialEq)]
pub enum TapEvent {
    /// A voice batch sent to the server as one bundle; `at` is when the
    /// send returned, so latency can be measured without the tap's reader
    /// having to wake up in time.
    Sent { timing: Timing, ops: Vec<ServerOp>, at: std::time::Instant },
    /// The server's `/n_go` for a node.
    Go(NodeId),
    /// The server's `/n_end` for a node.
    End(NodeId),
}

/// Settings of the engine.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub server: ServerConfig,
    /// Capacity of the realtime lane; a full lane drops voices (counted)
    /// rather than block the caller.
    pub realtime_capacity: usize,
    pub scheduler: SchedulerConfig,
    /// Diagnostics and tests: every voice batch (with its timetag) and
    /// every node start and end, as the audio thread sees them. Unbounded,
    /// so only for a reader that keeps up; `None` costs nothing.
    pub tap: Option<Sender<TapEvent>>,
    /// Ask for realtime scheduling of the audio thread (see
    /// [`super::priority`]); refused quietly without permission.
    pub realtime_thread: bool,
}

impl EngineConfig {
    /// Defaults for `server`.
    pub fn new(server: ServerConfig) -> Self {
        EngineConfig {
            server,
            realtime_capacity: 1024,
            scheduler: SchedulerConfig::default(),
            tap: None,
            realtime_thread: true,
        }
    }

    /// The voice allocator's settings: its per-voice control buses start
    /// well above the graph's own (LFO buses count up from
    /// `first_control_bus`), so the two never overlap.
    pub fn voice_config(&self) -> VoiceConfig {
        let graph = self.graph_config();
        VoiceConfig { first_voice_bus: graph.first_control_bus + 8192, ..VoiceConfig::default() }
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
