//! The control socket without a terminal: its folder and file are the
//! user's alone, a peer of another uid is refused (the real `SO_PEERCRED`
//! path, with the owner set to a uid that is not ours), lines round-trip
//! to an app answering on this thread, and no line, however malformed,
//! gets anything but one JSON answer (fuzzed, through the real socket).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::fixture::empty_app;
use crate::control::path::own_uid;
use crate::control::{ControlSocket, Reply};

fn temp_socket(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("imbolc-ctl-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("private").join("control.sock")
}

fn json(line: &str) -> serde_json::Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}"))
}

/// Sends `bytes`, answering requests with `app` on this thread, until
/// `n` answer lines came back.
fn exchange(socket: &ControlSocket, app: &mut super::fixture::TestApp, bytes: &[u8], n: usize) -> Vec<String> {
    let mut stream = UnixStream::connect(socket.path()).unwrap();
    stream.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
    stream.write_all(bytes).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut answers = Vec::new();
    let mut line = String::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while answers.len() < n {
        assert!(Instant::now() < deadline, "only {} of {n} answers: {answers:?}", answers.len());
        app.serve_control(socket);
        match reader.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) if line.ends_with('\n') => answers.push(std::mem::take(&mut line)),
            Ok(_) | Err(_) => {}
        }
    }
    answers
}

#[test]
fn the_folder_is_0700_the_socket_0600_and_removed_on_drop() {
    let path = temp_socket("perm");
    let socket = ControlSocket::bind(&path).unwrap();
    let dir = std::fs::metadata(path.parent().unwrap()).unwrap();
    assert_eq!(dir.permissions().mode() & 0o777, 0o700);
    assert_eq!(dir.uid(), own_uid());
    let file = std::fs::symlink_metadata(&path).unwrap();
    assert_eq!(file.permissions().mode() & 0o777, 0o600);
    // A second one at the same place is refused while the first answers.
    assert!(matches!(ControlSocket::bind(&path), Err(crate::control::ControlError::InUse(_))));
    drop(socket);
    assert!(!path.exists(), "the socket file goes with the socket");
    // A stale file (nobody answers) is replaced.
    std::fs::write(&path, b"").unwrap();
    let again = ControlSocket::bind(&path).unwrap();
    drop(again);
}

#[test]
fn a_folder_open_to_others_is_closed_and_one_of_another_user_refused() {
    let path = temp_socket("open");
    let dir = path.parent().unwrap().to_owned();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let socket = ControlSocket::bind(&path).unwrap();
    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    drop(socket);
    let err = crate::control::path::private_dir(&dir, own_uid() + 1).unwrap_err();
    assert!(err.to_string().contains("not a private folder"), "{err}");
}

#[test]
fn a_peer_of_another_uid_is_refused_with_an_error_line() {
    let path = temp_socket("peer");
    // The socket admits only some other uid, so we are the stranger: the
    // refusal comes from the peer credentials we present.
    let socket = ControlSocket::bind_for(&path, own_uid().wrapping_add(4242)).unwrap();
    let mut stream = UnixStream::connect(socket.path()).unwrap();
    stream.write_all(b"status\n").unwrap();
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer).unwrap();
    let value = json(&answer);
    assert_eq!(value["ok"], false);
    assert!(value["error"].as_str().unwrap().starts_with("refused: uid"), "{answer}");
    assert!(socket.try_next().is_none(), "a refused line never reaches the UI");
    assert_eq!(crate::control::listen::admit(1000, 1000), Ok(()));
    assert!(crate::control::listen::admit(0, 1000).is_err(), "not even root");
}

#[test]
fn lines_edit_the_project_undo_takes_them_back_and_queries_answer() {
    let path = temp_socket("round");
    let socket = ControlSocket::bind(&path).unwrap();
    let mut app = empty_app();
    let answers = exchange(
        &socket,
        &mut app,
        b"instrument add saw --name bass\nstatus\nplayhead\nundo\nlist\nno such command\nhelp\n",
        7,
    );
    let values: Vec<_> = answers.iter().map(|a| json(a)).collect();
    assert_eq!(values[0]["ok"], true, "{answers:?}");
    assert!(values[1]["out"].as_str().unwrap().contains("1 instruments"), "{answers:?}");
    assert_eq!(values[2]["out"], "0 1.1 stopped");
    assert_eq!(values[3]["out"], "undone");
    assert!(!values[4]["out"].as_str().unwrap().contains("bass"), "undo took the instrument back: {answers:?}");
    assert_eq!(values[5]["ok"], false);
    assert!(values[6]["out"].as_str().unwrap().contains("playhead"), "help lists the socket's commands");
    assert!(app.session().project().instruments.is_empty());
    assert!(app.message().is_some_and(|m| m.text.starts_with("socket:")), "the status line tells");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    /// Random bytes (newlines, invalid UTF-8, quotes, over-long runs) get
    /// exactly one JSON answer a line, and the connection stays usable.
    #[test]
    fn malformed_lines_get_one_json_error_line_each(
        lines in proptest::collection::vec(
            prop_oneof![
                proptest::collection::vec(any::<u8>().prop_filter("no newline", |b| *b != b'\n'), 0..60),
                Just(vec![b'x'; crate::control::MAX_LINE + 5]),
                Just(b"note add \"unclosed C4".to_vec()),
                Just(vec![0xff, 0xfe, b'p']),
            ],
            1..6,
        )
    ) {
        let path = temp_socket("fuzz");
        let socket = ControlSocket::bind(&path).unwrap();
        let mut app = empty_app();
        let mut bytes = Vec::new();
        for line in &lines {
            bytes.extend_from_slice(line);
            bytes.push(b'\n');
        }
        bytes.extend_from_slice(b"playhead\n");
        let answers = exchange(&socket, &mut app, &bytes, lines.len() + 1);
        prop_assert_eq!(answers.len(), lines.len() + 1);
        for answer in &answers {
            let value = json(answer);
            prop_assert!(value["ok"].is_boolean());
        }
        prop_assert_eq!(&json(&answers[lines.len()])["out"], "0 1.1 stopped");
    }

    /// Any text to `App::control` answers, and never panics.
    #[test]
    fn any_text_is_answered(line in "\\PC{0,80}") {
        let mut app = empty_app();
        let reply = app.control(&line);
        prop_assert!(matches!(reply, Reply::Ok(_) | Reply::Err(_)));
    }
}

/// Runs `script` in python as uid/gid 65534 (nobody) with `arg`; its
/// standard output. Needs root (to become another user) and setpriv.
fn as_nobody(script: &str, arg: &std::path::Path) -> String {
    assert_eq!(own_uid(), 0, "this test runs a client as another user: run it as root (setpriv needs it)");
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", script])
        .arg(arg)
        .output()
        .unwrap_or_else(|e| panic!("cannot run setpriv ({e}): install util-linux and python3"));
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

/// Connects, sends `status` and prints the first answer line. A refused
/// peer may be answered and closed before its line is written (a broken
/// pipe): the answer is read all the same.
const CLIENT: &str = "import socket, sys\n\
s = socket.socket(socket.AF_UNIX)\n\
try:\n    s.connect(sys.argv[1])\nexcept OSError as e:\n    print('CONNECT', type(e).__name__); sys.exit(0)\n\
try:\n    s.sendall(b'status\\n')\nexcept OSError:\n    pass\n\
print('ANSWER', s.makefile().readline().strip())\n";

/// A real other user: the private folder keeps it from the socket, and
/// when the folder and file are opened up by mistake, the peer-uid check
/// still refuses it (its line never reaches the UI).
#[test]
fn another_user_cannot_reach_the_socket_and_is_refused_when_it_does() {
    let path = temp_socket("nobody");
    let socket = ControlSocket::bind(&path).unwrap();
    let blocked = as_nobody(CLIENT, &path);
    assert!(blocked.contains("CONNECT PermissionError"), "the 0700 folder keeps others out: {blocked}");

    let dir = path.parent().unwrap();
    for p in [dir.parent().unwrap(), dir] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o711)).unwrap();
    }
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
    let refused = as_nobody(CLIENT, &path);
    assert!(refused.contains("ANSWER {\"ok\":false,\"error\":\"refused: uid 65534"), "{refused}");
    assert!(socket.try_next().is_none(), "the stranger's line never reached the UI");
}
