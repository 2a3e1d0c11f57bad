//! Settings for starting JACK and scsynth.

use std::path::PathBuf;

/// Which JACK server scsynth runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JackMode {
    /// Use the running default JACK server; if there is none, start one
    /// under the default name (so other JACK programs can join it) on the
    /// sound card (`alsa`, with `-X seq` bridging hardware MIDI), or on the
    /// dummy driver when there is no card or the card cannot be opened.
    Auto,
    /// Always start a private JACK server on the dummy driver (tests, CI, or
    /// machines without sound). Audio is computed but not heard.
    Dummy,
    /// Use the running JACK server with this name; never start one.
    Existing(String),
}

/// Everything needed to boot a server. Defaults suit a musician's machine.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub jack: JackMode,
    /// Sample rate given to a JACK server we start, and to scsynth (`-S`).
    pub sample_rate: u32,
    /// JACK period in frames for a JACK server we start (`-p`): the latency.
    pub jack_period: u32,
    /// scsynth's control block size (`-z`).
    pub block_size: u32,
    /// Real-time memory in KB (`-m`), the floor the engine sizes up from
    /// (see [`super::sizing`]); scsynth's default 8192 holds eight delays.
    pub rt_memory_kb: u32,
    /// Maximum nodes on the server (`-n`); scsynth's default 1024 is too few.
    pub max_nodes: u32,
    /// Number of audio buses (`-a`).
    pub audio_buses: u32,
    /// Number of control buses (`-c`).
    pub control_buses: u32,
    /// Number of sample buffers (`-b`).
    pub buffers: u32,
    /// Hardware output channels (`-o`).
    pub outputs: u32,
    /// Hardware input channels (`-i`), read by audio input instruments;
    /// with JACK they are connected to the capture ports that exist.
    pub inputs: u32,
    /// Explicit scsynth binary; otherwise found on `PATH`.
    pub scsynth: Option<PathBuf>,
    /// Prefix of the JACK server names we start, made unique with the pid and
    /// a counter. Tests use their own prefix to find leftovers.
    pub jack_name_prefix: String,
    /// Extra environment for the processes we start (tests tag them).
    pub child_env: Vec<(String, String)>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            jack: JackMode::Auto,
            sample_rate: 48_000,
            jack_period: 256,
            block_size: 64,
            rt_memory_kb: 65_536,
            max_nodes: 8192,
            audio_buses: 1024,
            control_buses: 16384,
            buffers: 1024,
            outputs: 2,
            inputs: u32::from(imbolc_types::audio_input::HARDWARE_INPUTS),
            scsynth: None,
            jack_name_prefix: "imbolc".to_owned(),
            child_env: Vec::new(),
        }
    }
}

impl ServerConfig {
    /// First audio bus index free for private use: scsynth numbers hardware
    /// outputs first, then inputs.
    pub fn first_private_bus(&self) -> u32 {
        self.outputs + self.inputs
    }
}
