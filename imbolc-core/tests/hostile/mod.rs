//! Arbitrary [`Project`] values, every field drawn, with the values a
//! crafted or damaged file can hold: NaN, infinities, huge and tiny
//! floats, ids that collide, dangle or sit at `u32::MAX`, ticks weeks
//! away, map keys that differ from the ids inside. For the repair and
//! decoder property tests.
#![allow(dead_code)]

use std::collections::BTreeMap;

use imbolc_types::catalog::{EffectKind, FilterKind, SourceKind};
use imbolc_types::{
    AutomationLane, Bus, BusId, ChainOwner, Clip, ClipId, Curve, DrumKit, DrumPad, DrumPattern, DrumStep, DrumVoice,
    EffectId, EffectSlot, EnvelopeDef, EnvelopeStage, FilterDef, IdCounters, Instrument, InstrumentDef, InstrumentId,
    LaneId, LfoDef, LfoParam, LfoShape, MasterSettings, MidiCurve, MidiMapping, MixerParam, MixerSettings, Note,
    NoteId, OrderedMap, OutputTarget, PadSound, ParamTarget, Params, Placement, PlacementId, Project, SendSettings,
    SourceDef, StealStrategy, StepResolution, TimeSignature, VoiceSettings,
};
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;

/// Any float, weighted towards the ones that break things.
pub fn float() -> impl Strategy<Value = f32> {
    prop_oneof![
        4 => -2.0f32..2.0,
        1 => Just(f32::NAN),
        1 => Just(f32::INFINITY),
        1 => Just(f32::NEG_INFINITY),
        1 => Just(0.0f32),
        1 => Just(1e30f32),
        1 => Just(-1e30f32),
        1 => Just(1e-30f32),
        1 => Just(0.01f32),
        1 => any::<f32>(),
    ]
}

/// An id: mostly small (so references hit and collide), sometimes at the top.
pub fn id() -> impl Strategy<Value = u32> {
    prop_oneof![12 => 0u32..3, 1 => Just(u32::MAX), 1 => Just(u32::MAX - 1), 1 => any::<u32>()]
}

/// A tick: mostly in the first bars, sometimes weeks away or at the end.
pub fn tick() -> impl Strategy<Value = u32> {
    prop_oneof![6 => 0u32..8000, 1 => Just(0u32), 1 => Just(u32::MAX), 1 => Just(0xF000_0000u32), 1 => any::<u32>()]
}

/// A parameter name: the catalog's, or one no slot has.
fn param_name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "amp",
        "detune",
        "width",
        "cutoff",
        "resonance",
        "time",
        "feedback",
        "mix",
        "room",
        "damp",
        "bogus",
    ])
    .prop_map(str::to_owned)
}

fn params() -> impl Strategy<Value = Params> {
    btree_map(param_name(), float(), 0..5)
}

fn effect() -> impl Strategy<Value = EffectSlot> {
    (id(), prop::sample::select(EffectKind::ALL.to_vec()), params(), any::<bool>()).prop_map(
        |(id, kind, params, enabled)| EffectSlot {
            id: EffectId(id),
            kind,
            params,
            enabled,
            sync: Default::default(),
            key: None,
            ir: None,
        },
    )
}

fn pad() -> impl Strategy<Value = DrumPad> {
    let sound = prop_oneof![
        prop::sample::select(DrumVoice::ALL.to_vec()).prop_map(PadSound::Voice),
        prop_oneof![Just(String::new()), Just("/dev/null".to_owned()), Just("/nonexistent/x.wav".to_owned())]
            .prop_map(|path| PadSound::Sample { path }),
        prop_oneof![Just(String::new()), Just("../../etc/passwd".to_owned()), Just("ab".repeat(32))].prop_map(|hash| {
            PadSound::Stored(imbolc_types::SampleRef {
                hash,
                name: "s.wav".into(),
                format: imbolc_types::SampleFormat::Wav,
                channels: 1,
                sample_rate: 48_000,
                frames: 10,
                bytes: 64,
            })
        }),
    ];
    let region = prop::option::of((0u64..1000, 0u64..1000));
    let loop_beats = prop::option::of(float());
    ("[a-z]{0,4}", sound, float(), float(), region, loop_beats).prop_map(
        |(name, sound, level, pitch, region, loop_beats)| DrumPad { name, sound, level, pitch, region, loop_beats },
    )
}

fn def() -> impl Strategy<Value = InstrumentDef> {
    let source = (prop::sample::select(SourceKind::ALL.to_vec()), params()).prop_map(|(kind, params)| SourceDef {
        kind,
        params,
        custom: None,
    });
    let filter = option::of((params(), any::<bool>(), float(), float(), float()).prop_map(
        |(params, enabled, amount, decay, key_track)| FilterDef {
            kind: FilterKind::LOW_PASS,
            params,
            enabled,
            env: imbolc_types::FilterEnvDef { amount, decay, key_track, ..Default::default() },
        },
    ));
    let lfo = (any::<bool>(), float(), float(), option::of(param_name()))
        .prop_map(|(enabled, rate, depth, target)| LfoDef { enabled, rate, depth, shape: LfoShape::Triangle, target });
    let env = (float(), float(), float(), float()).prop_map(|(attack, decay, sustain, release)| EnvelopeDef {
        attack,
        decay,
        sustain,
        release,
    });
    let voice = (any::<u16>(), any::<bool>(), any::<bool>(), float(), float()).prop_map(
        |(polyphony, mono, legato, bend_range, glide)| VoiceSettings {
            polyphony,
            mono,
            legato,
            steal: StealStrategy::SameNote,
            bend_range,
            glide,
        },
    );
    let kit =
        option::of(prop_oneof![Just(DrumKit::default()), vec(pad(), 0..20).prop_map(|pads| DrumKit { pads })]).boxed();
    let input_source = prop_oneof![
        any::<u8>().prop_map(|first| imbolc_types::InputSource::Hardware { first }),
        id().prop_map(|b| imbolc_types::InputSource::Bus(BusId(b))),
    ];
    let input = option::of(
        (input_source, float(), any::<bool>()).prop_map(|(source, gain_db, monitor)| imbolc_types::AudioInputDef {
            source,
            gain_db,
            monitor,
        }),
    );
    (source, filter, vec(effect(), 0..3), lfo, env, voice, kit, input)
        .prop_map(|(source, filter, effects, lfo, amp_env, voice, drums, input)| InstrumentDef {
            source,
            filter,
            effects,
            lfo,
            amp_env,
            voice,
            drums,
            input,
            sampler: None,
            audio_track: false,
            frozen: None,
            record_input: Default::default(),
            pitch: None,
            transforms: Default::default(),
            layer: None,
        })
        .boxed()
}

fn mixer() -> impl Strategy<Value = MixerSettings> {
    let output = prop_oneof![Just(OutputTarget::Master), id().prop_map(|b| OutputTarget::Bus(BusId(b)))];
    let sends = vec((id(), float()).prop_map(|(b, level)| SendSettings { bus: BusId(b), level }), 0..6);
    (float(), float(), any::<bool>(), any::<bool>(), output, sends)
        .prop_map(|(level, pan, mute, solo, output, sends)| MixerSettings { level, pan, mute, solo, output, sends })
}

fn note() -> impl Strategy<Value = Note> {
    (any::<u8>(), any::<u8>(), tick(), tick(), any::<u8>())
        .prop_map(|(pitch, velocity, start, length, probability)| Note { pitch, velocity, start, length, probability })
}

fn pattern() -> impl Strategy<Value = DrumPattern> {
    let step = (any::<u8>(), any::<u8>(), any::<i8>()).prop_map(|(velocity, probability, pitch)| DrumStep {
        velocity,
        probability,
        pitch,
    });
    (
        any::<u8>(),
        prop::sample::select(StepResolution::ALL.to_vec()),
        float(),
        btree_map((0u8..80, 0u8..20), step, 0..8),
    )
        .prop_map(|(steps, resolution, swing, hits)| DrumPattern { steps, resolution, swing, hits })
}

/// An audio region with hostile numbers and, now and then, a hash that
/// names no cache file safely.
fn audio_region() -> impl Strategy<Value = imbolc_types::AudioRegion> {
    (any::<bool>(), any::<f64>(), float(), float(), float()).prop_map(
        |(good_hash, offset, gain_db, fade_in, fade_out)| imbolc_types::AudioRegion {
            sample: imbolc_types::SampleRef {
                hash: if good_hash { "ab".repeat(32) } else { "../../etc/passwd".into() },
                name: "take.wav".into(),
                format: imbolc_types::SampleFormat::Wav,
                channels: 1,
                sample_rate: 48_000,
                frames: 480,
                bytes: 1000,
            },
            offset,
            gain_db,
            fade_in,
            fade_out,
            takes: vec![offset, 0.5],
        },
    )
}

fn clip() -> impl Strategy<Value = Clip> {
    (
        (id(), id(), tick(), any::<bool>()),
        btree_map(id().prop_map(NoteId), note(), 0..6),
        option::of(pattern()),
        option::of(audio_region()),
    )
        .prop_map(|((id, instrument, length, looping), notes, drums, audio)| Clip {
            id: ClipId(id),
            name: String::new(),
            instrument: InstrumentId(instrument),
            length,
            looping,
            notes: notes.into(),
            drums,
            audio,
        })
}

fn target() -> impl Strategy<Value = ParamTarget> {
    let mixer_param =
        prop_oneof![Just(MixerParam::Level), Just(MixerParam::Pan), id().prop_map(|b| MixerParam::Send(BusId(b)))];
    let owner = prop_oneof![
        id().prop_map(|i| ChainOwner::Instrument(InstrumentId(i))),
        id().prop_map(|b| ChainOwner::Bus(BusId(b))),
        Just(ChainOwner::Master),
    ];
    prop_oneof![
        (id(), param_name()).prop_map(|(i, param)| ParamTarget::Source { instrument: InstrumentId(i), param }),
        (id(), prop::sample::select(vec![EnvelopeStage::Attack, EnvelopeStage::Sustain, EnvelopeStage::Release]))
            .prop_map(|(i, stage)| ParamTarget::Envelope { instrument: InstrumentId(i), stage }),
        (id(), param_name()).prop_map(|(i, param)| ParamTarget::Filter { instrument: InstrumentId(i), param }),
        (owner, id(), param_name()).prop_map(|(owner, e, param)| ParamTarget::Effect {
            owner,
            effect: EffectId(e),
            param
        }),
        (id(), any::<bool>()).prop_map(|(i, rate)| ParamTarget::Lfo {
            instrument: InstrumentId(i),
            param: if rate { LfoParam::Rate } else { LfoParam::Depth },
        }),
        (id(), mixer_param.clone()).prop_map(|(i, param)| ParamTarget::Mixer { instrument: InstrumentId(i), param }),
        (id(), mixer_param).prop_map(|(b, param)| ParamTarget::BusMixer { bus: BusId(b), param }),
        Just(ParamTarget::MasterLevel),
        Just(ParamTarget::MasterLimiterCeiling),
        Just(ParamTarget::Tempo),
    ]
}

fn lane() -> impl Strategy<Value = AutomationLane> {
    let curve = prop::sample::select(Curve::ALL.to_vec());
    (id(), target(), any::<bool>(), btree_map(tick(), float(), 0..5), btree_map(tick(), curve, 0..3)).prop_map(
        |(id, target, enabled, points, curves)| AutomationLane { id: LaneId(id), target, enabled, points, curves },
    )
}

fn mapping() -> impl Strategy<Value = MidiMapping> {
    (any::<u8>(), any::<u8>(), target(), float(), float()).prop_map(|(channel, cc, target, min, max)| MidiMapping {
        channel,
        cc,
        target,
        min,
        max,
        curve: MidiCurve::Exponential,
    })
}

fn counters() -> impl Strategy<Value = IdCounters> {
    let c = || prop_oneof![Just(0u32), 0u32..10, Just(u32::MAX), any::<u32>()];
    (c(), c(), c(), c(), c(), c(), c()).prop_map(|(instrument, effect, bus, clip, note, lane, placement)| IdCounters {
        instrument,
        effect,
        bus,
        clip,
        note,
        lane,
        placement,
    })
}

/// A whole project, every field drawn; map keys drawn apart from the ids
/// inside, so some differ.
pub fn project() -> impl Strategy<Value = Project> {
    let instruments = vec((id(), id(), def(), mixer()), 0..4).prop_map(|v| {
        v.into_iter()
            .map(|(key, id, def, mixer)| {
                (InstrumentId(key), Instrument { id: InstrumentId(id), name: "i".into(), def, mixer })
            })
            .collect::<OrderedMap<_, _>>()
    });
    let buses = vec((id(), id(), vec(effect(), 0..2), mixer()), 0..3).prop_map(|v| {
        v.into_iter()
            .map(|(key, id, effects, mixer)| (BusId(key), Bus { id: BusId(id), name: "b".into(), effects, mixer }))
            .collect::<OrderedMap<_, _>>()
    });
    let clips =
        vec((id(), clip()), 0..4).prop_map(|v| v.into_iter().map(|(k, c)| (ClipId(k), c)).collect::<BTreeMap<_, _>>());
    let placements = vec((id(), id(), id(), tick(), tick()), 0..5).prop_map(|v| {
        v.into_iter()
            .map(|(key, id, clip, start, length)| {
                (PlacementId(key), Placement { id: PlacementId(id), clip: ClipId(clip), start, length })
            })
            .collect::<BTreeMap<_, _>>()
    });
    let automation =
        vec((id(), lane()), 0..3).prop_map(|v| v.into_iter().map(|(k, l)| (LaneId(k), l)).collect::<BTreeMap<_, _>>());
    let master =
        (float(), any::<bool>()).prop_map(|(level, mute)| MasterSettings { level, mute, ..MasterSettings::default() });
    let meter =
        (any::<u8>(), any::<u8>()).prop_map(|(numerator, denominator)| TimeSignature { numerator, denominator });
    (
        (float(), meter, instruments, buses, master, vec(effect(), 0..2)),
        (clips, placements, automation, vec(mapping(), 0..3), counters()),
    )
        .prop_map(
            |(
                (tempo, time_signature, instruments, buses, master, master_effects),
                (clips, placements, automation, midi_mappings, ids),
            )| {
                let mut p = Project {
                    name: "hostile".into(),
                    artist: "hostile\u{0}artist ♪".into(),
                    tempo,
                    time_signature,
                    instruments,
                    buses,
                    master,
                    master_effects,
                    clips,
                    placements,
                    automation,
                    midi_mappings,
                    take_folder: None,
                    count_in_bars: 0,
                    launcher: imbolc_types::Launcher::default(),
                    pitch: Default::default(),
                    generators: Default::default(),
                    ids,
                };
                connect(&mut p);
                p
            },
        )
}

/// Points most clips at an instrument the project has and most placements
/// at a clip it has, so the timeline plays; the rest keep their drawn
/// (likely dangling) references.
fn connect(p: &mut Project) {
    let instruments: Vec<_> = p.instruments.keys().copied().collect();
    for (i, clip) in p.clips.values_mut().enumerate() {
        if i % 3 != 2 && !instruments.is_empty() {
            clip.instrument = instruments[i % instruments.len()];
        }
    }
    let clips: Vec<_> = p.clips.keys().copied().collect();
    for (j, pl) in p.placements.values_mut().enumerate() {
        if j % 4 != 3 && !clips.is_empty() {
            pl.clip = clips[j % clips.len()];
        }
    }
}
