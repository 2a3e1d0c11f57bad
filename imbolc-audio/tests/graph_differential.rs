//! Differential property test: any sequence of valid diffs applied
//! incrementally to a `ModelBackend` leaves the same node tree (after
//! canonical renumbering) as building the final state from scratch.
//!
//! Commands pick their targets with `Index`es, interpreted against a
//! reference scene, so every generated diff is valid for the state it is
//! applied to and proptest can shrink the command list freely.

// Test helpers outside #[test] fns: failing loudly is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use imbolc_audio::backend::{AudioBackend, ModelBackend, Timing};
use imbolc_audio::graph::{GraphConfig, SignalGraph};
use imbolc_types::catalog::MAX_SENDS;
use imbolc_types::{
    AudioDiff, AudioScene, Bus, ChainOwner, EffectId, EffectKind, EffectSlot, EnvelopeStage, FilterDef, FilterKind,
    IdCounters, Instrument, InstrumentDef, LfoDef, LfoParam, LfoShape, MasterSettings, MixerParam, MixerSettings,
    NoteDivision, OutputTarget, ParamTarget, SourceDef, SourceKind,
};
use proptest::prelude::*;
use proptest::sample::Index;

const MAX_INSTRUMENTS: usize = 12;

#[derive(Debug, Clone)]
enum Owner {
    Instrument(Index),
    Bus(Index),
    Master,
}

#[derive(Debug, Clone)]
enum Cmd {
    AddInstrument {
        after: Option<Index>,
        source: SourceKind,
        filter: bool,
        effects: Vec<EffectKind>,
        solo: bool,
    },
    RemoveInstrument(Index),
    MoveInstrument(Index, Option<Index>),
    SourceChanged(Index, SourceKind),
    Filter(Index, Option<bool>, f32),
    Lfo {
        inst: Index,
        enabled: bool,
        rate: f32,
        depth: f32,
        target: Option<Index>,
        shape: Index,
    },
    AddEffect(Owner, Option<Index>, EffectKind, bool),
    RemoveEffect(Owner, Index),
    MoveEffect(Owner, Index, Option<Index>),
    ToggleEffect(Owner, Index),
    /// Keys an effect with a chain (`None`: itself); sidechains.
    SetKey(Owner, Index, Option<Owner>),
    EffectParam(Owner, Index, Index, f32),
    SourceParam(Index, Index, f32),
    Envelope(Index, Index, f32),
    FilterParam(Index, Index, f32),
    LfoParam(Index, bool, f32),
    Mixer {
        inst: Index,
        level: f32,
        pan: f32,
        mute: bool,
        solo: bool,
    },
    Solo(Index, bool),
    MixerParam(Index, Index, Index, f32),
    Send(Index, Index, f32),
    Output(Index, Option<Index>),
    AddBus {
        after: Option<Index>,
        effects: Vec<EffectKind>,
        solo: bool,
        output: Option<Index>,
    },
    RemoveBus(Index),
    BusMixer {
        bus: Index,
        level: f32,
        mute: bool,
        solo: bool,
        output: Option<Index>,
    },
    Master(f32, bool),
    MasterLevel(f32),
    /// The master limiter's ceiling, dBFS (automation's path).
    MasterCeiling(f32),
    /// Sync an effect's syncable parameter to a division (or free it).
    EffectSync(Owner, Index, Option<Index>),
    Tempo(f32),
}

fn value() -> impl Strategy<Value = f32> {
    prop_oneof![-0.5f32..2.5, -100.0f32..25_000.0]
}

fn source() -> impl Strategy<Value = SourceKind> {
    prop::sample::select(SourceKind::ALL.to_vec())
}

fn effect() -> impl Strategy<Value = EffectKind> {
    prop_oneof![
        3 => prop::sample::select(EffectKind::ALL.to_vec()),
        2 => prop::sample::select(vec![EffectKind::SIDECHAIN_COMPRESSOR, EffectKind::VOCODER]),
    ]
}

fn owner() -> impl Strategy<Value = Owner> {
    prop_oneof![
        4 => any::<Index>().prop_map(Owner::Instrument),
        1 => any::<Index>().prop_map(Owner::Bus),
        1 => Just(Owner::Master),
    ]
}

fn add_instrument() -> impl Strategy<Value = Cmd> {
    (
        prop::option::of(any::<Index>()),
        source(),
        any::<bool>(),
        prop::collection::vec(effect(), 0..4),
        prop::bool::weighted(0.15),
    )
        .prop_map(|(after, source, filter, effects, solo)| Cmd::AddInstrument {
            after,
            source,
            filter,
            effects,
            solo,
        })
}

fn cmd() -> impl Strategy<Value = Cmd> {
    let idx = any::<Index>;
    let opt = || prop::option::of(any::<Index>());
    prop_oneof![
        4 => add_instrument(),
        2 => idx().prop_map(Cmd::RemoveInstrument),
        2 => (idx(), opt()).prop_map(|(i, a)| Cmd::MoveInstrument(i, a)),
        1 => (idx(), source()).prop_map(|(i, s)| Cmd::SourceChanged(i, s)),
        2 => (idx(), prop::option::of(any::<bool>()), value()).prop_map(|(i, f, c)| Cmd::Filter(i, f, c)),
        2 => (idx(), any::<bool>(), value(), value(), opt(), idx())
            .prop_map(|(inst, enabled, rate, depth, target, shape)| Cmd::Lfo { inst, enabled, rate, depth, target, shape }),
        4 => (owner(), opt(), effect(), prop::bool::weighted(0.8)).prop_map(|(o, a, k, e)| Cmd::AddEffect(o, a, k, e)),
        2 => (owner(), idx()).prop_map(|(o, i)| Cmd::RemoveEffect(o, i)),
        3 => (owner(), idx(), opt()).prop_map(|(o, i, a)| Cmd::MoveEffect(o, i, a)),
        2 => (owner(), idx()).prop_map(|(o, i)| Cmd::ToggleEffect(o, i)),
        3 => (owner(), idx(), prop::option::of(owner())).prop_map(|(o, i, k)| Cmd::SetKey(o, i, k)),
        2 => (owner(), idx(), idx(), value()).prop_map(|(o, e, p, v)| Cmd::EffectParam(o, e, p, v)),
        1 => (idx(), idx(), value()).prop_map(|(i, p, v)| Cmd::SourceParam(i, p, v)),
        1 => (idx(), idx(), value()).prop_map(|(i, s, v)| Cmd::Envelope(i, s, v)),
        2 => (idx(), idx(), value()).prop_map(|(i, p, v)| Cmd::FilterParam(i, p, v)),
        1 => (idx(), any::<bool>(), value()).prop_map(|(i, r, v)| Cmd::LfoParam(i, r, v)),
        2 => (idx(), value(), value(), any::<bool>(), prop::bool::weighted(0.2))
            .prop_map(|(inst, level, pan, mute, solo)| Cmd::Mixer { inst, level, pan, mute, solo }),
        2 => (idx(), any::<bool>()).prop_map(|(i, s)| Cmd::Solo(i, s)),
        2 => (idx(), idx(), idx(), value()).prop_map(|(i, k, b, v)| Cmd::MixerParam(i, k, b, v)),
        2 => (idx(), idx(), value()).prop_map(|(i, b, v)| Cmd::Send(i, b, v)),
        2 => (idx(), opt()).prop_map(|(i, b)| Cmd::Output(i, b)),
        2 => (opt(), prop::collection::vec(effect(), 0..3), prop::bool::weighted(0.2), opt())
            .prop_map(|(after, effects, solo, output)| Cmd::AddBus { after, effects, solo, output }),
        1 => idx().prop_map(Cmd::RemoveBus),
        1 => (idx(), value(), any::<bool>(), prop::bool::weighted(0.3), opt())
            .prop_map(|(bus, level, mute, solo, output)| Cmd::BusMixer { bus, level, mute, solo, output }),
        1 => (value(), any::<bool>()).prop_map(|(l, m)| Cmd::Master(l, m)),
        1 => value().prop_map(Cmd::MasterLevel),
        1 => (-30.0f32..5.0).prop_map(Cmd::MasterCeiling),
        2 => (owner(), idx(), opt()).prop_map(|(o, e, d)| Cmd::EffectSync(o, e, d)),
        2 => (20.0f32..300.0).prop_map(Cmd::Tempo),
    ]
}

/// The reference project the commands are interpreted against.
struct Reference {
    scene: AudioScene,
    ids: IdCounters,
}

fn pick<T>(items: &[T], i: &Index) -> Option<usize> {
    if items.is_empty() { None } else { Some(i.index(items.len())) }
}

impl Reference {
    fn chain_owner(&self, o: &Owner) -> Option<ChainOwner> {
        match o {
            Owner::Instrument(i) => {
                pick(&self.scene.instruments, i).map(|p| ChainOwner::Instrument(self.scene.instruments[p].id))
            }
            Owner::Bus(i) => pick(&self.scene.buses, i).map(|p| ChainOwner::Bus(self.scene.buses[p].id)),
            Owner::Master => Some(ChainOwner::Master),
        }
    }

    fn chain(&mut self, owner: ChainOwner) -> &mut Vec<EffectSlot> {
        match owner {
            ChainOwner::Instrument(id) => {
                &mut self.scene.instruments.iter_mut().find(|x| x.id == id).unwrap().def.effects
            }
            ChainOwner::Bus(id) => &mut self.scene.buses.iter_mut().find(|x| x.id == id).unwrap().effects,
            ChainOwner::Master => &mut self.scene.master_effects,
        }
    }

    fn inst(&mut self, i: &Index) -> Option<&mut Instrument> {
        let p = pick(&self.scene.instruments, i)?;
        Some(&mut self.scene.instruments[p])
    }

    fn bus_id(&self, i: &Index) -> Option<imbolc_types::BusId> {
        pick(&self.scene.buses, i).map(|p| self.scene.buses[p].id)
    }

    fn new_instrument(&mut self, source: SourceKind, filter: bool, effects: &[EffectKind], solo: bool) -> Instrument {
        let id = self.ids.next_instrument().expect("fresh id");
        let mut def = InstrumentDef::new(source);
        if filter {
            def.filter = Some(FilterDef::new(FilterKind::LOW_PASS));
        }
        for &k in effects {
            def.effects.push(EffectSlot::new(self.ids.next_effect().expect("fresh id"), k));
        }
        let mixer = MixerSettings { solo, ..MixerSettings::default() };
        Instrument { id, name: format!("i{}", id.0), def, mixer }
    }

    /// Turns a command into a diff valid for the current state and applies
    /// it to the reference; `None` when the command does not apply.
    fn diff(&mut self, cmd: &Cmd) -> Option<AudioDiff> {
        match cmd {
            Cmd::AddInstrument { after, source, filter, effects, solo } => {
                if self.scene.instruments.len() >= MAX_INSTRUMENTS {
                    return None;
                }
                let inst = self.new_instrument(*source, *filter, effects, *solo);
                let pos = after.as_ref().and_then(|a| pick(&self.scene.instruments, a)).map(|p| p + 1);
                let after = pos.map(|p| self.scene.instruments[p - 1].id);
                self.scene.instruments.insert(pos.unwrap_or(0), inst.clone());
                Some(AudioDiff::InstrumentAdded { instrument: Box::new(inst), after })
            }
            Cmd::RemoveInstrument(i) => {
                let p = pick(&self.scene.instruments, i)?;
                let inst = self.scene.instruments.remove(p);
                Some(AudioDiff::InstrumentRemoved { instrument: inst.id })
            }
            Cmd::MoveInstrument(i, after) => {
                let p = pick(&self.scene.instruments, i)?;
                let inst = self.scene.instruments.remove(p);
                let pos = after.as_ref().and_then(|a| pick(&self.scene.instruments, a)).map(|p| p + 1);
                let after = pos.map(|p| self.scene.instruments[p - 1].id);
                let id = inst.id;
                self.scene.instruments.insert(pos.unwrap_or(0), inst);
                Some(AudioDiff::InstrumentMoved { instrument: id, after })
            }
            Cmd::SourceChanged(i, kind) => {
                let inst = self.inst(i)?;
                inst.def.source = SourceDef::new(*kind);
                Some(AudioDiff::SourceChanged { instrument: inst.id, source: inst.def.source.clone() })
            }
            Cmd::Filter(i, enabled, cutoff) => {
                let inst = self.inst(i)?;
                inst.def.filter = enabled.map(|enabled| {
                    // Every filter type, picked by the generated cutoff.
                    let mut f = FilterDef::new(FilterKind::ALL[cutoff.abs() as usize % FilterKind::COUNT]);
                    f.enabled = enabled;
                    if let Some(c) = f.params.get_mut("cutoff") {
                        *c = *cutoff;
                    }
                    f
                });
                Some(AudioDiff::FilterChanged { instrument: inst.id, filter: inst.def.filter.clone() })
            }
            Cmd::Lfo { inst, enabled, rate, depth, target, shape } => {
                const TARGETS: [&str; 3] = ["cutoff", "resonance", "drive"];
                const SHAPES: [LfoShape; 4] = [LfoShape::Sine, LfoShape::Triangle, LfoShape::Saw, LfoShape::Square];
                let inst = self.inst(inst)?;
                inst.def.lfo = LfoDef {
                    enabled: *enabled,
                    rate: *rate,
                    depth: *depth,
                    shape: SHAPES[shape.index(4)],
                    target: target.as_ref().map(|t| TARGETS[t.index(3)].to_owned()),
                };
                Some(AudioDiff::LfoChanged { instrument: inst.id, lfo: inst.def.lfo.clone() })
            }
            Cmd::AddEffect(o, after, kind, enabled) => {
                let owner = self.chain_owner(o)?;
                let mut slot = EffectSlot::new(self.ids.next_effect().expect("fresh id"), *kind);
                slot.enabled = *enabled;
                let chain = self.chain(owner);
                let pos = after.as_ref().and_then(|a| pick(chain, a)).map(|p| p + 1);
                let after = pos.map(|p| chain[p - 1].id);
                chain.insert(pos.unwrap_or(0), slot.clone());
                Some(AudioDiff::EffectAdded { owner, effect: slot, after })
            }
            Cmd::RemoveEffect(o, i) => {
                let owner = self.chain_owner(o)?;
                let chain = self.chain(owner);
                let p = pick(chain, i)?;
                let effect = chain.remove(p).id;
                Some(AudioDiff::EffectRemoved { owner, effect })
            }
            Cmd::MoveEffect(o, i, after) => {
                let owner = self.chain_owner(o)?;
                let chain = self.chain(owner);
                let p = pick(chain, i)?;
                let slot = chain.remove(p);
                let pos = after.as_ref().and_then(|a| pick(chain, a)).map(|p| p + 1);
                let after: Option<EffectId> = pos.map(|p| chain[p - 1].id);
                let effect = slot.id;
                chain.insert(pos.unwrap_or(0), slot);
                Some(AudioDiff::EffectMoved { owner, effect, after })
            }
            Cmd::ToggleEffect(o, i) => {
                let owner = self.chain_owner(o)?;
                let chain = self.chain(owner);
                let p = pick(chain, i)?;
                chain[p].enabled = !chain[p].enabled;
                Some(AudioDiff::EffectToggled { owner, effect: chain[p].id, enabled: chain[p].enabled })
            }
            Cmd::SetKey(o, i, key) => {
                let owner = self.chain_owner(o)?;
                // Any chain, also one that runs later or the master: the
                // graph must key those with the effect's own chain.
                let key = match key {
                    None => None,
                    Some(k) => Some(self.chain_owner(k)?),
                };
                let chain = self.chain(owner);
                let p = pick(chain, i)?;
                chain[p].key = key;
                Some(AudioDiff::EffectKeySet { owner, effect: chain[p].id, key })
            }
            Cmd::EffectParam(o, e, param, v) => {
                let owner = self.chain_owner(o)?;
                let chain = self.chain(owner);
                let p = pick(chain, e)?;
                let specs = chain[p].kind.params();
                let spec = specs[param.index(specs.len())];
                chain[p].params.insert(spec.id.to_owned(), *v);
                let target = ParamTarget::Effect { owner, effect: chain[p].id, param: spec.id.to_owned() };
                Some(AudioDiff::ParamSet { target, value: *v })
            }
            Cmd::SourceParam(i, param, v) => {
                let inst = self.inst(i)?;
                let specs = inst.def.source.kind.params();
                let spec = specs[param.index(specs.len())];
                inst.def.source.params.insert(spec.id.to_owned(), *v);
                let target = ParamTarget::Source { instrument: inst.id, param: spec.id.to_owned() };
                Some(AudioDiff::ParamSet { target, value: *v })
            }
            Cmd::Envelope(i, stage, v) => {
                const STAGES: [EnvelopeStage; 4] =
                    [EnvelopeStage::Attack, EnvelopeStage::Decay, EnvelopeStage::Sustain, EnvelopeStage::Release];
                let inst = self.inst(i)?;
                let stage = STAGES[stage.index(4)];
                let env = &mut inst.def.amp_env;
                match stage {
                    EnvelopeStage::Attack => env.attack = *v,
                    EnvelopeStage::Decay => env.decay = *v,
                    EnvelopeStage::Sustain => env.sustain = *v,
                    EnvelopeStage::Release => env.release = *v,
                }
                Some(AudioDiff::ParamSet { target: ParamTarget::Envelope { instrument: inst.id, stage }, value: *v })
            }
            Cmd::FilterParam(i, param, v) => {
                let inst = self.inst(i)?;
                let id = inst.id;
                let f = inst.def.filter.as_mut()?;
                // The filter's own parameters, then its envelope and key
                // tracking (which may switch per-voice filtering on or off).
                let specs = f.kind.params();
                let env = &imbolc_types::filter_env::FILTER_ENV_PARAMS;
                let k = param.index(specs.len() + env.len());
                let spec = specs.get(k).unwrap_or(&env[k.saturating_sub(specs.len()) % env.len()]);
                match f.env.get_mut(spec.id) {
                    Some(slot) => *slot = *v,
                    None => {
                        f.params.insert(spec.id.to_owned(), *v);
                    }
                }
                let target = ParamTarget::Filter { instrument: id, param: spec.id.to_owned() };
                Some(AudioDiff::ParamSet { target, value: *v })
            }
            Cmd::LfoParam(i, rate, v) => {
                let inst = self.inst(i)?;
                let param = if *rate {
                    inst.def.lfo.rate = *v;
                    LfoParam::Rate
                } else {
                    inst.def.lfo.depth = *v;
                    LfoParam::Depth
                };
                Some(AudioDiff::ParamSet { target: ParamTarget::Lfo { instrument: inst.id, param }, value: *v })
            }
            Cmd::Mixer { inst, level, pan, mute, solo } => {
                let inst = self.inst(inst)?;
                let m = &mut inst.mixer;
                (m.level, m.pan, m.mute, m.solo) = (*level, *pan, *mute, *solo);
                Some(AudioDiff::MixerSet { instrument: inst.id, mixer: inst.mixer.clone() })
            }
            Cmd::Solo(i, solo) => {
                let inst = self.inst(i)?;
                inst.mixer.solo = *solo;
                Some(AudioDiff::MixerSet { instrument: inst.id, mixer: inst.mixer.clone() })
            }
            Cmd::MixerParam(i, kind, bus, v) => {
                let bus = self.bus_id(bus);
                let inst = self.inst(i)?;
                let param = match kind.index(3) {
                    0 => {
                        inst.mixer.level = *v;
                        MixerParam::Level
                    }
                    1 => {
                        inst.mixer.pan = *v;
                        MixerParam::Pan
                    }
                    _ => {
                        let bus = bus?;
                        set_send(&mut inst.mixer, bus, *v)?;
                        MixerParam::Send(bus)
                    }
                };
                Some(AudioDiff::ParamSet { target: ParamTarget::Mixer { instrument: inst.id, param }, value: *v })
            }
            Cmd::Send(i, bus, level) => {
                let bus = self.bus_id(bus)?;
                let inst = self.inst(i)?;
                set_send(&mut inst.mixer, bus, *level)?;
                Some(AudioDiff::SendSet { instrument: inst.id, bus, level: *level })
            }
            Cmd::Output(i, bus) => {
                let bus = bus.as_ref().and_then(|b| self.bus_id(b));
                let inst = self.inst(i)?;
                inst.mixer.output = bus.map_or(OutputTarget::Master, OutputTarget::Bus);
                Some(AudioDiff::OutputChanged { instrument: inst.id, output: inst.mixer.output })
            }
            Cmd::AddBus { after, effects, solo, output } => {
                let output =
                    output.as_ref().and_then(|b| self.bus_id(b)).map_or(OutputTarget::Master, OutputTarget::Bus);
                let id = self.ids.next_bus().expect("fresh id");
                let effects =
                    effects.iter().map(|&k| EffectSlot::new(self.ids.next_effect().expect("fresh id"), k)).collect();
                let mixer = MixerSettings { solo: *solo, output, ..MixerSettings::default() };
                let bus = Bus { id, name: format!("b{}", id.0), effects, mixer };
                let pos = after.as_ref().and_then(|a| pick(&self.scene.buses, a)).map(|p| p + 1);
                let after = pos.map(|p| self.scene.buses[p - 1].id);
                self.scene.buses.insert(pos.unwrap_or(0), bus.clone());
                Some(AudioDiff::BusAdded { bus: Box::new(bus), after })
            }
            Cmd::RemoveBus(i) => {
                let p = pick(&self.scene.buses, i)?;
                let bus = self.scene.buses.remove(p).id;
                Some(AudioDiff::BusRemoved { bus })
            }
            Cmd::BusMixer { bus, level, mute, solo, output } => {
                let output =
                    output.as_ref().and_then(|b| self.bus_id(b)).map_or(OutputTarget::Master, OutputTarget::Bus);
                let p = pick(&self.scene.buses, bus)?;
                let b = &mut self.scene.buses[p];
                let m = &mut b.mixer;
                (m.level, m.mute, m.solo, m.output) = (*level, *mute, *solo, output);
                Some(AudioDiff::BusMixerSet { bus: b.id, mixer: b.mixer.clone() })
            }
            Cmd::Master(level, mute) => {
                self.scene.master = MasterSettings { level: *level, mute: *mute, ..MasterSettings::default() };
                Some(AudioDiff::MasterSet(self.scene.master.clone()))
            }
            Cmd::MasterLevel(v) => {
                self.scene.master.level = *v;
                Some(AudioDiff::ParamSet { target: ParamTarget::MasterLevel, value: *v })
            }
            Cmd::MasterCeiling(db) => {
                self.scene.master.limiter_ceiling_db = *db;
                Some(AudioDiff::ParamSet { target: ParamTarget::MasterLimiterCeiling, value: *db })
            }
            Cmd::EffectSync(o, e, division) => {
                let owner = self.chain_owner(o)?;
                let chain = self.chain(owner);
                let p = pick(chain, e)?;
                let spec = chain[p].kind.params().iter().find(|s| s.sync.is_some())?;
                let division = division.as_ref().map(|d| NoteDivision::ALL[d.index(NoteDivision::ALL.len())]);
                match division {
                    Some(d) => chain[p].sync.insert(spec.id.to_owned(), d),
                    None => chain[p].sync.remove(spec.id),
                };
                let param = spec.id.to_owned();
                Some(AudioDiff::EffectSyncChanged { owner, effect: chain[p].id, param, division })
            }
            Cmd::Tempo(bpm) => {
                self.scene.tempo = *bpm;
                Some(AudioDiff::ParamSet { target: ParamTarget::Tempo, value: *bpm })
            }
        }
    }
}

/// The graph's send semantics: update the send to `bus`, or take the next
/// slot; `None` (command skipped) when all slots are taken.
fn set_send(mixer: &mut MixerSettings, bus: imbolc_types::BusId, level: f32) -> Option<()> {
    if let Some(s) = mixer.sends.iter_mut().find(|s| s.bus == bus) {
        s.level = level;
    } else if mixer.sends.len() < MAX_SENDS {
        mixer.sends.push(imbolc_types::SendSettings { bus, level });
    } else {
        return None;
    }
    Some(())
}

fn check(initial: Vec<Cmd>, cmds: Vec<Cmd>) -> Result<(), TestCaseError> {
    let mut reference = Reference { scene: AudioScene::default(), ids: IdCounters::default() };
    for c in &initial {
        if let Cmd::AddInstrument { source, filter, effects, solo, .. } = c
            && reference.scene.instruments.len() < MAX_INSTRUMENTS
        {
            let inst = reference.new_instrument(*source, *filter, effects, *solo);
            reference.scene.instruments.push(inst);
        }
    }
    let (mut graph, ops) = SignalGraph::build(GraphConfig::default(), &reference.scene);
    let mut model = ModelBackend::new();
    model.execute(Timing::Now, &ops).unwrap();

    for cmd in &cmds {
        let Some(diff) = reference.diff(cmd) else { continue };
        let mut ops = graph.apply(&diff).map_err(|e| TestCaseError::fail(format!("{diff:?} rejected: {e}")))?;
        if let AudioDiff::ParamSet { target: ParamTarget::Tempo, value } = &diff {
            // Playback brings the graph's tempo to the scheduler's.
            ops.extend(graph.set_tempo(*value));
        }
        model.execute(Timing::Now, &ops).unwrap();
        prop_assert!(model.failures().is_empty(), "after {:?}: failures {:?}", diff, model.failures());
        prop_assert!(model.warnings().is_empty(), "after {:?}: warnings {:?}", diff, model.warnings());
    }

    let (fresh, ops) = SignalGraph::build(GraphConfig::default(), &reference.scene);
    let mut scratch = ModelBackend::new();
    scratch.execute(Timing::Now, &ops).unwrap();
    prop_assert!(scratch.failures().is_empty(), "build failures {:?}", scratch.failures());
    let incremental = model.canonical_tree();
    let built = scratch.canonical_tree();
    prop_assert!(incremental == built, "incremental tree:\n{incremental}\nbuilt from scratch:\n{built}");
    prop_assert_eq!(graph.instrument_order(), fresh.instrument_order());
    // The graph's own copy is enough to rebuild an identical server.
    let mut rebuilt = ModelBackend::new();
    rebuilt.execute(Timing::Now, &graph.rebuild()).unwrap();
    prop_assert!(rebuilt.canonical_tree() == built, "rebuild from the graph's copy differs");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn incremental_diffs_give_the_tree_built_from_scratch(
        initial in prop::collection::vec(add_instrument(), 0..8),
        cmds in prop::collection::vec(cmd(), 0..=60),
    ) {
        check(initial, cmds)?;
    }
}
