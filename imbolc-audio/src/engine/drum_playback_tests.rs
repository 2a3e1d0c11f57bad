//! Drum hits through [`Playback`]: one-shot synths of the pad's voice in
//! timed batches, interleaved in time order with notes, run without
//! failures on the model server, and never gated at stop.

use imbolc_types::{
    AudioDiff, AudioScene, Clip, ClipId, DrumPad, DrumPattern, DrumStep, Instrument, InstrumentDef, InstrumentId,
    MixerSettings, Note, NoteId, PadSound, Placement, PlacementId, SourceKind, StepResolution,
};

use super::*;
use crate::backend::{AudioBackend, ModelBackend};
use crate::graph::GraphConfig;

const KIT: InstrumentId = InstrumentId(0);
const BASS: InstrumentId = InstrumentId(1);
const BEAT: ClipId = ClipId(1);
const LINE: ClipId = ClipId(2);

/// A kit (pad 2 a sample) playing kick on 1/5/9/13, snare on 5/13 and the
/// sample on 3, beside a bass playing eighth notes, both placed for a bar.
fn setup() -> (Playback, SignalGraph, ModelBackend) {
    let mut kit =
        Instrument { id: KIT, name: "kit".into(), def: InstrumentDef::drum_kit(), mixer: MixerSettings::default() };
    if let Some(k) = kit.def.drums.as_mut() {
        k.pads[2] = DrumPad {
            name: "vox".into(),
            sound: PadSound::Sample { path: "/tmp/vox.wav".into() },
            level: 1.0,
            pitch: 0.0,
            region: None,
            loop_beats: None,
        };
    }
    let bass = Instrument {
        id: BASS,
        name: "bass".into(),
        def: InstrumentDef::new(SourceKind::SAW),
        mixer: MixerSettings::default(),
    };
    let mut pattern = DrumPattern::new(16, StepResolution::Sixteenth);
    for step in [0, 4, 8, 12] {
        pattern.hits.insert((step, 0), DrumStep::default());
    }
    for step in [4, 12] {
        pattern.hits.insert((step, 1), DrumStep { velocity: 64, probability: 100, pitch: 2 });
    }
    pattern.hits.insert((2, 2), DrumStep::default());
    let beat = Clip {
        id: BEAT,
        name: String::new(),
        instrument: KIT,
        length: 1920,
        looping: true,
        notes: Default::default(),
        drums: Some(pattern),
        audio: None,
    };
    let notes = (0..8).map(|i| (NoteId(i), Note::new(40, 100, i * 240, 120))).collect();
    let line = Clip {
        id: LINE,
        name: String::new(),
        instrument: BASS,
        length: 1920,
        looping: true,
        notes,
        drums: None,
        audio: None,
    };
    let placements = vec![
        Placement { id: PlacementId(0), clip: BEAT, start: 0, length: 1920 },
        Placement { id: PlacementId(1), clip: LINE, start: 0, length: 1920 },
    ];
    let scene = AudioScene {
        instruments: vec![kit, bass],
        clips: vec![beat, line],
        placements,
        tempo: 120.0,
        ..AudioScene::default()
    };
    let (graph, ops) = SignalGraph::build(GraphConfig::default(), &scene);
    let mut server = ModelBackend::new();
    server.execute(Timing::Now, &ops).unwrap();
    let mut p = Playback::new(SchedulerConfig { lookahead: 0.05 }, VoiceConfig::default());
    p.diff(&AudioDiff::SceneLoaded(Box::new(scene)), &mut Vec::new());
    (p, graph, server)
}

fn secs(b: &Batch) -> f64 {
    match b.timing {
        Timing::At(t) => t.as_secs_f64(),
        Timing::Now => panic!("untimed batch {b:?}"),
    }
}

#[test]
fn hits_are_timed_one_shots_of_their_pads_in_order_with_notes() {
    let (mut p, mut g, mut server) = setup();
    let mut out = Vec::new();
    p.transport(TransportCmd::Play, &mut g, &mut out);
    let start = p.scheduler.horizon();
    let mut to = start;
    while to < start + 1.9 {
        to += 0.021;
        p.advance(to, &mut g, &mut out);
    }
    for b in &out {
        server.execute(b.timing, &b.ops).unwrap();
    }
    assert!(server.failures().is_empty(), "{:?}", server.failures());
    assert!(out.windows(2).all(|w| secs(&w[0]) <= secs(&w[1])), "batches in time order");
    assert_eq!(server.buffers().len(), 1, "the sample pad's buffer");
    // The first batch is step 1 (kick and bass note).
    let t0 = secs(&out[0]);
    let mut hits = Vec::new();
    for b in &out {
        for op in &b.ops {
            if let ServerOp::SynthNew { def, controls, .. } = op
                && *def != "imbolc_saw"
            {
                let at = ((secs(b) - t0) * 960.0).round() as u32;
                hits.push((at, *def, controls.clone()));
            }
        }
    }
    let kinds: Vec<(u32, &str)> = hits.iter().map(|(t, d, _)| (*t, *d)).collect();
    assert_eq!(
        kinds,
        vec![
            (0, "imbolc_drum_kick"),
            (240, "imbolc_sampler"),
            (480, "imbolc_drum_kick"),
            (480, "imbolc_drum_snare"),
            (960, "imbolc_drum_kick"),
            (1440, "imbolc_drum_kick"),
            (1440, "imbolc_drum_snare"),
        ]
    );
    let snare = &hits[3].2;
    let get = |c: &Vec<(&str, f32)>, n: &str| c.iter().find(|(k, _)| *k == n).map(|(_, v)| *v);
    assert_eq!(get(snare, "pitch"), Some(2.0));
    assert!((get(snare, "vel").unwrap() - 64.0 / 127.0).abs() < 1e-6);
    assert_eq!(get(&hits[1].2, "buf"), g.sample_buffer(KIT, 2).map(|b| b as f32));

    let mut stop = Vec::new();
    p.transport(TransportCmd::Stop, &mut g, &mut stop);
    let gated: Vec<_> = stop.iter().flat_map(|b| &b.ops).filter(|op| matches!(op, ServerOp::Set { .. })).collect();
    assert!(gated.len() <= 1, "only a sounding bass note is released, never a hit: {gated:?}");
}

#[test]
fn sample_buffers_follow_pads_kits_and_rebuilds() {
    let (_, mut g, mut server) = setup();
    let buf = g.sample_buffer(KIT, 2).unwrap();
    let sample = |path: &str| DrumPad {
        name: "s".into(),
        sound: PadSound::Sample { path: path.into() },
        level: 1.0,
        pitch: 0.0,
        region: None,
        loop_beats: None,
    };
    // Level only: the buffer stays.
    let louder = DrumPad { level: 1.5, ..sample("/tmp/vox.wav") };
    let ops = g.apply(&AudioDiff::DrumPadChanged { instrument: KIT, pad: 2, def: louder }).unwrap();
    assert!(ops.is_empty(), "{ops:?}");
    // Another file on another pad: a new buffer; back to a voice: freed.
    let ops = g.apply(&AudioDiff::DrumPadChanged { instrument: KIT, pad: 5, def: sample("/tmp/b.wav") }).unwrap();
    server.execute(Timing::Now, &ops).unwrap();
    assert_eq!(server.buffers().len(), 2);
    let voice = DrumPad::voice(imbolc_types::DrumVoice::Rim);
    let ops = g.apply(&AudioDiff::DrumPadChanged { instrument: KIT, pad: 5, def: voice }).unwrap();
    server.execute(Timing::Now, &ops).unwrap();
    assert_eq!(server.buffers().keys().copied().collect::<Vec<_>>(), vec![buf]);
    // A rebuild on a fresh server reads every sample again.
    let mut fresh = ModelBackend::new();
    fresh.execute(Timing::Now, &g.rebuild()).unwrap();
    assert_eq!(fresh.buffers().len(), 1);
    assert!(fresh.failures().is_empty());
    // Removing the kit frees its buffers.
    let ops = g.apply(&AudioDiff::InstrumentRemoved { instrument: KIT }).unwrap();
    fresh.execute(Timing::Now, &ops).unwrap();
    assert!(fresh.buffers().is_empty());
    assert!(fresh.warnings().is_empty(), "{:?}", fresh.warnings());
}

#[test]
fn notes_and_live_keys_on_a_kit_hit_pads_and_are_never_gated() {
    let (mut p, mut g, _) = setup();
    let notes = [(36, 0), (37, 480), (20, 960)]
        .iter()
        .enumerate()
        .map(|(i, &(pitch, start))| (NoteId(i as u32), Note::new(pitch, 90, start, 400)))
        .collect();
    let clip = Clip {
        id: ClipId(9),
        name: String::new(),
        instrument: KIT,
        length: 1920,
        looping: true,
        notes,
        drums: None,
        audio: None,
    };
    p.diff(&AudioDiff::ClipAdded { clip: Box::new(clip) }, &mut Vec::new());
    let mut out = Vec::new();
    p.transport(TransportCmd::SetMode(crate::scheduler::PlayMode::Pattern(ClipId(9))), &mut g, &mut out);
    p.transport(TransportCmd::Play, &mut g, &mut out);
    let start = p.scheduler.horizon();
    p.advance(start + 1.5, &mut g, &mut out);
    let ops: Vec<&ServerOp> = out.iter().flat_map(|b| &b.ops).collect();
    let defs: Vec<&str> = ops
        .iter()
        .filter_map(|op| match op {
            ServerOp::SynthNew { def, .. } => Some(*def),
            _ => None,
        })
        .collect();
    assert_eq!(defs, vec!["imbolc_drum_kick", "imbolc_drum_snare"], "pitch 20 is no pad");
    assert!(!ops.iter().any(|op| matches!(op, ServerOp::Set { .. })), "no gate for one-shots");
    p.transport(TransportCmd::Stop, &mut g, &mut out);

    let mut live = Vec::new();
    p.voice_on(VoiceId(1), KIT, crate::scheduler::midi_to_freq(42), 1.0, &mut g, &mut live).unwrap();
    let started: Vec<&str> = live
        .iter()
        .flat_map(|b| &b.ops)
        .filter_map(|op| match op {
            ServerOp::SynthNew { def, .. } => Some(*def),
            _ => None,
        })
        .collect();
    assert_eq!(started, vec!["imbolc_drum_rim"], "F#1 (42) is pad 6, the rim");
}

#[test]
fn a_sliced_pad_plays_its_region_and_a_region_edit_keeps_the_buffer() {
    let (_, mut g, _) = setup();
    let controls = |g: &mut SignalGraph| match g.drum_hit(KIT, 2, 1.0, 0.0).unwrap().1 {
        ServerOp::SynthNew { controls, .. } => controls,
        other => panic!("{other:?}"),
    };
    let get = |c: &[(&str, f32)], name: &str| c.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
    let whole = controls(&mut g);
    assert_eq!((get(&whole, "start"), get(&whole, "frames")), (Some(0.0), Some(0.0)));

    let pad = DrumPad {
        name: "vox".into(),
        sound: PadSound::Sample { path: "/tmp/vox.wav".into() },
        level: 1.0,
        pitch: 0.0,
        region: Some((24_000, 36_000)),
        loop_beats: None,
    };
    let ops = g.apply(&AudioDiff::DrumPadChanged { instrument: KIT, pad: 2, def: pad }).unwrap();
    assert!(ops.is_empty(), "same file, no reload: {ops:?}");
    let slice = controls(&mut g);
    assert_eq!((get(&slice, "start"), get(&slice, "frames")), (Some(24_000.0), Some(12_000.0)));
}

/// Pad 2 of the kit as a loop of `beats` beats.
fn make_loop(g: &mut SignalGraph, beats: Option<f32>) {
    let pad = DrumPad {
        name: "vox".into(),
        sound: PadSound::Sample { path: "/tmp/vox.wav".into() },
        level: 1.0,
        pitch: 0.0,
        region: None,
        loop_beats: beats,
    };
    let ops = g.apply(&AudioDiff::DrumPadChanged { instrument: KIT, pad: 2, def: pad }).unwrap();
    assert!(ops.is_empty(), "same file, no reload: {ops:?}");
}

#[test]
fn a_loop_pad_plays_the_stretch_voice_with_its_beats_and_the_tempo() {
    let (_, mut g, _) = setup();
    make_loop(&mut g, Some(8.0));
    let (def, controls) = match g.drum_hit(KIT, 2, 1.0, 0.0).unwrap().1 {
        ServerOp::SynthNew { def, controls, .. } => (def, controls),
        other => panic!("{other:?}"),
    };
    assert_eq!(def, crate::synthdefs::STRETCH);
    let get = |name: &str| controls.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
    assert_eq!((get("beats"), get("tempo"), get("rate")), (Some(8.0), Some(120.0), Some(1.0)));
}

#[test]
fn a_tempo_change_sets_tempo_once_on_kits_with_a_loop_pad_only() {
    let (mut p, mut g, mut server) = setup();
    let mut out = Vec::new();
    // No loop pad: a tempo change sends nothing to the kit.
    p.transport(TransportCmd::SetTempo(100.0), &mut g, &mut out);
    assert!(out.iter().flat_map(|b| &b.ops).all(|op| !matches!(op, ServerOp::Set { .. })), "{out:?}");

    make_loop(&mut g, Some(8.0));
    let group = g.voices_group(KIT).unwrap();
    p.transport(TransportCmd::Play, &mut g, &mut out);
    p.advance(p.scheduler.horizon() + 0.2, &mut g, &mut out);
    out.clear();
    p.transport(TransportCmd::SetTempo(125.0), &mut g, &mut out);
    let sets: Vec<&ServerOp> =
        out.iter().flat_map(|b| &b.ops).filter(|op| matches!(op, ServerOp::Set { .. })).collect();
    assert_eq!(sets, vec![&ServerOp::Set { node: group, controls: vec![("tempo", 125.0)] }], "one /n_set tempo");
    assert!(out.iter().all(|b| matches!(b.timing, Timing::At(_))), "timed where the new tempo starts: {out:?}");
    for b in &out {
        server.execute(b.timing, &b.ops).unwrap();
    }
    assert!(server.failures().is_empty(), "{:?}", server.failures());

    // The same tempo again: nothing.
    out.clear();
    p.transport(TransportCmd::SetTempo(125.0), &mut g, &mut out);
    assert!(out.iter().flat_map(|b| &b.ops).all(|op| !matches!(op, ServerOp::Set { .. })));
}
