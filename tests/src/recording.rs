//! Recording what a live scsynth plays, for tests that check the audio
//! itself: a realtime dummy JACK server, a `DiskOut` recorder driven over
//! plain UDP (so it works on any scsynth, the engine's included), WAV
//! reading and onset detection.
//!
//! Why realtime JACK: on a loaded machine a `--no-realtime` dummy driver
//! skips periods, and a recording then loses up to 0.5 s in 4 s (measured
//! with a load average of 11 on 2 cores), which no timing check survives.
//!
//! Fixture code: a failure to set up is a test failure, hence the panics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rosc::{OscMessage, OscPacket, OscType};

use crate::TEST_TAG_VAR;

/// The test-only SynthDef recording hardware buses 0–1 with `DiskOut`
/// (tests/synthdefs/src/record.scd).
const RECORD_DEF: &[u8] = include_bytes!("../synthdefs/compiled/imbolc_test_record.scsyndef");
/// Frames of the recorder's buffer (`/b_alloc`), and the bytes of one half
/// of it in the file (2 channels of 32-bit floats).
const RECORD_FRAMES: i32 = 65_536;
const HALF_BYTES: u64 = RECORD_FRAMES as u64 / 2 * 2 * 4;

/// A private realtime jackd on the dummy driver (48 kHz, 256-frame
/// periods), stopped with SIGTERM on drop.
#[derive(Debug)]
pub struct RealtimeJack {
    child: Child,
    /// The JACK server name, for `JackMode::Existing`.
    pub name: String,
    /// jackd's standard error, where it reports each lost period.
    log: PathBuf,
}

impl RealtimeJack {
    /// Starts it with `TEST_TAG_VAR=tag` in its environment; waits until it
    /// answers. Panics with an install hint when jackd is missing.
    pub fn start(tag: &str) -> RealtimeJack {
        Self::start_with_period(tag, 256)
    }

    /// [`RealtimeJack::start`] with `period` frames per JACK cycle.
    pub fn start_with_period(tag: &str, period: u32) -> RealtimeJack {
        Self::start_with(tag, period, false)
    }

    /// [`RealtimeJack::start_with_period`] in synchronous mode (`-S`): the
    /// driver waits for every client before it begins the next cycle. In
    /// the default asynchronous mode a callback that starts after the
    /// driver began the next cycle reads that cycle's frame time
    /// (`jack_last_frame_time` is the engine's current one), so what it
    /// writes or stamps is a whole period off; seen on a loaded machine at
    /// 64 frames as a cycle's frame time reported twice.
    pub fn start_sync_with_period(tag: &str, period: u32) -> RealtimeJack {
        Self::start_with(tag, period, true)
    }

    fn start_with(tag: &str, period: u32, sync: bool) -> RealtimeJack {
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("imbolc_test_rt_{}_{n}", std::process::id());
        let log = std::env::temp_dir().join(format!("{name}.log"));
        let stderr = std::fs::File::create(&log).unwrap();
        let mode: &[&str] = if sync { &["-S"] } else { &[] };
        let child = Command::new("jackd")
            .args(["-n", &name, "-R"])
            .args(mode)
            .args(["-d", "dummy", "-r", "48000", "-p", &period.to_string()])
            .env(TEST_TAG_VAR, tag)
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("jackd not found: apt-get install jackd2");
        let jack = RealtimeJack { child, name, log };
        for _ in 0..250 {
            let up = Command::new("jack_lsp")
                .args(["-s", &jack.name])
                .env("JACK_NO_START_SERVER", "1")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if up {
                return jack;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("jackd {} did not start", jack.name);
    }
}

impl RealtimeJack {
    /// The periods jackd has reported lost so far (`XRun` lines: a client
    /// not finished in time, or the dummy driver waking late). Each moves
    /// the server's sample clock against the wall clock, so a test that
    /// compares the two measures across a span only when this did not
    /// change during it.
    pub fn xruns(&self) -> usize {
        std::fs::read_to_string(&self.log).unwrap_or_default().lines().filter(|l| l.contains("XRun")).count()
    }
}

/// Attempts [`on_realtime_jack`] makes before a failure stands.
const ATTEMPTS: usize = 3;

/// Runs `check` on a fresh [`RealtimeJack`] (`period` frames). A check
/// that compares the server's sample clock with the wall clock cannot
/// hold across a period jackd lost, nor across a step of the system clock
/// (timetags are wall time): when `check` fails and either happened during
/// it, it runs again on a new server, up to three times. A failure with
/// neither fails at once: that is a defect.
pub fn on_realtime_jack<T>(tag: &str, period: u32, check: impl Fn(&RealtimeJack) -> T) -> T {
    for attempt in 1..=ATTEMPTS {
        let jack = RealtimeJack::start_with_period(tag, period);
        let (wall, steady) = (std::time::SystemTime::now(), Instant::now());
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&jack)));
        let lost = jack.xruns();
        let wall_elapsed = wall.elapsed().map_or(-1.0, |d| d.as_secs_f64());
        let step_ms = (wall_elapsed - steady.elapsed().as_secs_f64()) * 1e3;
        drop(jack);
        let cause = format!("jackd lost {lost} period(s) and the system clock stepped {step_ms:+.1} ms during it");
        match result {
            Ok(value) => return value,
            Err(_) if (lost > 0 || step_ms.abs() > 1.0) && attempt < ATTEMPTS => {
                eprintln!("attempt {attempt} failed; {cause}: again on a new server");
            }
            Err(panic) => {
                eprintln!("attempt {attempt} of {ATTEMPTS} failed; {cause}");
                std::panic::resume_unwind(panic)
            }
        }
    }
    unreachable!("the last attempt returns or fails")
}

impl Drop for RealtimeJack {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// A `DiskOut` recording of hardware buses 0–1 on a running scsynth, made
/// from this test's own UDP socket (replies come back to it).
#[derive(Debug)]
pub struct DiskRecorder {
    socket: UdpSocket,
    port: u16,
    node: i32,
    buffer: i32,
    /// The WAV file being written.
    pub path: PathBuf,
}

impl DiskRecorder {
    /// Loads the recorder def, opens `path` for writing in buffer `buffer`
    /// and starts synth `node` at the tail of the root group.
    pub fn start(port: u16, node: i32, buffer: i32, path: &Path) -> DiskRecorder {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        let rec = DiskRecorder { socket, port, node, buffer, path: path.to_owned() };
        rec.request("/d_recv", vec![OscType::Blob(RECORD_DEF.to_vec())]);
        rec.request("/b_alloc", vec![OscType::Int(buffer), OscType::Int(RECORD_FRAMES), OscType::Int(2)]);
        rec.request(
            "/b_write",
            vec![
                OscType::Int(buffer),
                OscType::String(path.to_string_lossy().into_owned()),
                OscType::String("wav".into()),
                OscType::String("float".into()),
                OscType::Int(0),
                OscType::Int(0),
                OscType::Int(1),
            ],
        );
        rec.send(
            "/s_new",
            vec![
                OscType::String("imbolc_test_record".into()),
                OscType::Int(node),
                OscType::Int(1),
                OscType::Int(0),
                OscType::String("buf".into()),
                OscType::Int(buffer),
            ],
        );
        // scsynth runs commands in order: once this is answered, it records.
        rec.sync();
        rec
    }

    /// Waits until all that sounded up to now is in the file. `DiskOut`
    /// writes whole halves of its buffer from a disk thread, at most one
    /// behind: once the file has grown by two halves since now, the half
    /// holding now is written. Under load the server's clock can run slower
    /// than the wall clock, so no fixed wait would do.
    pub fn wait_written_past_now(&self) {
        let size = || std::fs::metadata(&self.path).map_or(0, |m| m.len());
        let want = size() + 2 * HALF_BYTES;
        let deadline = Instant::now() + Duration::from_secs(30);
        while size() < want {
            assert!(Instant::now() < deadline, "{} stopped growing at {} bytes", self.path.display(), size());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Frees the recorder and closes the file. What sounded in the half of
    /// `DiskOut`'s buffer being filled is lost: call
    /// [`DiskRecorder::wait_written_past_now`] after the last sound first.
    pub fn finish(self) -> PathBuf {
        self.send("/n_free", vec![OscType::Int(self.node)]);
        self.request("/b_close", vec![OscType::Int(self.buffer)]);
        self.request("/b_free", vec![OscType::Int(self.buffer)]);
        self.path
    }

    fn send(&self, addr: &str, args: Vec<OscType>) {
        let packet = OscPacket::Message(OscMessage { addr: addr.into(), args });
        self.socket.send_to(&rosc::encoder::encode(&packet).unwrap(), ("127.0.0.1", self.port)).unwrap();
    }

    /// Sends `/sync` and waits for its `/synced`: every command sent
    /// before has run.
    fn sync(&self) {
        self.send("/sync", vec![OscType::Int(self.node)]);
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut buf = vec![0u8; 65_536];
        while Instant::now() < deadline {
            let Ok((n, _)) = self.socket.recv_from(&mut buf) else { continue };
            let Ok((_, OscPacket::Message(m))) = rosc::decoder::decode_udp(&buf[..n]) else { continue };
            if m.addr == "/synced" && m.args.first() == Some(&OscType::Int(self.node)) {
                return;
            }
        }
        panic!("no /synced within 5 s");
    }

    /// Sends and waits for the `/done` (or `/fail`) of this command.
    fn request(&self, addr: &str, args: Vec<OscType>) {
        self.send(addr, args);
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut buf = vec![0u8; 65_536];
        while Instant::now() < deadline {
            let Ok((n, _)) = self.socket.recv_from(&mut buf) else { continue };
            let Ok((_, OscPacket::Message(m))) = rosc::decoder::decode_udp(&buf[..n]) else { continue };
            let about_this = m.args.first() == Some(&OscType::String(addr.into()));
            match m.addr.as_str() {
                "/done" if about_this => return,
                "/fail" if about_this => panic!("scsynth failed {addr}: {:?}", m.args),
                _ => {}
            }
        }
        panic!("no /done for {addr} within 5 s");
    }
}

/// A 30 ms reference burst for timing tests: an `imbolc_sine` on hardware
/// bus `out`, placed just before node `before` (the recorder), and the
/// `/n_set` closing its gate. Send the second 30 ms after the first.
pub fn reference_burst(node: i32, before: i32, out: f32) -> (OscMessage, OscMessage) {
    let mut args =
        vec![OscType::String("imbolc_sine".into()), OscType::Int(node), OscType::Int(2), OscType::Int(before)];
    for (name, value) in [("out", out), ("attack", 0.002), ("decay", 0.01), ("sustain", 0.5), ("release", 0.01)] {
        args.extend([OscType::String(name.into()), OscType::Float(value)]);
    }
    let on = OscMessage { addr: "/s_new".into(), args };
    let off = OscMessage {
        addr: "/n_set".into(),
        args: vec![OscType::Int(node), OscType::String("gate".into()), OscType::Float(0.0)],
    };
    (on, off)
}

/// The left channel of a WAV file, as floats.
pub fn read_left(path: &Path) -> Vec<f32> {
    read_channel(path, 0)
}

/// Channel `channel` of a WAV file, as floats.
pub fn read_channel(path: &Path, channel: usize) -> Vec<f32> {
    let mut r = hound::WavReader::open(path).unwrap();
    let ch = usize::from(r.spec().channels);
    let all: Vec<f32> = match r.spec().sample_format {
        hound::SampleFormat::Float => r.samples::<f32>().map(|s| s.unwrap()).collect(),
        hound::SampleFormat::Int => r.samples::<i32>().map(|s| s.unwrap() as f32 / 8_388_608.0).collect(),
    };
    all.chunks(ch).map(|f| f[channel]).collect()
}

/// Sample positions where sound (above 0.005) starts after at least
/// `quiet` samples of silence (below 0.0005).
pub fn onsets(x: &[f32], quiet: usize) -> Vec<i64> {
    let mut out = Vec::new();
    let mut silent_run = quiet;
    for (i, s) in x.iter().enumerate() {
        if s.abs() > 0.005 {
            if silent_run >= quiet {
                out.push(i as i64);
            }
            silent_run = 0;
        } else if s.abs() < 0.0005 {
            silent_run += 1;
        }
    }
    out
}
