//! What the keys-only pass could not reach, with the real binary in tmux:
//! a new drum pattern sounds in song mode at once (drum voices' `/n_go`
//! seen by an OSC client of our own) and a step's probability survives
//! save and reopen; a knob pass recorded while playing and a curve set on
//! it are saved, and the render follows the recorded level.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use imbolc_tests::{TEST_TAG_VAR, Tmux, tagged_servers};
use imbolc_types::{Curve, MixerParam, ParamTarget};
use rosc::{OscMessage, OscPacket, OscType};

const WAIT: Duration = Duration::from_secs(15);

struct Run {
    tmux: Tmux,
    tag: String,
}

impl Run {
    fn start(label: &str, dir: &Path, song: &Path) -> Run {
        let tag = format!("reach-{label}-{}", std::process::id());
        let command = format!(
            "{TEST_TAG_VAR}={tag} XDG_STATE_HOME={state} XDG_CONFIG_HOME={state} XDG_CACHE_HOME={state} \
             {bin} {song} --jack dummy; echo \"EXITED:$?\"; exec sleep 60",
            state = dir.display(),
            song = song.display(),
            bin = env!("CARGO_BIN_EXE_imbolc"),
        );
        let run = Run { tmux: Tmux::start(label, 120, 36, &command), tag };
        run.wait("scsynth: running");
        run
    }

    fn wait(&self, text: &str) -> String {
        self.tmux.wait_for(text, WAIT).unwrap_or_else(|| panic!("no {text:?} on screen:\n{}", self.tmux.screen()))
    }

    fn keys(&self, keys: &str) {
        self.tmux.send_keys(&keys.split(' ').collect::<Vec<_>>());
    }

    fn scsynth_port(&self) -> u16 {
        let pid = tagged_servers(&self.tag)
            .into_iter()
            .find(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "scsynth"))
            .expect("the tagged scsynth");
        imbolc_tests::engine::scsynth_port(pid)
    }

    /// Saves, quits and waits until the servers are gone.
    fn save_and_quit(self) {
        self.keys("C-s");
        self.wait("saved");
        self.keys("q");
        self.wait("EXITED:0");
        let deadline = Instant::now() + WAIT;
        while !tagged_servers(&self.tag).is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(tagged_servers(&self.tag), Vec::<u32>::new(), "scsynth/jackd left running after quit");
    }
}

fn temp_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("imbolc-reach-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Waits until the scsynth on `port` reports a drum voice starting: a
/// `/n_go` to our own client (`/notify 1`) for a node the tree shows as an
/// `imbolc_drum_*` synth.
fn wait_for_a_drum_voice(port: u16) -> String {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.connect(("127.0.0.1", port)).unwrap();
    socket.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    let send = |addr: &str, args: Vec<OscType>| {
        let packet = OscPacket::Message(OscMessage { addr: addr.into(), args });
        socket.send(&rosc::encoder::encode(&packet).unwrap()).unwrap();
    };
    send("/notify", vec![OscType::Int(1)]);
    let mut buf = vec![0u8; 65_536];
    let deadline = Instant::now() + WAIT;
    let mut started = Vec::new();
    while Instant::now() < deadline {
        let Ok(n) = socket.recv(&mut buf) else { continue };
        let Ok((_, OscPacket::Message(m))) = rosc::decoder::decode_udp(&buf[..n]) else { continue };
        match (m.addr.as_str(), m.args.first()) {
            ("/n_go", Some(OscType::Int(node))) => {
                started.push(*node);
                send("/g_queryTree", vec![OscType::Int(0), OscType::Int(0)]);
            }
            ("/g_queryTree.reply", _) => {
                let tree = imbolc_tests::TreeNode::parse(&m).unwrap();
                let drum = tree.walk().into_iter().find(|n| {
                    started.contains(&n.id) && n.def.as_deref().is_some_and(|d| d.starts_with("imbolc_drum_"))
                });
                if let Some(node) = drum {
                    send("/notify", vec![OscType::Int(0)]);
                    return node.def.clone().unwrap_or_default();
                }
            }
            _ => {}
        }
    }
    panic!("no drum voice started; nodes started: {started:?}");
}

#[test]
fn a_new_drum_pattern_sounds_in_song_mode_and_a_steps_chance_survives_reopening() {
    let dir = temp_dir("drums");
    let song = dir.join("beat.imbolc");
    let run = Run::start("drums", &dir, &song);
    // A kit, the first step (which places the pattern), its chance at 50 %,
    // and a sure step on beat 2.
    run.keys("8 a Enter ( ( ( ( (");
    run.wait("probability 50%");
    run.keys("l l l l Enter Space");
    run.wait("▶ ");
    let voice = wait_for_a_drum_voice(run.scsynth_port());
    eprintln!("drum voice seen starting: {voice}");
    run.keys("Space");
    run.wait("■ ");
    run.save_and_quit();

    let run = Run::start("drums-again", &dir, &song);
    run.keys("8");
    let screen = run.wait("probability 50%");
    assert!(screen.contains("step 1"), "the cursor's step reads back:\n{screen}");
    run.save_and_quit();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// RMS of `samples` (interleaved stereo) in dBFS.
fn rms_db(samples: &[f32]) -> f64 {
    let sum: f64 = samples.iter().map(|s| f64::from(*s) * f64::from(*s)).sum();
    10.0 * (sum / samples.len().max(1) as f64).max(1e-20).log10()
}

/// RMS (dBFS) of each of the first six bars of `song`'s bass stem,
/// rendered with `imbolc render`.
fn bass_bars(song: &Path, dir: &Path) -> Vec<f64> {
    let out = dir.join(format!("render-{}", song.file_stem().unwrap().to_string_lossy()));
    let rendered = Command::new(env!("CARGO_BIN_EXE_imbolc"))
        .args(["render", &song.display().to_string(), "--out", &out.display().to_string(), "--stems"])
        .args(["--range", "1-6", "--format", "32f"])
        .env("XDG_STATE_HOME", dir)
        .env("XDG_CACHE_HOME", dir)
        .output()
        .unwrap();
    assert!(rendered.status.success(), "{}", String::from_utf8_lossy(&rendered.stderr));
    let stem = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().contains("bass")))
        .expect("a bass stem");
    let mut reader = hound::WavReader::open(&stem).unwrap();
    let rate = f64::from(reader.spec().sample_rate);
    let samples: Vec<f32> = reader.samples::<f32>().map(Result::unwrap).collect();
    let bar = (rate * 60.0 / f64::from(imbolc_core::demo::DEMO_TEMPO) * 4.0) as usize;
    (0..6).map(|n| rms_db(&samples[2 * n * bar..2 * (n + 1) * bar])).collect()
}

#[test]
fn a_knob_pass_recorded_while_playing_and_a_curve_on_it_are_saved_and_rendered() {
    let dir = temp_dir("knob");
    let song = dir.join("demo.imbolc");
    let made = Command::new(env!("CARGO_BIN_EXE_imbolc")).arg("demo").arg(&song).output().unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let plain = dir.join("plain.imbolc");
    std::fs::copy(&song, &plain).unwrap();
    let run = Run::start("knob", &dir, &song);
    // Arm recording, play, and turn the bass (the mixer's first strip)
    // down five steps in bar 3 and five more in bar 4.
    run.keys("1 7 r");
    run.wait("● auto");
    run.keys("4 Space");
    run.wait("▶ 3.");
    run.keys("- - - - -");
    run.wait("▶ 4.");
    run.keys("- - - - -");
    run.wait("▶ 5.");
    run.keys("Space");
    run.wait("recorded automation");
    // The pass made a level lane; the segment from its first point curves.
    run.keys("7 j");
    run.wait("level");
    run.keys(&["l"; 9].join(" "));
    run.keys("c");
    run.wait("exponential");
    run.save_and_quit();

    let project = imbolc_core::persist::load(&song).unwrap().project;
    let before = imbolc_core::persist::load(&plain).unwrap().project;
    let bass = *project.instruments.keys().next().unwrap();
    let was = before.instruments[&bass].mixer.level;
    let level = ParamTarget::Mixer { instrument: bass, param: MixerParam::Level };
    let lane = project.automation.values().find(|l| l.target == level).expect("a recorded level lane");
    eprintln!("recorded level points: {:?} (from {was})", lane.points);
    let bar = 4 * imbolc_types::TICKS_PER_QUARTER;
    let (first, low) = (lane.points.first_key_value().unwrap(), lane.points.last_key_value().unwrap());
    // Bar 3 and bar 4 as played; a loaded machine may be late by a bar,
    // still before bar 6, where the render is measured.
    assert!((2 * bar..4 * bar).contains(first.0), "the first moves landed in bar 3: {:?}", lane.points);
    assert!((*first.0 + 1..5 * bar).contains(low.0), "the last after them, in bar 4: {:?}", lane.points);
    assert!((*first.1 - (was - 0.25)).abs() < 1e-3 && (*low.1 - (was - 0.5)).abs() < 1e-3, "{:?}", lane.points);
    assert_eq!(lane.curves.get(first.0), Some(&Curve::Exponential), "{:?}", lane.curves);

    // The render follows the pass: against the song before it, the bass is
    // at the first recorded level in bar 1 and the last in bar 6.
    let (after, before) = (bass_bars(&song, &dir), bass_bars(&plain, &dir));
    let change = |bar: usize| after[bar] - before[bar];
    let expect = |level: f32| 20.0 * f64::from(level / was).log10();
    eprintln!("bass level from the pass: bar 1 {:+.2} dB, bar 6 {:+.2} dB", change(0), change(5));
    assert!((change(0) - expect(*first.1)).abs() < 0.3, "bar 1: {:+.2} dB", change(0));
    assert!((change(5) - expect(*low.1)).abs() < 0.3, "bar 6: {:+.2} dB", change(5));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn midi_record_on_an_instrument_without_a_clip_makes_one() {
    let dir = temp_dir("record");
    let song = dir.join("take.imbolc");
    let run = Run::start("record", &dir, &song);
    run.keys("a Enter R");
    run.wait("count-in: 1 bar");
    run.wait("● rec");
    run.keys("R 6");
    // The clip is there, placed at the song start, ready for the take.
    let screen = run.wait("Arrangement · 1 clips · 1 placements");
    assert!(!screen.contains("no clip to record into"), "{screen}");
    run.save_and_quit();
    let project = imbolc_core::persist::load(&song).unwrap().project;
    let clip = project.clips.values().next().expect("a clip");
    assert_eq!(clip.length, 4 * 4 * imbolc_types::TICKS_PER_QUARTER, "four bars");
    assert_eq!(project.placements.values().map(|p| p.start).collect::<Vec<_>>(), [0]);
    std::fs::remove_dir_all(&dir).unwrap();
}
