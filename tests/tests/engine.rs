//! The incremental engine against a real scsynth: 30 instruments × 3
//! effects with a voice each, edits on one instrument that must leave the
//! others untouched, and a killed server that the engine replaces and
//! rebuilds.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{HashMap, HashSet};
use std::process::Command;
use std::time::{Duration, Instant};

use imbolc_audio::backend::{AudioBackend, ModelBackend, NodeId, ScBackend, ServerOp, Timing, encode_batch};
use imbolc_audio::engine::{AudioHandle, EngineConfig, EngineFeedback, MeterReading, Scheduling};
use imbolc_audio::graph::{GraphConfig, SignalGraph};
use imbolc_audio::status::ServerState;
use imbolc_tests::{ScServer, TEST_TAG_VAR, TreeNode, canonical_from_server, tagged_servers, test_config};
use imbolc_types::catalog::{EffectKind, SourceKind};
use imbolc_types::{
    AudioDiff, AudioScene, ChainOwner, EffectId, EffectSlot, Instrument, InstrumentDef, InstrumentId, MixerSettings,
};
use rosc::{OscMessage, OscType};

const INSTRUMENTS: u32 = 30;
const EDITED: InstrumentId = InstrumentId(7);
const NEW_EFFECT: EffectId = EffectId(1000);
const NEW_INSTRUMENT: InstrumentId = InstrumentId(100);
const WAIT: Duration = Duration::from_secs(5);
/// A strip that reads above this is sounding (−60 dBFS).
const AUDIBLE: f32 = 0.001;

fn instrument(id: u32, effects: &[(u32, EffectKind)]) -> Instrument {
    let mut def = InstrumentDef::new(SourceKind::ALL[id as usize % SourceKind::ALL.len()]);
    def.effects = effects.iter().map(|&(e, kind)| EffectSlot::new(EffectId(e), kind)).collect();
    Instrument { id: InstrumentId(id), name: format!("inst {id}"), def, mixer: MixerSettings::default() }
}

/// 30 instruments, each with three effects: the catalog in order, round
/// and round (so every effect runs on the real server).
fn scene() -> AudioScene {
    let instruments = (0..INSTRUMENTS)
        .map(|i| {
            let fx: Vec<(u32, EffectKind)> =
                (0..3).map(|k| (i * 3 + k, EffectKind::ALL[(i * 3 + k) as usize % EffectKind::COUNT])).collect();
            instrument(i, &fx)
        })
        .collect();
    AudioScene { instruments, ..AudioScene::default() }
}

fn edited() -> ChainOwner {
    ChainOwner::Instrument(EDITED)
}

/// A sidechain compressor added to instrument 7 (and kept).
const KEYED_EFFECT: EffectId = EffectId(1002);

/// Add a sidechain compressor to instrument 7 and set, change, clear and
/// set again its key; add, move, bypass and remove an effect on
/// instrument 7, then add and remove a whole instrument.
fn edits() -> Vec<AudioDiff> {
    let first_of_7 = EffectId(EDITED.0 * 3);
    let key = |k: Option<u32>| AudioDiff::EffectKeySet {
        owner: edited(),
        effect: KEYED_EFFECT,
        key: k.map(|k| ChainOwner::Instrument(InstrumentId(k))),
    };
    vec![
        AudioDiff::EffectAdded {
            owner: edited(),
            effect: EffectSlot::new(KEYED_EFFECT, EffectKind::SIDECHAIN_COMPRESSOR),
            after: None,
        },
        key(Some(3)),
        key(Some(5)),
        key(None),
        key(Some(3)),
        AudioDiff::EffectAdded {
            owner: edited(),
            effect: EffectSlot::new(NEW_EFFECT, EffectKind::REVERB),
            after: Some(first_of_7),
        },
        AudioDiff::EffectMoved { owner: edited(), effect: NEW_EFFECT, after: None },
        AudioDiff::EffectToggled { owner: edited(), effect: NEW_EFFECT, enabled: false },
        AudioDiff::EffectRemoved { owner: edited(), effect: NEW_EFFECT },
        AudioDiff::InstrumentAdded {
            instrument: Box::new(instrument(NEW_INSTRUMENT.0, &[(1001, EffectKind::DELAY)])),
            after: Some(EDITED),
        },
        AudioDiff::InstrumentRemoved { instrument: NEW_INSTRUMENT },
    ]
}

fn graph_config() -> GraphConfig {
    EngineConfig::new(test_config()).graph_config()
}

fn freq(i: u32) -> f32 {
    110.0 * (1 + i % 4) as f32
}

fn node_of(m: &OscMessage) -> Option<i32> {
    match m.args.first() {
        Some(OscType::Int(i)) => Some(*i),
        _ => None,
    }
}

/// Every node id at or below `node` in the model.
fn subtree(model: &ModelBackend, node: NodeId, out: &mut HashSet<i32>) {
    out.insert(node.0);
    for child in model.children(node) {
        subtree(model, child, out);
    }
}

fn assert_same_tree(server: &TreeNode, model: &ModelBackend, when: &str) {
    let expected = model.canonical_tree();
    let actual = canonical_from_server(server, &expected);
    assert!(actual == expected, "{when}: server tree differs from the model\nserver:\n{actual}\nmodel:\n{expected}");
}

/// Sends one batch as one bundle to the server and the model alike;
/// returns the bundle's size in bytes.
fn execute(backend: &mut ScBackend, model: &mut ModelBackend, ops: &[ServerOp]) -> usize {
    let size = encode_batch(Timing::Now, ops).unwrap().len();
    backend.execute(Timing::Now, ops).unwrap();
    model.execute(Timing::Now, ops).unwrap();
    size
}

/// Waits until every instrument's strip has sent a meter reading above
/// −60 dBFS; returns the instruments that never did.
fn wait_until_all_sound(sc: &ScServer, log: &mut Vec<OscMessage>) -> Vec<u32> {
    let mut loud: HashMap<u32, f32> = HashMap::new();
    let all_loud = |loud: &HashMap<u32, f32>| (0..INSTRUMENTS).all(|i| loud.contains_key(&i));
    let deadline = Instant::now() + WAIT;
    while !all_loud(&loud) && Instant::now() < deadline {
        let left = deadline.saturating_duration_since(Instant::now());
        let Some(m) = sc.collect_until(left, log, |m| m.addr == "/meter") else { break };
        let reading = MeterReading::parse(&m).expect("a strip sent a malformed /meter");
        if let ChainOwner::Instrument(InstrumentId(i)) = reading.owner {
            let peak = reading.peak[0].max(reading.peak[1]);
            if peak > AUDIBLE {
                loud.insert(i, peak);
            }
        }
    }
    (0..INSTRUMENTS).filter(|i| !loud.contains_key(i)).collect()
}

#[test]
fn edits_on_one_instrument_touch_no_other_on_a_real_server() {
    let sc = ScServer::start();
    let mut backend = ScBackend::new(sc.sender().try_clone_socket().unwrap());
    let mut model = ModelBackend::new();
    let mut log = Vec::new();

    let (mut graph, ops) = SignalGraph::build(graph_config(), &scene());
    let scene_bytes = execute(&mut backend, &mut model, &ops);
    let mut voices = Vec::new();
    for i in 0..INSTRUMENTS {
        let (node, op) = graph.voice_on(InstrumentId(i), freq(i), 0.8).unwrap();
        execute(&mut backend, &mut model, &op);
        voices.push(node);
    }
    let last_voice = voices[voices.len() - 1].0;
    sc.collect_until(WAIT, &mut log, |m| m.addr == "/n_go" && node_of(m) == Some(last_voice))
        .expect("the voices did not start");
    assert_same_tree(&sc.query_tree_logged(&mut log), &model, "after building");
    assert_eq!(wait_until_all_sound(&sc, &mut log), Vec::<u32>::new(), "instruments silent before the edits");

    // Every node of the other instruments, voices included.
    let mut others = HashSet::new();
    for i in (0..INSTRUMENTS).filter(|&i| InstrumentId(i) != EDITED) {
        subtree(&model, graph.instrument_group(InstrumentId(i)).unwrap(), &mut others);
    }
    assert!(others.len() >= 29 * 8, "groups, effects, strip and voice of 29 instruments");

    log.clear();
    let mut sizes = Vec::new();
    let mut removed_effect = None;
    let mut removed_group = None;
    for edit in edits() {
        if let AudioDiff::EffectRemoved { owner, effect } = &edit {
            removed_effect = graph.effect_node(*owner, *effect);
        }
        if let AudioDiff::InstrumentRemoved { instrument } = &edit {
            removed_group = graph.instrument_group(*instrument);
        }
        let ops = graph.apply(&edit).unwrap();
        if matches!(
            edit,
            AudioDiff::EffectAdded { .. }
                | AudioDiff::EffectMoved { .. }
                | AudioDiff::EffectRemoved { .. }
                | AudioDiff::EffectKeySet { .. }
        ) {
            assert_eq!(ops.len(), 1, "{edit:?} costs one message");
        }
        sizes.push((ops.len(), execute(&mut backend, &mut model, &ops)));
    }
    let (removed_effect, removed_group) = (removed_effect.unwrap(), removed_group.unwrap());
    // The last edit's /n_end arrives in the same period as any stray one.
    sc.collect_until(WAIT, &mut log, |m| m.addr == "/n_end" && node_of(m) == Some(removed_group.0))
        .expect("the removed instrument's group did not end");
    assert_same_tree(&sc.query_tree_logged(&mut log), &model, "after the edits");

    let ended: HashSet<i32> = log.iter().filter(|m| m.addr == "/n_end").filter_map(node_of).collect();
    let wrongly_ended: Vec<&i32> = ended.intersection(&others).collect();
    assert!(wrongly_ended.is_empty(), "nodes of other instruments ended: {wrongly_ended:?}");
    assert!(ended.contains(&removed_effect.0), "the removed effect ended");
    let fails: Vec<&OscMessage> = log.iter().filter(|m| m.addr == "/fail").collect();
    assert!(fails.is_empty(), "the server refused ops: {fails:?}");

    log.clear();
    assert_eq!(wait_until_all_sound(&sc, &mut log), Vec::<u32>::new(), "instruments silent after the edits");
    eprintln!("scene bundle: {scene_bytes} bytes; edit bundles (messages, bytes): {sizes:?}");
}

/// Polls the engine's feedback (a triple buffer: nothing to block on)
/// until `done` holds or `deadline` passes.
fn wait_feedback(
    audio: &mut AudioHandle,
    deadline: Instant,
    mut done: impl FnMut(&EngineFeedback) -> bool,
) -> Option<EngineFeedback> {
    loop {
        let feedback = audio.feedback();
        if done(feedback) {
            return Some(feedback.clone());
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn engine_tree(audio: &AudioHandle) -> TreeNode {
    let reply = audio.request_tree().unwrap().recv_timeout(WAIT).expect("no tree from the engine");
    TreeNode::parse(&reply).expect("malformed tree")
}

fn all_sound(feedback: &EngineFeedback) -> bool {
    (0..INSTRUMENTS).all(|i| feedback.meters.instrument(InstrumentId(i)).is_some_and(|m| m.peak_dbfs() > -60.0))
}

#[test]
fn a_killed_server_is_replaced_with_the_same_tree_and_meters() {
    let tag = format!("engine-{}", std::process::id());
    let mut config = test_config();
    config.child_env = vec![(TEST_TAG_VAR.to_owned(), tag.clone())];
    let started = Instant::now();
    let mut audio = AudioHandle::spawn(EngineConfig::new(config)).unwrap();
    wait_feedback(&mut audio, Instant::now() + Duration::from_secs(10), |f| {
        matches!(f.server, ServerState::Running { .. })
    })
    .unwrap_or_else(|| panic!("the engine's server did not come up: {:?}", audio.feedback().server));
    eprintln!("boot to running: {} ms", started.elapsed().as_millis());

    // The test's own copy: the same diffs on a graph driving a model.
    let (mut graph, ops) = SignalGraph::build(graph_config(), &AudioScene::default());
    let mut model = ModelBackend::new();
    model.execute(Timing::Now, &ops).unwrap();
    let load = AudioDiff::SceneLoaded(Box::new(scene()));
    model.execute(Timing::Now, &graph.apply(&load).unwrap()).unwrap();
    audio.send_diffs(vec![load]).unwrap();
    // Voices take the realtime lane, which overtakes diffs: wait until the
    // scene is on the server (a tree query is answered after it).
    engine_tree(&audio);
    for i in 0..INSTRUMENTS {
        audio.voice_on(InstrumentId(i), freq(i), 0.8).unwrap();
        let (_, op) = graph.voice_on(InstrumentId(i), freq(i), 0.8).unwrap();
        model.execute(Timing::Now, &op).unwrap();
    }
    let sounding = wait_feedback(&mut audio, Instant::now() + WAIT, all_sound);
    assert!(sounding.is_some(), "not every instrument sounds: {:?}", audio.feedback().meters);
    assert_same_tree(&engine_tree(&audio), &model, "engine, after building");

    let mut after = edits();
    // The effect edits (one of them frees a node, whose /n_end the
    // engine's registry must find expected) before the kill, the
    // instrument edits while the server is down or coming back.
    let before: Vec<AudioDiff> = after.drain(..4).collect();
    for edit in &before {
        model.execute(Timing::Now, &graph.apply(edit).unwrap()).unwrap();
    }
    audio.send_diffs(before).unwrap();
    assert_same_tree(&engine_tree(&audio), &model, "engine, after the effect edits");

    // The server running now: loading the scene may have grown (restarted) it.
    let now = audio.feedback();
    let (old_pid, old_generation) = (now.scsynth_pid.expect("scsynth pid"), now.generation);
    assert!(Command::new("kill").args(["-KILL", &old_pid.to_string()]).status().unwrap().success());
    let killed = Instant::now();
    // The rest of the scenario happens while the server is down or coming back.
    for edit in &after {
        graph.apply(edit).unwrap();
    }
    audio.send_diffs(after).unwrap();

    // A bound for liveness only; the time it takes is printed, not asserted.
    let deadline = killed + Duration::from_secs(30);
    let back = wait_feedback(&mut audio, deadline, |f| {
        f.generation > old_generation && matches!(f.server, ServerState::Running { .. })
    })
    .unwrap_or_else(|| panic!("no new server: {:?}", audio.feedback().server));
    let new_pid = back.scsynth_pid.expect("new scsynth pid");
    assert_ne!(new_pid, old_pid);
    let restarted_in = killed.elapsed();

    // Same tree, minus the voices: what a fresh build of the final state gives.
    let rebuild_began = Instant::now();
    let rebuild = graph.rebuild();
    let rebuild_bytes = encode_batch(Timing::Now, &rebuild).unwrap().len();
    let rebuild_time = rebuild_began.elapsed();
    let mut fresh = ModelBackend::new();
    fresh.execute(Timing::Now, &rebuild).unwrap();
    assert_same_tree(&engine_tree(&audio), &fresh, "engine, after the restart");
    let generation = back.generation;
    let resumed = wait_feedback(&mut audio, deadline, |f| {
        (0..INSTRUMENTS).all(|i| f.meters.instrument(InstrumentId(i)).is_some_and(|m| m.generation == generation))
            && f.meters.master().is_some_and(|m| m.generation == generation)
    });
    assert!(resumed.is_some(), "meters did not resume after the kill");
    let rebuilt_in = killed.elapsed();
    eprintln!(
        "kill to running: {} ms; kill to tree checked and meters back: {} ms; \
         rebuild: {} ops, {rebuild_bytes} bytes, planned and encoded in {} µs",
        restarted_in.as_millis(),
        rebuilt_in.as_millis(),
        rebuild.len(),
        rebuild_time.as_micros()
    );

    let counters = audio.counters();
    assert_eq!(counters.restarts, 1);
    assert_eq!(counters.mismatches, 0, "{counters:?}");
    assert_eq!(counters.fails, 0, "{counters:?}");
    assert_eq!(counters.rejected_diffs, 0, "{counters:?}");
    assert_eq!(counters.dropped, 0, "{counters:?}");
    assert_eq!(counters.malformed + counters.unknown, 0, "{counters:?}");

    audio.shutdown();
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "scsynth/jackd left running after shutdown");
    assert!(!imbolc_tests::process_alive(new_pid));
}

/// The audio thread asks for realtime scheduling so a live note never waits
/// for a core; the servers it starts must not inherit it (scsynth's own
/// threads at realtime priority could starve the machine).
#[test]
fn the_audio_thread_runs_realtime_and_the_servers_it_starts_do_not() {
    let tag = format!("engine-rt-{}", std::process::id());
    let mut config = test_config();
    config.child_env = vec![(TEST_TAG_VAR.to_owned(), tag.clone())];
    let mut audio = AudioHandle::spawn(EngineConfig::new(config)).unwrap();
    let running = wait_feedback(&mut audio, Instant::now() + Duration::from_secs(10), |f| {
        matches!(f.server, ServerState::Running { .. })
    })
    .unwrap_or_else(|| panic!("the engine's server did not come up: {:?}", audio.feedback().server));
    let pid = running.scsynth_pid.expect("scsynth pid").to_string();
    let policy = |pid: &str| {
        let out = Command::new("chrt").args(["-p", pid]).output().expect("chrt (util-linux) is installed");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let scheduling = running.audio_thread;
    eprintln!("audio thread: {scheduling}; scsynth: {}", policy(&pid).trim());
    match scheduling {
        Scheduling::Realtime { priority } => {
            assert_eq!(priority, 1, "the lowest realtime priority, below any audio callback");
            assert!(policy(&pid).contains("SCHED_OTHER"), "scsynth: {}", policy(&pid));
        }
        Scheduling::Refused { .. } => assert!(scheduling.to_string().contains("not permitted"), "{scheduling}"),
        Scheduling::Normal => panic!("EngineConfig::new asks for realtime scheduling"),
    }
    audio.shutdown();
    assert_eq!(tagged_servers(&tag), Vec::<u32>::new(), "scsynth/jackd left running after shutdown");
}
