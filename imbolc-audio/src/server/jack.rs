//! Finding or starting the JACK server scsynth runs on.
//!
//! Debian's scsynth has only a JACK driver, so a JACK server must exist
//! before scsynth starts. We use the user's running server when there is one
//! and otherwise start a private one that we own and stop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use super::config::{JackMode, ServerConfig};
use super::error::ServerError;
use super::jack_registry;
use super::process::{find_program, log_tail, signal, spawn_logged, terminate, wait_timeout};

/// How long a JACK server we start may take to accept clients.
const JACK_START_TIMEOUT: Duration = Duration::from_secs(10);

static NEXT_NAME: AtomicU32 = AtomicU32::new(0);

/// What jackd says when JACK's registry has no free slot (see
/// [`jack_registry`]).
const REGISTRY_FULL: &str = "Too many servers already active";

/// A JACK server in use: either one we started (and stop on drop) or the
/// user's own (left alone).
#[derive(Debug)]
pub struct Jack {
    name: String,
    driver: String,
    child: Option<Child>,
    log: Option<PathBuf>,
}

impl Jack {
    /// Finds or starts the JACK server `config` asks for.
    ///
    /// # Errors
    /// [`ServerError::NotInstalled`] without jackd2, [`ServerError::JackFailed`]
    /// when no server could be started or the named one is not running.
    pub fn ensure(config: &ServerConfig) -> Result<Jack, ServerError> {
        find_program("jack_lsp", "jackd2")?;
        match &config.jack {
            JackMode::Existing(name) if is_running(name) => Ok(Jack::existing(name)),
            JackMode::Existing(name) => Err(ServerError::JackFailed {
                name: name.clone(),
                detail: "no JACK server of that name is running".into(),
            }),
            JackMode::Auto => {
                let default = default_server_name();
                if is_running(&default) {
                    return Ok(Jack::existing(&default));
                }
                if Path::new("/dev/snd").exists() {
                    match Jack::start(config, "alsa") {
                        Ok(jack) => return Ok(jack),
                        Err(e) => tracing::warn!("JACK on the sound card failed, using the dummy driver: {e}"),
                    }
                }
                Jack::start(config, "dummy")
            }
            JackMode::Dummy => Jack::start(config, "dummy"),
        }
    }

    fn existing(name: &str) -> Jack {
        Jack { name: name.to_owned(), driver: "existing server".to_owned(), child: None, log: None }
    }

    fn start(config: &ServerConfig, driver: &str) -> Result<Jack, ServerError> {
        let jackd = find_program("jackd", "jackd2")?;
        match Jack::start_once(config, driver, &jackd) {
            Err(ServerError::JackFailed { detail, name }) if detail.contains(REGISTRY_FULL) => {
                // Slots of servers that died; free ours and try once more.
                let dead = jack_registry::dead_servers(jack_registry::OWN_PREFIX);
                if jack_registry::reclaim(&jackd, &dead) == 0 {
                    return Err(ServerError::JackFailed { name, detail });
                }
                Jack::start_once(config, driver, &jackd)
            }
            result => result,
        }
    }

    fn start_once(config: &ServerConfig, driver: &str, jackd: &Path) -> Result<Jack, ServerError> {
        let name =
            format!("{}_{}_{}", config.jack_name_prefix, std::process::id(), NEXT_NAME.fetch_add(1, Ordering::Relaxed));
        let log = std::env::temp_dir().join(format!("{name}.jackd.log"));
        let mut command = Command::new(jackd);
        command.args(["-n", &name, "--no-realtime", "-d", driver]).args([
            "-r",
            &config.sample_rate.to_string(),
            "-p",
            &config.jack_period.to_string(),
        ]);
        let child = spawn_logged("jackd", &mut command, &log, &config.child_env)?;
        let mut jack = Jack { name, driver: driver.to_owned(), child: Some(child), log: Some(log) };
        jack.wait_ready()?;
        Ok(jack)
    }

    fn wait_ready(&mut self) -> Result<(), ServerError> {
        let deadline = Instant::now() + JACK_START_TIMEOUT;
        loop {
            if is_running(&self.name) {
                return Ok(());
            }
            let exited = self.child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(Some(_))));
            if exited || Instant::now() >= deadline {
                let detail = match (&self.log, exited) {
                    // jackd prints this before its banner, so it is not in the tail.
                    (Some(log), true) if std::fs::read_to_string(log).is_ok_and(|t| t.contains(REGISTRY_FULL)) => {
                        format!("{REGISTRY_FULL} (JACK's registry is full)")
                    }
                    (Some(log), true) => log_tail(log, 5),
                    _ => "timed out".to_owned(),
                };
                return Err(ServerError::JackFailed { name: self.name.clone(), detail });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The JACK server name clients must use (`JACK_DEFAULT_SERVER`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// "dummy", "alsa" or "existing server", for the status display.
    pub fn driver(&self) -> &str {
        &self.driver
    }

    /// Whether we started this server (and so will stop it).
    pub fn is_private(&self) -> bool {
        self.child.is_some()
    }

    /// Whether the server can still take clients: a server we started whose
    /// process runs, or the user's server (left to JACK to report).
    pub fn is_alive(&mut self) -> bool {
        match self.child.as_mut() {
            Some(child) => matches!(child.try_wait(), Ok(None)),
            None => true,
        }
    }

    /// Pid of the jackd we started.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }
}

impl Drop for Jack {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else { return };
        // jackd stops its clients first, which takes seconds on a loaded
        // machine. Killed (by us after that, or by anyone before), it keeps
        // its registry slot: free it.
        if matches!(child.try_wait(), Ok(None)) {
            signal(&child, libc::SIGTERM);
            if !wait_timeout(&mut child, Duration::from_secs(10)) {
                terminate(&mut child, Duration::ZERO);
            }
        }
        if jack_registry::dead_servers(&self.name).contains(&self.name)
            && let Ok(jackd) = find_program("jackd", "jackd2")
        {
            jack_registry::reclaim(&jackd, std::slice::from_ref(&self.name));
        }
        remove_shm_files(|f| f.starts_with(&format!("jack_{}_", self.name)) || f.contains(&format!("_{}_", self.name)));
        if let Some(log) = &self.log {
            let _ = std::fs::remove_file(log);
        }
    }
}

/// The JACK server name clients use when none is given.
pub fn default_server_name() -> String {
    std::env::var("JACK_DEFAULT_SERVER").unwrap_or_else(|_| "default".to_owned())
}

/// Whether a JACK server of this name accepts clients. Never autostarts one.
pub fn is_running(name: &str) -> bool {
    Command::new("jack_lsp")
        .args(["-s", name])
        .env("JACK_NO_START_SERVER", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Removes files in /dev/shm whose name matches; the servers we stop leave
/// sockets and semaphores there when killed.
pub(super) fn remove_shm_files(matches: impl Fn(&str) -> bool) {
    let Ok(entries) = std::fs::read_dir("/dev/shm") else { return };
    for entry in entries.flatten() {
        if matches(&entry.file_name().to_string_lossy()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
