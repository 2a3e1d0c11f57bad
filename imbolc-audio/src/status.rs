//! The server state the audio thread publishes for the UI (inside its
//! triple-buffered feedback), read lock-free every frame.

use crate::server::ServerStats;
use crate::server::jack::JackSetup;

/// What the UI shows about the synthesis server.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ServerState {
    /// Starting JACK and scsynth, loading SynthDefs.
    #[default]
    Booting,
    /// Answering pings; the latest status and the JACK server it runs on.
    Running { stats: ServerStats, jack: JackSetup },
    /// Stopped answering; a restart is under way.
    Lost { reason: String },
    /// Could not start; the reason says what to do.
    Failed { reason: String },
    /// Shut down on request.
    Stopped,
}

impl ServerState {
    /// One line for a status bar.
    pub fn summary(&self) -> String {
        match self {
            ServerState::Booting => "scsynth: booting".to_owned(),
            ServerState::Running { stats, jack } => format!(
                "scsynth: running · CPU {:.1}% · {} UGens · {} synths · {jack}",
                stats.avg_cpu, stats.ugens, stats.synths
            ),
            ServerState::Lost { reason } => format!("scsynth: lost ({reason}), restarting"),
            ServerState::Failed { reason } => format!("scsynth: failed: {reason}"),
            ServerState::Stopped => "scsynth: stopped".to_owned(),
        }
    }
}
