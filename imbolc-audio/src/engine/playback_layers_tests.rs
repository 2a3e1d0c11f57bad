//! Layers on [`Playback`]'s live path (musical typing and MIDI both come
//! here): a live key on a lead starts a voice on each layer in the same
//! bundle, transposed and velocity-scaled, and its release ends them all;
//! sequenced notes of a lead start the layers' voices in the lead's bundle;
//! a live key on an arpeggiated lead feeds its arpeggiator, whose steps
//! sound on the layers too.

use imbolc_types::{
    AudioDiff, AudioScene, Clip, ClipId, Instrument, InstrumentDef, InstrumentId, LayerLink, MixerSettings, Note,
    NoteId, SourceKind,
};

use super::*;
use crate::graph::GraphConfig;
use crate::scheduler::PlayMode;

const LEAD: InstrumentId = InstrumentId(0);
const UP: InstrumentId = InstrumentId(1);
const DOWN: InstrumentId = InstrumentId(2);
const C: ClipId = ClipId(1);

fn instrument(id: InstrumentId, layer: Option<LayerLink>) -> Instrument {
    let mut def = InstrumentDef::new(SourceKind::SINE);
    def.layer = layer;
    Instrument { id, name: format!("{}", id.0), def, mixer: MixerSettings::default() }
}

/// A lead with two layers (+12 at half velocity, -12 at full) and a clip
/// of one note on the lead.
fn setup() -> (Playback, SignalGraph) {
    let up = LayerLink { lead: LEAD, semitones: 12, velocity: 0.5 };
    let down = LayerLink { lead: LEAD, semitones: -12, velocity: 1.0 };
    let clip = Clip {
        id: C,
        name: String::new(),
        instrument: LEAD,
        length: 1920,
        looping: true,
        notes: vec![(NoteId(0), Note::new(69, 100, 0, 240))].into_iter().collect(),
        drums: None,
        audio: None,
    };
    let scene = AudioScene {
        instruments: vec![instrument(LEAD, None), instrument(UP, Some(up)), instrument(DOWN, Some(down))],
        clips: vec![clip],
        tempo: 120.0,
        ..AudioScene::default()
    };
    let (graph, _) = SignalGraph::build(GraphConfig::default(), &scene);
    let mut p = Playback::new(SchedulerConfig { lookahead: 0.05 }, VoiceConfig::default()).trusting_timetags();
    p.diff(&AudioDiff::SceneLoaded(Box::new(scene)), &mut Vec::new());
    (p, graph)
}

/// (freq, vel) of each voice a batch starts, sorted by freq.
fn voices(b: &Batch) -> Vec<(f32, f32)> {
    let mut v: Vec<(f32, f32)> = b
        .ops
        .iter()
        .filter_map(|op| match op {
            ServerOp::SynthNew { controls, .. } => {
                let get = |n| controls.iter().find(|(c, _)| *c == n).map(|(_, v)| *v);
                Some((get("freq")?, get("vel")?))
            }
            _ => None,
        })
        .collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    v
}

fn close(a: (f32, f32), b: (f32, f32)) -> bool {
    (a.0 - b.0).abs() < 0.01 && (a.1 - b.1).abs() < 1e-3
}

#[test]
fn a_live_key_on_a_lead_sounds_its_layers_in_one_bundle_and_its_release_ends_them() {
    let (mut p, mut g) = setup();
    let mut out = Vec::new();
    p.voice_on(VoiceId(7), LEAD, 440.0, 0.8, &mut g, &mut out).unwrap();
    assert_eq!(out.len(), 1, "one bundle: {out:?}");
    assert_eq!(out[0].started.len(), 3);
    let v = voices(&out[0]);
    assert!(close(v[0], (220.0, 0.8)) && close(v[1], (440.0, 0.8)) && close(v[2], (880.0, 0.4)), "{v:?}");
    let started = out[0].started.clone();

    let mut off = Vec::new();
    p.voice_off(VoiceId(7), &g, &mut off);
    // Releases wait for their voice's minimum gate.
    p.flush_gates(f64::INFINITY, &mut off);
    let released: Vec<NodeId> = off
        .iter()
        .flat_map(|b| &b.ops)
        .filter_map(|op| match op {
            ServerOp::Set { node, controls } if controls.contains(&("gate", 0.0)) => Some(*node),
            _ => None,
        })
        .collect();
    let mut want = started;
    want.sort();
    let mut got = released;
    got.sort();
    assert_eq!(got, want, "the release ends the lead's and both layers' voices");

    // A layer itself played live sounds alone.
    let mut solo = Vec::new();
    p.voice_on(VoiceId(8), UP, 440.0, 0.8, &mut g, &mut solo).unwrap();
    assert_eq!(solo.iter().map(|b| b.started.len()).sum::<usize>(), 1);
}

#[test]
fn unlinking_while_a_key_is_held_still_releases_the_layers_voice() {
    let (mut p, mut g) = setup();
    let mut out = Vec::new();
    p.voice_on(VoiceId(1), LEAD, 440.0, 0.5, &mut g, &mut out).unwrap();
    let diff = AudioDiff::LayerChanged { instrument: UP, layer: None };
    g.apply(&diff).unwrap();
    p.diff(&diff, &mut Vec::new());
    let mut off = Vec::new();
    p.voice_off(VoiceId(1), &g, &mut off);
    p.flush_gates(f64::INFINITY, &mut off);
    let gates = off.iter().flat_map(|b| &b.ops).filter(|op| matches!(op, ServerOp::Set { .. })).count();
    assert_eq!(gates, 3);
    let mut again = Vec::new();
    p.voice_on(VoiceId(2), LEAD, 440.0, 0.5, &mut g, &mut again).unwrap();
    assert_eq!(again[0].started.len(), 2, "lead and the one layer left");
}

#[test]
fn a_sequenced_note_of_a_lead_starts_its_layers_in_the_same_bundle() {
    let (mut p, mut g) = setup();
    let mut out = Vec::new();
    p.transport(TransportCmd::SetMode(PlayMode::Pattern(C)), &mut g, &mut out);
    p.transport(TransportCmd::Play, &mut g, &mut out);
    let at = p.scheduler.horizon();
    p.advance(at + 0.4, &mut g, &mut out);
    let ons: Vec<&Batch> = out.iter().filter(|b| !b.started.is_empty()).collect();
    assert_eq!(ons.len(), 1, "{out:?}");
    assert_eq!(ons[0].started.len(), 3);
    let v = voices(ons[0]);
    let vel = 100.0 / 127.0;
    assert!(close(v[0], (220.0, vel)) && close(v[1], (440.0, vel)) && close(v[2], (880.0, 50.0 / 127.0)), "{v:?}");
}

#[test]
fn a_live_key_on_an_arpeggiated_lead_feeds_the_arpeggiator_whose_steps_reach_the_layers() {
    use imbolc_types::transform::{ArpSettings, NoteTransforms};
    let (mut p, mut g) = setup();
    let transforms = NoteTransforms { arp: Some(ArpSettings::default()), ..NoteTransforms::default() };
    let diff = AudioDiff::TransformsChanged { instrument: LEAD, transforms };
    g.apply(&diff).unwrap();
    p.diff(&diff, &mut Vec::new());
    let mut out = Vec::new();
    p.voice_on(VoiceId(3), LEAD, 440.0, 0.8, &mut g, &mut out).unwrap();
    assert!(out.is_empty(), "no voice at once: the arpeggiator plays the key");
    assert!(p.is_free_running() && p.window_period().is_some(), "stopped, the loop keeps sending windows");
    let now = p.clock.now();
    p.advance(now + 0.3, &mut g, &mut out);
    let ons: Vec<&Batch> = out.iter().filter(|b| !b.started.is_empty()).collect();
    assert_eq!(ons.len(), 3, "1/16 steps at 120 BPM from the key press: {out:?}");
    assert!(ons.iter().all(|b| b.started.len() == 3), "each step on the lead and both layers");
    p.voice_off(VoiceId(3), &g, &mut out);
    p.advance(now + 0.8, &mut g, &mut out);
    assert!(!p.is_free_running(), "released: the own clock stops");
}
