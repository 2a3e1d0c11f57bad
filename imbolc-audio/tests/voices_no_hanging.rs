//! No hanging voices: random note on/off, sustain pedal, stop, instrument
//! delete, one-shot drum hits and polyphony changes, run through a `SignalGraph` onto the
//! `ModelBackend` (with `/n_end` simulated for released voices, as the
//! server sends it when a release tail ends), never exceed any polyphony
//! limit, never address a node the server does not have, and end with zero
//! voice nodes on the model and a voice count of zero.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use imbolc_audio::backend::{AddAction, AudioBackend, ModelBackend, NodeId, ServerOp, Timing};
use imbolc_audio::graph::{GraphConfig, SignalGraph};
use imbolc_audio::voices::{VoiceAllocator, VoiceConfig};
use imbolc_types::{
    AudioDiff, AudioScene, Instrument, InstrumentDef, InstrumentId, MixerSettings, SourceKind, StealStrategy,
    VoiceSettings,
};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    On(u32, u8, u8),
    /// A one-shot drum hit (frees itself).
    Hit(u32, u8),
    Off(u32, u8),
    Pedal(u32, bool),
    /// Transport stop: release everything.
    Stop,
    Delete(u32),
    Settings(u32, u16, bool, bool, u8),
    /// The server ends the `n`-th released voice (its tail finished).
    End(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0u32..3, 48u8..60, 1u8..128).prop_map(|(i, p, v)| Step::On(i, p, v)),
        5 => (0u32..3, 48u8..60).prop_map(|(i, p)| Step::Off(i, p)),
        2 => (0u32..3, 36u8..40).prop_map(|(i, p)| Step::Hit(i, p)),
        2 => (0u32..3, any::<bool>()).prop_map(|(i, d)| Step::Pedal(i, d)),
        1 => Just(Step::Stop),
        1 => (0u32..3).prop_map(Step::Delete),
        2 => (0u32..3, 1u16..6, any::<bool>(), any::<bool>(), 0u8..3).prop_map(|(i, n, m, l, s)| Step::Settings(i, n, m, l, s)),
        4 => (0usize..8).prop_map(Step::End),
    ]
}

struct Rig {
    graph: SignalGraph,
    model: ModelBackend,
    voices: VoiceAllocator,
    caps: [usize; 3],
    /// Node ids for test one-shots, far above the graph's.
    next_hit: i32,
}

impl Rig {
    fn new() -> Self {
        let instruments = (0..3)
            .map(|i| Instrument {
                id: InstrumentId(i),
                name: format!("i{i}"),
                def: InstrumentDef::new(SourceKind::ALL[i as usize % SourceKind::ALL.len()]),
                mixer: MixerSettings::default(),
            })
            .collect();
        let scene = AudioScene { instruments, ..AudioScene::default() };
        let (graph, ops) = SignalGraph::build(GraphConfig::default(), &scene);
        let mut model = ModelBackend::new();
        model.execute(Timing::Now, &ops).unwrap();
        let mut voices = VoiceAllocator::new(VoiceConfig::default());
        for inst in &scene.instruments {
            voices.set_settings(inst.id, inst.def.voice, &mut Vec::new());
        }
        Rig { graph, model, voices, caps: [32; 3], next_hit: 1_000_000 }
    }

    fn send(&mut self, ops: &[ServerOp]) {
        self.model.execute(Timing::Now, ops).unwrap();
        assert!(self.model.failures().is_empty(), "server refused: {:?}", self.model.failures());
    }

    /// Voice nodes on the model that will end by themselves: gate 0
    /// (releasing) or one-shots.
    fn released(&self) -> Vec<NodeId> {
        let mut out = Vec::new();
        for i in 0..3 {
            if let Some(g) = self.graph.voices_group(InstrumentId(i)) {
                for n in self.model.children(g) {
                    let synth = self.model.synth(n);
                    let one_shot = synth.is_some_and(|s| s.def.starts_with("imbolc_drum"));
                    if one_shot || synth.and_then(|s| s.controls.get("gate")) == Some(&0.0) {
                        out.push(n);
                    }
                }
            }
        }
        out
    }

    /// The server frees a released voice and reports `/n_end`.
    fn end(&mut self, node: NodeId) {
        self.send(&[ServerOp::Free { node }]);
        self.voices.on_node_end(node);
    }

    fn apply(&mut self, step: &Step) {
        let mut out = Vec::new();
        match *step {
            Step::On(i, p, v) => {
                let _ = self.voices.note_on(&mut self.graph, InstrumentId(i), p, v, &mut out);
            }
            Step::Hit(i, p) => {
                let (id, node) = (InstrumentId(i), NodeId(self.next_hit));
                self.next_hit += 1;
                let Some(group) = self.graph.voices_group(id) else { return };
                let op = ServerOp::SynthNew {
                    def: "imbolc_drum_kick",
                    id: node,
                    action: AddAction::Tail,
                    target: group,
                    controls: vec![("out", 16.0), ("amp", 0.5), ("vel", 1.0), ("pitch", 0.0)],
                };
                self.voices.trigger(id, p, 100, || Ok((node, op)), &mut out).unwrap();
            }
            Step::Off(i, p) => {
                let _ = self.voices.note_off(&mut self.graph, InstrumentId(i), p, &mut out);
            }
            Step::Pedal(i, d) => self.voices.pedal(&self.graph, InstrumentId(i), d, &mut out),
            Step::Stop => self.voices.release_everything(&mut out),
            Step::Delete(i) => {
                let id = InstrumentId(i);
                let Some(group) = self.graph.voices_group(id) else { return };
                let doomed = self.model.children(group);
                let ops = self.graph.apply(&AudioDiff::InstrumentRemoved { instrument: id }).unwrap();
                self.voices.forget_instrument(id);
                self.send(&ops);
                // The server reports the end of every voice freed with the group.
                for n in doomed {
                    assert_eq!(self.voices.on_node_end(n), None);
                }
                return;
            }
            Step::Settings(i, n, mono, legato, s) => {
                let id = InstrumentId(i);
                if self.graph.voices_group(id).is_none() {
                    return;
                }
                let steal = [StealStrategy::Oldest, StealStrategy::Quietest, StealStrategy::SameNote][usize::from(s)];
                let voice = VoiceSettings { polyphony: n, mono, legato, steal, ..VoiceSettings::default() };
                out = self.graph.apply(&AudioDiff::VoiceSettingsChanged { instrument: id, voice }).unwrap();
                self.voices.set_settings(id, voice, &mut out);
                self.caps[i as usize] = usize::from(n);
            }
            Step::End(k) => {
                let released = self.released();
                if !released.is_empty() {
                    self.end(released[k % released.len()]);
                }
                return;
            }
        }
        self.send(&out);
    }

    fn check(&self) {
        for i in 0..3u32 {
            let id = InstrumentId(i);
            let on_server = self.graph.voices_group(id).map_or(0, |g| self.model.children(g).len());
            assert!(
                on_server <= self.caps[i as usize],
                "instrument {i}: {on_server} voices > {}",
                self.caps[i as usize]
            );
            assert_eq!(self.voices.count(id), on_server, "instrument {i}: allocator and server disagree");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn every_sequence_ends_with_no_voice_left(steps in prop::collection::vec(step(), 0..120)) {
        let mut rig = Rig::new();
        for s in &steps {
            rig.apply(s);
            rig.check();
        }
        let mut out = Vec::new();
        rig.voices.release_everything(&mut out);
        rig.send(&out);
        for n in rig.released() {
            rig.end(n);
        }
        for i in 0..3 {
            if let Some(g) = rig.graph.voices_group(InstrumentId(i)) {
                prop_assert!(rig.model.children(g).is_empty(), "instrument {} still has voices", i);
            }
        }
        prop_assert_eq!(rig.voices.total(), 0);
    }
}
