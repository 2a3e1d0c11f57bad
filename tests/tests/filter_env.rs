//! The filter envelope and key tracking on a real scsynth. Renders (NRT,
//! the same graph as live) measure each note's own sweep, the key tracking
//! ratio and that amount and tracking at zero change nothing; a live
//! server shows per-voice groups ending with their notes and envelope
//! edits touching only the edited instrument.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use imbolc_audio::backend::{AudioBackend, ModelBackend, NodeId, ScBackend, ServerOp, Timing};
use imbolc_audio::engine::EngineConfig;
use imbolc_audio::graph::SignalGraph;
use imbolc_core::dispatch;
use imbolc_core::render::{self, RenderOptions, SampleFormat};
use imbolc_tests::{ScServer, test_config};
use imbolc_types::{
    Action, AudioDiff, AudioScene, EnvelopeStage, FilterDef, FilterEnvDef, FilterKind, Instrument, InstrumentDef,
    InstrumentId, MixerParam, Note, ParamTarget, Project, SourceKind,
};
use rosc::{OscMessage, OscType};
use rustfft::FftPlanner;
use rustfft::num_complex::Complex;

const RATE: usize = 48_000;
const LEAD: InstrumentId = InstrumentId(0);
const WAIT: Duration = Duration::from_secs(5);

fn apply(p: &mut Project, a: Action) {
    dispatch(p, a).unwrap();
}

/// A saw through a resonance-free low-pass at `cutoff` with `env`, playing
/// `notes` (pitch, velocity, start and length in seconds at 120 BPM).
fn project(cutoff: f32, env: FilterEnvDef, notes: &[(u8, u8, f64, f64)]) -> Project {
    let mut p = Project::new("filter env");
    p.tempo = 120.0;
    apply(&mut p, Action::AddInstrument { source: SourceKind::SAW, name: "lead".into() });
    for (stage, v) in [
        (EnvelopeStage::Attack, 0.001),
        (EnvelopeStage::Decay, 0.1),
        (EnvelopeStage::Sustain, 1.0),
        (EnvelopeStage::Release, 0.02),
    ] {
        apply(&mut p, Action::SetParam { target: ParamTarget::Envelope { instrument: LEAD, stage }, value: v });
    }
    let level = ParamTarget::Mixer { instrument: LEAD, param: MixerParam::Level };
    apply(&mut p, Action::SetParam { target: level, value: 0.5 });
    let mut f = FilterDef::new(FilterKind::LOW_PASS);
    f.params.insert("cutoff".into(), cutoff);
    f.params.insert("resonance".into(), 0.0);
    f.env = env;
    apply(&mut p, Action::SetFilter { instrument: LEAD, filter: Some(f) });
    let ticks = |s: f64| (s * 960.0).round() as u32; // 480 ticks per beat, 2 beats per second
    let end = notes.iter().map(|n| n.2 + n.3).fold(0.0, f64::max);
    let length = ticks(end).div_ceil(1920) * 1920;
    apply(&mut p, Action::AddClip { instrument: LEAD, name: "notes".into(), length });
    let clip = *p.clips.keys().next_back().unwrap();
    let notes = notes.iter().map(|&(pitch, vel, at, len)| Note::new(pitch, vel, ticks(at), ticks(len))).collect();
    apply(&mut p, Action::AddNotes { clip, notes });
    apply(&mut p, Action::AddPlacement { clip, start: 0, length });
    p
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("imbolc-filter-env-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The master's left channel, rendered as 32-bit float.
fn render_left(p: &Project, name: &str) -> Vec<f32> {
    let dir = tempdir(name);
    let o = RenderOptions { out_dir: dir.clone(), format: SampleFormat::Float32, ..RenderOptions::default() };
    render::render(p, &o, &AtomicBool::new(false), &mut |_| {}).unwrap();
    let left = read_left(&dir.join("master.wav"));
    std::fs::remove_dir_all(&dir).unwrap();
    left
}

fn read_left(path: &Path) -> Vec<f32> {
    let mut r = hound::WavReader::open(path).unwrap();
    assert_eq!(r.spec().sample_format, hound::SampleFormat::Float);
    r.samples::<f32>().map(|s| s.unwrap()).step_by(2).collect()
}

/// First sample at or after `from` louder than −60 dBFS: a note's onset.
fn onset(x: &[f32], from: usize) -> usize {
    from + x[from..].iter().position(|s| s.abs() > 1e-3).expect("a note sounds")
}

/// Power spectrum of `x` under a Hann window, with each bin's frequency.
fn spectrum(x: &[f32]) -> Vec<(f64, f64)> {
    let n = x.len();
    let mut buf: Vec<Complex<f64>> = x
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let w = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / n as f64).cos();
            Complex::new(f64::from(s) * w, 0.0)
        })
        .collect();
    FftPlanner::new().plan_fft_forward(n).process(&mut buf);
    (1..n / 2).map(|k| (k as f64 * RATE as f64 / n as f64, buf[k].norm_sqr())).collect()
}

/// Power above `hz` in `x`.
fn power_above(x: &[f32], hz: f64) -> f64 {
    spectrum(x).iter().filter(|(f, _)| *f >= hz).map(|(_, p)| p).sum()
}

/// Power-weighted mean frequency of `x`.
fn centroid(x: &[f32]) -> f64 {
    let s = spectrum(x);
    s.iter().map(|(f, p)| f * p).sum::<f64>() / s.iter().map(|(_, p)| p).sum::<f64>()
}

fn ms(m: usize) -> usize {
    m * RATE / 1000
}

fn db(x: f64) -> f64 {
    10.0 * x.max(1e-30).log10()
}

#[test]
fn each_note_opens_its_own_filter_from_its_onset_and_closes_after_the_decay() {
    let env = FilterEnvDef { amount: 4.0, attack: 0.0, decay: 0.1, sustain: 0.0, release: 0.02, key_track: 0.0 };
    // A loud low note, then a quiet higher one while the first is held.
    let x = render_left(&project(150.0, env, &[(45, 127, 0.0, 1.5), (52, 40, 0.75, 0.5)]), "sweep");
    let a = onset(&x, 0);
    // The first note still sounds: the second starts on the schedule
    // (within one 64-sample control block).
    let b = a + ms(750);
    let hf = |from: usize, len: usize| power_above(&x[from..from + len], 1000.0);
    let (a_open, a_closed) = (hf(a, ms(20)), hf(a + ms(300), ms(20)));
    let (b_open, both_closed) = (hf(b, ms(20)), hf(b + ms(300), ms(20)));
    eprintln!(
        "power above 1 kHz: first note 0-20 ms {:.1} dB, 300-320 ms {:.1} dB; second note 0-20 ms {:.1} dB, \
         300-320 ms {:.1} dB",
        db(a_open),
        db(a_closed),
        db(b_open),
        db(both_closed)
    );
    assert!(db(a_open) - db(a_closed) > 25.0, "the first note's filter opens at its onset, then closes");
    assert!(db(b_open) - db(both_closed) > 15.0, "the second note sweeps from its own onset");
    assert!(db(b_open) - db(a_closed) > 15.0, "the second onset is bright while the first note is closed");
    // A shared envelope retriggered by the quiet note would reopen the loud
    // one too: its onset would be as bright as the first note's.
    assert!(db(a_open) - db(b_open) > 4.0, "only the quiet note opened at the second onset");
}

#[test]
fn key_tracking_moves_the_cutoff_an_octave_per_octave() {
    let notes = [(48, 100, 0.0, 0.5), (72, 100, 1.0, 0.5)];
    let ratio = |key_track: f32, name: &str| {
        let env = FilterEnvDef { key_track, ..FilterEnvDef::default() };
        let x = render_left(&project(400.0, env, &notes), name);
        let low = onset(&x, 0);
        let high = onset(&x, low + ms(900));
        let c = |at: usize| centroid(&x[at + ms(100)..at + ms(400)]);
        (c(high) / c(low), c(low), c(high))
    };
    let (tracked, lo, hi) = ratio(1.0, "track");
    let (fixed, flo, fhi) = ratio(0.0, "fixed");
    eprintln!(
        "centroid C3 → C5: tracked {lo:.0} → {hi:.0} Hz ({tracked:.2}×), fixed {flo:.0} → {fhi:.0} Hz ({fixed:.2}×)"
    );
    assert!((3.5..4.5).contains(&tracked), "two octaves of notes move the spectrum ×4 with tracking 1: {tracked:.2}");
    assert!(fixed < 3.0, "without tracking the filter holds the higher note back: {fixed:.2}");
}

#[test]
fn amount_and_tracking_at_zero_render_bit_identically_whatever_the_envelope_times() {
    let notes = [(45, 127, 0.0, 0.6), (52, 90, 0.3, 0.6), (57, 60, 0.9, 0.4)];
    let plain = render_left(&project(500.0, FilterEnvDef::default(), &notes), "plain");
    let env = FilterEnvDef { amount: 0.0, attack: 0.3, decay: 2.0, sustain: 0.5, release: 1.0, key_track: 0.0 };
    let timed = render_left(&project(500.0, env, &notes), "timed");
    assert_eq!(plain.len(), timed.len());
    let diff: f64 = plain.iter().zip(&timed).map(|(a, b)| f64::from(a - b).powi(2)).sum();
    let energy: f64 = plain.iter().map(|a| f64::from(*a).powi(2)).sum();
    assert!(energy > 0.0);
    assert!(diff == 0.0 || db(diff / energy) < -120.0, "null {:.1} dB", db(diff / energy));
    assert_eq!(plain, timed, "bit-identical");
}

// ---------------------------------------------------------------------------
// A live server.

fn node_of(m: &OscMessage) -> Option<i32> {
    match m.args.first() {
        Some(OscType::Int(i)) => Some(*i),
        _ => None,
    }
}

fn subtree(model: &ModelBackend, node: NodeId, out: &mut HashSet<i32>) {
    out.insert(node.0);
    for child in model.children(node) {
        subtree(model, child, out);
    }
}

fn execute(backend: &mut ScBackend, model: &mut ModelBackend, ops: &[ServerOp]) {
    backend.execute(Timing::Now, ops).unwrap();
    model.execute(Timing::Now, ops).unwrap();
    assert!(model.failures().is_empty(), "{:?}", model.failures());
}

/// Three saws with low-pass filters, short releases.
fn scene() -> AudioScene {
    let instruments = (0..3)
        .map(|i| {
            let mut def = InstrumentDef::new(SourceKind::SAW);
            def.filter = Some(FilterDef::new(FilterKind::LOW_PASS));
            def.amp_env.release = 0.02;
            Instrument { id: InstrumentId(i), name: format!("{i}"), def, mixer: Default::default() }
        })
        .collect();
    AudioScene { instruments, ..AudioScene::default() }
}

#[test]
fn per_voice_groups_end_with_their_notes_and_edits_touch_only_their_instrument() {
    let sc = ScServer::start();
    let mut backend = ScBackend::new(sc.sender().try_clone_socket().unwrap());
    let mut model = ModelBackend::new();
    let mut log = Vec::new();
    let (mut graph, ops) = SignalGraph::build(EngineConfig::new(test_config()).graph_config(), &scene());
    execute(&mut backend, &mut model, &ops);
    let edited = InstrumentId(1);
    // The other instruments play a note each, held throughout.
    for i in [0, 2] {
        let (_, ops) = graph.voice_on(InstrumentId(i), 220.0, 0.5).unwrap();
        execute(&mut backend, &mut model, &ops);
    }
    let mut others = HashSet::new();
    for i in [0, 2] {
        subtree(&model, graph.instrument_group(InstrumentId(i)).unwrap(), &mut others);
    }
    let mine = [graph.voices_group(edited).unwrap(), graph.filter_node(edited).unwrap()];
    let target = |param: &str| ParamTarget::Filter { instrument: edited, param: param.into() };

    let edit = |graph: &mut SignalGraph, model: &mut ModelBackend, backend: &mut ScBackend, p: &str, v: f32| {
        let ops = graph.apply(&AudioDiff::ParamSet { target: target(p), value: v }).unwrap();
        for op in &ops {
            match op {
                ServerOp::Set { node, .. } | ServerOp::Run { node, .. } => {
                    assert!(mine.contains(node), "{p} touched {node}")
                }
                other => panic!("{p}: unexpected {other:?}"),
            }
        }
        execute(backend, model, &ops);
        ops.len()
    };
    assert_eq!(edit(&mut graph, &mut model, &mut backend, "env_amount", 4.0), 2, "/n_set + /n_run");
    let mut groups = Vec::new();
    for freq in [110.0, 165.0] {
        let (group, ops) = graph.voice_on(edited, freq, 0.8).unwrap();
        assert_eq!(ops.len(), 3);
        execute(&mut backend, &mut model, &ops);
        groups.push(group);
    }
    sc.collect_until(WAIT, &mut log, |m| m.addr == "/n_go" && node_of(m) == Some(groups[1].0))
        .expect("the per-voice groups did not start");
    assert_eq!(edit(&mut graph, &mut model, &mut backend, "env_decay", 0.1), 1, "one /n_set while on");
    let tree = sc.query_tree_logged(&mut log);
    assert_eq!(voice_filters(&tree), 2, "a filter in each note's group");
    let group = tree.find(groups[0].0).expect("the note's group");
    assert_eq!(group.children.len(), 2, "voice and filter");
    // The /n_set on the voices group reached the filter in the nested group.
    let control = |n: &imbolc_tests::TreeNode, c: &str| n.controls.iter().find(|(k, _)| k == c).map(|(_, v)| *v);
    assert_eq!(control(&group.children[1], "fenv_decay"), Some(0.1));
    assert_eq!(control(&group.children[0], "done"), Some(14.0));

    for g in &groups {
        execute(&mut backend, &mut model, &[graph.voice_off(*g)]);
    }
    for g in &groups {
        if !log.iter().any(|m| m.addr == "/n_end" && node_of(m) == Some(g.0)) {
            sc.collect_until(WAIT, &mut log, |m| m.addr == "/n_end" && node_of(m) == Some(g.0))
                .expect("a released note's group did not end by itself");
        }
    }
    assert_eq!(edit(&mut graph, &mut model, &mut backend, "env_amount", 0.0), 2, "/n_set + /n_run back");
    let tree = sc.query_tree_logged(&mut log);
    assert_eq!(voice_filters(&tree), 0, "no per-voice filter left");
    let voices = tree.find(graph.voices_group(edited).unwrap().0).expect("voices group");
    assert!(voices.children.is_empty(), "no per-voice group left: {voices:?}");
    let ended: HashSet<i32> = log.iter().filter(|m| m.addr == "/n_end").filter_map(node_of).collect();
    let wrongly: Vec<&i32> = ended.intersection(&others).collect();
    assert!(wrongly.is_empty(), "nodes of other instruments ended: {wrongly:?}");
    let fails: Vec<&OscMessage> = log.iter().filter(|m| m.addr == "/fail").collect();
    assert!(fails.is_empty(), "the server refused ops: {fails:?}");
    // The other instruments' notes still sound: their nodes are all there.
    for n in &others {
        assert!(tree.find(*n).is_some(), "node {n} of another instrument is gone");
    }
}

/// Per-voice filter nodes (voice filters) in a server tree.
fn voice_filters(t: &imbolc_tests::TreeNode) -> usize {
    t.walk().iter().filter(|n| n.def.as_deref().is_some_and(|d| d.ends_with("_voice"))).count()
}

/// Through the engine (allocator, gate keeper, `/n_end` bookkeeping): many
/// live notes with the envelope on, released at once, all end, groups and
/// filters with them, and the server refused nothing.
#[test]
fn live_notes_with_the_envelope_on_all_end_through_the_engine() {
    let tag = format!("filter-env-engine-{}", std::process::id());
    let (mut audio, _tap, _) = imbolc_tests::engine::tapped_engine(&tag, imbolc_audio::server::JackMode::Dummy);
    let mut s = scene();
    if let Some(f) = s.instruments[1].def.filter.as_mut() {
        f.env = FilterEnvDef { amount: 3.0, key_track: 0.5, ..FilterEnvDef::default() };
    }
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(s))]).unwrap();
    imbolc_tests::engine::engine_tree(&audio);
    for k in 0..60u32 {
        let v = audio.voice_on(InstrumentId(1), 200.0 + k as f32, 0.5).unwrap();
        audio.voice_off(v).unwrap();
    }
    let deadline = std::time::Instant::now() + WAIT;
    let mut tree = imbolc_tests::engine::engine_tree(&audio);
    while voice_filters(&tree) > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        tree = imbolc_tests::engine::engine_tree(&audio);
    }
    assert_eq!(voice_filters(&tree), 0, "per-voice filters left: {tree:?}");
    let voice_synths = tree.walk().iter().filter(|n| n.def.as_deref() == Some("imbolc_saw")).count();
    assert_eq!(voice_synths, 0, "voices left");
    // The allocator saw each group's end: no voice is counted any more.
    imbolc_tests::engine::wait_until(&mut audio, WAIT, "the allocator counts no voice", |f| f.transport.voices == 0);
    let counters = audio.counters();
    assert_eq!((counters.fails, counters.mismatches, counters.refused), (0, 0, 0), "{counters:?}");
    audio.shutdown();
    assert_eq!(imbolc_tests::tagged_servers(&tag), Vec::<u32>::new());
}
