//! Takes that go wrong, on a real scsynth (private dummy JACK server):
//! each ends with a clear message, keeps what was recorded up to then as
//! a valid WAV file (read back with hound), and leaves nothing running.
//!
//! - a folder that cannot hold the file (a path under a regular file):
//!   the server's `/fail /b_write` ends the take, its synth and buffer
//!   are freed;
//! - input channels the server does not have, or an instrument that does
//!   not exist: refused before anything is sent (then an instrument's
//!   take records its sound);
//! - the disk full: a 1 MiB tmpfs (mounted for the test; needs root), the
//!   take stopped by `take::check_space` before the disk runs out;
//! - the disk filled by another program mid-take: the recorder cannot
//!   write, the file written so far is finished valid;
//! - the server killed mid-take: the take ends, cut short, and its header
//!   (left at 0 frames by the dead server) is repaired by `take::finish`.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use imbolc_audio::engine::{AudioHandle, RecordRequest};
use imbolc_audio::server::JackMode;
use imbolc_audio::take::{self, RecordSource, Take};
use imbolc_tests::engine::{engine_tree, tapped_engine, wait_feedback};
use imbolc_tests::recording::{RealtimeJack, read_channel};
use imbolc_tests::tagged_servers;
use imbolc_types::{AudioDiff, AudioScene, Instrument, InstrumentDef, InstrumentId, MixerSettings, SourceKind};

const WAIT: Duration = Duration::from_secs(20);
const LEAD: InstrumentId = InstrumentId(0);

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("imbolc-take-failures-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One sine instrument, for a held note to record.
fn scene() -> AudioScene {
    let def = InstrumentDef::new(SourceKind::SINE);
    let mixer = MixerSettings { level: 1.0, ..MixerSettings::default() };
    AudioScene { instruments: vec![Instrument { id: LEAD, name: "lead".into(), def, mixer }], ..AudioScene::default() }
}

/// An engine on its own realtime dummy JACK, with the scene loaded.
fn engine(tag: &str) -> (AudioHandle, RealtimeJack, u32) {
    let jack = RealtimeJack::start(tag);
    let (audio, _tap, up) = tapped_engine(tag, JackMode::Existing(jack.name.clone()));
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(scene()))]).unwrap();
    audio.request_tree().unwrap().recv_timeout(WAIT).unwrap();
    (audio, jack, up.scsynth_pid.unwrap())
}

fn record(audio: &mut AudioHandle, source: RecordSource, path: &Path) {
    audio.record(RecordRequest { source, path: path.to_owned() }).unwrap();
}

/// Waits for the take to end; `Ok` is a kept file.
fn ended(audio: &mut AudioHandle, before: u64) -> Result<Take, String> {
    wait_feedback(audio, WAIT, |f| f.recording.ended > before).recording.last.unwrap()
}

fn has_recorder(audio: &AudioHandle) -> bool {
    engine_tree(audio).walk().into_iter().any(|n| n.def.as_deref() == Some("imbolc_disk_record"))
}

/// Waits for the recorder synth to run (its start is timed 0.1 s ahead).
fn wait_recording(audio: &AudioHandle) {
    let deadline = Instant::now() + WAIT;
    while !has_recorder(audio) {
        assert!(Instant::now() < deadline, "the recorder never started");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Reads a finished take back: frames and the peak of its left channel.
fn read_back(take: &Take) -> (u32, f32) {
    let reader = hound::WavReader::open(&take.path).unwrap_or_else(|e| panic!("{}: {e}", take.path.display()));
    assert_eq!(u64::from(reader.duration()), take.frames, "the header says what the file holds");
    let left = read_channel(&take.path, 0);
    (reader.duration(), left.iter().fold(0.0f32, |m, s| m.max(s.abs())))
}

#[test]
fn an_unwritable_folder_and_missing_inputs_end_the_take_with_a_message_and_free_everything() {
    let tag = format!("take-fail-folder-{}", std::process::id());
    let dir = temp_dir("folder");
    let (mut audio, jack, _) = engine(&tag);

    // A path under a regular file: the server cannot create it.
    let file = dir.join("plain");
    std::fs::write(&file, b"x").unwrap();
    record(&mut audio, RecordSource::Master, &file.join("take-001.wav"));
    let reason = ended(&mut audio, 0).unwrap_err();
    assert!(reason.contains("cannot write the take") && reason.contains("plain/take-001.wav"), "{reason}");
    // The recorder's synth starts 0.1 s after the failure came back; it is
    // freed at that same time, so none is left once it has passed.
    let deadline = Instant::now() + WAIT;
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let f = audio.feedback().clone();
        assert!(f.recording.active.is_none());
        if !has_recorder(&audio) && audio.counters().fails >= 1 {
            break;
        }
        assert!(Instant::now() < deadline, "the recorder was left on the server");
    }
    // The folder check before a take says the same in words of its own.
    let e = take::prepare(&file).unwrap_err().to_string();
    assert!(e.contains("is not a folder"), "{e}");

    // Inputs the server does not have.
    record(&mut audio, RecordSource::Input { channel: 7 }, &dir.join("in.wav"));
    let reason = ended(&mut audio, 1).unwrap_err();
    assert!(reason.contains("input channels 8-9 are missing"), "{reason}");
    assert!(!dir.join("in.wav").exists());

    // An instrument that does not exist.
    record(&mut audio, RecordSource::Instrument(InstrumentId(9)), &dir.join("nine.wav"));
    let reason = ended(&mut audio, 2).unwrap_err();
    assert!(reason.contains("there is no instrument 9"), "{reason}");

    // A good take still works afterwards: an instrument's own output.
    let path = take::prepare(&dir.join("takes")).unwrap();
    let voice = audio.voice_on(LEAD, 440.0, 0.8).unwrap();
    record(&mut audio, RecordSource::Instrument(LEAD), &path);
    wait_recording(&audio);
    let size = || std::fs::metadata(&path).map_or(0, |m| m.len());
    let deadline = Instant::now() + WAIT;
    while size() < 32_768 * 6 {
        assert!(Instant::now() < deadline, "the take never reached the disk");
        std::thread::sleep(Duration::from_millis(20));
    }
    audio.stop_recording().unwrap();
    let mut take = ended(&mut audio, 3).unwrap();
    audio.voice_off(voice).unwrap();
    take::finish(&mut take).unwrap();
    let (_, peak) = read_back(&take);
    assert!(peak > 0.1, "the instrument's sound is in the take (peak {peak})");
    audio.shutdown();
    drop(jack);
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "servers left running");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A tmpfs mounted for a test, unmounted on drop.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(at: &Path, size: &str) -> Mount {
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "cannot mount a tmpfs at {} (this test needs root)", at.display());
        Mount(at.to_owned())
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_stops_the_take_and_keeps_a_valid_file() {
    let tag = format!("take-fail-disk-{}", std::process::id());
    let dir = temp_dir("disk");
    let mount = Mount::tmpfs(&dir.join("small"), "1m");
    let (mut audio, jack, _) = engine(&tag);
    let path = take::prepare(&mount.0).unwrap();
    let voice = audio.voice_on(LEAD, 440.0, 0.8).unwrap();
    record(&mut audio, RecordSource::Master, &path);
    wait_recording(&audio);
    // What the UI does while a take runs.
    let deadline = Instant::now() + WAIT;
    let reason = loop {
        if let Some(reason) = take::check_space(&path) {
            break reason;
        }
        assert!(Instant::now() < deadline, "1 MiB never filled up");
        std::thread::sleep(Duration::from_millis(50));
    };
    audio.stop_recording().unwrap();
    let mut take = ended(&mut audio, 0).unwrap();
    take::finish(&mut take).unwrap();
    audio.voice_off(voice).unwrap();
    assert!(reason.contains("is full") && reason.contains("kept"), "{reason}");
    let (frames, peak) = read_back(&take);
    // About 1 MiB of stereo int24 (6 bytes a frame), less the reserve.
    assert!(frames > 48_000, "only {frames} frames kept");
    assert!(peak > 0.1, "the note is in the take (peak {peak})");
    let free = take::free_bytes(&mount.0).unwrap();
    assert!(free > 0, "the disk was never filled to the last byte");
    eprintln!(
        "full disk: take stopped with {} KB free, {frames} frames ({:.2} s) kept",
        free / 1024,
        f64::from(frames) / 48_000.0
    );
    audio.shutdown();
    drop(jack);
    drop(mount);
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "servers left running");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_disk_filled_by_someone_else_mid_take_still_leaves_a_valid_file() {
    let tag = format!("take-fail-full-{}", std::process::id());
    let dir = temp_dir("full");
    let mount = Mount::tmpfs(&dir.join("small"), "1m");
    let (mut audio, jack, _) = engine(&tag);
    let path = take::prepare(&mount.0).unwrap();
    let voice = audio.voice_on(LEAD, 440.0, 0.8).unwrap();
    record(&mut audio, RecordSource::Master, &path);
    wait_recording(&audio);
    let size = || std::fs::metadata(&path).map_or(0, |m| m.len());
    let deadline = Instant::now() + WAIT;
    while size() < 2 * 32_768 * 6 {
        assert!(Instant::now() < deadline, "the take never reached the disk");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Another program takes what is left: `DiskOut` can write no more.
    let free = take::free_bytes(&mount.0).unwrap();
    let filler = std::fs::File::create(mount.0.join("filler")).unwrap();
    let _ = filler.set_len(free);
    let mut filler = filler;
    let _ = std::io::Write::write_all(&mut filler, &vec![1u8; usize::try_from(free).unwrap()]);
    drop(filler);
    assert_eq!(take::free_bytes(&mount.0), Some(0), "the disk is full");
    assert!(take::check_space(&path).is_some_and(|r| r.contains("is full")));
    // The take runs on against the full disk until the recorder has tried
    // to write two more halves of its buffer.
    // (At most the rest of its last 4 KiB page still fits.)
    let before = size();
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        assert!(size() <= before.next_multiple_of(4096), "nothing more fits: {} > {before}", size());
        std::thread::sleep(Duration::from_millis(50));
    }
    audio.stop_recording().unwrap();
    let mut take = ended(&mut audio, 0).unwrap();
    take::finish(&mut take).unwrap();
    audio.voice_off(voice).unwrap();
    let (frames, peak) = read_back(&take);
    assert!(frames >= 2 * 32_768, "only {frames} frames kept");
    assert!(peak > 0.1, "the note is in the take (peak {peak})");
    eprintln!("disk filled mid-take: {frames} frames ({:.2} s) kept", f64::from(frames) / 48_000.0);
    audio.shutdown();
    drop(jack);
    drop(mount);
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "servers left running");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_server_lost_during_a_take_keeps_what_reached_the_disk() {
    let tag = format!("take-fail-lost-{}", std::process::id());
    let dir = temp_dir("lost");
    let (mut audio, jack, pid) = engine(&tag);
    let path = take::prepare(&dir.join("takes")).unwrap();
    let _voice = audio.voice_on(LEAD, 440.0, 0.8).unwrap();
    record(&mut audio, RecordSource::Master, &path);
    wait_recording(&audio);
    // Until two halves of the recorder's buffer are on disk.
    let deadline = Instant::now() + WAIT;
    while std::fs::metadata(&path).map_or(0, |m| m.len()) < 2 * 32_768 * 6 {
        assert!(Instant::now() < deadline, "the take never reached the disk");
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = Command::new("kill").args(["-KILL", &pid.to_string()]).status().unwrap();
    assert!(killed.success());
    let mut take = ended(&mut audio, 0).unwrap();
    let why = take.cut_short.clone().expect("the take says it was cut short");
    assert!(why.contains("server stopped") && why.contains("kept"), "{why}");
    take::finish(&mut take).unwrap();
    let (frames, peak) = read_back(&take);
    assert!(frames >= 2 * 32_768, "only {frames} frames kept");
    assert!(peak > 0.1, "the note is in the take (peak {peak})");
    eprintln!("server lost: {frames} frames ({:.2} s) kept", f64::from(frames) / 48_000.0);
    // The engine goes on with a new server; a new take works there.
    wait_feedback(&mut audio, WAIT, |f| f.scsynth_pid.is_some_and(|p| p != pid));
    audio.shutdown();
    drop(jack);
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "servers left running");
    std::fs::remove_dir_all(&dir).unwrap();
}
