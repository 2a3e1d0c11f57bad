//! Cost test: on a 30 instruments × 3 effects project with a sustained
//! voice on every instrument, each edit sends exactly the required number
//! of messages, and a node-by-node comparison of the model before and after
//! shows that no other node was created, freed, moved or changed.

// Test helpers outside #[test] fns: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{built, instrument, project, run};
use imbolc_audio::backend::{AddAction, AudioBackend, ModelBackend, NodeId, NodeView, ServerOp, Timing};
use imbolc_audio::graph::SignalGraph;
use imbolc_types::{
    AudioDiff, ChainOwner, EffectKind, EffectSlot, FilterDef, FilterKind, IdCounters, InstrumentId, MixerParam,
    MixerSettings, ParamTarget,
};

type Snapshot = BTreeMap<NodeId, NodeView>;

/// `roots` and every node under them, in either snapshot.
fn subtrees(roots: &[NodeId], before: &Snapshot, after: &Snapshot) -> BTreeSet<NodeId> {
    let mut out = BTreeSet::new();
    let mut stack: Vec<NodeId> = roots.to_vec();
    while let Some(n) = stack.pop() {
        if out.insert(n) {
            for snap in [before, after] {
                if let Some(v) = snap.get(&n) {
                    stack.extend(v.children.iter().copied());
                }
            }
        }
    }
    out
}

/// Asserts that only `allowed` (and what is inside them) was created,
/// freed, moved or changed between the snapshots.
fn assert_only_touched(before: &Snapshot, after: &Snapshot, allowed: &[NodeId]) {
    let allowed = subtrees(allowed, before, after);
    for id in before.keys().chain(after.keys()) {
        if allowed.contains(id) {
            continue;
        }
        let (Some(b), Some(a)) = (before.get(id), after.get(id)) else {
            panic!("node {id} was created or freed");
        };
        assert_eq!(b.parent, a.parent, "node {id} changed parent");
        assert_eq!(b.running, a.running, "node {id} changed run state");
        assert_eq!(b.synth, a.synth, "node {id} changed controls");
        let keep = |v: &NodeView| v.children.iter().copied().filter(|c| !allowed.contains(c)).collect::<Vec<_>>();
        assert_eq!(keep(b), keep(a), "children of {id} were reordered");
    }
}

struct Fixture {
    graph: SignalGraph,
    model: ModelBackend,
    ids: IdCounters,
    inst: Vec<InstrumentId>,
    voices: BTreeMap<InstrumentId, NodeId>,
    bus: imbolc_types::BusId,
}

fn fixture() -> Fixture {
    let mut ids = IdCounters::default();
    let scene = project(&mut ids, 30, 3, 2);
    let inst = scene.instruments.iter().map(|i| i.id).collect::<Vec<_>>();
    let bus = scene.buses[0].id;
    let (mut graph, mut model) = built(&scene);
    let mut voices = BTreeMap::new();
    for &id in &inst {
        let (node, op) = graph.voice_on(id, 220.0, 0.8).unwrap();
        model.execute(Timing::Now, &op).unwrap();
        voices.insert(id, node);
    }
    common::assert_clean(&model);
    Fixture { graph, model, ids, inst, voices, bus }
}

impl Fixture {
    /// Applies `diff`, checks the message count and that only `allowed`
    /// nodes were touched; returns the batch.
    fn edit(&mut self, diff: AudioDiff, messages: usize, allowed: &[NodeId]) -> Vec<ServerOp> {
        let before = self.model.snapshot();
        let ops = run(&mut self.graph, &mut self.model, &diff);
        assert_eq!(ops.len(), messages, "{diff:?} sent {ops:?}");
        assert_eq!(self.model.last_batch().len(), messages);
        assert_only_touched(&before, &self.model.snapshot(), allowed);
        ops
    }

    fn strip(&self, i: usize) -> NodeId {
        self.graph.strip_node(ChainOwner::Instrument(self.inst[i])).unwrap()
    }

    fn mixer(&self, i: usize) -> MixerSettings {
        let id = self.inst[i];
        self.graph.scene().instruments.into_iter().find(|x| x.id == id).unwrap().mixer
    }
}

#[test]
fn effect_edits_cost_one_message_and_touch_nothing_else() {
    let mut f = fixture();
    let i7 = f.inst[7];
    let owner = ChainOwner::Instrument(i7);
    let first = f.graph.scene().instruments[7].def.effects[0].id;

    let slot = EffectSlot::new(f.ids.next_effect().expect("fresh id"), EffectKind::DELAY);
    let new_id = slot.id;
    let before = f.model.snapshot();
    let ops = run(&mut f.graph, &mut f.model, &AudioDiff::EffectAdded { owner, effect: slot, after: Some(first) });
    assert_eq!(ops.len(), 1);
    assert!(matches!(ops[0], ServerOp::SynthNew { .. }));
    let node = f.graph.effect_node(owner, new_id).unwrap();
    assert_only_touched(&before, &f.model.snapshot(), &[node]);
    // It sits right after its predecessor, on the instrument's bus.
    let group = f.graph.instrument_group(i7).unwrap();
    let children = f.model.children(group);
    let pos = children.iter().position(|&c| c == node).unwrap();
    assert_eq!(children[pos - 1], f.graph.effect_node(owner, first).unwrap());
    let bus = f.graph.instrument_bus(i7).unwrap() as f32;
    assert_eq!(f.model.synth(node).unwrap().controls["bus"], bus);

    let ops = f.edit(AudioDiff::EffectMoved { owner, effect: new_id, after: None }, 1, &[node]);
    assert!(matches!(ops[0], ServerOp::After { .. }));
    // First effect: right after the filter.
    let children = f.model.children(group);
    let filter = f.graph.filter_node(i7).unwrap();
    assert_eq!(children[children.iter().position(|&c| c == filter).unwrap() + 1], node);

    let last = f.graph.scene().instruments[7].def.effects.last().unwrap().id;
    let ops = f.edit(AudioDiff::EffectMoved { owner, effect: new_id, after: Some(last) }, 1, &[node]);
    assert!(matches!(ops[0], ServerOp::After { .. }));

    let ops = f.edit(AudioDiff::EffectToggled { owner, effect: new_id, enabled: false }, 1, &[node]);
    assert_eq!(ops[0], ServerOp::Run { node, on: false });
    assert!(!f.model.snapshot()[&node].running);

    let target = ParamTarget::Effect { owner, effect: new_id, param: "time".into() };
    let ops = f.edit(AudioDiff::ParamSet { target, value: 99.0 }, 1, &[node]);
    // Clamped through the catalog (delay time is at most 2 s).
    assert_eq!(ops[0], ServerOp::Set { node, controls: vec![("time", 2.0)] });

    f.edit(AudioDiff::EffectToggled { owner, effect: new_id, enabled: true }, 1, &[node]);
    let ops = f.edit(AudioDiff::EffectRemoved { owner, effect: new_id }, 1, &[node]);
    assert_eq!(ops[0], ServerOp::Free { node });
    assert!(!f.model.contains(node));
}

#[test]
fn param_changes_are_one_set_and_voices_follow() {
    let mut f = fixture();
    let i7 = f.inst[7];
    let voice = f.voices[&i7];
    let voices = f.graph.voices_group(i7).unwrap();

    let target = ParamTarget::Source { instrument: i7, param: "amp".into() };
    let ops = f.edit(AudioDiff::ParamSet { target, value: 0.5 }, 1, &[voice]);
    assert_eq!(ops[0], ServerOp::Set { node: voices, controls: vec![("amp", 0.5)] });
    assert_eq!(f.model.synth(voice).unwrap().controls["amp"], 0.5);

    let target = ParamTarget::Envelope { instrument: i7, stage: imbolc_types::EnvelopeStage::Release };
    f.edit(AudioDiff::ParamSet { target, value: 1.5 }, 1, &[voice]);
    assert_eq!(f.model.synth(voice).unwrap().controls["release"], 1.5);

    let filter = f.graph.filter_node(i7).unwrap();
    let target = ParamTarget::Filter { instrument: i7, param: "cutoff".into() };
    f.edit(AudioDiff::ParamSet { target, value: 800.0 }, 1, &[filter]);
    assert_eq!(f.model.synth(filter).unwrap().controls["cutoff"], 800.0);
}

#[test]
fn mixer_changes_set_only_strips_whose_controls_changed() {
    let mut f = fixture();
    let (s7, s8) = (f.strip(7), f.strip(8));
    let (i7, i8) = (f.inst[7], f.inst[8]);

    let target = ParamTarget::Mixer { instrument: i7, param: MixerParam::Level };
    f.edit(AudioDiff::ParamSet { target, value: 0.5 }, 1, &[s7]);
    let mut m = f.mixer(7);
    m.pan = -0.5;
    f.edit(AudioDiff::MixerSet { instrument: i7, mixer: m.clone() }, 1, &[s7]);
    f.edit(AudioDiff::SendSet { instrument: i7, bus: f.bus, level: 0.7 }, 1, &[s7]);
    f.edit(AudioDiff::OutputChanged { instrument: i7, output: imbolc_types::OutputTarget::Bus(f.bus) }, 1, &[s7]);

    // The first solo mutes every other strip: 29 messages, none to 7.
    let others: Vec<NodeId> = (0..30).filter(|&i| i != 7).map(|i| f.strip(i)).collect();
    let mut m7 = f.mixer(7);
    m7.solo = true;
    f.edit(AudioDiff::MixerSet { instrument: i7, mixer: m7.clone() }, 29, &others);
    assert_eq!(f.model.synth(s8).unwrap().controls["mute"], 1.0);
    assert_eq!(f.model.synth(s7).unwrap().controls["mute"], 0.0);
    // A second solo only unmutes its own strip.
    let mut m8 = f.mixer(8);
    m8.solo = true;
    f.edit(AudioDiff::MixerSet { instrument: i8, mixer: m8.clone() }, 1, &[s8]);
    // Unsoloing 7 while 8 is soloed mutes 7 only.
    m7.solo = false;
    f.edit(AudioDiff::MixerSet { instrument: i7, mixer: m7 }, 1, &[s7]);
    // The last unsolo unmutes the 28 others (8 stays audible).
    let others: Vec<NodeId> = (0..30).filter(|&i| i != 8).map(|i| f.strip(i)).collect();
    m8.solo = false;
    f.edit(AudioDiff::MixerSet { instrument: i8, mixer: m8 }, 29, &others);
    // Setting what is already set sends nothing.
    let same = f.mixer(3);
    f.edit(AudioDiff::MixerSet { instrument: f.inst[3], mixer: same }, 0, &[]);
}

#[test]
fn instrument_edits_touch_only_their_own_group_and_bus() {
    let mut f = fixture();
    let high = f.graph.audio_buses().high_water();
    let new = instrument(&mut f.ids, 99, 3);
    let id = new.id;
    let before = f.model.snapshot();
    let add = AudioDiff::InstrumentAdded { instrument: Box::new(new), after: Some(f.inst[7]) };
    let ops = run(&mut f.graph, &mut f.model, &add);
    // group, voices, lfo, filter, 3 effects, strip
    assert_eq!(ops.len(), 8);
    let group = f.graph.instrument_group(id).unwrap();
    assert_only_touched(&before, &f.model.snapshot(), &[group]);
    let bus = f.graph.instrument_bus(id).unwrap();
    assert!((0..30).all(|i| f.graph.instrument_bus(f.inst[i]) != Some(bus)), "bus {bus} is shared");
    assert_eq!(f.graph.instrument_order()[8], id);

    f.edit(AudioDiff::InstrumentMoved { instrument: id, after: None }, 1, &[group]);
    assert_eq!(f.graph.instrument_order()[0], id);
    f.edit(AudioDiff::InstrumentRemoved { instrument: id }, 1, &[group]);
    assert!(!f.model.contains(group));
    // The freed bus is reused by the next instrument.
    let again = instrument(&mut f.ids, 100, 3);
    let again_id = again.id;
    run(&mut f.graph, &mut f.model, &AudioDiff::InstrumentAdded { instrument: Box::new(again), after: None });
    assert_eq!(f.graph.instrument_bus(again_id), Some(bus));
    assert_eq!(f.graph.audio_buses().high_water(), high + 2);

    // Removing instrument 7 frees only its group (with its voice).
    let g7 = f.graph.instrument_group(f.inst[7]).unwrap();
    f.edit(AudioDiff::InstrumentRemoved { instrument: f.inst[7] }, 1, &[g7]);
    assert!(!f.model.contains(f.voices[&f.inst[7]]));
    assert!(f.model.contains(f.voices[&f.inst[8]]));
}

#[test]
fn a_thousand_add_remove_cycles_do_not_grow_the_highest_bus() {
    let mut ids = IdCounters::default();
    let scene = project(&mut ids, 4, 1, 1);
    let (mut graph, mut model) = built(&scene);
    let mut high = None;
    for n in 0..1000 {
        let inst = instrument(&mut ids, n, 1);
        let id = inst.id;
        run(&mut graph, &mut model, &AudioDiff::InstrumentAdded { instrument: Box::new(inst), after: None });
        let bus = imbolc_types::Bus {
            id: ids.next_bus().expect("fresh id"),
            name: "aux".into(),
            effects: Vec::new(),
            mixer: MixerSettings::default(),
        };
        let bus_id = bus.id;
        run(&mut graph, &mut model, &AudioDiff::BusAdded { bus: Box::new(bus), after: None });
        run(&mut graph, &mut model, &AudioDiff::BusRemoved { bus: bus_id });
        run(&mut graph, &mut model, &AudioDiff::InstrumentRemoved { instrument: id });
        let h = graph.audio_buses().high_water();
        assert_eq!(*high.get_or_insert(h), h, "cycle {n} grew the highest bus");
    }
    // Nothing leaked on the server either.
    let (_, ops) = SignalGraph::build(Default::default(), &scene);
    let mut fresh = ModelBackend::new();
    fresh.execute(Timing::Now, &ops).unwrap();
    assert_eq!(model.canonical_tree(), fresh.canonical_tree());
}

#[test]
fn tempo_sync_and_tempo_changes_touch_only_synced_effect_nodes() {
    let mut f = fixture();
    let mut synced = Vec::new();
    for i in [3, 17] {
        let owner = ChainOwner::Instrument(f.inst[i]);
        let slot = EffectSlot::new(f.ids.next_effect().expect("fresh id"), EffectKind::DELAY);
        let effect = slot.id;
        run(&mut f.graph, &mut f.model, &AudioDiff::EffectAdded { owner, effect: slot, after: None });
        let node = f.graph.effect_node(owner, effect).unwrap();
        let division = Some(imbolc_types::NoteDivision::QUARTER);
        let diff = AudioDiff::EffectSyncChanged { owner, effect, param: "time".into(), division };
        f.edit(diff, 1, &[node]);
        assert_eq!(f.model.synth(node).unwrap().controls["time"], 0.5, "a quarter note at 120 BPM");
        synced.push(node);
    }
    // What playback sends when the scheduler's tempo moves.
    let before = f.model.snapshot();
    let ops = f.graph.set_tempo(90.0);
    assert_eq!(ops.len(), 2, "one /n_set per synced delay, none for the other effects: {ops:?}");
    f.model.execute(Timing::Now, &ops).unwrap();
    assert_only_touched(&before, &f.model.snapshot(), &synced);
    for node in synced {
        assert!((f.model.synth(node).unwrap().controls["time"] - 60.0 / 90.0).abs() < 1e-6);
    }
}

/// Changing an instrument's filter type (the editor's h/l) is one replacing
/// `/s_new` in the old filter's place; nothing else is touched.
#[test]
fn a_filter_type_change_is_one_replacing_message() {
    let mut f = fixture();
    let i7 = f.inst[7];
    let old = f.graph.filter_node(i7).unwrap();
    let group = f.graph.instrument_group(i7).unwrap();
    let children_before = f.model.children(group);
    let mut filter = FilterDef::new(FilterKind::LOW_PASS.cycle(true));
    filter.params.insert("cutoff".into(), 700.0);
    let before = f.model.snapshot();
    let diff = AudioDiff::FilterChanged { instrument: i7, filter: Some(filter) };
    let ops = run(&mut f.graph, &mut f.model, &diff);
    assert_eq!(ops.len(), 1, "{ops:?}");
    assert!(
        matches!(ops[0], ServerOp::SynthNew { action: AddAction::Replace, target, .. } if target == old),
        "{ops:?}"
    );
    let new = f.graph.filter_node(i7).unwrap();
    assert_only_touched(&before, &f.model.snapshot(), &[old, new]);
    let expected: Vec<NodeId> = children_before.iter().map(|&c| if c == old { new } else { c }).collect();
    assert_eq!(f.model.children(group), expected, "the new filter sits where the old one was");
    assert_eq!(f.model.synth(new).unwrap().controls["cutoff"], 700.0);
}

#[test]
fn sidechain_edits_cost_one_message_on_the_keyed_effect_and_touch_nothing_else() {
    let mut f = fixture();
    let (kick, pad) = (f.inst[3], f.inst[20]);
    let owner = ChainOwner::Instrument(pad);
    let slot = EffectSlot::new(f.ids.next_effect().expect("fresh id"), EffectKind::SIDECHAIN_COMPRESSOR);
    let comp = slot.id;
    let ops = run(&mut f.graph, &mut f.model, &AudioDiff::EffectAdded { owner, effect: slot, after: None });
    assert_eq!(ops.len(), 1, "a keyed effect is one /s_new too");
    let node = f.graph.effect_node(owner, comp).unwrap();
    let own_bus = f.graph.instrument_bus(pad).unwrap() as f32;
    assert_eq!(f.model.synth(node).unwrap().controls["key"], own_bus, "no key: its own chain");

    // Setting, changing and clearing a key: one /n_set on that effect.
    let key =
        |k: Option<InstrumentId>| AudioDiff::EffectKeySet { owner, effect: comp, key: k.map(ChainOwner::Instrument) };
    f.edit(key(Some(kick)), 1, &[node]);
    assert_eq!(f.model.synth(node).unwrap().controls["key"], f.graph.instrument_bus(kick).unwrap() as f32);
    f.edit(key(Some(f.inst[5])), 1, &[node]);
    assert_eq!(f.model.synth(node).unwrap().controls["key"], f.graph.instrument_bus(f.inst[5]).unwrap() as f32);
    f.edit(key(None), 1, &[node]);
    assert_eq!(f.model.synth(node).unwrap().controls["key"], own_bus);
    // A key that runs later is inactive: nothing to send.
    f.edit(key(Some(f.inst[25])), 0, &[]);

    // Removing the key's instrument re-points the effect with one /n_set
    // beside the removal itself.
    f.edit(key(Some(kick)), 1, &[node]);
    let kick_group = f.graph.instrument_group(kick).unwrap();
    let ops = f.edit(AudioDiff::InstrumentRemoved { instrument: kick }, 2, &[kick_group, node]);
    assert!(matches!(ops[1], ServerOp::Set { node: n, .. } if n == node));
    assert_eq!(f.model.synth(node).unwrap().controls["key"], own_bus);
    // Moving the consumer before its key deactivates it the same way.
    let ops = f.edit(
        AudioDiff::EffectKeySet { owner, effect: comp, key: Some(ChainOwner::Instrument(f.inst[5])) },
        1,
        &[node],
    );
    assert_eq!(ops.len(), 1);
    let pad_group = f.graph.instrument_group(pad).unwrap();
    f.edit(AudioDiff::InstrumentMoved { instrument: pad, after: None }, 2, &[pad_group, node]);
    assert_eq!(f.model.synth(node).unwrap().controls["key"], own_bus);
}

#[test]
fn filter_envelope_edits_touch_only_the_voices_group_and_filter_of_their_instrument() {
    let mut f = fixture();
    let i7 = f.inst[7];
    let (voices, filter) = (f.graph.voices_group(i7).unwrap(), f.graph.filter_node(i7).unwrap());
    let target = |param: &str| ParamTarget::Filter { instrument: i7, param: param.into() };
    // On: the value for sounding per-voice filters, the shared one paused.
    let ops = f.edit(AudioDiff::ParamSet { target: target("env_amount"), value: 4.0 }, 2, &[voices, filter]);
    assert_eq!(ops[1], ServerOp::Run { node: filter, on: false });
    // While on: one /n_set per envelope value, two per filter parameter.
    f.edit(AudioDiff::ParamSet { target: target("env_decay"), value: 0.1 }, 1, &[voices]);
    f.edit(AudioDiff::ParamSet { target: target("key_track"), value: 1.0 }, 1, &[voices]);
    f.edit(AudioDiff::ParamSet { target: target("cutoff"), value: 300.0 }, 2, &[voices, filter]);
    // A note now is a group of its own inside the voices group.
    let (group, ops) = f.graph.voice_on(i7, 220.0, 0.8).unwrap();
    assert!(matches!(ops[0], ServerOp::GroupNew { action: AddAction::Tail, target, .. } if target == voices));
    f.model.execute(Timing::Now, &ops).unwrap();
    assert_eq!(f.model.children(group).len(), 2);
    // Off again: both values back to zero, the shared filter resumed.
    f.edit(AudioDiff::ParamSet { target: target("env_amount"), value: 0.0 }, 1, &[voices]);
    let ops = f.edit(AudioDiff::ParamSet { target: target("key_track"), value: 0.0 }, 2, &[voices, filter]);
    assert_eq!(ops[1], ServerOp::Run { node: filter, on: true });
    // Envelope times alone, while off, cost nothing.
    f.edit(AudioDiff::ParamSet { target: target("env_attack"), value: 0.5 }, 0, &[]);
}
