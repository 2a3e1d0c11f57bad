//! The rig of the live MIDI tests (see `midi.rs`): the shared JACK server,
//! an engine with Imbolc's MIDI ports on it, a keyboard client, and how a
//! played event's time is bounded.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, bounded, unbounded};
use imbolc_audio::backend::ServerOp;
use imbolc_audio::engine::{AudioHandle, EngineConfig, TapEvent, TempoAnchor, TransportFeedback};
use imbolc_audio::scheduler::midi_to_freq;
use imbolc_audio::server::JackMode;
use imbolc_audio::server::jack::Jack;
use imbolc_audio::status::ServerState;
use imbolc_core::midi::timebase::{play_tick_at, wall_now};
use imbolc_core::midi::{MidiConfig, MidiPorts, MidiRuntime, PollReport};
use imbolc_core::session::Session;
use imbolc_tests::{TreeNode, test_config};
use imbolc_types::catalog::SourceKind;
use imbolc_types::{Action, EnvelopeStage, InstrumentId, ParamTarget, Project};
use midir::{MidiOutput, MidiOutputConnection};

pub const WAIT: Duration = Duration::from_secs(5);
/// Slack of a recorded tick against the window it was played in: the
/// rounding of the tick, and the reading of JACK's and the wall clock at the
/// callback (microseconds apart).
pub const STAMP_SLACK: f64 = 1.0;

/// The JACK server every test here uses; started once, on a thread that
/// lives as long as the test process (children die with it).
pub fn jack_server() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let (tx, rx) = bounded(1);
        std::thread::Builder::new()
            .name("jack-owner".into())
            .spawn(move || match Jack::ensure(&test_config()) {
                Ok(jack) => {
                    tx.send(Ok(jack.name().to_owned())).unwrap();
                    let _keep = jack;
                    loop {
                        std::thread::park();
                    }
                }
                Err(e) => tx.send(Err(e.to_string())).unwrap(),
            })
            .unwrap();
        let name = rx.recv().unwrap().unwrap_or_else(|e| {
            panic!("cannot start JACK for the MIDI tests: {e} (run `make test`, which installs jackd2)")
        });
        // SAFETY: no other thread of this process uses JACK or reads the
        // environment through libc yet: every test takes SERIAL first and
        // this runs inside it, before any JACK client exists.
        unsafe {
            std::env::set_var("JACK_DEFAULT_SERVER", &name);
            std::env::set_var("JACK_NO_START_SERVER", "1");
        }
        name
    })
}

pub fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An engine on the shared JACK server, a session on it, Imbolc's MIDI
/// ports, and the engine's tap.
pub struct Rig {
    pub session: Session<AudioHandle>,
    pub runtime: MidiRuntime,
    pub ports: MidiPorts,
    pub tap: Receiver<TapEvent>,
}

impl Rig {
    pub fn start(project: Project, config: &MidiConfig) -> Rig {
        let name = jack_server();
        let mut server = test_config();
        server.jack = JackMode::Existing(name.to_owned());
        let (tap_tx, tap) = unbounded();
        let mut engine = EngineConfig::new(server);
        engine.tap = Some(tap_tx);
        let mut audio = AudioHandle::spawn(engine).unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while !matches!(audio.server_state(), ServerState::Running { .. }) {
            assert!(Instant::now() < deadline, "scsynth did not start: {:?}", audio.server_state());
            std::thread::sleep(Duration::from_millis(10));
        }
        let runtime = MidiRuntime::new(Box::new(audio.live_sender()));
        let session = Session::new(project, audio);
        let ports = MidiPorts::open(&runtime, config).unwrap();
        let mut rig = Rig { session, runtime, ports, tap };
        // Let the scene reach the server before playing.
        rig.tree();
        rig
    }

    pub fn transport(&mut self) -> TransportFeedback {
        self.session.audio_mut().transport_state()
    }

    /// Runs the UI side (runtime poll, clock observe) for `d`; returns
    /// what the polls reported, merged.
    pub fn pump(&mut self, d: Duration) -> PollReport {
        let deadline = Instant::now() + d;
        let mut all = PollReport::default();
        loop {
            let t = self.transport();
            self.ports.observe(&t);
            let r = self.runtime.poll(&mut self.session, &t);
            all.learned = all.learned.or(r.learned);
            all.recorded = all.recorded.or(r.recorded);
            all.errors.extend(r.errors);
            if Instant::now() >= deadline {
                return all;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    pub fn tree(&mut self) -> TreeNode {
        let rx = self.session.audio_mut().request_tree().unwrap();
        TreeNode::parse(&rx.recv_timeout(WAIT).expect("no tree")).expect("bad tree")
    }

    /// The next voice the engine starts (`/s_new` in a voice batch) with
    /// its SynthDef, and waits for its `/n_go`.
    pub fn next_voice(&self) -> (i32, &'static str) {
        let deadline = Instant::now() + WAIT;
        let mut started = None;
        loop {
            let event = self.tap.recv_deadline(deadline).expect("no voice started");
            match event {
                TapEvent::Sent { ops, .. } if started.is_none() => {
                    for op in ops {
                        if let ServerOp::SynthNew { id, def, .. } = op {
                            started = Some((id.0, def));
                        }
                    }
                }
                TapEvent::Go(node) if started.is_some_and(|(id, _)| id == node.0) => return started.unwrap(),
                _ => {}
            }
        }
    }

    /// Whether `/n_end` of `node` arrives within `within`.
    pub fn ended(&self, node: i32, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while let Ok(event) = self.tap.recv_deadline(deadline) {
            if event == TapEvent::End(imbolc_audio::backend::NodeId(node)) {
                return true;
            }
        }
        false
    }

    /// Sends a note-on or note-off (`bytes`) and waits until the engine
    /// sends what it plays: the voice's `/s_new` (its node goes into
    /// `voices` by pitch) or that voice's release. Returns the wall time
    /// just before the send and when that was seen: Imbolc stamps the event
    /// when JACK hands it over, which is between the two. Under load the
    /// sender, the JACK cycle and the engine all run late (a note meant for
    /// tick 720 was sent at 780), so expectations come from these times,
    /// not from when the test meant to play. An event JACK lost (a cycle
    /// dropped in an xrun, as in the garbage test) is sent again after a
    /// second; the window then starts at the resend.
    pub fn strike(&mut self, keys: &mut MidiOutputConnection, bytes: [u8; 3], voices: &mut HashMap<u8, i32>) -> Played {
        let pitch = bytes[1];
        let on = bytes[0] & 0xF0 == 0x90 && bytes[2] > 0;
        let freq = midi_to_freq(pitch);
        let deadline = Instant::now() + WAIT;
        loop {
            let sent = wall_now();
            keys.send(&bytes).unwrap();
            let resend = Instant::now() + Duration::from_secs(1);
            while let Ok(event) = self.tap.recv_deadline(resend.min(deadline)) {
                let TapEvent::Sent { ops, .. } = event else { continue };
                let seen = ops.iter().any(|op| match op {
                    ServerOp::SynthNew { id, controls, .. } if on => {
                        let f = controls.iter().find(|(n, _)| *n == "freq").map(|(_, v)| *v);
                        if f.is_some_and(|f| (f - freq).abs() < 0.01) {
                            voices.insert(pitch, id.0);
                            return true;
                        }
                        false
                    }
                    ServerOp::Set { node, controls } if !on => {
                        voices.get(&pitch) == Some(&node.0) && controls.contains(&("gate", 0.0))
                    }
                    _ => false,
                });
                if seen {
                    if !on {
                        voices.remove(&pitch);
                    }
                    return Played { bytes, sent, seen: wall_now() };
                }
            }
            assert!(Instant::now() < deadline, "the engine never played {bytes:02x?}");
            eprintln!("{bytes:02x?} lost on the way (JACK xrun?), sent again");
        }
    }

    /// Voice synths left on the server (any source SynthDef).
    pub fn voices_on_server(&mut self) -> usize {
        let voice_defs = ["imbolc_sine", "imbolc_saw", "imbolc_square"];
        self.tree().walk().iter().filter(|n| n.def.as_deref().is_some_and(|d| voice_defs.contains(&d))).count()
    }
}

/// One MIDI message as [`Rig::strike`] played it: Imbolc received it at a
/// wall time between `sent` and `seen`.
#[derive(Debug, Clone, Copy)]
pub struct Played {
    pub bytes: [u8; 3],
    pub sent: f64,
    pub seen: f64,
}

impl Played {
    /// The song ticks (play started at song tick 0) the event can have been
    /// stamped at, on `line`.
    pub fn ticks(&self, line: &TempoAnchor) -> (f64, f64) {
        (play_tick_at(line, self.sent) - STAMP_SLACK, play_tick_at(line, self.seen) + STAMP_SLACK)
    }
}

/// An inclusive range of ticks.
pub type Ticks = (i64, i64);

/// The recorded notes the played events allow, per pitch: (start, length)
/// ranges in ticks, quantised to `grid` as the recorder does.
pub fn expected_notes(played: &[Played], line: &TempoAnchor, grid: Option<u32>) -> HashMap<u8, (Ticks, Ticks)> {
    let q = |t: f64| match grid {
        Some(g) => (t / f64::from(g)).round() * f64::from(g),
        None => t,
    };
    let ql = |t: f64| match grid {
        Some(g) => q(t).max(f64::from(g)),
        None => t.max(1.0),
    };
    let mut open: HashMap<u8, (f64, f64)> = HashMap::new();
    let mut out = HashMap::new();
    for p in played {
        let (lo, hi) = p.ticks(line);
        if p.bytes[0] & 0xF0 == 0x90 {
            open.insert(p.bytes[1], (lo, hi));
        } else if let Some((s_lo, s_hi)) = open.remove(&p.bytes[1]) {
            let start = (q(s_lo).floor() as i64, q(s_hi).ceil() as i64);
            let length = (ql(lo - s_hi).floor() as i64, ql(hi - s_lo).ceil() as i64);
            out.insert(p.bytes[1], (start, length));
        }
    }
    out
}

/// A JACK MIDI client playing into `imbolc:midi_in`, returned once a byte
/// it sends arrives: a new JACK connection takes effect at a later cycle
/// (under load, several), and what is sent before that is lost. Probes
/// with active sensing (0xFE), which plays nothing.
pub fn keys(rig: &Rig) -> MidiOutputConnection {
    let port = "imbolc:midi_in";
    let out = MidiOutput::new("test-keys").unwrap();
    let deadline = Instant::now() + WAIT;
    let mut conn = loop {
        if let Some(p) = out.ports().into_iter().find(|p| out.port_name(p).is_ok_and(|n| n == port)) {
            break out.connect(&p, "out").unwrap();
        }
        assert!(Instant::now() < deadline, "no port {port}");
        std::thread::sleep(Duration::from_millis(20));
    };
    let before = rig.runtime.stats_snapshot().received;
    while rig.runtime.stats_snapshot().received == before {
        assert!(Instant::now() < deadline, "nothing sent to {port} arrives");
        conn.send(&[0xFE]).unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    conn
}

pub fn project_with(sources: &[SourceKind]) -> (Project, Vec<InstrumentId>) {
    let mut p = Project::new("midi");
    let mut ids = Vec::new();
    for (k, s) in sources.iter().enumerate() {
        imbolc_core::dispatch(&mut p, Action::AddInstrument { source: *s, name: format!("i{k}") }).unwrap();
        let id = *p.instruments.keys().last().unwrap();
        let release = ParamTarget::Envelope { instrument: id, stage: EnvelopeStage::Release };
        imbolc_core::dispatch(&mut p, Action::SetParam { target: release, value: 0.05 }).unwrap();
        ids.push(id);
    }
    (p, ids)
}

pub fn no_clock() -> MidiConfig {
    MidiConfig { send_clock: false, ..MidiConfig::default() }
}
