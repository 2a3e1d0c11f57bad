//! Fixtures for Imbolc's end-to-end tests: a private JACK + scsynth pair per
//! test ([`ScServer`]), and helpers to wait for what the server says; and
//! the [`sound_check`] harness, which renders sounds with `scsynth -N` and
//! measures them, and [`sound_docs`], which writes `docs/sounds.md`.
//!
//! Everything started here carries [`TEST_TAG_VAR`] in its environment so the
//! suite can check, at its end, that no test left a process behind.
//!
//! [`corpus`] builds project files with impossible values (issue 24's
//! corpus) for the render and open tests.
//!
//! Fixture code: a failure to set up is a test failure, hence the panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, unbounded};
use imbolc_audio::backend::{
    AddAction, AudioBackend, CanonicalKind, CanonicalTree, ModelBackend, NodeId, ServerOp, Timing,
};
use imbolc_audio::server::{JackMode, OscSender, Server, ServerConfig, ServerEvent};
use rosc::{OscMessage, OscType};

pub mod chaos;
pub mod corpus;
pub mod engine;
pub mod keyboard;
pub mod loop_timing;
pub mod netns;
pub mod pad_controller;
pub mod recording;
pub mod sound_check;
pub mod sound_docs;

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

impl ScServer {
    /// Waits for a message matching `pred` like [`ScServer::wait_for`], but
    /// appends every message seen (the match included) to `log`, so a test
    /// can check afterwards what else the server said meanwhile.
    pub fn collect_until(
        &self,
        timeout: Duration,
        log: &mut Vec<OscMessage>,
        pred: impl Fn(&OscMessage) -> bool,
    ) -> Option<OscMessage> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(ServerEvent::Message(m)) => {
                    log.push(m.clone());
                    if pred(&m) {
                        return Some(m);
                    }
                }
                Ok(_) => {}
                Err(_) => return None,
            }
        }
    }

    /// [`ScServer::query_tree`], logging every other message seen meanwhile.
    pub fn query_tree_logged(&self, log: &mut Vec<OscMessage>) -> TreeNode {
        self.send("/g_queryTree", vec![OscType::Int(0), OscType::Int(1)]);
        let reply = self
            .collect_until(Duration::from_secs(5), log, |m| m.addr == "/g_queryTree.reply")
            .expect("no /g_queryTree.reply within 5 s");
        TreeNode::parse(&reply).expect("malformed /g_queryTree.reply")
    }
}

/// A name that lives for the rest of the test run (the model's ops take
/// `&'static str` SynthDef and control names); each distinct name is
/// leaked once.
fn static_name(name: &str) -> &'static str {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut names = NAMES.get_or_init(Default::default).lock().unwrap();
    if let Some(&known) = names.get(name) {
        return known;
    }
    let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
    names.insert(leaked);
    leaked
}

/// The server's tree (`/g_queryTree 0 1`) in the model's canonical form, so
/// it compares with `==` against `ModelBackend::canonical_tree()`.
///
/// The tree is replayed into a `ModelBackend` and canonicalised there, so
/// node ids and bus numbers are renumbered exactly as the model's are.
/// Two things the server reports differently are taken from `like` (the
/// model's tree), matched by pre-order position:
/// - which controls count: the server lists every control of a synth, the
///   model only those the graph set, so each synth keeps the controls the
///   node at the same position in `like` has (a missing one stays missing);
/// - whether a node runs: `/g_queryTree` does not say (bypass state must
///   be checked another way).
///
/// A control mapped to a bus reads as NaN here, so it never equals the
/// model's `Mapped` value: trees with LFO mappings do not compare equal.
pub fn canonical_from_server(tree: &TreeNode, like: &CanonicalTree) -> CanonicalTree {
    fn visit(node: &TreeNode, parent: Option<i32>, like: &CanonicalTree, index: &mut usize, ops: &mut Vec<ServerOp>) {
        let position = *index;
        *index += 1;
        if let Some(parent) = parent {
            let (id, target) = (NodeId(node.id), NodeId(parent));
            match &node.def {
                None => ops.push(ServerOp::GroupNew { id, action: AddAction::Tail, target }),
                Some(def) => {
                    let wanted = like.nodes.get(position).and_then(|n| match &n.kind {
                        CanonicalKind::Synth { controls, .. } => Some(controls),
                        CanonicalKind::Group => None,
                    });
                    let controls = node
                        .controls
                        .iter()
                        .filter(|(name, _)| wanted.is_some_and(|w| w.contains_key(name)))
                        .map(|(name, value)| (static_name(name), *value))
                        .collect();
                    ops.push(ServerOp::SynthNew {
                        def: static_name(def),
                        id,
                        action: AddAction::Tail,
                        target,
                        controls,
                    });
                }
            }
        }
        for child in &node.children {
            visit(child, Some(node.id), like, index, ops);
        }
    }
    let mut ops = Vec::new();
    visit(tree, None, like, &mut 0, &mut ops);
    let mut model = ModelBackend::new();
    model.execute(Timing::Now, &ops).unwrap();
    assert!(model.failures().is_empty(), "the server's tree did not replay: {:?}", model.failures());
    let mut canonical = model.canonical_tree();
    for (node, reference) in canonical.nodes.iter_mut().zip(&like.nodes) {
        node.running = reference.running;
    }
    canonical
}
