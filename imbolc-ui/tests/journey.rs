//! A musician's first hour, with keys only, in a real terminal (tmux) at
//! 80×24 and 120×40: from an empty project, a 16-bar song with a drum
//! pattern and a fill, a bass line, chords, a lead recorded from a MIDI
//! keyboard (a JACK client standing in for one), a filter sweep, effects,
//! sends to a reverb bus, mixer levels and an arrangement of sections; then
//! save, render the stems from the dialog, quit, reopen and find it all.
//! Every step waits for what a musician would look for on screen. The
//! README's longer walkthrough types the same keys.
//!
//! The keyboard joins Imbolc's JACK server, which `--jack auto` starts as
//! the default server under a name unique to this test
//! (`JACK_DEFAULT_SERVER`), so the keyboard is connected as hardware would
//! be; the two sizes run one after the other (the name is process-wide).

// Test code: a failed unwrap is a failed test; `set_var` is explained above.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, unsafe_code)]

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use imbolc_tests::keyboard::FakeKeyboard;
use imbolc_tests::{TEST_TAG_VAR, Tmux, tagged_servers};

const WAIT: Duration = Duration::from_secs(15);

fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One run of the app in tmux, the keys typed so far kept for messages.
struct Journey {
    tmux: Tmux,
    typed: Vec<String>,
}

impl Journey {
    /// Types space-separated tmux key names (`C-s`, `Enter`, `a`), a
    /// little apart so the app sees each one.
    fn keys(&mut self, keys: &str) {
        for key in keys.split(' ').filter(|k| !k.is_empty()) {
            self.tmux.send_keys(&[key]);
            self.typed.push(key.to_owned());
            std::thread::sleep(Duration::from_millis(15));
        }
    }

    /// Types text into a field (each character a key).
    fn type_text(&mut self, text: &str) {
        self.tmux.send_keys(&["-l", text]);
        self.typed.push(format!("«{text}»"));
    }

    /// Waits for `text` on screen; fails with the screen and the last keys.
    fn wait(&self, text: &str) -> String {
        self.tmux.wait_for(text, WAIT).unwrap_or_else(|| {
            let last: Vec<_> = self.typed.iter().rev().take(20).rev().cloned().collect();
            panic!("no {text:?} on screen after keys {last:?}:\n{}", self.tmux.screen())
        })
    }

    /// Waits until `check` holds for the screen; `what` names it.
    fn wait_until(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let screen = self.tmux.screen();
            if check(&screen) {
                return screen;
            }
            assert!(Instant::now() < deadline, "{what}: not on screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Types `keys`, then waits for `text`.
    fn step(&mut self, keys: &str, text: &str) -> String {
        self.keys(keys);
        self.wait(text)
    }

    /// Selects the `n`th instrument (from 0) in the instrument list.
    fn select(&mut self, n: usize) {
        self.keys(&format!("1 {}{}", "k ".repeat(8), "j ".repeat(n)));
    }

    /// Renames what `r` renames in the current pane.
    fn rename(&mut self, name: &str) {
        self.keys("r");
        self.wait("Enter renames");
        self.keys(&"BSpace ".repeat(24));
        self.type_text(name);
        self.keys("Enter");
    }
}

#[test]
fn a_sixteen_bar_song_by_keys_alone_at_80x24() {
    journey(80, 24);
}

#[test]
fn a_sixteen_bar_song_by_keys_alone_at_120x40() {
    journey(120, 40);
}

fn journey(width: u16, height: u16) {
    let _serial = serial();
    let label = format!("journey-{width}x{height}");
    let dir = std::env::temp_dir().join(format!("imbolc-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // Short (JACK names stop at 23 bytes), with the prefix whose dead
    // registry slots Imbolc reclaims.
    let server = format!("imbolcj{width}_{}", std::process::id());
    let tag = format!("{label}-{}", std::process::id());
    // SAFETY: under `serial()`, before this process opens a JACK client,
    // and no other thread reads the environment through libc meanwhile.
    unsafe {
        std::env::set_var("JACK_DEFAULT_SERVER", &server);
        std::env::set_var("JACK_NO_START_SERVER", "1");
    }
    let song = dir.join("journey.imbolc");
    let run = format!(
        "{TEST_TAG_VAR}={tag} JACK_DEFAULT_SERVER={server} XDG_STATE_HOME={state} XDG_CONFIG_HOME={state} \
         XDG_CACHE_HOME={state} {bin} {song} --jack auto",
        state = dir.display(),
        bin = env!("CARGO_BIN_EXE_imbolc"),
        song = song.display(),
    );
    // `read` holds the second run until the first has been seen to exit.
    let command = format!("{run}; echo \"FIRST:$?\"; read go; {run}; echo \"SECOND:$?\"; exec sleep 60");
    let mut j = Journey { tmux: Tmux::start(&label, width, height, &command), typed: Vec::new() };
    j.wait("scsynth: running");

    drums(&mut j);
    bass_and_chords(&mut j);
    lead_from_the_keyboard(&mut j);
    sweep_effects_and_mix(&mut j);
    arrange(&mut j);

    // Save, render the stems, quit.
    j.step("C-s", "saved ");
    j.step("C-e", "Render");
    j.keys("Enter");
    let summary = j.wait_until("the render's summary", |s| s.contains("master") && s.contains("LUFS"));
    for name in ["drums", "bass", "chords", "lead"] {
        assert!(summary.contains(name), "the summary lists the {name} stem:\n{summary}");
    }
    j.keys("Escape");
    j.step("q", "FIRST:0");
    check_stems(&dir.join("journey-render"));

    // Reopened: everything is there.
    j.keys("Enter");
    let list = j.wait("opened ");
    for name in ["drums", "bass", "chords", "lead"] {
        assert!(list.contains(name), "{name} is listed after reopening:\n{list}");
    }
    j.step("6", "36 placements");
    j.wait("pattern 1");
    j.step("4", "+verb");
    j.keys("1");
    let list = j.wait("delay");
    let line = |name: &str| list.lines().find(|l| l.contains(name)).unwrap_or_default().to_owned();
    assert!(line("lead").contains("delay"), "the lead's delay:\n{list}");
    assert!(line("bass").contains("low-pass"), "the bass's filter:\n{list}");
    j.select(1);
    j.step("7", "filter cutoff");
    j.step("q", "SECOND:0");

    let deadline = Instant::now() + Duration::from_secs(5);
    while !tagged_servers(&tag).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "scsynth/jackd left running after quit");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A kit from the picker, a one-bar pattern (kick, snare, hats) and a fill
/// made as a copy of it with a snare roll.
fn drums(j: &mut Journey) {
    j.keys("a");
    j.wait("Add instrument");
    j.type_text("kit");
    j.step("Enter", "drum kit");
    j.step("8", "no pattern yet");
    // Kick on the beats, snare on 2 and 4, closed hat on the eighths.
    j.keys("Enter l l l l Enter l l l l Enter l l l l Enter");
    j.keys("j Enter h h h h h h h h Enter");
    j.keys("j j h h h h h h h h h h h h");
    j.keys("Enter l l Enter l l Enter l l Enter l l Enter l l Enter l l Enter l l Enter");
    let screen = j.wait("pattern 0");
    assert!(row(&screen, "kick").starts_with("█ · · · █ · · · █ · · · █"), "kick on the beats:\n{screen}");
    assert!(row(&screen, "snare").starts_with("│ · · · █ · · · │ · · · █"), "snare on 2 and 4:\n{screen}");
    // The fill: a copy, with snare on the last three sixteenths.
    j.step("6 C", "copied as \"pattern 1\"");
    j.step("8", "pattern 1");
    j.keys("k k h Enter l Enter l Enter");
    let screen = j.wait_until("the fill's snare roll", |s| row(s, "snare").ends_with("█ █ █"));
    assert!(row(&screen, "kick").starts_with("█ · · · █"), "the fill keeps the kick:\n{screen}");
}

/// The cells of a drum row, trimmed.
fn row<'a>(screen: &'a str, pad: &str) -> &'a str {
    screen
        .lines()
        .find_map(|l| l.trim_start_matches('│').strip_prefix(pad))
        .map_or("", |r| r.trim().trim_end_matches('│').trim())
}

/// A saw bass of eight eighths an octave down, and a saw for chords with
/// two triads.
fn bass_and_chords(j: &mut Journey) {
    j.step("1 a", "Add instrument");
    j.step("Enter", "saw");
    j.rename("bass");
    j.wait("bass");
    j.step("3", "no clip yet");
    j.keys("J a l a l a l a l a l a l a l a l");
    j.wait("8 notes");

    j.step("1 a", "Add instrument");
    j.step("Enter", "saw");
    j.rename("chords");
    j.wait("chords");
    j.keys("3 0 a k k k k a k k k a");
    j.keys("l l l l l l l l j j j j j j j a k k k k a k k k a");
    j.wait("6 notes");
}

/// A lead recorded from the keyboard while the song plays.
fn lead_from_the_keyboard(j: &mut Journey) {
    j.step("1 a", "Add instrument");
    j.step("Enter", "saw");
    j.rename("lead");
    j.wait("lead");
    let keyboard = FakeKeyboard::open("journey-keys").expect("the keyboard joins Imbolc's JACK server");
    let deadline = Instant::now() + WAIT;
    while !keyboard.connections().iter().any(|c| c == "imbolc:midi_in") {
        assert!(Instant::now() < deadline, "the keyboard was not connected:\n{}", j.tmux.screen());
        std::thread::sleep(Duration::from_millis(20));
    }
    // Armed while stopped: a bar of count-in, then recording.
    j.step("R", "count-in");
    j.wait("● rec");
    j.wait("▶ ");
    j.wait_until("the count-in bar to pass", |s| s.contains("▶ 2.") || s.contains("▶ 3."));
    for pitch in [72u8, 74, 76, 79] {
        keyboard.send(&[0x90, pitch, 100]);
        std::thread::sleep(Duration::from_millis(200));
        keyboard.send(&[0x80, pitch, 0]);
        std::thread::sleep(Duration::from_millis(100));
    }
    j.step("R", "recorded 4 notes");
    j.step("Space", "■ ");
    j.step("3", "4 notes");
}

/// A filter on the bass with a cutoff sweep, a delay on the lead, a reverb
/// bus the chords and lead send to, and the bass a little lower.
fn sweep_effects_and_mix(j: &mut Journey) {
    // The bass: filter, then a lane on its cutoff rising over two bars.
    j.select(1);
    j.keys("2 f");
    j.wait("low-pass");
    j.step("7 a", "Automate");
    j.type_text("cutoff");
    j.step("Enter", "filter cutoff");
    j.keys("- - - - - - - - l l l l l l l l + + + + + + + + + + + +");
    j.wait("●");

    // A delay on the lead.
    j.select(3);
    j.keys("2 a");
    j.wait("Add effect");
    j.type_text("delay");
    j.step("Enter", "1. delay");

    // A reverb bus; the chords and lead send to it.
    j.step("4 b", "bus 1");
    j.rename("verb");
    j.wait("verb");
    j.keys("e a");
    j.wait("Add effect");
    j.type_text("reverb");
    j.step("Enter", "reverb");
    j.keys("4");
    j.wait("Mixer");
    j.keys("h h h h h h h h l l w > > j j j");
    j.keys("l w >");
    let screen = j.wait_until("two sends to the reverb bus", |s| s.matches("+verb").count() == 2);
    assert!(screen.contains("lvl 0.65"), "the chords a little lower:\n{screen}");
}

/// Sixteen bars: the pattern three bars then the fill, four times; the
/// bass and chords (two bars each) and the lead (four bars) repeated to
/// the end.
fn arrange(j: &mut Journey) {
    let home = "h ".repeat(40);
    j.step("6", "Arrangement");
    j.keys(&"k ".repeat(8));
    j.keys("D D j l a");
    for _ in 0..3 {
        j.keys("k l a D D j l a");
    }
    j.keys(&format!("{home} j D D D D D D D j {home} D D D D D D D j {home} D D D"));
    j.wait("36 placements");
}

/// The rendered stems: the master and one per instrument, each with sound,
/// all the same length.
fn check_stems(dir: &Path) {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("no render folder {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "wav"))
        .collect();
    assert!(files.len() >= 5, "the master and four stems: {files:?}");
    let mut lengths = Vec::new();
    for file in &files {
        let mut reader = hound::WavReader::open(file).unwrap();
        let spec = reader.spec();
        let peak = match spec.sample_format {
            hound::SampleFormat::Float => reader.samples::<f32>().map(|s| s.unwrap().abs()).fold(0.0, f32::max),
            hound::SampleFormat::Int => {
                let full = (1i64 << (spec.bits_per_sample - 1)) as f32;
                reader.samples::<i32>().map(|s| s.unwrap().unsigned_abs() as f32 / full).fold(0.0, f32::max)
            }
        };
        let db = 20.0 * peak.max(1e-9).log10();
        eprintln!("{}: peak {db:.1} dBFS, {} frames", file.display(), reader.duration());
        assert!(db > -60.0, "{} is silent ({db:.1} dBFS)", file.display());
        lengths.push(reader.duration());
    }
    assert!(lengths.windows(2).all(|w| w[0] == w[1]), "stems of equal length: {lengths:?}");
}
