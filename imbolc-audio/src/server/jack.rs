//! Finding or starting the JACK server scsynth runs on.
//!
//! Debian's scsynth has only a JACK driver, so a JACK server must exist
//! before scsynth starts. We use the user's running server when there is one.
//! Otherwise (`--jack auto`) we start one under the default name, so other
//! JACK programs, MIDI bridges and Imbolc's own MIDI ports can join it, with
//! jackd bridging the ALSA sequencer's hardware MIDI ports into JACK
//! (`-X seq`). `--jack dummy` and the tests start a private server under a
//! unique name instead. Either way a server we start is stopped with us.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use super::config::{JackMode, ServerConfig};
use super::error::ServerError;
use super::jack_registry;
use super::process::{find_program, log_tail, signal, spawn_logged, terminate, wait_timeout};

pub use setup::{JackOrigin, JackSetup, MidiBridge};

/// How long a JACK server we start may take to accept clients.
const JACK_START_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest server name JACK clients survive: jack2 1.9 builds
/// `jack-<uid>:<name>:` into a 32-byte buffer, and with a longer name every
/// client of the server (jack_lsp, scsynth, our MIDI port) aborts in malloc.
const MAX_SERVER_NAME: usize = 23;

/// The ALSA sequencer device; jackd's `-X seq` bridge needs it.
const ALSA_SEQUENCER: &str = "/dev/snd/seq";

static NEXT_NAME: AtomicU32 = AtomicU32::new(0);

/// What jackd says when JACK's registry has no free slot (see
/// [`jack_registry`]).
const REGISTRY_FULL: &str = "Too many servers already active";

/// A JACK server in use: either one we started (and stop on drop) or the
/// user's own (left alone).
#[derive(Debug)]
pub struct Jack {
    setup: JackSetup,
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
            JackMode::Existing(name) => check_name(name)?,
            JackMode::Auto => check_name(&default_server_name())?,
            JackMode::Dummy => {}
        }
        match &config.jack {
            JackMode::Existing(name) if is_running_asked_again(name) => Ok(Jack::existing(name)),
            JackMode::Existing(name) => Err(ServerError::JackFailed {
                name: name.clone(),
                detail: "no JACK server of that name is running".into(),
            }),
            JackMode::Auto => {
                let default = default_server_name();
                if is_running(&default) {
                    return Ok(Jack::existing(&default));
                }
                Jack::start_default(config, &default)
            }
            JackMode::Dummy => {
                let name = format!(
                    "{}_{}_{}",
                    config.jack_name_prefix,
                    std::process::id(),
                    NEXT_NAME.fetch_add(1, Ordering::Relaxed)
                );
                let bridge = MidiBridge::None("private server".into());
                Jack::start(config, Launch { name, origin: JackOrigin::Private, driver: "dummy", bridge })
            }
        }
    }

    fn existing(name: &str) -> Jack {
        let setup = JackSetup {
            name: name.to_owned(),
            driver: String::new(),
            origin: JackOrigin::Existing,
            midi: MidiBridge::ServersOwn,
        };
        Jack { setup, child: None, log: None }
    }

    /// Starts the default server: on the sound card with the ALSA
    /// sequencer bridged when there is one, else on the dummy driver. A
    /// server of that name that another program started meanwhile is used.
    fn start_default(config: &ServerConfig, name: &str) -> Result<Jack, ServerError> {
        let launch = |driver, bridge| Launch { name: name.to_owned(), origin: JackOrigin::Started, driver, bridge };
        let card = Path::new("/dev/snd").exists();
        if card {
            let bridge = if Path::new(ALSA_SEQUENCER).exists() {
                MidiBridge::Seq
            } else {
                MidiBridge::None(format!("no ALSA sequencer ({ALSA_SEQUENCER} missing)"))
            };
            match Jack::start(config, launch("alsa", bridge)) {
                Ok(jack) => return Ok(jack),
                Err(_) if is_running(name) => return Ok(Jack::existing(name)),
                Err(e) => tracing::warn!("JACK on the sound card failed, using the dummy driver: {e}"),
            }
        }
        let why = if card { "the sound card could not be opened" } else { "no sound card (/dev/snd missing)" };
        match Jack::start(config, launch("dummy", MidiBridge::None(format!("dummy driver: {why}")))) {
            Err(_) if is_running(name) => Ok(Jack::existing(name)),
            started => started,
        }
    }

    /// Starts jackd as `launch` says and waits until it accepts clients.
    /// When JACK's registry of servers is full of dead ones, frees their
    /// places (see [`super::jack_registry`]) and tries once more.
    fn start(config: &ServerConfig, launch: Launch) -> Result<Jack, ServerError> {
        match Jack::spawn(config, launch.clone()) {
            Err(ServerError::JackFailed { detail, name }) if detail.contains(REGISTRY_FULL) => {
                // Slots of servers that died; free ours and try once more.
                let dead = jack_registry::dead_servers(jack_registry::OWN_PREFIX);
                let jackd = find_program("jackd", "jackd2")?;
                if jack_registry::reclaim(&jackd, &dead) == 0 {
                    return Err(ServerError::JackFailed { name, detail });
                }
                Jack::spawn(config, launch)
            }
            started => started,
        }
    }

    fn spawn(config: &ServerConfig, launch: Launch) -> Result<Jack, ServerError> {
        let jackd = find_program("jackd", "jackd2")?;
        let Launch { name, origin, driver, bridge } = launch;
        check_name(&name)?;
        let mut command = Command::new(&jackd);
        command.args(["-n", &name, "--no-realtime", "-d", driver]).args([
            "-r",
            &config.sample_rate.to_string(),
            "-p",
            &config.jack_period.to_string(),
        ]);
        if bridge == MidiBridge::Seq {
            // A sequencer that cannot be opened is only logged by jackd.
            command.args(["-X", "seq"]);
        }
        let (child, log) = spawn_logged("jackd", &mut command, &format!("jackd-{name}"), &config.child_env)?;
        let setup = JackSetup { name, driver: driver.to_owned(), origin, midi: bridge };
        let mut jack = Jack { setup, child: Some(child), log: Some(log) };
        jack.wait_ready()?;
        Ok(jack)
    }

    fn wait_ready(&mut self) -> Result<(), ServerError> {
        let deadline = Instant::now() + JACK_START_TIMEOUT;
        loop {
            // Exit first: a server of this name answering after ours exited
            // is another program's (the shared default name).
            let exited = self.child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(Some(_))));
            if !exited && is_running(&self.setup.name) {
                return Ok(());
            }
            if exited || Instant::now() >= deadline {
                let detail = match (&self.log, exited) {
                    // jackd prints this before its banner, so it is not in the tail.
                    (Some(log), true) if std::fs::read_to_string(log).is_ok_and(|t| t.contains(REGISTRY_FULL)) => {
                        format!("{REGISTRY_FULL} (JACK's registry is full)")
                    }
                    (Some(log), true) => log_tail(log, 5),
                    _ => "timed out".to_owned(),
                };
                return Err(ServerError::JackFailed { name: self.setup.name.clone(), detail });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The JACK server name clients must use (`JACK_DEFAULT_SERVER`).
    pub fn name(&self) -> &str {
        &self.setup.name
    }

    /// What the UI shows: name, driver, who started it, MIDI bridging.
    pub fn setup(&self) -> &JackSetup {
        &self.setup
    }

    /// Whether we started this server (and so will stop it).
    pub fn is_ours(&self) -> bool {
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

    /// The last lines jackd printed (empty for the user's server): why it
    /// refused a client is only in its own log.
    pub fn log_tail(&self, lines: usize) -> String {
        self.log.as_deref().map(|log| log_tail(log, lines)).unwrap_or_default()
    }

    /// Pid of the jackd we started.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }
}

/// What [`Jack::start`] starts.
#[derive(Clone)]
struct Launch {
    name: String,
    origin: JackOrigin,
    driver: &'static str,
    bridge: MidiBridge,
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
        let name = &self.setup.name;
        // Under the shared default name another program may have started
        // a server by now: leave its slot and files alone.
        if self.setup.origin == JackOrigin::Private || !is_running(name) {
            if jack_registry::dead_servers(name).contains(name)
                && let Ok(jackd) = find_program("jackd", "jackd2")
            {
                jack_registry::reclaim(&jackd, std::slice::from_ref(name));
            }
            remove_shm_files(|f| {
                f.starts_with(&format!("jack_{name}_"))
                    || (f.starts_with("jack_sem.") && f.contains(&format!("_{name}_")))
            });
        }
        if let Some(log) = &self.log {
            let _ = std::fs::remove_file(log);
        }
    }
}

/// Refuses a server name JACK clients cannot use (see [`MAX_SERVER_NAME`]).
fn check_name(name: &str) -> Result<(), ServerError> {
    if name.len() <= MAX_SERVER_NAME {
        return Ok(());
    }
    Err(ServerError::JackFailed {
        name: name.to_owned(),
        detail: format!("JACK clients crash on server names longer than {MAX_SERVER_NAME} bytes; choose a shorter one"),
    })
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

/// [`is_running`] asked up to [`CLIENT_TRIES`] times: `jack_lsp` is a
/// JACK client, and on a busy machine it may fail to open (seen beside
/// parallel builds, right after another client had found the server). A
/// server the user named must not pass for missing on one such failure.
fn is_running_asked_again(name: &str) -> bool {
    (0..CLIENT_TRIES).any(|attempt| {
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(25));
        }
        is_running(name)
    })
}

/// The capture latency JACK reports for `port` (the largest of its
/// range, frames), from `jack_lsp -l`: what a recording from that port
/// lags behind the sound at the converter. `None` if JACK cannot say.
pub fn capture_latency(server: &str, port: &str) -> Option<u32> {
    // `jack_lsp` is a JACK client: on a busy machine it may fail to open
    // (seen beside parallel builds), and a wrong answer would misplace a
    // take by the whole latency. A few quick tries cost nothing when the
    // first one answers.
    for attempt in 0..CLIENT_TRIES {
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(25));
        }
        let Ok(out) = Command::new("jack_lsp")
            .args(["-s", server, "-l", port])
            .env("JACK_NO_START_SERVER", "1")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
        else {
            return None;
        };
        if let Some(frames) = parse_capture_latency(&String::from_utf8_lossy(&out.stdout)) {
            return Some(frames);
        }
    }
    tracing::warn!("JACK did not report the capture latency of {port} after {CLIENT_TRIES} tries");
    None
}

/// How often a JACK client that may fail to open on a busy machine is
/// tried ([`capture_latency`], [`is_running_asked_again`]).
const CLIENT_TRIES: u32 = 4;

/// The max of `port capture latency = [ min max ] frames` in `jack_lsp -l`
/// output (the first port listed).
pub fn parse_capture_latency(text: &str) -> Option<u32> {
    let line = text.lines().find(|l| l.contains("capture latency"))?;
    let inside = line.split('[').nth(1)?.split(']').next()?;
    inside.split_whitespace().filter_map(|n| n.parse::<u32>().ok()).max()
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

#[path = "jack_setup.rs"]
mod setup;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_latency_is_read_from_jack_lsp_output() {
        let text = "SuperCollider:in_1\n\tport latency = 256 frames\n\tport playback latency = [ 0 0 ] frames\n\tport capture latency = [ 256 512 ] frames\n";
        assert_eq!(parse_capture_latency(text), Some(512));
        assert_eq!(parse_capture_latency("nothing"), None);
    }

    #[test]
    fn a_name_jack_clients_cannot_use_is_refused_with_the_reason() {
        assert!(check_name("imbolc_4194304_4294967").is_ok(), "the longest name Imbolc itself makes");
        let error = check_name("imbolc_test_default_12345").unwrap_err().to_string();
        assert!(error.contains("longer than 23 bytes"), "{error}");
    }
}
