//! Why a server could not be started or talked to.

use std::path::PathBuf;

/// Errors of the server lifecycle. Each says what the user can do.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// Install the package named in the message, then retry.
    #[error("{program} not found on PATH: install it with `apt-get install {package}`")]
    NotInstalled { program: &'static str, package: &'static str },
    /// The binary exists but could not be run (permissions, broken install).
    #[error("could not start {program} ({path}): {source}")]
    Spawn { program: &'static str, path: PathBuf, source: std::io::Error },
    /// JACK did not come up; the message carries its last output.
    #[error("JACK server {name} did not start: {detail}")]
    JackFailed { name: String, detail: String },
    /// scsynth exited or did not answer during boot; see its output.
    #[error("scsynth did not start: {detail}")]
    ScsynthFailed { detail: String },
    /// A SynthDef uses a UGen scsynth does not have: install the package.
    #[error("scsynth lacks the UGen {ugen} that Imbolc's sounds use: install it with `apt-get install {package}`")]
    PluginMissing { ugen: String, package: &'static str },
    /// A SynthDef was refused by the server (a broken or mismatched file).
    #[error("scsynth did not load SynthDef {name}: {detail}")]
    SynthDefRejected { name: String, detail: String },
    /// The server did not answer in time; it may be overloaded or gone.
    #[error("no reply from scsynth to {command} within {millis} ms")]
    Timeout { command: String, millis: u128 },
    /// An OSC packet larger than one UDP datagram; split it.
    #[error("OSC packet of {0} bytes is larger than one UDP datagram (65507)")]
    PacketTooLarge(usize),
    /// An OSC packet could not be encoded (a bug in the caller's message).
    #[error("could not encode OSC packet: {0}")]
    Encode(String),
    /// The socket failed; the server is probably gone.
    #[error("socket error talking to scsynth: {0}")]
    Io(#[from] std::io::Error),
}
