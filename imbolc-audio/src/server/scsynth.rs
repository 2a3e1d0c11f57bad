//! Spawning scsynth on a free UDP port of 127.0.0.1.

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use super::config::ServerConfig;
use super::error::ServerError;
use super::process::{log_tail, spawn_logged};

/// A scsynth process we started, with its port and log file.
#[derive(Debug)]
pub struct ScsynthProcess {
    pub child: Child,
    pub port: u16,
    pub log: PathBuf,
}

impl ScsynthProcess {
    /// Starts scsynth on a port that was free a moment ago. The caller
    /// retries with a new port when the process exits at once (taken port).
    ///
    /// # Errors
    /// [`ServerError::Spawn`] or [`ServerError::Io`] when it cannot be run.
    pub fn spawn(config: &ServerConfig, scsynth: &Path, jack_name: &str) -> Result<Self, ServerError> {
        let port = free_udp_port()?;
        let mut command = Command::new(scsynth);
        command
            .args(["-u", &port.to_string(), "-B", "127.0.0.1"])
            .args(["-i", &config.inputs.to_string(), "-o", &config.outputs.to_string()])
            .args(["-S", &config.sample_rate.to_string(), "-z", &config.block_size.to_string()])
            .args(["-n", &config.max_nodes.to_string(), "-a", &config.audio_buses.to_string()])
            .args(["-c", &config.control_buses.to_string(), "-b", &config.buffers.to_string()])
            .args(["-m", &config.rt_memory_kb.to_string()])
            .args(["-R", "0", "-D", "0"])
            .env("JACK_DEFAULT_SERVER", jack_name)
            .env("JACK_NO_START_SERVER", "1")
            .env("SC_JACK_DEFAULT_OUTPUTS", "system")
            .env("SC_JACK_DEFAULT_INPUTS", "system");
        let log_name = format!("scsynth-{}-{port}", std::process::id());
        let (child, log) = spawn_logged("scsynth", &mut command, &log_name, &config.child_env)?;
        Ok(ScsynthProcess { child, port, log })
    }

    /// The last lines scsynth printed, for error messages.
    pub fn log_tail(&self) -> String {
        log_tail(&self.log, 6)
    }

    /// True when another try may work: the port was taken meanwhile, or
    /// JACK refused the client (seen when several servers start at once).
    pub fn failed_transiently(&self) -> bool {
        std::fs::read_to_string(&self.log)
            .is_ok_and(|t| t.contains("address in use") || t.contains("could not initialize audio"))
    }
}

/// A UDP port of 127.0.0.1 that nobody used a moment ago.
fn free_udp_port() -> Result<u16, ServerError> {
    Ok(UdpSocket::bind("127.0.0.1:0")?.local_addr()?.port())
}
