//! Fixtures for Imbolc's end-to-end tests: a private JACK + scsynth pair per
//! test ([`ScServer`]), and helpers to wait for what the server says.
//!
//! Everything started here carries [`TEST_TAG_VAR`] in its environment so the
//! suite can check, at its end, that no test left a process behind.
//!
//! Fixture code: a failure to set up is a test failure, hence the panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, unbounded};
use imbolc_audio::server::{JackMode, OscSender, Server, ServerConfig, ServerEvent};
use rosc::{OscMessage, OscType};

/// Environment variable marking every process the tests start.
pub const TEST_TAG_VAR: &str = "IMBOLC_TEST_PROCESS";

/// The server configuration tests use: a private JACK server on the dummy
/// driver, named with a test prefix, and tagged children.
pub fn test_config() -> ServerConfig {
    ServerConfig {
        jack: JackMode::Dummy,
        jack_name_prefix: "imbolc_test".to_owned(),
        child_env: vec![(TEST_TAG_VAR.to_owned(), "1".to_owned())],
        ..ServerConfig::default()
    }
}

/// A private JACK + scsynth pair for one test, stopped on drop. Every event
/// of the server arrives on [`ScServer::events`].
#[derive(Debug)]
pub struct ScServer {
    pub server: Server,
    pub events: Receiver<ServerEvent>,
}

impl ScServer {
    /// Starts a pair with [`test_config`]. Panics with an install hint when
    /// SuperCollider or JACK is missing: a missing tool is a failure.
    pub fn start() -> ScServer {
        Self::start_with(test_config())
    }

    /// Starts a pair with a custom configuration.
    pub fn start_with(config: ServerConfig) -> ScServer {
        let (tx, events) = unbounded();
        let server = Server::start(
            &config,
            Box::new(move |event| {
                let _ = tx.send(event);
            }),
        )
        .unwrap_or_else(|e| panic!("cannot start scsynth for the test: {e} (run `make test`, which installs it)"));
        ScServer { server, events }
    }

    pub fn sender(&self) -> OscSender {
        self.server.sender()
    }

    /// Sends one message, panicking on a socket error.
    pub fn send(&self, addr: &str, args: Vec<OscType>) {
        self.sender().message(addr, args).unwrap();
    }

    /// Waits for a message from the server matching `pred`, ignoring others.
    pub fn wait_for(&self, timeout: Duration, pred: impl Fn(&OscMessage) -> bool) -> Option<OscMessage> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(ServerEvent::Message(m)) if pred(&m) => return Some(m),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
    }

    /// The server's node tree with controls (`/g_queryTree 0 1`), parsed.
    pub fn query_tree(&self) -> TreeNode {
        self.send("/g_queryTree", vec![OscType::Int(0), OscType::Int(1)]);
        let reply = self
            .wait_for(Duration::from_secs(5), |m| m.addr == "/g_queryTree.reply")
            .expect("no /g_queryTree.reply within 5 s");
        TreeNode::parse(&reply).expect("malformed /g_queryTree.reply")
    }
}

/// A node of the server's tree as `/g_queryTree` reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeNode {
    pub id: i32,
    /// SynthDef name; `None` for groups.
    pub def: Option<String>,
    pub controls: Vec<(String, f32)>,
    pub children: Vec<TreeNode>,
}

impl TreeNode {
    /// Parses a `/g_queryTree.reply` sent with the controls flag set.
    pub fn parse(m: &OscMessage) -> Option<TreeNode> {
        let mut args = m.args.iter();
        let with_controls = int(args.next()?)? != 0;
        Self::parse_node(&mut args, with_controls)
    }

    fn parse_node(args: &mut std::slice::Iter<'_, OscType>, with_controls: bool) -> Option<TreeNode> {
        let id = int(args.next()?)?;
        let children = int(args.next()?)?;
        if children >= 0 {
            let children = (0..children).map(|_| Self::parse_node(args, with_controls)).collect::<Option<Vec<_>>>()?;
            return Some(TreeNode { id, def: None, controls: Vec::new(), children });
        }
        let def = match args.next()? {
            OscType::String(s) => s.clone(),
            _ => return None,
        };
        let mut controls = Vec::new();
        if with_controls {
            for _ in 0..int(args.next()?)? {
                let name = match args.next()? {
                    OscType::String(s) => s.clone(),
                    OscType::Int(i) => i.to_string(),
                    _ => return None,
                };
                let value = match args.next()? {
                    OscType::Float(f) => *f,
                    OscType::Int(i) => *i as f32,
                    // A control mapped to a bus reads as "c12" / "a3".
                    OscType::String(_) => f32::NAN,
                    _ => return None,
                };
                controls.push((name, value));
            }
        }
        Some(TreeNode { id, def: Some(def), controls, children: Vec::new() })
    }

    /// This node and every node below it, depth first.
    pub fn walk(&self) -> Vec<&TreeNode> {
        let mut out = vec![self];
        for child in &self.children {
            out.extend(child.walk());
        }
        out
    }

    /// The node with this id, anywhere below.
    pub fn find(&self, id: i32) -> Option<&TreeNode> {
        self.walk().into_iter().find(|n| n.id == id)
    }
}

fn int(arg: &OscType) -> Option<i32> {
    match arg {
        OscType::Int(i) => Some(*i),
        _ => None,
    }
}

/// Whether a process with this pid exists (and is not a zombie).
pub fn process_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| !stat.rsplit(')').next().unwrap_or("").trim_start().starts_with('Z'))
        .unwrap_or(false)
}

/// Pids of running `scsynth` and `jackd` processes whose environment has
/// `TEST_TAG_VAR=tag`: what a test started and must stop.
pub fn tagged_servers(tag: &str) -> Vec<u32> {
    let needle = format!("{TEST_TAG_VAR}={tag}");
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            matches!(comm.trim(), "scsynth" | "jackd")
                && environ.split(|&b| b == 0).any(|var| var == needle.as_bytes())
                && process_alive(pid)
        })
        .collect()
}

/// A tmux server on a private socket, killed on drop.
#[derive(Debug)]
pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts a detached session of `width`×`height` running `command` in sh.
    /// Panics with an install hint when tmux is missing.
    pub fn start(name: &str, width: u16, height: u16, command: &str) -> Tmux {
        let tmux = Tmux { socket: format!("imbolc-test-{name}-{}", std::process::id()) };
        let status = tmux
            .command()
            .args(["new-session", "-d", "-s", "main", "-x", &width.to_string(), "-y", &height.to_string()])
            .arg(command)
            .status()
            .unwrap_or_else(|e| panic!("cannot run tmux ({e}): install it with `apt-get install tmux`"));
        assert!(status.success(), "tmux new-session failed");
        tmux
    }

    fn command(&self) -> std::process::Command {
        let mut c = std::process::Command::new("tmux");
        c.args(["-L", &self.socket, "-f", "/dev/null"]);
        c
    }

    /// Types keys (tmux key names, e.g. "q", "Enter", "C-s").
    pub fn send_keys(&self, keys: &[&str]) {
        let status = self.command().args(["send-keys", "-t", "main"]).args(keys).status().unwrap();
        assert!(status.success(), "tmux send-keys failed");
    }

    /// The visible screen as text.
    pub fn screen(&self) -> String {
        let out = self.command().args(["capture-pane", "-p", "-t", "main"]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen contains `text`; returns the screen, or `None`.
    pub fn wait_for(&self, text: &str, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return Some(screen);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.command().arg("kill-server").status();
    }
}
