//! Shared test helpers: project builders and a generator of random actions
//! that mostly name existing ids (so most of them apply).
#![allow(dead_code, clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use imbolc_core::dispatch;
use imbolc_types::{
    Action, ChainOwner, EffectKind, EnvelopeStage, FilterDef, FilterKind, LfoParam, MidiCurve, MidiMapping, MixerParam,
    Note, OutputTarget, ParamTarget, Project, SourceDef, SourceKind, TimeSignature,
};
use proptest::prelude::*;

/// A project with `instruments` instruments of `effects` effects each, one
/// bus, and one clip of `notes` notes on the first instrument.
pub fn build_project(instruments: usize, effects: usize, notes: usize) -> Project {
    let mut p = Project::new("bench");
    let apply = |p: &mut Project, a: Action| {
        dispatch(p, a).expect("builder action applies");
    };
    apply(&mut p, Action::AddBus { name: "verb".into() });
    for i in 0..instruments {
        let source = SourceKind::ALL[i % SourceKind::ALL.len()];
        apply(&mut p, Action::AddInstrument { source, name: format!("inst {i}") });
        let id = *p.instruments.last().expect("just added").0;
        for e in 0..effects {
            let kind = EffectKind::ALL[e % EffectKind::ALL.len()];
            apply(&mut p, Action::AddEffect { owner: ChainOwner::Instrument(id), kind, index: None });
        }
    }
    if let Some((&first, _)) = p.instruments.first() {
        apply(&mut p, Action::AddClip { instrument: first, name: "main".into(), length: 480 * 4 * 64 });
        let clip = *p.clips.keys().next().expect("clip");
        let all: Vec<Note> =
            (0..notes).map(|i| Note::new((36 + i % 48) as u8, (1 + i % 127) as u8, (i as u32) * 120, 120)).collect();
        for chunk in all.chunks(10_000) {
            apply(&mut p, Action::AddNotes { clip, notes: chunk.to_vec() });
        }
    }
    p
}

/// An abstract operation: a kind and a few numbers, turned into a concrete
/// action against the current project by [`to_action`].
#[derive(Debug, Clone)]
pub struct Op {
    pub kind: u8,
    pub a: u32,
    pub b: u32,
    pub x: f32,
    pub name: String,
}

pub fn op() -> impl Strategy<Value = Op> {
    (0u8..93, any::<u32>(), any::<u32>(), -0.2f32..1.2, "[a-zé♪ ]{0,8}").prop_map(|(kind, a, b, x, name)| Op {
        kind,
        a,
        b,
        x,
        name,
    })
}

fn pick<T: Copy>(items: &[T], n: u32) -> Option<T> {
    if items.is_empty() { None } else { Some(items[n as usize % items.len()]) }
}

/// Turns `op` into an action on `p`, or `None` when nothing fits (e.g. no
/// instrument yet). Some actions are deliberately invalid (bad values).
pub fn to_action(p: &Project, op: &Op) -> Option<Action> {
    let insts: Vec<_> = p.instruments.keys().copied().collect();
    let buses: Vec<_> = p.buses.keys().copied().collect();
    let clips: Vec<_> = p.clips.keys().copied().collect();
    let placements: Vec<_> = p.placements.keys().copied().collect();
    let lanes: Vec<_> = p.automation.keys().copied().collect();
    let inst = pick(&insts, op.a);
    let mut owners: Vec<ChainOwner> = insts.iter().map(|i| ChainOwner::Instrument(*i)).collect();
    owners.extend(buses.iter().map(|b| ChainOwner::Bus(*b)));
    owners.push(ChainOwner::Master);
    let owner = pick(&owners, op.a).unwrap_or(ChainOwner::Master);
    let chain: Vec<_> = p.chain(owner).map(|c| c.iter().map(|e| e.id).collect()).unwrap_or_default();
    let effect = pick(&chain, op.b);
    let notes_of = |c| -> Vec<_> { p.clips.get(&c).map(|c| c.notes.keys().copied().collect()).unwrap_or_default() };
    let x = op.x;
    let b = op.b;
    // Kinds 60.. repeat the clip, note and automation edits, which need a
    // clip or lane to exist first and would otherwise be rare.
    // Kinds 80.. are the audio track edits and the artist (100..), then
    // the generator edits (110..).
    let kind = if op.kind >= 80 {
        op.kind + 20
    } else if op.kind >= 60 {
        [32, 38, 39, 40, 41, 42, 43, 35, 44, 45][usize::from(op.kind - 60) % 10]
    } else {
        op.kind
    };
    let tracks: Vec<_> = p.instruments.values().filter(|i| i.def.audio_track).map(|i| i.id).collect();
    let region = || {
        let samples = test_samples();
        let sample = samples[b as usize % samples.len()].clone();
        Box::new(imbolc_types::AudioRegion {
            offset: f64::from(x),
            gain_db: x * 20.0 - 10.0,
            fade_in: x,
            fade_out: x * 2.0,
            ..imbolc_types::AudioRegion::new(sample)
        })
    };
    Some(match kind {
        0 | 1 => Action::AddInstrument { source: SourceKind::ALL[b as usize % 3], name: op.name.clone() },
        2 => Action::RemoveInstrument { instrument: inst? },
        3 => Action::RenameInstrument { instrument: inst?, name: op.name.clone() },
        4 => Action::DuplicateInstrument { instrument: inst? },
        5 => Action::MoveInstrument { instrument: inst?, index: b as usize % (insts.len() + 1) },
        6 => Action::SetSource { instrument: inst?, source: SourceDef::new(SourceKind::ALL[b as usize % 3]) },
        7 => Action::SetFilter {
            instrument: inst?,
            filter: (!b.is_multiple_of(3)).then(|| FilterDef::new(FilterKind::LOW_PASS)),
        },
        8 => Action::SetFilterEnabled { instrument: inst?, enabled: b.is_multiple_of(2) },
        9 => Action::SetParam { target: ParamTarget::Source { instrument: inst?, param: "amp".into() }, value: x },
        10 => Action::SetParam {
            target: ParamTarget::Filter { instrument: inst?, param: "cutoff".into() },
            value: x * 20000.0,
        },
        11 => Action::SetParam {
            target: ParamTarget::Envelope {
                instrument: inst?,
                stage: [EnvelopeStage::Attack, EnvelopeStage::Sustain][b as usize % 2],
            },
            value: x,
        },
        12 => Action::SetParam { target: ParamTarget::Lfo { instrument: inst?, param: LfoParam::Depth }, value: x },
        13 => Action::SetParam {
            target: ParamTarget::Mixer {
                instrument: inst?,
                param: [MixerParam::Level, MixerParam::Pan][b as usize % 2],
            },
            value: x,
        },
        14 if b.is_multiple_of(2) => Action::SetParam { target: ParamTarget::MasterLevel, value: x },
        14 => Action::SetParam { target: ParamTarget::MasterLimiterCeiling, value: -24.0 * x },
        15 => Action::SetParam { target: ParamTarget::Tempo, value: 20.0 + x * 200.0 },
        16 | 17 => Action::AddEffect {
            owner,
            kind: EffectKind::ALL[b as usize % 3],
            index: Some(b as usize % (chain.len() + 2)),
        },
        18 => Action::RemoveEffect { owner, effect: effect? },
        19 => Action::MoveEffect { owner, effect: effect?, index: b as usize % (chain.len() + 1) },
        20 => Action::SetEffectEnabled { owner, effect: effect?, enabled: b.is_multiple_of(2) },
        21 => {
            Action::SetParam { target: ParamTarget::Effect { owner, effect: effect?, param: "mix".into() }, value: x }
        }
        22 => Action::SetMute { instrument: inst?, mute: b.is_multiple_of(2) },
        23 => Action::SetSolo { instrument: inst?, solo: b.is_multiple_of(2) },
        24 => Action::SetOutput {
            instrument: inst?,
            output: pick(&buses, b).filter(|_| b.is_multiple_of(2)).map_or(OutputTarget::Master, OutputTarget::Bus),
        },
        25 => Action::AddSend { instrument: inst?, bus: pick(&buses, b)?, level: x },
        26 => Action::RemoveSend { instrument: inst?, bus: pick(&buses, b)? },
        27 => Action::AddBus { name: op.name.clone() },
        28 => Action::RemoveBus { bus: pick(&buses, op.a)? },
        29 => Action::SetBusMute { bus: pick(&buses, op.a)?, mute: b.is_multiple_of(2) },
        30 => Action::SetMasterMute { mute: b.is_multiple_of(2) },
        31 => Action::SetTimeSignature(TimeSignature {
            numerator: (b % 8) as u8,
            denominator: [2u8, 4, 8, 3][b as usize % 4],
        }),
        32 => Action::AddClip { instrument: inst?, name: op.name.clone(), length: b % 4000 },
        33 => Action::RemoveClip { clip: pick(&clips, op.a)? },
        34 => Action::SetClipLooping { clip: pick(&clips, op.a)?, looping: b.is_multiple_of(2) },
        35 => Action::AddPlacement { clip: pick(&clips, op.a)?, start: b % 100_000, length: 1 + b % 5000 },
        36 => Action::MovePlacement { placement: pick(&placements, op.a)?, start: b % 100_000 },
        37 => Action::RemovePlacement { placement: pick(&placements, op.a)? },
        38 | 39 => {
            let clip = pick(&clips, op.a)?;
            let n = 1 + b % 4;
            let notes = (0..n)
                .map(|i| Note::new(((b + i) % 130) as u8, 1 + ((b >> 3) % 127) as u8, (b >> 8) % 10_000, 1 + i * 60))
                .collect();
            Action::AddNotes { clip, notes }
        }
        40 => {
            let clip = pick(&clips, op.a)?;
            let ids = notes_of(clip);
            Action::RemoveNotes { clip, notes: vec![pick(&ids, b)?] }
        }
        41 => {
            let clip = pick(&clips, op.a)?;
            let ids = notes_of(clip);
            let take = (b % 3 + 1) as usize;
            Action::MoveNotes {
                clip,
                notes: ids.into_iter().take(take).collect(),
                ticks: i64::from(b % 200) - 100,
                semitones: (b % 7) as i16 - 3,
            }
        }
        42 => {
            let clip = pick(&clips, op.a)?;
            Action::ResizeNotes {
                clip,
                notes: notes_of(clip).into_iter().take(2).collect(),
                ticks: i64::from(b % 100) - 50,
            }
        }
        43 => {
            let clip = pick(&clips, op.a)?;
            Action::SetNoteVelocity {
                clip,
                notes: notes_of(clip).into_iter().take(3).collect(),
                velocity: (b % 130) as u8,
            }
        }
        44 => Action::AddLane {
            target: if b.is_multiple_of(2) {
                ParamTarget::Mixer { instrument: inst?, param: MixerParam::Level }
            } else {
                ParamTarget::Effect { owner, effect: effect?, param: "mix".into() }
            },
        },
        45 => Action::SetAutomationPoint { lane: pick(&lanes, op.a)?, tick: b % 2000, value: x },
        46 => Action::RemoveLane { lane: pick(&lanes, op.a)? },
        48 => {
            let m = pick(&(0..p.midi_mappings.len()).collect::<Vec<_>>(), b).map(|i| &p.midi_mappings[i])?;
            Action::UnmapMidiCc { channel: m.channel, cc: m.cc }
        }
        49 => Action::SetLfo {
            instrument: inst?,
            lfo: imbolc_types::LfoDef { enabled: b.is_multiple_of(2), rate: 0.5 + x, depth: x, ..Default::default() },
        },
        50 => Action::SetVoiceSettings {
            instrument: inst?,
            voice: imbolc_types::VoiceSettings { polyphony: (b % 300) as u16, ..Default::default() },
        },
        51 => Action::RenameBus { bus: pick(&buses, op.a)?, name: op.name.clone() },
        52 => Action::RenameClip { clip: pick(&clips, op.a)?, name: op.name.clone() },
        53 => Action::SetClipLength { clip: pick(&clips, op.a)?, length: b % 5000 },
        54 => Action::ResizePlacement { placement: pick(&placements, op.a)?, length: b % 5000 },
        55 => Action::SetLaneEnabled { lane: pick(&lanes, op.a)?, enabled: b.is_multiple_of(2) },
        56 => {
            let lane = pick(&lanes, op.a)?;
            let ticks: Vec<_> = p.automation[&lane].points.keys().copied().collect();
            Action::RemoveAutomationPoint { lane, tick: pick(&ticks, b)? }
        }
        57 => Action::SetParam {
            target: ParamTarget::BusMixer { bus: pick(&buses, op.a)?, param: MixerParam::Level },
            value: x,
        },
        58 => Action::SetParam {
            target: ParamTarget::Mixer { instrument: inst?, param: MixerParam::Send(pick(&buses, b)?) },
            value: x,
        },
        59 => Action::RenameProject { name: op.name.clone() },
        108 => Action::SetArtist { artist: op.name.clone() },
        109 => Action::DuplicateClip { clip: pick(&clips, op.a)? },
        110 => Action::SetGenerator { clip: pick(&clips, op.a)?, generator: Some(Box::new(generator(b))) },
        111 => Action::SetGenerator { clip: pick(&clips, op.a)?, generator: None },
        112 => Action::CaptureGenerator { clip: pick(&clips, op.a)? },
        100 => Action::AddAudioTrack { name: op.name.clone() },
        101 => Action::AddAudioClip { instrument: inst?, region: region(), start: b % 100_000, length: 1 + b % 5000 },
        102 => Action::SetAudioRegion { clip: pick(&clips, op.a)?, region: region() },
        103 => {
            let placement = pick(&placements, op.a)?;
            Action::SetAudioClipSpan { placement, start: b % 100_000, length: b % 5000, offset: f64::from(x) }
        }
        104 => {
            let pl = p.placements[&pick(&placements, op.a)?];
            Action::SplitAudioClip { placement: pl.id, at: pl.start + b % (pl.length + 1) }
        }
        106 => Action::FreezeInstrument { instrument: inst?, region: region(), length: b % 5000 },
        107 => Action::SetFrozen { instrument: inst?, frozen: None },
        105 => Action::AddAudioClip {
            instrument: pick(&tracks, op.a)?,
            region: region(),
            start: b % 100_000,
            length: 1 + b % 5000,
        },
        _ => Action::MapMidiCc(Box::new(MidiMapping {
            channel: (b % 17) as u8,
            cc: (b % 5) as u8,
            target: if b.is_multiple_of(3) {
                ParamTarget::MasterLevel
            } else {
                ParamTarget::Mixer { instrument: inst?, param: MixerParam::Pan }
            },
            min: 0.0,
            max: x.clamp(-1.0, 1.0),
            curve: MidiCurve::Exponential,
        })),
    })
}

/// A generator from the bits of `b`: any algorithm, sometimes out of
/// range (Euclidean steps 0, 65 or pulses above steps).
pub fn generator(b: u32) -> imbolc_types::Generator {
    use imbolc_types::generate::{Algorithm, Euclid, EuclidPitch, LSystem, Markov};
    let algorithm = match b % 3 {
        0 => Algorithm::Euclid(Euclid {
            pulses: ((b >> 2) % 20) as u8,
            steps: ((b >> 7) % 66) as u8,
            rotation: ((b >> 13) % 8) as u8,
            pitch: [EuclidPitch::Fixed, EuclidPitch::Walk, EuclidPitch::Random][(b >> 16) as usize % 3],
        }),
        1 => Algorithm::Markov(Markov { rest: ((b >> 2) % 60) as u8, ..Markov::default() }),
        _ => Algorithm::LSystem(LSystem { iterations: ((b >> 2) % 10) as u8, ..LSystem::default() }),
    };
    imbolc_types::Generator {
        seed: u64::from(b >> 20),
        ..imbolc_types::Generator::new(
            algorithm,
            imbolc_types::Key::new((b >> 24) as u8 % 12, imbolc_types::Scale::Minor),
        )
    }
}

/// Two short samples imported into this test process's own sample cache
/// (a temp folder), for audio clips: saving a project stores their bytes.
pub fn test_samples() -> &'static [imbolc_types::SampleRef] {
    static SAMPLES: std::sync::OnceLock<Vec<imbolc_types::SampleRef>> = std::sync::OnceLock::new();
    SAMPLES.get_or_init(|| {
        let dir = temp_dir("audio-clip-samples");
        imbolc_audio::sample_cache::set_cache_dir(Some(dir.join("cache")));
        (0..2u16)
            .map(|n| {
                let path = dir.join(format!("take{n}.wav"));
                let spec = hound::WavSpec {
                    channels: 1 + n,
                    sample_rate: 48_000,
                    bits_per_sample: 16,
                    sample_format: hound::SampleFormat::Int,
                };
                let mut w = hound::WavWriter::create(&path, spec).expect("wav");
                for i in 0..4_800 * u32::from(1 + n) {
                    w.write_sample(((i % 97) as i16 - 48) * 300).expect("sample");
                }
                w.finalize().expect("wav");
                imbolc_core::store::import_sample(&path).expect("import")
            })
            .collect()
    })
}

/// A fresh empty directory for one test (under the system temp dir).
pub fn temp_dir(tag: &str) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join("imbolc-core-tests").join(format!(
        "{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A project made of `ops` (refused ones skipped).
pub fn project_from(ops: &[Op]) -> Project {
    let mut p = Project::new("random");
    for o in ops {
        if let Some(a) = to_action(&p, o) {
            let _ = dispatch(&mut p, a);
        }
    }
    p
}
