//! The corpus of impossible project files (`imbolc_tests::corpus`) opened
//! in the real TUI (tmux, a private JACK and scsynth): each one opens with
//! the repairs on the status line (or as it is, when it needs none), plays
//! and stops with the server still running, and no file changes on disk or
//! appears beside them. Then a file without id counters: add an
//! instrument, undo: five, then the four originals.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::time::{Duration, Instant};

use imbolc_tests::corpus::{Case, Writing, base_song, write_case, write_corpus};
use imbolc_tests::{TEST_TAG_VAR, Tmux, tagged_servers};
use imbolc_types::drums::PadSound;
use imbolc_types::{Action, Project, SourceKind};

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

/// Four instruments, written without id counters (what issue 24 saw lose
/// an instrument to the next add).
fn four_without_counters(path: &Path) {
    let mut project = Project::new("four");
    for name in ["bass", "lead", "pad", "keys"] {
        imbolc_core::dispatch(&mut project, Action::AddInstrument { source: SourceKind::SAW, name: name.into() })
            .unwrap();
    }
    let case =
        Case { name: "four", what: "four, no counters", project, writing: Writing::WithoutIdCounters, refused: false };
    write_case(&case, path);
}

#[test]
fn every_corpus_file_opens_repaired_in_the_terminal_plays_and_is_left_untouched() {
    let dir = std::env::temp_dir().join(format!("imbolc-tmux-corpus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let songs = dir.join("songs");
    let mut corpus = write_corpus(&songs);
    let fifo = dir.join("pad.fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success(), "mkfifo (coreutils)");
    let mut project = base_song();
    let kit = project.instruments.values_mut().find_map(|i| i.def.drums.as_mut()).unwrap();
    kit.pads[0].sound = PadSound::Sample { path: fifo.display().to_string() };
    let fifo_case =
        Case { name: "fifo-sample", what: "a pad on a FIFO", project, writing: Writing::Plain, refused: false };
    let path = songs.join("fifo-sample.imbolc");
    write_case(&fifo_case, &path);
    corpus.push((fifo_case, path));
    four_without_counters(&songs.join("four.imbolc"));
    let before: Vec<Vec<u8>> = corpus.iter().map(|(_, p)| std::fs::read(p).unwrap()).collect();
    let names = listing(&songs);

    let tag = format!("tmux-corpus-{}", std::process::id());
    let command = format!(
        "{TEST_TAG_VAR}={tag} XDG_STATE_HOME={state} XDG_CONFIG_HOME={state} {bin} {first} --jack dummy; echo \"EXITED:$?\"; exec sleep 60",
        state = dir.display(),
        bin = env!("CARGO_BIN_EXE_imbolc"),
        first = corpus[0].1.display(),
    );
    let tmux = Tmux::start("corpus", 220, 30, &command);
    let wait = |text: &str, what: &str| {
        tmux.wait_for(text, Duration::from_secs(15))
            .unwrap_or_else(|| panic!("{what}: no {text:?} on screen:\n{}", tmux.screen()))
    };
    wait("scsynth: running", "start");

    for (k, (case, path)) in corpus.iter().enumerate() {
        let repaired = !imbolc_core::persist::load(path).unwrap().repairs.is_empty();
        if k > 0 {
            // The path prompt starts in the current file's folder.
            tmux.send_keys(&["C-o"]);
            wait("songs/", case.name);
            // With the extension: `tempo-0.01` would be taken as named.
            tmux.send_keys(&["-l", &format!("{}.imbolc", case.name)]);
            tmux.send_keys(&["Enter"]);
        }
        // The status line still shows the last file's message until this
        // one is read: wait for both the message and this file's name.
        let message = if repaired { "repaired on open:" } else { "opened " };
        let file = format!("{}.imbolc", case.name);
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut screen = tmux.screen();
        while !(screen.contains(message) && screen.contains(&file)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
            screen = tmux.screen();
        }
        assert!(screen.contains(message) && screen.contains(&file), "{}: no {message:?}:\n{screen}", case.name);
        let line = screen.lines().find(|l| l.contains("repaired on open:") || l.contains("opened ")).unwrap();
        eprintln!("{}: {}", case.name, line.split('│').next_back().unwrap_or(line).trim());
        tmux.send_keys(&["Space"]);
        // Plays until the playhead has left the first beat.
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut screen = wait("▶ ", case.name);
        while screen.contains("▶ 1.1 ") && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
            screen = tmux.screen();
        }
        assert!(
            screen.contains("▶ ") && !screen.contains("▶ 1.1 "),
            "{}: the playhead stays put:\n{screen}",
            case.name
        );
        tmux.send_keys(&["Space"]);
        wait("■ ", case.name);
        wait("scsynth: running", case.name);
        assert!(!tmux.screen().contains(&format!("{}.imbolc*", case.name)), "{}: shown as changed", case.name);
    }

    // A file without id counters: the added instrument replaces none, and
    // undo leaves the four.
    tmux.send_keys(&["C-o"]);
    wait("songs/", "four");
    tmux.send_keys(&["-l", "four"]);
    tmux.send_keys(&["Enter"]);
    wait("repaired on open: 1 id counter raised", "four");
    tmux.send_keys(&["1", "a", "Enter"]);
    let screen = wait(" 5  saw", "four: add");
    for (n, name) in ["bass", "lead", "pad", "keys"].iter().enumerate() {
        assert!(screen.contains(&format!(" {}  {name}", n + 1)), "four: {name} kept after the add:\n{screen}");
    }
    tmux.send_keys(&["u"]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while tmux.screen().contains(" 5  saw") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let screen = tmux.screen();
    assert!(!screen.contains(" 5  "), "four: undo removes the fifth:\n{screen}");
    for (n, name) in ["bass", "lead", "pad", "keys"].iter().enumerate() {
        assert!(screen.contains(&format!(" {}  {name}", n + 1)), "four: {name} kept after undo:\n{screen}");
    }
    assert!(!screen.contains("four.imbolc*"), "four: back at what the file holds:\n{screen}");

    tmux.send_keys(&["q"]);
    wait("EXITED:0", "quit");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !tagged_servers(&tag).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "scsynth/jackd left running after quit");
    for ((case, path), bytes) in corpus.iter().zip(&before) {
        assert_eq!(&std::fs::read(path).unwrap(), bytes, "{}: the file changed on disk", case.name);
    }
    assert_eq!(listing(&songs), names, "files appeared beside the songs");
    std::fs::remove_dir_all(&dir).unwrap();
}
