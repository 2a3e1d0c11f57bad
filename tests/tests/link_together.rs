//! Sound on every machine (issue 20, point 8): a collaborator's replica
//! drives its own engine (its own JACK dummy server and scsynth), and Link
//! keeps that engine in time with the host's. Both run inside a private
//! network namespace with loopback only (see `imbolc_tests::netns`); the
//! collaboration itself goes over 127.0.0.1.
//!
//! What is measured: the timetags of the notes each engine's audio thread
//! sends to its scsynth (from its tap), for a note of the song and for one
//! the host adds while both play.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use imbolc_audio::backend::{ServerOp, Timetag, Timing};
use imbolc_audio::engine::{AudioHandle, TapEvent};
use imbolc_audio::scheduler::midi_to_freq;
use imbolc_audio::server::JackMode;
use imbolc_core::Session;
use imbolc_core::collab::{Client, Host, JoinCode, Limits};
use imbolc_tests::engine::{tapped_engine, wait_feedback};
use imbolc_tests::netns::inside_private_network;
use imbolc_tests::tagged_servers;
use imbolc_types::catalog::SourceKind;
use imbolc_types::{Action, ClipId, InstrumentId, Note, ParamTarget, Project, TICKS_PER_QUARTER};

/// Issue 20's bound for bar lines, kept for every note here.
const WITHIN: f64 = 0.001;
/// The song's note, on every beat, and the one the host adds later.
const SONG_PITCH: u8 = 60;
const ADDED_PITCH: u8 = 79;

fn seconds(t: Timetag) -> f64 {
    f64::from(t.seconds) + f64::from(t.fraction) / 4_294_967_296.0
}

/// Timetags of the note starts of `pitch` that `tap` reports.
fn starts(events: &[TapEvent], pitch: u8) -> Vec<f64> {
    let freq = midi_to_freq(pitch);
    let is_start = |op: &ServerOp| {
        matches!(op, ServerOp::SynthNew { controls, .. }
            if controls.iter().any(|(n, v)| *n == "freq" && (v - freq).abs() < 0.5))
    };
    events
        .iter()
        .filter_map(|e| match e {
            TapEvent::Sent { timing: Timing::At(tag), ops, .. } if ops.iter().any(is_start) => Some(seconds(*tag)),
            _ => None,
        })
        .collect()
}

/// For every start of `a` after `from`, the distance to the nearest of
/// `b`: the largest, and how many were compared.
fn worst_pairing(a: &[f64], b: &[f64], from: f64) -> (f64, usize) {
    let near = |x: &f64| b.iter().map(|y| (x - y).abs()).fold(f64::INFINITY, f64::min);
    let late: Vec<f64> = a.iter().filter(|x| **x >= from).map(near).collect();
    (late.iter().copied().fold(0.0, f64::max), late.len())
}

/// The host's and the collaborator's side: a session on its own engine.
struct Machine {
    session: Session<AudioHandle>,
    tap: Receiver<TapEvent>,
    heard: Vec<TapEvent>,
}

impl Machine {
    fn start(tag: &str, project: Project) -> Machine {
        let (audio, tap, _) = tapped_engine(tag, JackMode::Dummy);
        audio.set_link(true).unwrap();
        Machine { session: Session::new(project, audio), tap, heard: Vec::new() }
    }

    fn listen(&mut self) {
        self.heard.extend(self.tap.try_iter());
    }

    fn audio(&mut self) -> &mut AudioHandle {
        self.session.audio_mut()
    }
}

/// Pumps both ends of the collaboration and both taps for `long`.
fn run(host: &mut Host, a: &mut Machine, client: &mut Client, b: &mut Machine, long: Duration) {
    let end = Instant::now() + long;
    while Instant::now() < end {
        host.pump(&mut a.session, Duration::from_millis(5));
        client.pump(&mut b.session, Duration::from_millis(5));
        a.listen();
        b.listen();
    }
}

/// Pumps until `done` holds, failing after 10 s.
fn run_until(
    host: &mut Host,
    a: &mut Machine,
    client: &mut Client,
    b: &mut Machine,
    what: &str,
    done: impl Fn(&Client, &mut Machine) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done(client, b) {
        assert!(Instant::now() < deadline, "{what}: not within 10 s");
        run(host, a, client, b, Duration::from_millis(10));
    }
}

/// Checks that each machine's starts of `pitch` after `from` have one of
/// the other's within a millisecond; returns the worst distance.
fn in_time(a: &Machine, b: &Machine, pitch: u8, from: f64) -> f64 {
    let (sa, sb) = (starts(&a.heard, pitch), starts(&b.heard, pitch));
    let (worst, n) = worst_pairing(&sa, &sb, from);
    let (worst_back, n_back) = worst_pairing(&sb, &sa, from);
    assert!(n >= 2 && n_back >= 2, "too few notes of pitch {pitch} to compare: {n} and {n_back}");
    let worst = worst.max(worst_back);
    assert!(worst < WITHIN, "notes of pitch {pitch} {:.3} ms apart; host {sa:?}, client {sb:?}", worst * 1e3);
    worst
}

/// One instrument and a one-bar clip with a note on every beat, placed
/// over 32 bars and looping.
fn song() -> Project {
    let mut p = Project::new("together");
    let q = TICKS_PER_QUARTER;
    let notes = (0..4).map(|beat| Note::new(SONG_PITCH, 100, beat * q, q / 4)).collect();
    for action in [
        Action::AddInstrument { source: SourceKind::SINE, name: "lead".into() },
        Action::AddClip { instrument: InstrumentId(0), name: "beat".into(), length: 4 * q },
        Action::AddNotes { clip: ClipId(0), notes },
        Action::SetClipLooping { clip: ClipId(0), looping: true },
        Action::AddPlacement { clip: ClipId(0), start: 0, length: 32 * 4 * q },
    ] {
        imbolc_core::dispatch(&mut p, action).unwrap();
    }
    p
}

#[test]
fn a_collaborator_plays_its_replica_on_its_own_engine_in_time_with_the_host() {
    if !inside_private_network("a_collaborator_plays_its_replica_on_its_own_engine_in_time_with_the_host") {
        return;
    }
    let tag = format!("link-together-{}", std::process::id());
    let mut a = Machine::start(&tag, song());
    let code = JoinCode::random().unwrap();
    let mut host = Host::bind(("127.0.0.1", 0), code.clone(), Limits::default()).unwrap();
    // The collaborator starts empty: the host's snapshot brings the song.
    let mut b = Machine::start(&tag, Project::new("replica"));
    // As the TUI does for a collaborator: its tempo reaches the Link
    // session through the host's engine only.
    b.audio().set_link_follow_only(true).unwrap();
    // Joining waits for the host's answer, which its pump gives.
    let (addr, join_code) = (host.addr(), code.clone());
    let joining = std::thread::spawn(move || Client::connect(addr, &join_code, "peer", None, &Limits::default()));
    while !joining.is_finished() {
        host.pump(&mut a.session, Duration::from_millis(5));
    }
    let mut client = joining.join().unwrap().unwrap();
    run_until(&mut host, &mut a, &mut client, &mut b, "the snapshot", |c, b| {
        c.is_ready() && b.session.project().clips.contains_key(&ClipId(0))
    });
    wait_feedback(a.audio(), Duration::from_secs(10), |f| f.link.peers == 1);
    wait_feedback(b.audio(), Duration::from_secs(10), |f| f.link.peers == 1);

    // Play on the host: the collaborator's engine starts with it (Link's
    // start/stop) and plays its replica's notes at the host's times.
    a.audio().play().unwrap();
    run_until(&mut host, &mut a, &mut client, &mut b, "the collaborator starting", |_, b| {
        b.audio().feedback().transport.playing
    });
    run(&mut host, &mut a, &mut client, &mut b, Duration::from_secs(3));
    let first = |m: &Machine| starts(&m.heard, SONG_PITCH).first().copied().unwrap_or(f64::INFINITY);
    let from = first(&a).max(first(&b)) - WITHIN;
    let worst = in_time(&a, &b, SONG_PITCH, from);
    println!("the song's notes on host and collaborator: at most {:.1} µs apart", worst * 1e6);

    // An edit on the host reaches the replica as an action, and the
    // collaborator's engine plays the new note in time too.
    let added = Note::new(ADDED_PITCH, 100, 2 * TICKS_PER_QUARTER, TICKS_PER_QUARTER / 4);
    host.apply_local(&mut a.session, Action::AddNote { clip: ClipId(0), note: added }).unwrap();
    let seq = host.seq();
    run_until(&mut host, &mut a, &mut client, &mut b, "the added note", |c, _| c.seq() >= seq);
    run(&mut host, &mut a, &mut client, &mut b, Duration::from_secs(4));
    let first_added = |m: &Machine| starts(&m.heard, ADDED_PITCH).first().copied().unwrap_or(f64::INFINITY);
    let from = first_added(&a).max(first_added(&b)) - WITHIN;
    let worst = in_time(&a, &b, ADDED_PITCH, from);
    println!("the note the host added, on both: at most {:.1} µs apart", worst * 1e6);

    // A tempo edit on the host: the replica gets the action, both engines
    // the tempo, and the notes stay together.
    host.apply_local(&mut a.session, Action::SetParam { target: ParamTarget::Tempo, value: 90.0 }).unwrap();
    let seq = host.seq();
    run_until(&mut host, &mut a, &mut client, &mut b, "the tempo edit", |c, b| {
        c.seq() >= seq && (b.session.project().tempo - 90.0).abs() < 1e-3
    });
    wait_feedback(b.audio(), Duration::from_secs(2), |f| (f.transport.bpm - 90.0).abs() < 1e-3);
    // Notes already sent (50 ms ahead) keep the old tempo: compare later ones.
    let after = seconds(Timetag::from_system_time(std::time::SystemTime::now())) + 0.2;
    run(&mut host, &mut a, &mut client, &mut b, Duration::from_secs(4));
    let worst = in_time(&a, &b, SONG_PITCH, after);
    println!("after the host's tempo edit to 90 bpm: at most {:.1} µs apart", worst * 1e6);

    // Stop on the host: the collaborator stops too.
    a.audio().stop().unwrap();
    run_until(&mut host, &mut a, &mut client, &mut b, "the collaborator stopping", |_, b| {
        !b.audio().feedback().transport.playing
    });
    drop((client, host, a, b));
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "scsynth/jackd left running after shutdown");
}
