//! Validate-and-repair, as a property: any project a file can decode to
//! (every field arbitrary, hostile floats and ids) comes out of
//! `persist::repair` holding every invariant dispatch keeps — checked here
//! by dispatch itself, which must accept each value as it stands — and
//! then plans offline and plays on the live scheduler (graph on the model
//! server) in a bounded number of windows. A project made by dispatch
//! needs no repair at all.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;
mod hostile;

use std::collections::HashSet;

use common::{op, project_from};
use imbolc_audio::backend::{AudioBackend, ModelBackend, Timing};
use imbolc_audio::graph::{GraphConfig, SignalGraph};
use imbolc_audio::offline::{self, OfflineSpec, PlanError, StemSet};
use imbolc_audio::scheduler::{PlayMode, Scheduler, SchedulerConfig};
use imbolc_core::dispatch::{DispatchError, dispatch, param_range};
use imbolc_core::persist::repair;
use imbolc_types::drums::{MAX_STEPS, PAD_COUNT};
use imbolc_types::{
    Action, ChainOwner, Curve, EffectKind, EnvelopeStage, MixerParam, Note, OutputTarget, ParamTarget, Project,
    SourceKind,
};
use proptest::prelude::*;

type Check = Result<(), TestCaseError>;

/// Dispatch accepts `action` on a copy of `p`: the values it carries (read
/// from `p`) are ones dispatch allows.
fn accepted(p: &Project, action: Action) -> Check {
    let mut q = p.clone();
    match dispatch(&mut q, action.clone()) {
        Ok(_) => Ok(()),
        Err(e) => Err(TestCaseError::fail(format!("{action:?} refused: {e}"))),
    }
}

/// Whether what `target` belongs to exists. Written apart from the repair's
/// own check on purpose: the property must not be the code it checks.
fn owner_exists(p: &Project, target: &ParamTarget) -> bool {
    let bus_ok = |param: &MixerParam| !matches!(param, MixerParam::Send(b) if !p.buses.contains_key(b));
    match target {
        ParamTarget::Source { instrument, .. }
        | ParamTarget::Envelope { instrument, .. }
        | ParamTarget::Filter { instrument, .. }
        | ParamTarget::Lfo { instrument, .. } => p.instruments.contains_key(instrument),
        ParamTarget::Mixer { instrument, param } => p.instruments.contains_key(instrument) && bus_ok(param),
        ParamTarget::BusMixer { bus, param } => p.buses.contains_key(bus) && bus_ok(param),
        ParamTarget::Effect { owner, effect, .. } => p.chain(*owner).is_some_and(|c| c.iter().any(|e| e.id == *effect)),
        ParamTarget::MasterLevel | ParamTarget::MasterLimiterCeiling | ParamTarget::Tempo => true,
    }
}

fn chains(p: &Project) -> Vec<(ChainOwner, &Vec<imbolc_types::EffectSlot>)> {
    let mut out: Vec<_> = p.instruments.iter().map(|(id, i)| (ChainOwner::Instrument(*id), &i.def.effects)).collect();
    out.extend(p.buses.iter().map(|(id, b)| (ChainOwner::Bus(*id), &b.effects)));
    out.push((ChainOwner::Master, &p.master_effects));
    out
}

fn values_in_range(p: &Project) -> Check {
    accepted(p, Action::SetParam { target: ParamTarget::Tempo, value: p.tempo })?;
    accepted(p, Action::SetTimeSignature(p.time_signature))?;
    accepted(p, Action::SetParam { target: ParamTarget::MasterLevel, value: p.master.level })?;
    for (&id, inst) in p.instruments.iter() {
        let def = &inst.def;
        accepted(p, Action::SetSource { instrument: id, source: def.source.clone() })?;
        accepted(p, Action::SetFilter { instrument: id, filter: def.filter.clone() })?;
        accepted(p, Action::SetLfo { instrument: id, lfo: def.lfo.clone() })?;
        accepted(p, Action::SetVoiceSettings { instrument: id, voice: def.voice })?;
        let env = def.amp_env;
        for (stage, value) in [
            (EnvelopeStage::Attack, env.attack),
            (EnvelopeStage::Decay, env.decay),
            (EnvelopeStage::Sustain, env.sustain),
            (EnvelopeStage::Release, env.release),
        ] {
            accepted(p, Action::SetParam { target: ParamTarget::Envelope { instrument: id, stage }, value })?;
        }
        let m = &inst.mixer;
        let mut mixer = vec![(MixerParam::Level, m.level), (MixerParam::Pan, m.pan)];
        mixer.extend(m.sends.iter().map(|s| (MixerParam::Send(s.bus), s.level)));
        for (param, value) in mixer {
            accepted(p, Action::SetParam { target: ParamTarget::Mixer { instrument: id, param }, value })?;
        }
        if let OutputTarget::Bus(b) = m.output {
            prop_assert!(p.buses.contains_key(&b), "output to missing bus {b}");
        }
        if let Some(kit) = &def.drums {
            prop_assert_eq!(kit.pads.len(), PAD_COUNT);
            for (pad, def) in kit.pads.iter().enumerate() {
                accepted(p, Action::SetDrumPad { instrument: id, pad: pad as u8, def: def.clone() })?;
            }
        }
    }
    for (&id, bus) in p.buses.iter() {
        for (param, value) in [(MixerParam::Level, bus.mixer.level), (MixerParam::Pan, bus.mixer.pan)] {
            accepted(p, Action::SetParam { target: ParamTarget::BusMixer { bus: id, param }, value })?;
        }
        prop_assert!(bus.mixer.output == OutputTarget::Master && bus.mixer.sends.is_empty());
    }
    for (owner, chain) in chains(p) {
        for slot in chain {
            let ids: HashSet<&str> = slot.kind.params().iter().map(|s| s.id).collect();
            prop_assert_eq!(slot.params.keys().map(String::as_str).collect::<HashSet<_>>(), ids);
            for (param, value) in &slot.params {
                let target = ParamTarget::Effect { owner, effect: slot.id, param: param.clone() };
                accepted(p, Action::SetParam { target, value: *value })?;
            }
        }
    }
    Ok(())
}

fn timeline_valid(p: &Project) -> Check {
    for (&id, clip) in &p.clips {
        prop_assert!(p.instruments.contains_key(&clip.instrument), "clip {id} of a missing instrument");
        prop_assert!(clip.length >= 1);
        prop_assert!(clip.notes.values().all(Note::is_valid), "clip {id}: {:?}", clip.notes);
        if let Some(d) = &clip.drums {
            accepted(p, Action::SetDrumPattern { clip: id, steps: d.steps, resolution: d.resolution, swing: d.swing })?;
            prop_assert_eq!(clip.length, d.length_ticks());
            for ((step, pad), hit) in &d.hits {
                prop_assert!(*step < MAX_STEPS && usize::from(*pad) < PAD_COUNT && hit.is_valid());
            }
        }
    }
    for pl in p.placements.values() {
        prop_assert!(p.clips.contains_key(&pl.clip), "placement of a missing clip");
        prop_assert!(pl.length >= 1 && pl.start.checked_add(pl.length).is_some());
    }
    for lane in p.automation.values() {
        prop_assert!(owner_exists(p, &lane.target), "lane of a missing target {:?}", lane.target);
        let range = param_range(p, &lane.target).ok();
        for v in lane.points.values() {
            prop_assert!(v.is_finite());
            if let Some((lo, hi)) = range {
                prop_assert!((lo..=hi).contains(v), "point {v} outside {lo}..={hi}");
            }
        }
        prop_assert!(lane.curves.iter().all(|(t, c)| *c != Curve::Linear && lane.points.contains_key(t)));
    }
    let mut cc = HashSet::new();
    for m in &p.midi_mappings {
        prop_assert!(m.channel <= 15 && m.cc <= 127 && cc.insert((m.channel, m.cc)));
        prop_assert!(m.min.is_finite() && m.max.is_finite());
        prop_assert!(owner_exists(p, &m.target), "mapping of a missing target");
    }
    Ok(())
}

/// Keys equal ids, effect ids are unique, every id is below its counter
/// (or the counter sits at the top, where allocation refuses), and adding
/// one of each kind replaces nothing.
fn ids_sound(p: &Project) -> Check {
    let below = |id: u32, counter: u32| id < counter || counter == u32::MAX;
    for (k, v) in p.instruments.iter() {
        prop_assert!(*k == v.id && below(k.0, p.ids.instrument));
    }
    for (k, v) in p.buses.iter() {
        prop_assert!(*k == v.id && below(k.0, p.ids.bus));
    }
    for (k, v) in &p.clips {
        prop_assert!(*k == v.id && below(k.0, p.ids.clip));
        prop_assert!(v.notes.keys().all(|n| below(n.0, p.ids.note)));
    }
    for (k, v) in &p.placements {
        prop_assert!(*k == v.id && below(k.0, p.ids.placement));
    }
    for (k, v) in &p.automation {
        prop_assert!(*k == v.id && below(k.0, p.ids.lane));
    }
    let mut effects = HashSet::new();
    for (_, chain) in chains(p) {
        for slot in chain {
            prop_assert!(effects.insert(slot.id), "effect id {} twice", slot.id);
            prop_assert!(below(slot.id.0, p.ids.effect));
        }
    }
    let grows = |action: Action, len: fn(&Project) -> usize| -> Check {
        let mut q = p.clone();
        match dispatch(&mut q, action) {
            Ok(_) => prop_assert_eq!(len(&q), len(p) + 1, "an add replaced something"),
            Err(DispatchError::IdsExhausted(_)) => prop_assert_eq!(len(&q), len(p)),
            Err(e) => return Err(TestCaseError::fail(format!("add refused: {e}"))),
        }
        Ok(())
    };
    grows(Action::AddInstrument { source: SourceKind::SAW, name: String::new() }, |q| q.instruments.len())?;
    grows(Action::AddBus { name: String::new() }, |q| q.buses.len())?;
    grows(Action::AddEffect { owner: ChainOwner::Master, kind: EffectKind::REVERB, index: None }, |q| {
        chains(q).iter().map(|(_, c)| c.len()).sum()
    })?;
    grows(Action::AddLane { target: ParamTarget::Tempo }, |q| q.automation.len())?;
    if let Some((&instrument, _)) = p.instruments.first() {
        grows(Action::AddClip { instrument, name: String::new(), length: 1920 }, |q| q.clips.len())?;
    }
    if let Some(&clip) = p.clips.keys().next() {
        grows(Action::AddPlacement { clip, start: 0, length: 480 }, |q| q.placements.len())?;
        grows(Action::AddNote { clip, note: Note::new(60, 100, 0, 10) }, |q| q.note_count())?;
    }
    Ok(())
}

/// The offline planner ends (or refuses the length) and the live
/// scheduler plays a fixed number of windows with the graph built on the
/// model server without a refusal.
fn plays_bounded(p: &Project) -> Check {
    let scene = p.audio_scene();
    let end = offline::song_end(&scene);
    if end > 0 {
        let stems = StemSet { instruments: true, buses: true };
        let spec = OfflineSpec { start: 0, end, tail: 1.0, stems, pre_fader: false, only: None, max_secs: 120.0 };
        match offline::plan(&scene, &spec, &|| false) {
            Ok(plan) => prop_assert!(plan.music_secs.is_finite() && plan.music_secs <= 120.0),
            Err(PlanError::TooLong { limit, .. }) => prop_assert_eq!(limit, 120.0),
            Err(PlanError::Cancelled) => prop_assert!(false, "nothing cancelled"),
        }
    }
    let (_graph, ops) = SignalGraph::build(GraphConfig::default(), &scene);
    let mut model = ModelBackend::new();
    model.execute(Timing::Now, &ops).map_err(|e| TestCaseError::fail(format!("{e}")))?;
    prop_assert!(model.failures().is_empty(), "model refused: {:?}", model.failures());

    let mut modes = vec![PlayMode::Song];
    modes.extend(p.clips.keys().next().map(|c| PlayMode::Pattern(*c)));
    for mode in modes {
        let mut s = Scheduler::new(&scene, SchedulerConfig::default());
        s.set_mode(mode);
        s.set_metronome(true);
        s.play(0.0);
        let mut events = Vec::new();
        for k in 1..=200u32 {
            let to = f64::from(k) * 0.05;
            s.advance(to, &mut events);
            prop_assert!(events.iter().all(|e| e.time.is_finite() && e.time <= to + 1e-9));
            events.clear();
            s.drain_param_events(&mut Vec::new());
            s.take_hits(&mut Vec::new());
            s.drain_clicks(&mut Vec::new());
        }
        s.stop(&mut events);
    }
    Ok(())
}

/// The property: after one repair, every invariant holds, a second repair
/// finds nothing, and the project plays in bounded time.
fn repaired_holds(mut p: Project) -> Check {
    repair(&mut p);
    values_in_range(&p)?;
    timeline_valid(&p)?;
    ids_sound(&p)?;
    let mut again = p.clone();
    let second = repair(&mut again);
    prop_assert!(second.is_empty(), "repair is idempotent: {:?}", second.details());
    plays_bounded(&p)
}

/// The case the property once shrank to (kept in
/// `repair_props.proptest-regressions` too): two instruments, both under
/// id 0 and both holding a delay with effect id 1, and a lane on the second
/// one's delay, every counter at 0. The second delay was renumbered after
/// dangling references were checked, so the lane was left naming an effect
/// gone from that chain and a second repair removed it.
#[test]
fn regression_lane_on_a_renumbered_duplicate_effect() {
    let mut p = Project::new("hostile");
    p.tempo = 0.0;
    p.time_signature = imbolc_types::TimeSignature { numerator: 0, denominator: 0 };
    p.master.level = 0.0;
    let effect = imbolc_types::EffectId(1);
    let instrument = || {
        let mut def = imbolc_types::InstrumentDef::new(SourceKind::SAW);
        def.source.params.clear();
        def.effects = vec![imbolc_types::EffectSlot {
            id: effect,
            kind: EffectKind::DELAY,
            params: Default::default(),
            enabled: false,
            sync: Default::default(),
            key: None,
            ir: None,
        }];
        def.lfo = imbolc_types::LfoDef {
            enabled: false,
            rate: 0.0,
            depth: 0.0,
            shape: imbolc_types::LfoShape::Triangle,
            target: None,
        };
        def.amp_env = imbolc_types::EnvelopeDef { attack: 0.0, decay: 0.0, sustain: 0.0, release: 0.0 };
        def.voice.polyphony = 0;
        def.voice.steal = imbolc_types::StealStrategy::SameNote;
        let mixer = imbolc_types::MixerSettings { level: 0.0, ..Default::default() };
        imbolc_types::Instrument { id: imbolc_types::InstrumentId(0), name: "i".into(), def, mixer }
    };
    p.instruments.insert(imbolc_types::InstrumentId(u32::MAX), instrument());
    p.instruments.insert(imbolc_types::InstrumentId(2), instrument());
    let lane = imbolc_types::LaneId(0);
    let target = ParamTarget::Effect {
        owner: ChainOwner::Instrument(imbolc_types::InstrumentId(2)),
        effect,
        param: "amp".into(),
    };
    let mut automation = imbolc_types::AutomationLane::new(lane, target);
    automation.enabled = false;
    p.automation.insert(lane, automation);
    p.ids = imbolc_types::IdCounters::default();
    if let Err(e) = repaired_holds(p) {
        panic!("{e}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_decoded_project_is_repaired_to_the_invariants_and_plays_in_bounded_time(p in hostile::project()) {
        repaired_holds(p)?;
    }

    #[test]
    fn a_project_made_by_dispatch_needs_no_repair(ops in proptest::collection::vec(op(), 0..80)) {
        let p = project_from(&ops);
        let mut q = p.clone();
        let r = repair(&mut q);
        prop_assert!(r.is_empty(), "{:?}", r.details());
        prop_assert_eq!(&q, &p);
        prop_assert_eq!(q.ids, p.ids);
    }
}
