//! The convolution reverb with an impulse response from the sample store,
//! rendered by a real scsynth (`scsynth -N`, a score written by the score
//! backend from the graph's own ops): one impulse in gives the IR out,
//! after PartConv's latency, sample for sample. Removing the effect or
//! changing its IR frees its buffers.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

use imbolc_audio::backend::{AudioBackend, ScoreBackend, ServerOp, Timing};
use imbolc_audio::engine::EngineConfig;
use imbolc_audio::graph::{CONVOLUTION_FFT_SIZE, SignalGraph};
use imbolc_audio::{sample_cache, synthdefs};
use imbolc_core::store::import_sample;
use imbolc_tests::sound_check::effect::INPUT_DEF;
use imbolc_tests::test_config;
use imbolc_types::catalog::EffectKind;
use imbolc_types::{AudioDiff, AudioScene, ChainOwner, EffectId, EffectSlot};
use rosc::{OscMessage, OscType};

const RATE: u32 = 48_000;
/// The IR: three spikes (frame, value) in 6000 frames.
const SPIKES: [(usize, f32); 3] = [(0, 0.8), (1200, -0.5), (4800, 0.3)];
const IR_FRAMES: usize = 6000;
/// When the test input's impulse (0.5) comes, and the render's end.
const IMPULSE_AT: f64 = 0.5;
const END: f64 = 0.75;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("imbolc-convolution-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn ir_samples() -> Vec<f32> {
    let mut ir = vec![0.0; IR_FRAMES];
    for (i, v) in SPIKES {
        ir[i] = v;
    }
    ir
}

fn convolution_with_ir(ir: &imbolc_types::SampleRef) -> EffectSlot {
    let mut slot = EffectSlot::new(EffectId(1), EffectKind::from_id("convolution").expect("in the catalog"));
    slot.params.insert("mix".into(), 1.0);
    slot.ir = Some(ir.clone());
    slot
}

/// Renders `ops` (a graph's) with the test input's impulse at
/// [`IMPULSE_AT`] on `master_bus`: the left channel, checked free of
/// PartConv errors.
fn render(ops: &[ServerOp], master_bus: u32, name: &str) -> Vec<f32> {
    let mut score = ScoreBackend::new();
    score.load_synthdefs(synthdefs::ALL);
    score
        .push_messages(0.0, vec![OscMessage { addr: "/d_recv".into(), args: vec![OscType::Blob(INPUT_DEF.to_vec())] }]);
    score.execute(Timing::Now, ops).unwrap();
    let input = vec![
        OscType::String("imbolc_test_fx_input".into()),
        OscType::Int(90_000),
        OscType::Int(0),
        OscType::Int(0),
        OscType::String("out".into()),
        OscType::Float(master_bus as f32),
        OscType::String("kind".into()),
        OscType::Float(0.0),
        OscType::String("dur".into()),
        OscType::Float(0.1),
    ];
    score.push_messages(IMPULSE_AT, vec![OscMessage { addr: "/s_new".into(), args: input }]);
    let score_path = temp(&format!("{name}.osc"));
    let out = temp(&format!("{name}.wav"));
    std::fs::write(&score_path, score.finish(END).to_bytes()).unwrap();
    let o = Command::new("scsynth")
        .args(["-o", "2", "-N", score_path.to_str().unwrap(), "_", out.to_str().unwrap()])
        .args([&RATE.to_string(), "WAV", "float"])
        .output()
        .expect("scsynth must be installed (SuperCollider; `make test` installs it)");
    let log = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success() && out.is_file(), "scsynth -N: {log}");
    assert!(!log.contains("PartConv Error"), "{log}");

    hound::WavReader::open(&out).unwrap().samples::<f32>().step_by(2).map(Result::unwrap).collect()
}

#[test]
fn an_impulse_through_the_convolution_returns_its_ir() {
    sample_cache::set_cache_dir(Some(temp("cache")));
    let wav = temp("ir.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(&wav, spec).unwrap();
    for v in ir_samples() {
        w.write_sample(v).unwrap();
    }
    w.finalize().unwrap();
    let ir = import_sample(&wav).unwrap();
    std::fs::remove_file(&wav).unwrap();

    let scene = AudioScene { master_effects: vec![convolution_with_ir(&ir)], ..AudioScene::default() };
    let (mut graph, ops) = SignalGraph::build(EngineConfig::new(test_config()).graph_config(), &scene);
    let count = |ops: &[ServerOp], f: fn(&ServerOp) -> bool| ops.iter().filter(|op| f(op)).count();
    assert_eq!(count(&ops, |op| matches!(op, ServerOp::BufferAllocReadChannel { .. })), 1, "{ops:?}");
    assert_eq!(count(&ops, |op| matches!(op, ServerOp::BufferGenPartConv { .. })), 1);

    let left = render(&ops, graph.master_bus(), "on");
    let at = (IMPULSE_AT * f64::from(RATE)).round() as usize;
    let onset = left.iter().position(|v| v.abs() > 1e-3).expect("the IR came out");
    let latency = onset - at;
    eprintln!("PartConv latency: {latency} frames ({:.2} ms at {RATE} Hz)", latency as f64 * 1000.0 / f64::from(RATE));
    assert!(onset >= at, "nothing before the impulse");
    // PartConv convolves half-FFT partitions, and outputs a partition from
    // the control block that completes it: half the FFT less one block.
    assert_eq!(latency, CONVOLUTION_FFT_SIZE as usize / 2 - 64, "latency is half the FFT size less a block");
    // The input impulse is 0.5 on both sides; the effect convolves their
    // mean, so the output is half the IR.
    let want: Vec<f32> = ir_samples().iter().map(|v| v * 0.5).collect();
    let got = &left[onset..onset + IR_FRAMES + 2048];
    let mut worst = 0.0f32;
    for (k, g) in got.iter().enumerate() {
        let w = want.get(k).copied().unwrap_or(0.0);
        worst = worst.max((g - w).abs());
    }
    eprintln!("largest difference from the IR: {worst:e}");
    assert!(worst < 1e-4, "the output is the IR (largest difference {worst})");

    // Removing the effect frees its two buffers; the graph keeps none.
    let removed = graph.apply(&AudioDiff::EffectRemoved { owner: ChainOwner::Master, effect: EffectId(1) }).unwrap();
    assert_eq!(count(&removed, |op| matches!(op, ServerOp::BufferFree { .. })), 2, "{removed:?}");

    // Bypassed when created (its pause is the IR read's completion, after
    // the node exists): the input passes unchanged.
    let mut slot = convolution_with_ir(&ir);
    slot.enabled = false;
    let scene = AudioScene { master_effects: vec![slot], ..AudioScene::default() };
    let (graph, ops) = SignalGraph::build(EngineConfig::new(test_config()).graph_config(), &scene);
    let left = render(&ops, graph.master_bus(), "bypassed");
    assert!((left[at] - 0.5).abs() < 1e-6, "the impulse passes: {}", left[at]);
    let rest = left.iter().enumerate().filter(|(i, v)| *i != at && v.abs() > 1e-6).count();
    assert_eq!(rest, 0, "nothing but the impulse");
}

#[test]
fn changing_the_ir_replaces_the_node_and_swaps_buffers() {
    sample_cache::set_cache_dir(Some(temp("cache")));
    let wav = temp("ir2.wav");
    let spec =
        hound::WavSpec { channels: 2, sample_rate: RATE, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut w = hound::WavWriter::create(&wav, spec).unwrap();
    for i in 0..3000 {
        w.write_sample(if i == 0 { 20_000i16 } else { 0 }).unwrap();
        w.write_sample(0i16).unwrap();
    }
    w.finalize().unwrap();
    let ir = import_sample(&wav).unwrap();
    let mut slot = convolution_with_ir(&ir);
    slot.ir = None;
    let scene = AudioScene { master_effects: vec![slot], ..AudioScene::default() };
    let (mut graph, ops) = SignalGraph::build(EngineConfig::new(test_config()).graph_config(), &scene);
    assert!(!ops.iter().any(|op| matches!(op, ServerOp::BufferAlloc { .. })), "no IR, no buffers");
    let set = |ir: Option<imbolc_types::SampleRef>| AudioDiff::EffectIrSet {
        owner: ChainOwner::Master,
        effect: EffectId(1),
        ir,
    };
    let ops = graph.apply(&set(Some(ir.clone()))).unwrap();
    assert_eq!(ops.len(), 3, "alloc (creating the node), read, gen: {ops:?}");
    let ServerOp::BufferAlloc { frames, then: Some(synth), .. } = &ops[0] else { panic!("{ops:?}") };
    assert_eq!(*frames, 3 * CONVOLUTION_FFT_SIZE, "3000 frames in 1024-frame partitions");
    assert!(matches!(**synth, ServerOp::SynthNew { action: imbolc_audio::backend::AddAction::Replace, .. }));
    assert!(graph.apply(&set(Some(ir))).unwrap().is_empty(), "the same IR sends nothing");
    let ops = graph.apply(&set(None)).unwrap();
    assert_eq!(ops.len(), 3, "the built-in node replaces it, both buffers freed: {ops:?}");
}
