//! MIDI out of the box, with the real binary in a real terminal (tmux):
//! with no JACK server running, `imbolc --jack auto` starts one as the
//! default server; a keyboard that appears on it afterwards is connected
//! to Imbolc's input and its notes sound on scsynth; after jackd is killed
//! the new server gets MIDI again. `--jack dummy` keeps its server
//! private, connects no keyboard, and waits for JACK without spawning
//! `jack_lsp` again and again.
//!
//! "Default" is a name unique to this test (`JACK_DEFAULT_SERVER` in the
//! environment of the processes it starts), so a musician's own default
//! server and other tests running meanwhile are never touched. The
//! keyboard is a JACK client of this test process, which therefore sets
//! `JACK_DEFAULT_SERVER` itself; the tests here run one at a time and
//! set it while no JACK client of theirs is open.

// Test code: a failed unwrap is a failed test; `set_var` is explained above.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use imbolc_audio::server::jack::Jack;
use imbolc_audio::server::{JackMode, ServerConfig};
use imbolc_tests::engine::{scsynth_port, scsynth_tree, voice_count};
use imbolc_tests::keyboard::FakeKeyboard;
use imbolc_tests::{TEST_TAG_VAR, Tmux, tagged_servers, test_config};

const WAIT: Duration = Duration::from_secs(10);
const NOTE_ON: [u8; 3] = [0x90, 60, 100];
const NOTE_OFF: [u8; 3] = [0x80, 60, 0];

fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Makes `name` this process's default JACK server (for the keyboard).
fn use_default_server(name: &str) {
    // SAFETY: called under `serial()` while this test binary has no JACK
    // client open and no other thread reads the environment through libc.
    unsafe {
        std::env::set_var("JACK_DEFAULT_SERVER", name);
        std::env::set_var("JACK_NO_START_SERVER", "1");
    }
}

/// Whether a JACK server of this name accepts clients.
fn jack_running(name: &str) -> bool {
    Command::new("jack_lsp")
        .args(["-s", name])
        .env("JACK_NO_START_SERVER", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("jack_lsp runs (install jackd2)")
        .success()
}

/// The tagged process of this name (`jackd` or `scsynth`) and its command line.
fn tagged(tag: &str, comm: &str) -> Option<(u32, Vec<String>)> {
    tagged_servers(tag).into_iter().find_map(|pid| {
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
        (name.trim() == comm).then(|| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            (pid, cmdline.split(|&b| b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect())
        })
    })
}

/// A directory for the state and config of one run.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("imbolc-midi-box-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `imbolc` in tmux with `jack` mode, `default` as the default JACK
/// server, children tagged `tag`; `path` leads `PATH` when given.
fn launch(tag: &str, dir: &Path, default: &str, jack: &str, path: Option<&Path>) -> Tmux {
    let path = path.map(|p| format!("PATH={}:$PATH ", p.display())).unwrap_or_default();
    let command = format!(
        "{path}{TEST_TAG_VAR}={tag} IMBOLC_LOG=info,imbolc_ui::midi=debug JACK_DEFAULT_SERVER={default} XDG_STATE_HOME={state} XDG_CONFIG_HOME={state} \
         {bin} --jack {jack}; echo \"EXITED:$?\"; exec sleep 60",
        state = dir.display(),
        bin = env!("CARGO_BIN_EXE_imbolc"),
    );
    Tmux::start(tag, 120, 40, &command)
}

fn wait(tmux: &Tmux, text: &str) -> String {
    tmux.wait_for(text, WAIT).unwrap_or_else(|| panic!("no {text:?} on screen:\n{}", tmux.screen()))
}

/// Waits until `done` holds for voices on the scsynth on `port`.
fn wait_voices(port: u16, what: &str, done: impl Fn(usize) -> bool) -> usize {
    let deadline = Instant::now() + WAIT;
    loop {
        let voices = voice_count(&scsynth_tree(port));
        if done(voices) {
            return voices;
        }
        assert!(Instant::now() < deadline, "{what}: {voices} voices on the server");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A keyboard registered on the default server once it is connected to
/// Imbolc's input.
fn keyboard_connected(name: &str, tmux: &Tmux) -> FakeKeyboard {
    let keys = FakeKeyboard::open(name).expect("the keyboard joins Imbolc's JACK server");
    let deadline = Instant::now() + WAIT;
    while !keys.connections().iter().any(|c| c == "imbolc:midi_in") {
        assert!(Instant::now() < deadline, "{} was not connected to imbolc:midi_in:\n{}", keys.port(), tmux.screen());
        std::thread::sleep(Duration::from_millis(20));
    }
    keys
}

/// Note on: a voice starts on scsynth; note off: it ends.
fn notes_play(keys: &FakeKeyboard, port: u16) {
    assert_eq!(voice_count(&scsynth_tree(port)), 0, "nothing sounds before the key");
    keys.send(&NOTE_ON);
    let voices = wait_voices(port, "no voice after note on", |v| v > 0);
    assert_eq!(voices, 1, "one key, one voice");
    keys.send(&NOTE_OFF);
    wait_voices(port, "the voice stayed after note off", |v| v == 0);
}

#[test]
fn auto_starts_the_default_server_and_a_keyboard_that_appears_plays() {
    let _serial = serial();
    let default = format!("imbolc_tdef_{}", std::process::id());
    assert!(!jack_running(&default), "no server of the test's default name runs before the test");
    let dir = temp_dir("auto");
    let tag = format!("midi-auto-{}", std::process::id());
    let tmux = launch(&tag, &dir, &default, "auto", None);
    wait(&tmux, "scsynth: running");
    tmux.send_keys(&["5"]);
    wait(&tmux, "started by Imbolc");
    wait(&tmux, "hardware auto-connect on");
    let (jackd, args) = tagged(&tag, "jackd").expect("Imbolc started jackd");
    assert!(args.windows(2).any(|a| a[0] == "-n" && a[1] == default), "jackd runs as the default server: {args:?}");
    assert!(jack_running(&default), "other JACK programs find the server under the default name");

    use_default_server(&default);
    let keys = keyboard_connected("test-keys", &tmux);
    wait(&tmux, "test-keys:out");
    let (scsynth, _) = tagged(&tag, "scsynth").expect("scsynth runs");
    notes_play(&keys, scsynth_port(scsynth));
    wait(&tmux, "Messages   2 ");
    drop(keys);

    // jackd dies: Imbolc starts a new server and MIDI comes back on it.
    // SAFETY: kill(2) of the jackd this test's Imbolc started (tagged).
    unsafe { libc::kill(i32::try_from(jackd).unwrap(), libc::SIGKILL) };
    let deadline = Instant::now() + Duration::from_secs(20);
    let scsynth = loop {
        match tagged(&tag, "scsynth") {
            Some((pid, _)) if pid != scsynth && tagged(&tag, "jackd").is_some_and(|(j, _)| j != jackd) => break pid,
            _ => {}
        }
        assert!(Instant::now() < deadline, "no new server after jackd was killed:\n{}", tmux.screen());
        std::thread::sleep(Duration::from_millis(50));
    };
    let keys = keyboard_connected("test-keys-2", &tmux);
    notes_play(&keys, scsynth_port(scsynth));
    drop(keys);

    tmux.send_keys(&["q"]);
    wait(&tmux, "EXITED:0");
    let deadline = Instant::now() + Duration::from_secs(5);
    while (!tagged_servers(&tag).is_empty() || jack_running(&default)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "scsynth/jackd left running after quit");
    assert!(!jack_running(&default), "the server Imbolc started stops with it");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `jack_lsp` on `PATH` that counts its runs in `dir/jack_lsp.count`
/// before running the real one.
fn counting_jack_lsp(dir: &Path) -> PathBuf {
    let real = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("jack_lsp"))
        .find(|p| p.is_file())
        .expect("jack_lsp on PATH (install jackd2)");
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join("jack_lsp");
    let count = dir.join("jack_lsp.count");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho run >> '{}'\nexec '{}' \"$@\"\n", count.display(), real.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

/// How many times MIDI tried to open its ports, from the debug log.
fn midi_tries(dir: &Path) -> usize {
    let log = std::fs::read_to_string(dir.join("imbolc/imbolc.log")).unwrap_or_default();
    log.matches("MIDI ports not open").count()
}

fn runs(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("jack_lsp.count")).unwrap_or_default().lines().count()
}

#[test]
fn a_private_server_stays_private_and_midi_waits_without_spawning_jack_lsp() {
    let _serial = serial();
    let default = format!("imbolc_tnodef_{}", std::process::id());
    let dir = temp_dir("private");
    let bin = counting_jack_lsp(&dir);
    let tag = format!("midi-private-{}", std::process::id());
    let tmux = launch(&tag, &dir, &default, "dummy", Some(&bin));
    wait(&tmux, "scsynth: running");
    tmux.send_keys(&["5"]);
    wait(&tmux, "(private, dummy driver)");
    wait(&tmux, &format!("no JACK server '{default}' is running"));
    let (_, args) = tagged(&tag, "jackd").expect("Imbolc started jackd");
    let private = args.windows(2).find(|a| a[0] == "-n").map(|a| a[1].clone()).expect("jackd -n NAME");
    assert_ne!(private, default);
    assert!(!jack_running(&default), "--jack dummy starts no default server");

    // MIDI tries at start and retries 2 and 7 s later; none of it may run
    // jack_lsp.
    let before = runs(&dir);
    assert!(before > 0, "the wrapper counts the runs at startup");
    let deadline = Instant::now() + Duration::from_secs(30);
    while midi_tries(&dir) < 3 {
        assert!(Instant::now() < deadline, "{} MIDI tries logged, 3 expected", midi_tries(&dir));
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(runs(&dir), before, "jack_lsp ran while MIDI waited for JACK");
    let ports = Command::new("jack_lsp").args(["-s", &private]).env("JACK_NO_START_SERVER", "1").output().unwrap();
    let ports = String::from_utf8_lossy(&ports.stdout);
    assert!(!ports.contains("imbolc:midi_in"), "no MIDI port on the private server:\n{ports}");

    tmux.send_keys(&["q"]);
    wait(&tmux, "EXITED:0");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn with_a_private_server_a_keyboard_on_the_default_server_is_left_alone() {
    let _serial = serial();
    let default = format!("imbolc_tuser_{}", std::process::id());
    let user = ServerConfig { jack: JackMode::Auto, ..test_config() };
    use_default_server(&default);
    // The musician's own default server, with a keyboard on it.
    let jack = Jack::ensure(&user).expect("a default JACK server for the test");
    assert_eq!(jack.name(), default);
    let keys = FakeKeyboard::open("user-keys").unwrap();
    let dir = temp_dir("userjack");
    let tag = format!("midi-userjack-{}", std::process::id());
    let tmux = launch(&tag, &dir, &default, "dummy", None);
    wait(&tmux, "scsynth: running");
    tmux.send_keys(&["5"]);
    wait(&tmux, "hardware auto-connect off (not scsynth's JACK server)");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(keys.connections(), Vec::<String>::new(), "the keyboard was connected to a --jack dummy Imbolc");
    tmux.send_keys(&["q"]);
    wait(&tmux, "EXITED:0");
    drop(keys);
    drop(jack);
    std::fs::remove_dir_all(&dir).unwrap();
}
