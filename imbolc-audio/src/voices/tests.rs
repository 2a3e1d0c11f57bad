//! Voice allocator behaviour against a real `SignalGraph` (ops inspected
//! directly; the no-hanging-voices property test runs them on the model in
//! `tests/voices_no_hanging.rs`).

use imbolc_types::{
    AudioScene, Instrument, InstrumentDef, InstrumentId, MixerSettings, SourceKind, StealStrategy, VoiceSettings,
};

use super::*;
use crate::backend::{NodeId, ServerOp};
use crate::graph::{GraphConfig, SignalGraph};

const I: InstrumentId = InstrumentId(0);

fn graph() -> SignalGraph {
    let def = InstrumentDef::new(SourceKind::Saw);
    let inst = Instrument { id: I, name: "lead".into(), def, mixer: MixerSettings::default() };
    SignalGraph::build(GraphConfig::default(), &AudioScene { instruments: vec![inst], ..AudioScene::default() }).0
}

fn alloc(settings: VoiceSettings) -> VoiceAllocator {
    let mut a = VoiceAllocator::new(VoiceConfig::default());
    a.set_settings(I, settings, &mut Vec::new());
    a
}

fn poly(n: u16, steal: StealStrategy) -> VoiceSettings {
    VoiceSettings { polyphony: n, steal, ..VoiceSettings::default() }
}

fn on(a: &mut VoiceAllocator, g: &mut SignalGraph, pitch: u8, vel: u8) -> Vec<ServerOp> {
    let mut out = Vec::new();
    a.note_on(g, I, pitch, vel, &mut out).unwrap();
    out
}

fn off(a: &mut VoiceAllocator, g: &mut SignalGraph, pitch: u8) -> Vec<ServerOp> {
    let mut out = Vec::new();
    a.note_off(g, I, pitch, &mut out).unwrap();
    out
}

fn pitches(a: &VoiceAllocator) -> Vec<u8> {
    a.voices(I).iter().map(|v| v.pitch).collect()
}

#[test]
fn the_polyphony_limit_steals_the_oldest_with_a_free_in_the_same_batch() {
    let (mut g, mut a) = (graph(), alloc(poly(2, StealStrategy::Oldest)));
    let first = a.voices(I).len();
    assert_eq!(first, 0);
    on(&mut a, &mut g, 60, 100);
    let oldest = a.voices(I)[0].node;
    on(&mut a, &mut g, 62, 100);
    let ops = on(&mut a, &mut g, 64, 100);
    assert_eq!(ops[0], ServerOp::FreeVoice { node: oldest });
    assert!(matches!(ops[1], ServerOp::SynthNew { .. }));
    assert_eq!(pitches(&a), vec![62, 64]);
    assert_eq!(a.total(), 2);
}

#[test]
fn quietest_and_same_note_strategies_pick_their_victims() {
    let (mut g, mut a) = (graph(), alloc(poly(3, StealStrategy::Quietest)));
    on(&mut a, &mut g, 60, 100);
    on(&mut a, &mut g, 62, 20);
    on(&mut a, &mut g, 64, 90);
    on(&mut a, &mut g, 65, 90);
    assert_eq!(pitches(&a), vec![60, 64, 65]);

    let (mut g, mut a) = (graph(), alloc(poly(3, StealStrategy::SameNote)));
    on(&mut a, &mut g, 60, 100);
    on(&mut a, &mut g, 62, 100);
    on(&mut a, &mut g, 64, 100);
    on(&mut a, &mut g, 62, 100);
    assert_eq!(pitches(&a), vec![60, 64, 62]);
}

#[test]
fn a_release_tail_counts_until_n_end_and_is_stolen_first() {
    let (mut g, mut a) = (graph(), alloc(poly(2, StealStrategy::Oldest)));
    on(&mut a, &mut g, 60, 100);
    on(&mut a, &mut g, 62, 100);
    let ops = off(&mut a, &mut g, 62);
    let tail = a.voices(I)[1].node;
    assert_eq!(ops, vec![ServerOp::Set { node: tail, controls: vec![("gate", 0.0)] }]);
    assert_eq!(a.count(I), 2, "the tail still sounds");
    let ops = on(&mut a, &mut g, 64, 100);
    assert_eq!(ops[0], ServerOp::FreeVoice { node: tail }, "the releasing voice goes before the older held one");
    let n = a.voices(I)[1].node;
    off(&mut a, &mut g, 64);
    assert_eq!(a.on_node_end(n), Some(I));
    assert_eq!(a.count(I), 1);
    assert_eq!(a.on_node_end(n), None, "a second /n_end is ignored");
}

#[test]
fn the_pedal_holds_released_keys_until_it_goes_up() {
    let (mut g, mut a) = (graph(), alloc(VoiceSettings::default()));
    let mut out = Vec::new();
    a.pedal(&g, I, true, &mut out);
    on(&mut a, &mut g, 60, 100);
    on(&mut a, &mut g, 64, 100);
    assert!(off(&mut a, &mut g, 60).is_empty());
    assert_eq!(a.voices(I)[0].state, VoiceState::Sustained);
    a.pedal(&g, I, false, &mut out);
    assert_eq!(out.len(), 1, "only the sustained voice is released: {out:?}");
    assert_eq!(a.voices(I)[0].state, VoiceState::Releasing);
    assert_eq!(a.voices(I)[1].state, VoiceState::Held);
}

#[test]
fn mono_retriggers_and_returns_to_the_previous_key() {
    let (mut g, mut a) = (graph(), alloc(VoiceSettings { mono: true, ..VoiceSettings::default() }));
    on(&mut a, &mut g, 60, 100);
    let ops = on(&mut a, &mut g, 67, 100);
    assert!(matches!(ops[0], ServerOp::Set { .. }) && matches!(ops[1], ServerOp::SynthNew { .. }));
    let ops = off(&mut a, &mut g, 67);
    assert!(matches!(ops.last(), Some(ServerOp::SynthNew { .. })), "back to 60: {ops:?}");
    let held: Vec<u8> = a.voices(I).iter().filter(|v| v.state == VoiceState::Held).map(|v| v.pitch).collect();
    assert_eq!(held, vec![60]);
    off(&mut a, &mut g, 60);
    assert!(a.voices(I).iter().all(|v| v.state == VoiceState::Releasing));
}

#[test]
fn legato_glides_one_voice() {
    let (mut g, mut a) = (graph(), alloc(VoiceSettings { mono: true, legato: true, ..VoiceSettings::default() }));
    on(&mut a, &mut g, 60, 100);
    let node = a.voices(I)[0].node;
    let ops = on(&mut a, &mut g, 72, 100);
    assert_eq!(ops.len(), 1);
    assert!(matches!(&ops[0], ServerOp::Set { node: n, controls } if *n == node && controls[0].0 == "freq"));
    let ops = off(&mut a, &mut g, 72);
    assert!(matches!(&ops[0], ServerOp::Set { controls, .. } if (controls[0].1 - 261.6256).abs() < 0.01));
    assert_eq!(a.count(I), 1);
}

#[test]
fn voice_buses_come_from_a_pool_and_are_reused() {
    let mut g = graph();
    let config = VoiceConfig { first_voice_bus: 500, voice_bus_control: Some("modbus") };
    let mut a = VoiceAllocator::new(config);
    let ops = on(&mut a, &mut g, 60, 100);
    assert!(matches!(&ops[0], ServerOp::SynthNew { controls, .. } if controls.contains(&("modbus", 500.0))));
    on(&mut a, &mut g, 61, 100);
    let first = a.voices(I)[0].node;
    off(&mut a, &mut g, 60);
    a.on_node_end(first);
    on(&mut a, &mut g, 62, 100);
    assert_eq!(a.voices(I)[1].bus, Some(500), "the freed bus is reused");
    assert_eq!(a.bus_pool().high_water(), 502);
}

/// Fault 12 of issue 24: a deleted instrument's voice buses went back to
/// the pool at once, while its group's `/n_free` may be timed a lookahead
/// later and its voices still write them.
#[test]
fn a_deleted_instruments_voice_buses_return_only_when_its_group_ends() {
    let mut g = graph();
    let config = VoiceConfig { first_voice_bus: 500, voice_bus_control: Some("modbus") };
    let mut a = VoiceAllocator::new(config);
    on(&mut a, &mut g, 60, 100);
    on(&mut a, &mut g, 61, 100);
    let group = g.voices_group(I).unwrap();
    a.forget_instrument(I);
    assert_eq!((a.total(), a.retiring_buses()), (0, 2));
    assert_eq!(a.bus_pool().high_water(), 502);
    let other = InstrumentId(1);
    let mut out = Vec::new();
    a.start_held(other, 60, 100, || g.voice_on(I, 440.0, 1.0), &mut out).unwrap();
    assert_eq!(a.voices(other)[0].bus, Some(502), "a bus still written is not handed out");
    a.on_node_end(group);
    assert_eq!(a.retiring_buses(), 0);
    a.start_held(other, 61, 100, || g.voice_on(I, 440.0, 1.0), &mut out).unwrap();
    assert!(a.voices(other)[1].bus.is_some_and(|b| b < 502), "after the group's /n_end it is reused");

    // A panic forgets voices at once; each bus waits for its voice's end.
    let node = a.voices(other)[0].node;
    a.silence_all();
    assert_eq!((a.total(), a.retiring_buses()), (0, 2));
    a.on_node_end(node);
    assert_eq!(a.retiring_buses(), 1);
}

#[test]
fn stop_delete_and_restart_leave_nothing_behind() {
    let (mut g, mut a) = (graph(), alloc(VoiceSettings::default()));
    for p in 60..70 {
        on(&mut a, &mut g, p, 100);
    }
    let mut out = Vec::new();
    a.release_everything(&mut out);
    assert_eq!(out.len(), 10);
    assert!(out.iter().all(|op| matches!(op, ServerOp::Set { controls, .. } if controls == &vec![("gate", 0.0)])));
    let nodes: Vec<_> = a.voices(I).iter().map(|v| v.node).collect();
    for n in nodes {
        a.on_node_end(n);
    }
    assert_eq!(a.total(), 0);

    on(&mut a, &mut g, 60, 100);
    a.forget_instrument(I);
    assert_eq!(a.total(), 0);
    on(&mut a, &mut g, 60, 100);
    a.server_lost();
    assert_eq!(a.total(), 0);
}

#[test]
fn lowering_polyphony_steals_the_excess_and_unknown_instruments_are_errors() {
    let (mut g, mut a) = (graph(), alloc(VoiceSettings::default()));
    for p in 60..70 {
        on(&mut a, &mut g, p, 100);
    }
    let mut out = Vec::new();
    a.set_settings(I, poly(4, StealStrategy::Oldest), &mut out);
    assert_eq!(out.len(), 6);
    assert_eq!(pitches(&a), vec![66, 67, 68, 69]);
    let err = a.note_on(&mut g, InstrumentId(9), 60, 100, &mut out);
    assert_eq!(err, Err(VoiceError::UnknownInstrument(InstrumentId(9))));
}

#[test]
fn one_shots_count_until_their_end_and_are_never_gated() {
    let (mut g, mut a) = (graph(), alloc(poly(2, StealStrategy::Oldest)));
    let group = g.voices_group(I).unwrap();
    let hit = |n: i32| {
        move || {
            let op = ServerOp::SynthNew {
                def: "imbolc_drum_kick",
                id: NodeId(n),
                action: crate::backend::AddAction::Tail,
                target: group,
                controls: vec![("out", 16.0), ("vel", 1.0)],
            };
            Ok((NodeId(n), op))
        }
    };
    let mut out = Vec::new();
    a.trigger(I, 36, 100, hit(90_001), &mut out).unwrap();
    a.trigger(I, 38, 100, hit(90_002), &mut out).unwrap();
    off(&mut a, &mut g, 36);
    a.release_everything(&mut out);
    a.pedal(&g, I, false, &mut out);
    assert_eq!(out.len(), 2, "only the two /s_new: {out:?}");
    a.trigger(I, 42, 100, hit(90_003), &mut out).unwrap();
    assert_eq!(out[2], ServerOp::FreeVoice { node: NodeId(90_001) }, "the oldest hit is stolen at the limit");
    assert_eq!(a.on_node_end(NodeId(90_002)), Some(I));
    assert_eq!(a.count(I), 1);
    let refused = a.trigger(I, 42, 100, || Err(crate::graph::GraphError::UnknownInstrument(I)), &mut out);
    assert_eq!(refused, Err(VoiceError::UnknownInstrument(I)));
    assert_eq!(a.count(I), 1, "a refused hit steals nothing");
}

#[test]
fn held_voices_are_released_by_node_not_by_pitch() {
    let mut g = graph();
    let mut a = alloc(VoiceSettings::default());
    let mut out = Vec::new();
    let first = a.start_held(I, 60, 100, || g.voice_on(I, 261.0, 0.8), &mut out).unwrap();
    let second = a.start_held(I, 60, 100, || g.voice_on(I, 262.0, 0.8), &mut out).unwrap();
    out.clear();
    assert!(a.release_node(&g, second, &mut out), "the newer voice of the same pitch");
    assert_eq!(out, vec![ServerOp::Set { node: second, controls: vec![("gate", 0.0)] }]);
    assert!(!a.release_node(&g, second, &mut out), "already releasing");
    a.pedal(&g, I, true, &mut out);
    out.clear();
    assert!(a.release_node(&g, first, &mut out));
    assert!(out.is_empty(), "the pedal keeps it");
    a.pedal(&g, I, false, &mut out);
    assert_eq!(out, vec![ServerOp::Set { node: first, controls: vec![("gate", 0.0)] }]);
    assert_eq!(a.total(), 2, "tails count until /n_end");
    a.on_node_end(first);
    a.on_node_end(second);
    assert_eq!(a.total(), 0);
    assert!(!a.is_mono(I));
}

#[test]
fn one_shots_from_the_graph_are_counted_until_their_end() {
    let mut g = graph();
    let mut a = alloc(poly(2, StealStrategy::Oldest));
    let mut out = Vec::new();
    let kick = crate::synthdefs::DRUM_VOICES[0];
    for _ in 0..3 {
        a.trigger(I, 36, 100, || g.one_shot_on(I, kick, &[("vel", 0.8), ("out", 99.0)]), &mut out).unwrap();
    }
    assert_eq!(a.count(I), 2, "the third hit stole the first");
    let ServerOp::SynthNew { def, controls, target, .. } = &out[0] else { panic!("{out:?}") };
    assert_eq!(*def, kick);
    assert_eq!(Some(*target), g.voices_group(I));
    assert_eq!(controls.iter().filter(|(n, _)| *n == "out").count(), 1, "out is the chain bus, not the caller's");
    assert!(matches!(out[2], ServerOp::FreeVoice { .. }));
    let mut released = Vec::new();
    a.release_all(I, &mut released);
    assert!(released.is_empty(), "one-shots are never gated");
    assert!(g.one_shot_on(InstrumentId(42), kick, &[]).is_err());
}
