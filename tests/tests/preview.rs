//! The sample browser's file preview on a real scsynth, through the
//! engine (`AudioHandle::preview`):
//!
//! - A long file plays: its buffer holds the whole file (`/b_info`), the
//!   sampler runs in the master group; a stop frees the node (`/n_end`)
//!   and the buffer (`/b_query` answers 0 frames).
//! - A short file plays to its end by itself, and its buffer is then freed
//!   too; no sampler is left in the tree.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use imbolc_audio::backend::NodeId;
use imbolc_audio::engine::TapEvent;
use imbolc_audio::engine::preview::PREVIEW_BUFFERS;
use imbolc_audio::server::JackMode;
use imbolc_tests::engine::{scsynth_port, scsynth_tree, tapped_engine};
use imbolc_tests::tagged_servers;
use rosc::{OscMessage, OscPacket, OscType};

/// Generous: the machine may be compiling beside the test.
const WAIT: Duration = Duration::from_secs(20);
const RATE: u32 = 48_000;

fn write_wav(path: &Path, channels: u16, frames: u32) {
    let spec =
        hound::WavSpec { channels, sample_rate: RATE, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..frames {
        let v = (f64::from(i) * 330.0 * std::f64::consts::TAU / f64::from(RATE)).sin() * 0.3;
        for _ in 0..channels {
            w.write_sample((v * f64::from(i16::MAX)) as i16).unwrap();
        }
    }
    w.finalize().unwrap();
}

/// The next node start (`Go`) or end (`End`) on the tap, other events skipped.
fn next_node_event(tap: &Receiver<TapEvent>, want_go: bool) -> NodeId {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tap.recv_timeout(left).expect("no node event on the tap") {
            TapEvent::Go(n) if want_go => return n,
            TapEvent::End(n) if !want_go => return n,
            _ => {}
        }
    }
}

/// Waits for `node`'s end on the tap.
fn wait_end(tap: &Receiver<TapEvent>, node: NodeId) {
    while next_node_event(tap, false) != node {}
}

/// Frames of buffer `buf` (`/b_query` from a socket of our own).
fn frames(port: u16, buf: u32) -> i32 {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.connect(("127.0.0.1", port)).unwrap();
    socket.set_read_timeout(Some(WAIT)).unwrap();
    let query = OscMessage { addr: "/b_query".into(), args: vec![OscType::Int(buf as i32)] };
    socket.send(&rosc::encoder::encode(&OscPacket::Message(query)).unwrap()).unwrap();
    let mut buffer = vec![0; 65536];
    loop {
        let size = socket.recv(&mut buffer).expect("no /b_info");
        if let Ok((_, OscPacket::Message(m))) = rosc::decoder::decode_udp(&buffer[..size])
            && m.addr == "/b_info"
            && m.args.first() == Some(&OscType::Int(buf as i32))
        {
            let Some(OscType::Int(frames)) = m.args.get(1) else { panic!("{m:?}") };
            return *frames;
        }
    }
}

/// Polls `/b_query` until buffer `buf` has `want` frames (buffer commands
/// run on the server's non-realtime thread, after the node ends).
fn wait_frames(port: u16, buf: u32, want: i32) {
    let deadline = Instant::now() + WAIT;
    loop {
        let got = frames(port, buf);
        if got == want {
            return;
        }
        assert!(Instant::now() < deadline, "buffer {buf} has {got} frames, want {want}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("imbolc-preview-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn a_preview_plays_through_the_master_and_stop_or_its_end_frees_node_and_buffer() {
    let long = temp("long.wav");
    write_wav(&long, 2, RATE * 30);
    let short = temp("short.wav");
    write_wav(&short, 1, RATE / 5);

    let tag = format!("preview-{}", std::process::id());
    let (audio, tap, up) = tapped_engine(&tag, JackMode::Dummy);
    let port = scsynth_port(up.scsynth_pid.expect("the engine reports scsynth's pid"));
    // The empty scene is on the server once the engine answers a tree.
    audio.request_tree().unwrap().recv_timeout(WAIT).expect("a tree from the engine");
    while tap.try_recv().is_ok() {}

    let first = PREVIEW_BUFFERS.start;
    audio.preview(Some(long.display().to_string())).unwrap();
    let node = next_node_event(&tap, true);
    let tree = scsynth_tree(port);
    let synth = tree.find(node.0).expect("the preview's node is in the tree");
    assert_eq!(synth.def.as_deref(), Some("imbolc_sampler"));
    assert!(synth.controls.contains(&("buf".to_owned(), first as f32)), "{:?}", synth.controls);
    assert_eq!(frames(port, first), (RATE * 30) as i32, "the whole file is read");
    audio.preview(None).unwrap();
    wait_end(&tap, node);
    wait_frames(port, first, 0);

    audio.preview(Some(short.display().to_string())).unwrap();
    let node = next_node_event(&tap, true);
    let second = first + 1;
    assert_eq!(frames(port, second), (RATE / 5) as i32);
    wait_end(&tap, node);
    wait_frames(port, second, 0);
    let samplers = scsynth_tree(port).walk().iter().filter(|n| n.def.as_deref() == Some("imbolc_sampler")).count();
    assert_eq!(samplers, 0, "no preview left sounding");

    audio.shutdown();
    let _ = std::fs::remove_dir_all(long.parent().unwrap());
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "scsynth/jackd left running after shutdown");
    eprintln!("preview: a 30 s file stopped and a 0.2 s file ended by itself; both buffers freed");
}
