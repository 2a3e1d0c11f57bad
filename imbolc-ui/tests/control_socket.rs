//! The control socket on a running TUI in a real terminal (tmux), with a
//! real scsynth on a dummy JACK server: a client adds an instrument, a
//! clip, a note and a placement, plays, reads the playhead while it
//! moves, stops and saves; the screen shows each step. Malformed lines get
//! an error line and the connection goes on; the socket is the user's
//! alone (0700 folder, 0600 file) and goes away when imbolc quits.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use imbolc_tests::{TEST_TAG_VAR, Tmux, tagged_servers};

struct Client {
    stream: UnixStream,
    reader: BufReader<UnixStream>,
}

impl Client {
    fn connect(path: &Path) -> Client {
        let stream = UnixStream::connect(path).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(35))).unwrap();
        let reader = BufReader::new(stream.try_clone().unwrap());
        Client { stream, reader }
    }

    /// Sends raw bytes (a line with its newline) and reads one answer.
    fn send_bytes(&mut self, bytes: &[u8]) -> serde_json::Value {
        self.stream.write_all(bytes).unwrap();
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        assert!(line.ends_with('\n'), "one whole line: {line:?}");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}"))
    }

    /// Sends a line that must succeed; returns what it said.
    fn ok(&mut self, line: &str) -> String {
        let v = self.send_bytes(format!("{line}\n").as_bytes());
        assert_eq!(v["ok"], true, "{line:?} failed: {v}");
        v["out"].as_str().unwrap().to_owned()
    }
}

#[test]
fn a_client_builds_plays_and_reads_the_playhead_of_a_running_tui() {
    let dir = std::env::temp_dir().join(format!("imbolc-tmux-socket-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let runtime = dir.join("run");
    std::fs::create_dir_all(&runtime).unwrap();
    let tag = format!("tmux-socket-{}", std::process::id());
    let env = format!(
        "{TEST_TAG_VAR}={tag} XDG_STATE_HOME={state} XDG_CONFIG_HOME={state} XDG_RUNTIME_DIR={run}",
        state = dir.display(),
        run = runtime.display()
    );
    let bin = env!("CARGO_BIN_EXE_imbolc");
    let command = format!(
        "{env} {bin} {song} --jack dummy; echo \"EXITED:$?\"; exec sleep 60",
        song = dir.join("s.imbolc").display()
    );
    let tmux = Tmux::start("socket", 100, 30, &command);
    let wait = |text: &str| {
        tmux.wait_for(text, Duration::from_secs(15))
            .unwrap_or_else(|| panic!("no {text:?} on screen:\n{}", tmux.screen()))
    };
    wait("scsynth: running");

    // `imbolc --socket-path` names the socket the TUI opened.
    let printed =
        std::process::Command::new(bin).arg("--socket-path").env("XDG_RUNTIME_DIR", &runtime).output().unwrap();
    let path = std::path::PathBuf::from(String::from_utf8(printed.stdout).unwrap().trim());
    assert_eq!(path, runtime.join("imbolc/control.sock"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !path.exists() {
        assert!(Instant::now() < deadline, "no socket at {}:\n{}", path.display(), tmux.screen());
        std::thread::sleep(Duration::from_millis(50));
    }
    let mode = |p: &Path| std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(path.parent().unwrap()), 0o700, "the folder is the user's alone");
    assert_eq!(mode(&path), 0o600, "the socket is the user's alone");

    let mut c = Client::connect(&path);
    assert!(!tmux.screen().contains("bass"), "no bass before:\n{}", tmux.screen());
    c.ok("instrument add saw --name bass");
    wait("bass");
    wait("socket: add instrument");
    c.ok("clip add bass riff 1");
    for beat in 1..=4 {
        c.ok(&format!("note add bass C3 1.{beat} 1/8"));
    }
    c.ok("place bass/riff 1 16");
    let list = c.ok("list");
    assert!(list.contains("clip bass/riff: 1920 ticks, 4 notes, placed 1 times"), "{list}");

    // Malformed lines answer with an error and the connection goes on.
    for bad in [&b"\xff\xfe garbage\n"[..], b"note add \"unclosed\n", b"frobnicate 12\n", &[b'x'; 20_000][..]] {
        let mut bytes = bad.to_vec();
        if bytes.last() != Some(&b'\n') {
            bytes.push(b'\n');
        }
        let v = c.send_bytes(&bytes);
        assert_eq!(v["ok"], false, "{v}");
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{v}");
    }

    assert!(c.ok("playhead").ends_with("stopped"));
    c.ok("play");
    wait("▶ ");
    let started = Instant::now();
    let mut moved = 0u64;
    while moved == 0 && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(200));
        let head = c.ok("playhead");
        assert!(head.ends_with("playing"), "{head}");
        moved = head.split(' ').next().unwrap().parse().unwrap();
    }
    assert!(moved > 0, "the playhead never moved:\n{}", tmux.screen());
    eprintln!("playhead after {:?}: tick {moved}", started.elapsed());
    let status = c.ok("status");
    assert!(status.starts_with("▶ "), "{status}");
    assert!(status.contains("1 instruments"), "{status}");
    c.ok("stop");
    wait("■ ");
    assert!(c.ok("playhead").ends_with("stopped"));

    // Undo from the socket takes the placement back.
    assert_eq!(c.ok("undo"), "undone");
    assert!(c.ok("list").contains("placed 0 times"));
    c.ok("save");
    wait("saved ");

    tmux.send_keys(&["q"]);
    wait("EXITED:0");
    assert!(!path.exists(), "the socket file goes when imbolc quits");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !tagged_servers(&tag).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "scsynth/jackd left running after quit");
    let log = std::fs::read_to_string(dir.join("imbolc/imbolc.log")).unwrap_or_default();
    assert!(log.contains("control socket at"), "the log names the socket");
    std::fs::remove_dir_all(&dir).unwrap();
}
