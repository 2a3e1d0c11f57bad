//! The chaos soak (issue 19 point 7): a seeded random schedule against the
//! real stack. A [`Session`] whose diffs go to a real engine (private JACK
//! dummy server and scsynth), live MIDI bytes through the live player (the
//! code the JACK MIDI callback runs), and meanwhile: edits while playing,
//! MIDI junk, panics, play/stop, undo/redo bursts, background saves, and
//! SIGKILLs of scsynth and of jackd.
//!
//! Afterwards [`run`] checks that no voice node is left on the server
//! (asked from outside), that the project equals a replay of the accepted
//! actions on a fresh project without audio, that the saved file loads
//! equal to the project, that no scsynth/jackd of the run's tag is left,
//! and that no thread panicked. The test `chaos` runs one seed; the
//! example `chaos` runs many.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use imbolc_audio::backend::{AudioBackend, ModelBackend, ServerOp, Timing};
use imbolc_audio::engine::{AudioHandle, EngineConfig, TapEvent};
use imbolc_audio::graph::SignalGraph;
use imbolc_audio::server::JackMode;
use imbolc_audio::status::ServerState;
use imbolc_core::midi::timebase::wall_now;
use imbolc_core::midi::{InputId, MidiRuntime};
use imbolc_core::persist::{BackgroundSaver, SaveKind, load};
use imbolc_core::session::{NullSink, Session};
use imbolc_types::{
    Action, ChainOwner, EffectKind, EnvelopeStage, InstrumentId, MixerParam, Note, ParamTarget, Project, SourceKind,
};

use crate::TreeNode;
use crate::engine::{tapped_engine, try_scsynth_port, try_scsynth_tree, voice_count, wait_feedback};
use crate::{canonical_from_server, tagged_servers, test_config};

mod actions;
use actions::{random_action, starting_actions};

/// The environment variable that picks the seed of the `chaos` test.
pub const SEED_VAR: &str = "IMBOLC_CHAOS_SEED";
/// The environment variable that sets its number of steps.
pub const STEPS_VAR: &str = "IMBOLC_CHAOS_STEPS";

/// The one-line command that replays seed `seed` of `steps` steps in the
/// suite's test.
pub fn replay_command(seed: u64, steps: usize) -> String {
    format!("{SEED_VAR}={seed} {STEPS_VAR}={steps} cargo test -p imbolc-tests --test chaos")
}

/// A small seeded generator (64-bit LCG, high bits): the whole schedule
/// follows from the seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % (n.max(1) as u64)) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
}

/// What changed the project, in order, with the time offset the session
/// was given (parameter gestures coalesce by time, so the replay needs it).
#[derive(Debug, Clone)]
enum Accepted {
    Action(Action, Duration),
    Undo,
    Redo,
}

/// What one run did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub seed: u64,
    pub steps: usize,
    pub accepted: usize,
    pub refused: usize,
    pub undos: usize,
    pub redos: usize,
    pub saves: usize,
    pub midi_messages: usize,
    /// MIDI note-ons sent while the selected instrument existed.
    pub note_ons: usize,
    /// Voices the engine started (timeline and live).
    pub voices: usize,
    pub panics: usize,
    pub play_toggles: usize,
    pub scsynth_kills: usize,
    pub jackd_kills: usize,
    pub restarts: u64,
    /// Kills that came before the engine had noticed the previous one (no
    /// restart counted since): the two losses make one restart, so
    /// `restarts` is `scsynth_kills + jackd_kills - coalesced_kills` unless
    /// the server was also lost for another reason.
    pub coalesced_kills: usize,
    /// Steps taken while no server was running (a restart under way).
    pub steps_without_server: usize,
    pub elapsed: Duration,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "seed {}: {} steps in {:.1} s; {} actions accepted, {} refused, {} undos, {} redos, {} saves, \
             {} MIDI messages ({} note-ons to an instrument), {} voices started, {} panics, {} play/stop, {} scsynth kills, {} jackd kills ({} before the engine had noticed the previous one), {} engine restarts ({} steps without a server)",
            self.seed,
            self.steps,
            self.elapsed.as_secs_f64(),
            self.accepted,
            self.refused,
            self.undos,
            self.redos,
            self.saves,
            self.midi_messages,
            self.note_ons,
            self.voices,
            self.panics,
            self.play_toggles,
            self.scsynth_kills,
            self.jackd_kills,
            self.coalesced_kills,
            self.restarts,
            self.steps_without_server
        )
    }
}

/// Panics seen in any thread since the hook was installed.
fn panics() -> &'static Mutex<Vec<String>> {
    static PANICS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    PANICS.get_or_init(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current().name().unwrap_or("unnamed").to_owned();
            if let Ok(mut seen) = panics().lock() {
                seen.push(format!("thread {thread}: {info}"));
            }
            previous(info);
        }));
        Mutex::new(Vec::new())
    })
}

fn message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "a panic".to_owned())
}

/// Runs `steps` steps of seed `seed`, then the checks. `Err` says what
/// failed (with the seed and the command that replays it).
pub fn run(seed: u64, steps: usize) -> Result<Report, String> {
    let seen = panics();
    seen.lock().unwrap_or_else(PoisonError::into_inner).clear();
    let dir = std::env::temp_dir().join(format!("imbolc-chaos-{}-{seed}", std::process::id()));
    let outcome = catch_unwind(AssertUnwindSafe(|| soak(seed, steps, &dir)));
    let _ = std::fs::remove_dir_all(&dir);
    let panicked = std::mem::take(&mut *seen.lock().unwrap_or_else(PoisonError::into_inner));
    let failed = match outcome {
        Ok(report) if panicked.is_empty() => return Ok(report),
        Ok(_) => format!("a thread panicked: {}", panicked.join("; ")),
        Err(payload) => {
            let mut m = message(payload.as_ref());
            if panicked.len() > 1 {
                m = format!("{m} (panics: {})", panicked.join("; "));
            }
            m
        }
    };
    Err(format!("chaos seed {seed} failed: {failed}\n  replay: {}", replay_command(seed, steps)))
}

/// The live state of one run.
struct Rig {
    tag: String,
    session: Session<AudioHandle>,
    runtime: MidiRuntime,
    saver: BackgroundSaver,
    /// The engine's tap, read each frame to count the voices started.
    tap: Receiver<TapEvent>,
    accepted: Vec<Accepted>,
    report: Report,
    /// Keys held through MIDI, by (channel, key).
    held: Vec<(u8, u8)>,
    playing: bool,
    /// Steps in a row the server has been running.
    running_steps: usize,
    /// The engine's restart count at the latest kill.
    restarts_at_kill: Option<u64>,
    /// The instrument last selected for MIDI.
    selected: Option<InstrumentId>,
    began: Instant,
    /// The time offset given to the next action.
    clock: Duration,
}

impl Rig {
    fn dispatch(&mut self, action: Action) {
        let at = self.clock;
        match self.session.dispatch_at(action.clone(), self.began + at) {
            Ok(_) => {
                self.accepted.push(Accepted::Action(action, at));
                self.report.accepted += 1;
            }
            Err(_) => self.report.refused += 1,
        }
    }

    fn undo(&mut self) {
        if self.session.undo().expect("undo of an accepted action").is_some() {
            self.accepted.push(Accepted::Undo);
            self.report.undos += 1;
        }
    }

    fn redo(&mut self) {
        if self.session.redo().expect("redo of an undone action").is_some() {
            self.accepted.push(Accepted::Redo);
            self.report.redos += 1;
        }
    }

    /// Selects the instrument omni MIDI plays, as the UI's cursor does.
    fn select(&mut self, instrument: Option<InstrumentId>) {
        self.selected = instrument;
        self.runtime.select_instrument(instrument);
    }

    /// One MIDI message through the live player, as the JACK callback
    /// delivers it.
    fn midi(&mut self, bytes: &[u8]) {
        let stamp = (self.began.elapsed().as_micros()) as u64;
        let player = self.runtime.player();
        player.lock().unwrap_or_else(PoisonError::into_inner).handle(InputId::Virtual, stamp, wall_now(), bytes);
        self.report.midi_messages += 1;
    }

    /// One UI frame: MIDI runtime poll and save reports.
    fn frame(&mut self) {
        if matches!(self.session.audio_mut().feedback().server, ServerState::Running { .. }) {
            self.running_steps += 1;
        } else {
            self.running_steps = 0;
            self.report.steps_without_server += 1;
        }
        let transport = self.session.audio_mut().transport_state();
        let report = self.runtime.poll(&mut self.session, &transport);
        assert!(report.errors.is_empty(), "MIDI poll errors: {:?}", report.errors);
        for event in self.tap.try_iter() {
            if let TapEvent::Sent { ops, .. } = event {
                self.report.voices += ops.iter().filter(|op| is_voice_start(op)).count();
            }
        }
        while let Some(saved) = self.saver.try_report() {
            if let Some(e) = self.session.on_saved(saved) {
                panic!("a save failed: {e}");
            }
        }
    }

    /// SIGKILLs this run's `comm` (scsynth or jackd) once the server has
    /// run for [`RUN_BEFORE_KILL`] steps, so most steps meet a server.
    fn kill(&mut self, comm: &str) -> bool {
        if self.running_steps < RUN_BEFORE_KILL {
            return false;
        }
        let target = tagged_servers(&self.tag)
            .into_iter()
            .find(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == comm));
        let Some(pid) = target else { return false };
        let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
        // SAFETY: kill(2) on a process this run started (found by its tag).
        #[allow(unsafe_code)]
        let sent = unsafe { libc::kill(pid, libc::SIGKILL) } == 0;
        if sent {
            // The feedback still shows the killed server running until the
            // engine notices (a moment, or longer under load), so a second
            // kill can land first; the engine then restarts once for both.
            let restarts = self.session.audio_mut().counters().restarts;
            if self.restarts_at_kill == Some(restarts) {
                self.report.coalesced_kills += 1;
            }
            self.restarts_at_kill = Some(restarts);
        }
        sent
    }
}

/// Steps the server runs before it may be killed again.
const RUN_BEFORE_KILL: usize = 500;

fn is_voice_start(op: &ServerOp) -> bool {
    matches!(op, ServerOp::SynthNew { def, .. } if matches!(*def, "imbolc_sine" | "imbolc_saw" | "imbolc_square"))
}

fn step(rig: &mut Rig, rng: &mut Rng, dir: &Path) {
    match rng.below(1000) {
        0..300 => {
            let action = random_action(rig.session.project(), rng);
            rig.dispatch(action);
        }
        300..420 => {
            if !rig.held.is_empty() && rng.below(2) == 0 {
                let (channel, key) = rig.held.swap_remove(rng.below(rig.held.len()));
                rig.midi(&[0x80 | channel, key, 0]);
            } else {
                if rng.below(4) == 0 {
                    // The musician moves to another instrument.
                    let ids: Vec<InstrumentId> = rig.session.project().instruments.keys().copied().collect();
                    rig.select(rng.pick(&ids).copied());
                }
                if rig.selected.is_some_and(|i| rig.session.project().instruments.contains_key(&i)) {
                    rig.report.note_ons += 1;
                }
                let (channel, key) = (rng.below(2) as u8, 36 + rng.below(48) as u8);
                rig.held.push((channel, key));
                rig.midi(&[0x90 | channel, key, 1 + rng.below(127) as u8]);
            }
        }
        420..460 => {
            // Junk: any bytes, cut anywhere (running status, stray data,
            // unterminated SysEx, realtime bytes in the middle).
            let junk: Vec<u8> = (0..1 + rng.below(12)).map(|_| rng.below(256) as u8).collect();
            rig.midi(&junk);
        }
        460..480 => {
            let sustain = [0xB0 | rng.below(2) as u8, 64, if rng.below(2) == 0 { 0 } else { 127 }];
            rig.midi(&sustain);
        }
        480..500 => {
            rig.runtime.panic();
            rig.held.clear();
            rig.report.panics += 1;
        }
        500..540 => {
            let audio = rig.session.audio_mut();
            let sent = if rig.playing { audio.stop() } else { audio.play() };
            sent.expect("the engine takes play/stop");
            rig.playing = !rig.playing;
            rig.report.play_toggles += 1;
        }
        540..565 => (0..1 + rng.below(4)).for_each(|_| rig.undo()),
        565..610 => (0..1 + rng.below(4)).for_each(|_| rig.redo()),
        610..630 => {
            let job = rig.session.save_job(Some(&dir.join("chaos.imbolc"))).expect("a save job for a path");
            rig.saver.submit(job).expect("the saver takes a job");
            rig.report.saves += 1;
        }
        630..650 => {
            let ids: Vec<InstrumentId> = rig.session.project().instruments.keys().copied().collect();
            rig.select(rng.pick(&ids).copied());
        }
        // Kills alternate between scsynth and jackd, so any run long
        // enough for two has both.
        650..662 if rig.report.jackd_kills < rig.report.scsynth_kills => {
            rig.report.jackd_kills += usize::from(rig.kill("jackd"));
        }
        650..662 => rig.report.scsynth_kills += usize::from(rig.kill("scsynth")),
        _ => {}
    }
    rig.frame();
    rig.clock += Duration::from_millis(rng.below(400) as u64);
    std::thread::sleep(Duration::from_micros(rng.below(3000) as u64));
}

/// How long the checks wait for the engine to settle (a restart near the
/// end boots JACK and scsynth, slow on a loaded machine).
const SETTLE: Duration = Duration::from_secs(60);

fn soak(seed: u64, steps: usize, dir: &Path) -> Report {
    std::fs::create_dir_all(dir).expect("a temporary directory");
    let tag = format!("chaos-{}-{seed}", std::process::id());
    let (audio, tap, _) = tapped_engine(&tag, JackMode::Dummy);
    let runtime = MidiRuntime::new(Box::new(audio.live_sender()));
    let began = Instant::now();
    let mut rig = Rig {
        tag: tag.clone(),
        session: Session::new(Project::new("chaos"), audio),
        runtime,
        saver: BackgroundSaver::spawn().expect("the saver thread starts"),
        tap,
        accepted: Vec::new(),
        report: Report { seed, steps, ..Report::default() },
        held: Vec::new(),
        playing: false,
        selected: None,
        running_steps: 0,
        restarts_at_kill: None,
        began,
        clock: Duration::ZERO,
    };
    let mut rng = Rng::new(seed);
    // Something to play from the start: two instruments and a looping,
    // placed clip (accepted actions like any other, so undo can take
    // them back too).
    for action in starting_actions(&mut rng) {
        rig.dispatch(action);
    }
    let first = rig.session.project().instruments.keys().next().copied();
    rig.select(first);
    for k in 0..steps {
        let at = std::panic::catch_unwind(AssertUnwindSafe(|| step(&mut rig, &mut rng, dir)));
        if let Err(payload) = at {
            panic!("step {k}: {}", message(payload.as_ref()));
        }
    }

    // Wind down as a musician would: stop, lift the pedals, panic.
    let audio = rig.session.audio_mut();
    audio.stop().expect("the engine takes stop");
    for channel in 0..2u8 {
        rig.midi(&[0xB0 | channel, 64, 0]);
    }
    rig.runtime.panic();
    let audio = rig.session.audio_mut();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut voices = voice_count(&server_tree(audio));
    while voices > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        voices = voice_count(&server_tree(audio));
    }
    assert_eq!(voices, 0, "voice nodes left on the server after the final stop and panic");
    rig.report.restarts = audio.counters().restarts;
    let project = rig.session.project().clone();
    assert_graph_matches(rig.session.audio_mut(), &project);

    // The project is what the accepted actions make of a fresh one.
    let mut replay = Session::new(Project::new("chaos"), NullSink);
    let base = Instant::now();
    for (k, accepted) in rig.accepted.iter().enumerate() {
        let result = match accepted {
            Accepted::Action(action, at) => replay.dispatch_at(action.clone(), base + *at).map(Some),
            Accepted::Undo => replay.undo(),
            Accepted::Redo => replay.redo(),
        };
        assert!(matches!(result, Ok(Some(_))), "replay step {k} ({accepted:?}) differs: {result:?}");
    }
    assert!(*replay.project() == *rig.session.project(), "the project differs from a replay of its actions");

    // The saved file loads equal to the project.
    let path = dir.join("chaos.imbolc");
    let job = rig.session.save_job(Some(&path)).expect("a save job");
    let job_generation = job.generation;
    rig.saver.submit(job).expect("the saver takes a job");
    // Earlier saves may still be queued: their reports come first.
    let generation = job_generation;
    loop {
        let saved = rig.saver.wait_report().expect("a save report");
        let last = saved.generation == generation && saved.kind == SaveKind::Full;
        if let Some(e) = rig.session.on_saved(saved) {
            panic!("a save failed: {e}");
        }
        if last {
            break;
        }
    }
    let loaded = load(&path).expect("the saved file loads");
    assert!(loaded.project == *rig.session.project(), "the saved file differs from the project");
    assert!(!rig.session.is_dirty(), "saved, yet dirty");
    rig.report.saves += 1;

    // No process left behind once the engine is gone.
    let Rig { session, runtime, saver, mut report, .. } = rig;
    drop(runtime);
    drop(saver);
    drop(session);
    let deadline = Instant::now() + Duration::from_secs(15);
    while !tagged_servers(&tag).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "scsynth/jackd left running after the engine shut down");
    report.elapsed = began.elapsed();
    report
}

/// The tree of the engine's server once it is settled (running, stopped,
/// no voice), asked from outside. A kill in the last steps can leave the
/// engine showing a server that no longer answers (a scsynth whose jackd
/// was killed runs on for a moment, answering nothing, until the engine
/// notices the loss): then the engine's next server is asked.
fn server_tree(audio: &mut AudioHandle) -> TreeNode {
    let deadline = Instant::now() + SETTLE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let settled = wait_feedback(audio, left, |f| {
            matches!(f.server, ServerState::Running { .. }) && !f.transport.playing && f.transport.voices == 0
        });
        let pid = settled.scsynth_pid.expect("a running server has a pid");
        if let Some(tree) = try_scsynth_port(pid).and_then(try_scsynth_tree) {
            return tree;
        }
        assert!(Instant::now() < deadline, "no server answered /g_queryTree within {} s", SETTLE.as_secs());
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The server's tree (with controls) equals the graph a fresh build of
/// `project` gives: every diff, undo and restart landed. Retries for a
/// while, as the last diffs may still be on their way.
fn assert_graph_matches(audio: &mut AudioHandle, project: &Project) {
    let graph_config = EngineConfig::new(test_config()).graph_config();
    let (_, ops) = SignalGraph::build(graph_config, &project.audio_scene());
    let mut model = ModelBackend::new();
    model.execute(Timing::Now, &ops).expect("the model takes a fresh build");
    let expected = model.canonical_tree();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let actual = canonical_from_server(&server_tree(audio), &expected);
        if actual == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the server's graph differs from a fresh build of the project\nserver:\n{actual}\nfresh build:\n{expected}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
