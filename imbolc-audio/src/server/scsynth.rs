//! Spawning scsynth on a free UDP port of 127.0.0.1.

use std::fs::File;
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use super::config::ServerConfig;
use super::error::ServerError;
use super::process::die_with_parent;

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
        let log = std::env::temp_dir().join(format!("imbolc-scsynth-{}-{port}.log", std::process::id()));
        let out = File::create(&log)?;
        let mut command = Command::new(scsynth);
        command
            .args(["-u", &port.to_string(), "-B", "127.0.0.1"])
            .args(["-i", "0", "-o", &config.outputs.to_string()])
            .args(["-S", &config.sample_rate.to_string(), "-z", &config.block_size.to_string()])
            .args(["-n", &config.max_nodes.to_string(), "-a", &config.audio_buses.to_string()])
            .args(["-c", &config.control_buses.to_string()])
            .args(["-R", "0", "-D", "0"])
            .env("JACK_DEFAULT_SERVER", jack_name)
            .env("JACK_NO_START_SERVER", "1")
            .env("SC_JACK_DEFAULT_OUTPUTS", "system")
            .envs(config.child_env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out);
        let child = die_with_parent(&mut command).spawn().map_err(|source| ServerError::Spawn {
            program: "scsynth",
            path: scsynth.to_path_buf(),
            source,
        })?;
        Ok(ScsynthProcess { child, port, log })
    }

    /// The last lines scsynth printed, for error messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().rev().take(6).collect();
        lines.into_iter().rev().collect::<Vec<_>>().join(" | ")
    }

    /// True when the log says the port was taken (then retry on another).
    pub fn port_was_taken(&self) -> bool {
        std::fs::read_to_string(&self.log).is_ok_and(|t| t.contains("address in use"))
    }
}

/// A UDP port of 127.0.0.1 that nobody used a moment ago.
fn free_udp_port() -> Result<u16, ServerError> {
    Ok(UdpSocket::bind("127.0.0.1:0")?.local_addr()?.port())
}
