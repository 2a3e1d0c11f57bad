//! The views of sound (scope, spectrum, loudness) on a real scsynth,
//! through the engine (`AudioHandle::view`):
//!
//! - a 1 kHz sine at −20 dBFS played through the master shows its
//!   spectrum peak in the 1 kHz bin and reads −20 ± 0.5 dBFS on the
//!   scope's peak;
//! - the loudness meter's integrated loudness of a rendered song played
//!   through the master agrees with `ebur128` over the file within 0.5 LU
//!   (and the render summary's small waveform of that file shows where it
//!   sounds);
//! - a view on an instrument taps that instrument's bus, one on an aux bus
//!   that bus; a killed server's successor gets the tap again; closing the
//!   view takes the tap off the server (nothing runs without a view).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use imbolc_audio::backend::NodeId;
use imbolc_audio::engine::{AudioHandle, TapEvent};
use imbolc_audio::server::JackMode;
use imbolc_audio::status::ServerState;
use imbolc_audio::views::{BANDS, FFT_SIZE, ViewFrame, band_range};
use imbolc_core::dispatch;
use imbolc_core::render::{self, Normalize, RenderOptions, SampleFormat};
use imbolc_tests::engine::{scsynth_port, scsynth_tree, tapped_engine, wait_feedback};
use imbolc_tests::tagged_servers;
use imbolc_types::{Action, AudioDiff, ChainOwner, Note, Project, SourceKind};

/// Generous: the machine may be compiling beside the test.
const WAIT: Duration = Duration::from_secs(30);
const RATE: u32 = 48_000;
const TAP: &str = "imbolc_view_tap";

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("imbolc-views-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A stereo float WAV of a sine.
fn write_sine(path: &Path, hz: f64, amplitude: f64, secs: u32) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: RATE,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..RATE * secs {
        let v = (amplitude * (f64::from(i) * hz * std::f64::consts::TAU / f64::from(RATE)).sin()) as f32;
        w.write_sample(v).unwrap();
        w.write_sample(v).unwrap();
    }
    w.finalize().unwrap();
}

/// Polls the view until `done` holds.
fn wait_view(audio: &mut AudioHandle, what: &str, done: impl Fn(&ViewFrame) -> bool) -> ViewFrame {
    let deadline = Instant::now() + WAIT;
    loop {
        let frame = audio.view_frame();
        if done(frame) {
            return frame.clone();
        }
        assert!(
            Instant::now() < deadline,
            "the view never {what}: {} updates, target {:?}",
            frame.updates,
            frame.target
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The next node start on the tap.
fn next_go(tap: &Receiver<TapEvent>) -> NodeId {
    loop {
        if let TapEvent::Go(n) = tap.recv_timeout(WAIT).expect("no node start") {
            return n;
        }
    }
}

fn wait_end(tap: &Receiver<TapEvent>, node: NodeId) {
    loop {
        if let TapEvent::End(n) = tap.recv_timeout(WAIT).expect("no node end")
            && n == node
        {
            return;
        }
    }
}

fn taps(port: u16) -> usize {
    scsynth_tree(port).walk().iter().filter(|n| n.def.as_deref() == Some(TAP)).count()
}

/// Two bars of a sine instrument's notes at different velocities, then a
/// bar of silence: loud and quiet parts, so the gating matters.
fn song() -> Project {
    let mut p = Project::new("views loudness");
    p.tempo = 120.0;
    dispatch(&mut p, Action::AddInstrument { source: SourceKind::SAW, name: "lead".into() }).unwrap();
    let lead = *p.instruments.keys().next().unwrap();
    dispatch(&mut p, Action::AddClip { instrument: lead, name: "part".into(), length: 3 * 1920 }).unwrap();
    let clip = *p.clips.keys().next().unwrap();
    let notes = (0..8u32).map(|k| Note::new(60 + (k % 5) as u8, if k < 4 { 110 } else { 40 }, k * 480, 400)).collect();
    dispatch(&mut p, Action::AddNotes { clip, notes }).unwrap();
    dispatch(&mut p, Action::AddPlacement { clip, start: 0, length: 3 * 1920 }).unwrap();
    p
}

/// Integrated loudness of a WAV file, by `ebur128` directly.
fn file_lufs(path: &Path) -> f64 {
    let mut r = hound::WavReader::open(path).unwrap();
    let spec = r.spec();
    let samples: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => r.samples::<f32>().map(Result::unwrap).collect(),
        hound::SampleFormat::Int => {
            let full = (1i64 << (spec.bits_per_sample - 1)) as f32;
            r.samples::<i32>().map(|s| s.unwrap() as f32 / full).collect()
        }
    };
    let mut m = ebur128::EbuR128::new(u32::from(spec.channels), spec.sample_rate, ebur128::Mode::I).unwrap();
    m.add_frames_f32(&samples).unwrap();
    m.loudness_global().unwrap()
}

#[test]
fn views_read_a_sine_and_a_rendered_song_exactly_and_leave_nothing_when_closed() {
    let sine = temp("sine.wav");
    write_sine(&sine, 1000.0, 0.1, 6);
    let dir = temp("render");
    std::fs::create_dir_all(&dir).unwrap();
    // Normalised to a usual loudness; its peaks stay below the master
    // limiter's ceiling, so playing it back leaves it unchanged.
    let opts = RenderOptions {
        out_dir: dir.clone(),
        format: SampleFormat::Float32,
        normalize: Normalize::Lufs(-16.0),
        ..RenderOptions::default()
    };
    let summary = render::render(&song(), &opts, &AtomicBool::new(false), &mut |_| {}).unwrap();
    let master = summary.files.iter().find(|f| f.stem == "master").expect("a master file");
    let reference = file_lufs(&master.path);
    // The summary's figure is the first pass's plus the gain, which the
    // absolute gate (-70 LUFS) does not follow exactly: the file itself is
    // the reference.
    assert!((reference + 16.0).abs() < 0.5 && master.peak_dbfs < -1.5, "{reference} LUFS, peak {}", master.peak_dbfs);
    // The summary's small waveform: loud where the notes play, silent in
    // the last sixteenth (the song's last bar is empty).
    let line = render::sketch_line(&master.sketch);
    let top = master.sketch.iter().fold(0.0f32, |m, p| m.max(*p));
    assert!((20.0 * f64::from(top).log10() - master.peak_dbfs).abs() < 1e-3, "the sketch holds the file's peak");
    assert!(line.starts_with(|c: char| c != ' ') && line.ends_with(' '), "{line:?}");
    eprintln!("views: rendered master {:.2} LUFS |{line}|", master.lufs);

    let tag = format!("views-{}", std::process::id());
    let (mut audio, tap, up) = tapped_engine(&tag, JackMode::Dummy);
    let pid = up.scsynth_pid.expect("the engine reports scsynth's pid");
    let port = scsynth_port(pid);
    audio.request_tree().unwrap().recv_timeout(WAIT).expect("a tree from the engine");
    assert_eq!(taps(port), 0, "no view, no tap");

    // The sine through the master.
    audio.view(Some(ChainOwner::Master)).unwrap();
    let opened = Instant::now();
    wait_view(&mut audio, "opened on the master", |f| f.target == Some(ChainOwner::Master) && f.updates > 0);
    assert_eq!(taps(port), 1);
    while tap.try_recv().is_ok() {}
    audio.preview(Some(sine.display().to_string())).unwrap();
    let sampler = next_go(&tap);
    let heard = wait_view(&mut audio, "heard the sine", |f| f.scope_peak_dbfs() > -30.0).updates;
    // The FFT window (4096 frames, 4 chunks) all inside the sine.
    let frame = wait_view(&mut audio, "went on", |f| f.updates > heard + 8);
    let peak = frame.scope_peak_dbfs();
    assert!((peak + 20.0).abs() <= 0.5, "a -20 dBFS sine reads {peak:.2} dBFS on the scope");
    let bin = frame.spectrum.peak_bin();
    let want = (1000.0 * FFT_SIZE as f64 / f64::from(RATE)).round() as usize;
    assert_eq!(bin, want, "the spectrum peaks in bin {bin} ({:.1} Hz)", frame.bin_hz(bin));
    let band = (0..BANDS).max_by(|a, b| frame.spectrum.bands[*a].total_cmp(&frame.spectrum.bands[*b])).unwrap();
    let (lo, hi) = band_range(band);
    assert!((lo..hi).contains(&1000.0), "the loudest band is {lo:.0}-{hi:.0} Hz");
    assert!((frame.loudness.true_peak + 20.0).abs() < 0.5, "true peak {:.2} dBTP", frame.loudness.true_peak);
    let rate = frame.updates as f64 / opened.elapsed().as_secs_f64();
    eprintln!(
        "views: sine peak {peak:.2} dBFS in bin {bin} ({:.1} Hz), true peak {:.2} dBTP, {} updates in {:.2} s ({rate:.1}/s)",
        frame.bin_hz(bin),
        frame.loudness.true_peak,
        frame.updates,
        opened.elapsed().as_secs_f64()
    );
    audio.preview(None).unwrap();
    wait_end(&tap, sampler);

    // The rendered song, measured from the start of a fresh view.
    audio.view(Some(ChainOwner::Master)).unwrap();
    wait_view(&mut audio, "reopened", |f| f.updates > 0 && f.scope_peak_dbfs() < -100.0);
    while tap.try_recv().is_ok() {}
    audio.preview(Some(master.path.display().to_string())).unwrap();
    let sampler = next_go(&tap);
    wait_end(&tap, sampler);
    let ended = audio.view_frame().updates;
    // A few more chunks: the last ones of the song are still on their way.
    let frame = wait_view(&mut audio, "read the song's end", |f| f.updates > ended + 6);
    let measured = frame.loudness.integrated;
    eprintln!(
        "views: song integrated {measured:.2} LUFS by the meter, {reference:.2} by ebur128 over the file; \
         short-term {:.2}, true peak {:.2} dBTP; {} chunks lost",
        frame.loudness.short_term, frame.loudness.true_peak, frame.gaps
    );
    assert!((measured - reference).abs() <= 0.5, "meter {measured:.2} LUFS, file {reference:.2} LUFS");
    assert_eq!(frame.gaps, 0, "every chunk reached the analyser");

    // An instrument: the tap reads its chain bus; a bus: its own; closing
    // removes the tap.
    let mut p = Project::new("one");
    dispatch(&mut p, Action::AddInstrument { source: SourceKind::SINE, name: "s".into() }).unwrap();
    dispatch(&mut p, Action::AddBus { name: "verb".into() }).unwrap();
    let id = *p.instruments.keys().next().unwrap();
    let bus = *p.buses.keys().next().unwrap();
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(p.audio_scene()))]).unwrap();
    audio.view(Some(ChainOwner::Instrument(id))).unwrap();
    wait_view(&mut audio, "followed the instrument", |f| f.target == Some(ChainOwner::Instrument(id)) && f.updates > 0);
    let voice = audio.voice_on(id, 440.0, 1.0).unwrap();
    let frame = wait_view(&mut audio, "heard the instrument", |f| f.scope_peak_dbfs() > -40.0 && f.updates > 20);
    let hz = frame.bin_hz(frame.spectrum.peak_bin());
    assert!((hz - 440.0).abs() < 12.0, "the instrument's 440 Hz peaks at {hz:.1} Hz");
    audio.voice_off(voice).unwrap();
    let tapped_bus = |port| {
        let tree = scsynth_tree(port);
        let tapped = tree.walk().into_iter().find(|n| n.def.as_deref() == Some(TAP)).cloned();
        tapped.and_then(|t| t.controls.iter().find(|(k, _)| k == "in").map(|(_, v)| *v))
    };
    assert_eq!(taps(port), 1, "one view, one tap");
    let instrument_bus = tapped_bus(port).expect("the tap runs");
    assert!(instrument_bus > 0.0, "the instrument's bus, not the outputs");
    audio.view(Some(ChainOwner::Bus(bus))).unwrap();
    wait_view(&mut audio, "moved to the bus", |f| f.target == Some(ChainOwner::Bus(bus)) && f.updates > 0);
    let deadline = Instant::now() + WAIT;
    while tapped_bus(port) == Some(instrument_bus) || taps(port) != 1 {
        assert!(Instant::now() < deadline, "the tap never moved to the bus");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(tapped_bus(port).is_some_and(|b| b > 0.0), "the aux bus, not the outputs");

    // A killed server: the engine's new one gets the tap again, and the
    // view goes on.
    let generation = audio.feedback().generation;
    assert!(std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status().unwrap().success());
    let up = wait_feedback(&mut audio, WAIT, |f| {
        f.generation > generation && matches!(f.server, ServerState::Running { .. }) && f.scsynth_pid.is_some()
    });
    let port = scsynth_port(up.scsynth_pid.unwrap());
    let deadline = Instant::now() + WAIT;
    while taps(port) != 1 {
        assert!(Instant::now() < deadline, "no tap on the new server");
        std::thread::sleep(Duration::from_millis(20));
    }
    let since = audio.view_frame().updates;
    wait_view(&mut audio, "went on on the new server", |f| {
        f.target == Some(ChainOwner::Bus(bus)) && f.updates > since + 5
    });
    audio.view(None).unwrap();
    wait_view(&mut audio, "closed", |f| f.target.is_none());
    let deadline = Instant::now() + WAIT;
    while taps(port) > 0 {
        assert!(Instant::now() < deadline, "the tap stays after the view closed");
        std::thread::sleep(Duration::from_millis(20));
    }

    // Every reply of the tap was understood, and its node lived and ended
    // as the engine expected.
    let c = audio.counters();
    eprintln!("views: counters {c:?}");
    assert_eq!((c.malformed, c.unknown, c.unexpected, c.mismatches, c.fails), (0, 0, 0, 0, 0), "{c:?}");
    audio.shutdown();
    let _ = std::fs::remove_dir_all(sine.parent().unwrap());
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "scsynth/jackd left running after shutdown");
}
