//! Audio clips in [`Playback`] on a real graph and the model backend: a
//! clip starts at its start or from the right offset when play starts
//! inside it, and moving or trimming it while it plays costs a release and
//! one new voice, not a rebuild; a gain or fade change is one `/n_set`;
//! a loop inside a clip restarts it from the loop start each pass.

use imbolc_types::{
    AudioDiff, AudioRegion, AudioScene, Clip, ClipId, Instrument, InstrumentDef, InstrumentId, MixerSettings,
    Placement, PlacementId, SampleFormat, SampleRef,
};

use super::*;
use crate::backend::{AudioBackend, ModelBackend};
use crate::graph::GraphConfig;

const TRACK: InstrumentId = InstrumentId(0);
const CLIP: ClipId = ClipId(0);
const PL: PlacementId = PlacementId(0);

fn region() -> AudioRegion {
    AudioRegion::new(SampleRef {
        hash: "cd".repeat(32),
        name: "take.wav".into(),
        format: SampleFormat::Wav,
        channels: 2,
        sample_rate: 48_000,
        frames: 48_000 * 8,
        bytes: 100,
    })
}

/// An audio track with one 4 s clip placed at 1 s (120 bpm: 960 ticks),
/// a playback and a graph built on the model.
fn setup() -> (Playback, SignalGraph, ModelBackend) {
    let inst =
        Instrument { id: TRACK, name: "a".into(), def: InstrumentDef::audio_track(), mixer: MixerSettings::default() };
    let clip = Clip {
        id: CLIP,
        name: "take".into(),
        instrument: TRACK,
        length: 3840,
        looping: false,
        notes: Default::default(),
        drums: None,
        audio: Some(region()),
    };
    let placement = Placement { id: PL, clip: CLIP, start: 960, length: 3840 };
    let scene = AudioScene {
        instruments: vec![inst],
        clips: vec![clip],
        placements: vec![placement],
        tempo: 120.0,
        ..AudioScene::default()
    };
    let (graph, ops) = SignalGraph::build(GraphConfig::default(), &scene);
    assert!(ops.iter().any(|o| matches!(o, ServerOp::BufferAllocRead { .. })), "the clip's sample is loaded");
    let mut model = ModelBackend::new();
    model.execute(Timing::Now, &ops).expect("model");
    let mut p = Playback::offline(SchedulerConfig { lookahead: 0.05 }, VoiceConfig::default());
    p.diff(&AudioDiff::SceneLoaded(Box::new(scene)), &mut Vec::new());
    (p, graph, model)
}

fn run(model: &mut ModelBackend, out: &[Batch]) -> usize {
    for b in out {
        model.execute(b.timing, &b.ops).expect("model");
    }
    assert!(model.failures().is_empty(), "{:?}", model.failures());
    assert!(model.warnings().is_empty(), "{:?}", model.warnings());
    out.iter().map(|b| b.ops.len()).sum()
}

/// The clip voices started by `out`: (time, start frame, pos).
fn clip_starts(out: &[Batch]) -> Vec<(f64, f32, f32)> {
    let mut v = Vec::new();
    for b in out {
        for op in &b.ops {
            if let ServerOp::SynthNew { def, controls, .. } = op
                && *def == crate::synthdefs::AUDIO_CLIP
            {
                let get = |n: &str| controls.iter().find(|(k, _)| *k == n).map_or(f32::NAN, |(_, v)| *v);
                let Timing::At(t) = b.timing else { panic!("untimed clip start") };
                v.push((t.as_secs_f64(), get("start"), get("pos")));
            }
        }
    }
    v
}

#[test]
fn a_clip_starts_at_its_start_and_mid_way_from_the_right_frame() {
    let (mut p, mut g, mut model) = setup();
    let mut out = Vec::new();
    p.transport(TransportCmd::Play, &mut g, &mut out);
    let t0 = p.scheduler.horizon();
    p.advance(1.5, &mut g, &mut out);
    run(&mut model, &out);
    let starts = clip_starts(&out);
    assert_eq!(starts.len(), 1);
    assert!((starts[0].0 - t0 - 1.0).abs() < 1e-6, "at its start, 1 s after play: {starts:?}");
    assert_eq!((starts[0].1, starts[0].2), (0.0, 0.0));

    // Stop, seek 1.5 s into the clip (tick 960 + 1440), play.
    let (mut p, mut g, mut model) = setup();
    let mut out = Vec::new();
    p.transport(TransportCmd::Seek(2400), &mut g, &mut out);
    p.transport(TransportCmd::Play, &mut g, &mut out);
    let t0 = p.scheduler.horizon();
    p.advance(0.2, &mut g, &mut out);
    run(&mut model, &out);
    let starts = clip_starts(&out);
    assert_eq!(starts.len(), 1, "{starts:?}");
    assert!((starts[0].0 - t0).abs() < 1e-6, "as play starts: {starts:?}");
    assert_eq!(starts[0].1, 1.5 * 48_000.0, "1.5 s into the buffer");
    assert!((starts[0].2 - 1.5).abs() < 1e-6);
    // It plays once: later windows start nothing more.
    let mut more = Vec::new();
    p.advance(2.0, &mut g, &mut more);
    assert!(clip_starts(&more).is_empty());
}

#[test]
fn moving_or_trimming_a_playing_clip_sends_a_release_and_one_voice() {
    let (mut p, mut g, mut model) = setup();
    let mut out = Vec::new();
    p.transport(TransportCmd::Play, &mut g, &mut out);
    p.advance(1.6, &mut g, &mut out);
    run(&mut model, &out);
    assert_eq!(clip_starts(&out).len(), 1);

    let edits = [
        vec![AudioDiff::PlacementChanged { placement: Placement { id: PL, clip: CLIP, start: 480, length: 3840 } }],
        vec![
            AudioDiff::PlacementChanged { placement: Placement { id: PL, clip: CLIP, start: 960, length: 3360 } },
            AudioDiff::AudioRegionChanged { clip: CLIP, region: Box::new(AudioRegion { offset: 0.5, ..region() }) },
        ],
    ];
    let mut now = 1.6;
    for diffs in edits {
        let before = model.message_count();
        let mut out = Vec::new();
        for d in &diffs {
            let ops = g.apply(d).expect("graph");
            assert!(ops.is_empty(), "the graph has nothing to change: {ops:?}");
            p.diff(d, &mut out);
        }
        now += 0.1;
        p.advance(now, &mut g, &mut out);
        run(&mut model, &out);
        let sent = model.message_count() - before;
        assert_eq!(sent, 2, "one /n_set gate 0 and one /s_new: {out:?}");
        assert_eq!(clip_starts(&out).len(), 1);
    }
}

#[test]
fn a_gain_or_fade_change_is_one_n_set_on_the_sounding_voice() {
    let (mut p, mut g, mut model) = setup();
    let mut out = Vec::new();
    p.transport(TransportCmd::Play, &mut g, &mut out);
    p.advance(1.6, &mut g, &mut out);
    run(&mut model, &out);
    let before = model.message_count();
    let d = AudioDiff::AudioRegionChanged {
        clip: CLIP,
        region: Box::new(AudioRegion { gain_db: -6.0, fade_out: 0.5, ..region() }),
    };
    assert!(g.apply(&d).expect("graph").is_empty());
    let mut out = Vec::new();
    p.diff(&d, &mut out);
    p.advance(1.7, &mut g, &mut out);
    run(&mut model, &out);
    assert_eq!(model.message_count() - before, 1, "{out:?}");
    let set = out.iter().flat_map(|b| &b.ops).find_map(|op| match op {
        ServerOp::Set { controls, .. } => Some(controls.clone()),
        _ => None,
    });
    let set = set.expect("an /n_set");
    assert!(set.iter().any(|(n, v)| *n == "gain" && (v - 0.501).abs() < 1e-3), "{set:?}");
    assert!(clip_starts(&out).is_empty(), "the voice keeps playing");
}

#[test]
fn a_loop_inside_a_clip_restarts_it_from_the_loop_start_each_pass() {
    let (mut p, mut g, mut model) = setup();
    let mut out = Vec::new();
    // Loop 2 s..3 s of the song: 1..2 s into the clip.
    let region = crate::scheduler::LoopRegion { start: 1920, end: 2880 };
    p.transport(TransportCmd::SetLoop(Some(region)), &mut g, &mut out);
    p.transport(TransportCmd::Seek(1920), &mut g, &mut out);
    p.transport(TransportCmd::Play, &mut g, &mut out);
    let t0 = p.scheduler.horizon();
    p.advance(t0 + 2.5, &mut g, &mut out);
    run(&mut model, &out);
    let starts = clip_starts(&out);
    assert_eq!(starts.len(), 3, "{starts:?}");
    for (k, (t, frame, pos)) in starts.iter().enumerate() {
        assert!((t - t0 - k as f64).abs() < 1e-6, "pass {k} at {t}");
        assert_eq!(*frame, 48_000.0, "1 s into the audio");
        assert!((pos - 1.0).abs() < 1e-6);
    }
}

#[test]
fn a_live_note_on_an_audio_track_plays_nothing() {
    let (mut p, mut g, _) = setup();
    let mut out = Vec::new();
    assert!(p.voice_on(VoiceId(0), TRACK, 440.0, 1.0, &mut g, &mut out).is_err());
    assert!(out.iter().all(|b| b.ops.is_empty()), "{out:?}");
}
