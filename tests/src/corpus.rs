//! A corpus of well-formed project files with impossible values: what a
//! crafted, damaged or very old file can hold after it decodes. Each one
//! must be refused with a message or rendered (and opened) after repair;
//! none may hang, fill the disk, or be changed on disk.
//!
//! [`write_corpus`] writes every case into a folder as `NAME.imbolc`; the
//! tests render them with `imbolc render` and open them in the app, and a
//! person can try them in the real terminal the same way.

use std::path::{Path, PathBuf};

use imbolc_core::dispatch;
use imbolc_core::persist::{self, format};
use imbolc_types::drums::PadSound;
use imbolc_types::{
    Action, AutomationLane, ChainOwner, Clip, ClipId, EffectId, EffectKind, InstrumentId, LaneId, MixerParam, Note,
    NoteId, ParamTarget, Placement, PlacementId, Project, SendSettings, SourceKind, TimeSignature,
};

/// The base song every case damages: a saw with a delay and a send to a
/// reverb bus, a drum kit, a two-bar clip of eight notes and a drum
/// pattern, both placed at the start; 120 BPM, 4/4.
pub fn base_song() -> Project {
    let mut p = Project::new("corpus");
    let apply = |p: &mut Project, a: Action| {
        dispatch(p, a).expect("corpus base action applies");
    };
    apply(&mut p, Action::AddBus { name: "verb".into() });
    apply(&mut p, Action::AddInstrument { source: SourceKind::SAW, name: "bass".into() });
    let bass = *p.instruments.keys().next().expect("bass");
    let bus = *p.buses.keys().next().expect("bus");
    apply(&mut p, Action::AddEffect { owner: ChainOwner::Bus(bus), kind: EffectKind::REVERB, index: None });
    apply(&mut p, Action::AddEffect { owner: ChainOwner::Instrument(bass), kind: EffectKind::DELAY, index: None });
    apply(&mut p, Action::AddSend { instrument: bass, bus, level: 0.3 });
    apply(&mut p, Action::AddClip { instrument: bass, name: "riff".into(), length: 3840 });
    let clip = *p.clips.keys().next().expect("clip");
    let notes = (0..8).map(|k| Note::new(40 + (k % 4) as u8 * 3, 100, k * 480, 400)).collect();
    apply(&mut p, Action::AddNotes { clip, notes });
    apply(&mut p, Action::AddPlacement { clip, start: 0, length: 3840 });
    apply(&mut p, Action::AddDrumKit { name: "drums".into() });
    let kit = *p.instruments.keys().last().expect("kit");
    apply(
        &mut p,
        Action::AddDrumPattern {
            instrument: kit,
            name: "beat".into(),
            steps: 16,
            resolution: imbolc_types::StepResolution::Sixteenth,
        },
    );
    let pattern = *p.clips.keys().last().expect("pattern");
    for step in [0u8, 4, 8, 12] {
        apply(&mut p, Action::ToggleDrumStep { clip: pattern, key: (step, 0) });
    }
    apply(&mut p, Action::AddPlacement { clip: pattern, start: 0, length: 3840 });
    p
}

/// How a case is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writing {
    /// As `persist::save` writes any project.
    Plain,
    /// With the `ids` field left out of the blob, as a file from before
    /// id counters (or a hand-made one) has it.
    WithoutIdCounters,
}

/// One case: a file name, what it damages, and the project.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: &'static str,
    pub what: &'static str,
    pub project: Project,
    pub writing: Writing,
    /// Whether a render must refuse it (too long) rather than render it.
    pub refused: bool,
}

fn case(name: &'static str, what: &'static str, f: impl FnOnce(&mut Project)) -> Case {
    let mut project = base_song();
    f(&mut project);
    Case { name, what, project, writing: Writing::Plain, refused: false }
}

fn first_instrument(p: &mut Project) -> &mut imbolc_types::Instrument {
    p.instruments.get_index_mut(0).expect("an instrument").1
}

/// Every case of the corpus.
pub fn cases() -> Vec<Case> {
    let mut all = vec![
        case("tempo-1e-30", "tempo 1e-30 BPM", |p| p.tempo = 1e-30),
        case("tempo-0.01", "tempo 0.01 BPM", |p| p.tempo = 0.01),
        case("tempo-nan", "tempo NaN", |p| p.tempo = f32::NAN),
        case("tempo-inf", "tempo infinity", |p| p.tempo = f32::INFINITY),
        case("tempo-negative", "tempo -120", |p| p.tempo = -120.0),
        case("zero-meter", "time signature 0/0", |p| p.time_signature = TimeSignature { numerator: 0, denominator: 0 }),
        case(
            "dangling",
            "a clip of a missing instrument, a placement of a missing clip, lanes of missing targets",
            |p| {
                let clip = Clip {
                    id: ClipId(50),
                    name: "orphan".into(),
                    instrument: InstrumentId(77),
                    length: 1920,
                    looping: true,
                    notes: [(NoteId(900), Note::new(60, 100, 0, 480))].into_iter().collect(),
                    drums: None,
                    audio: None,
                };
                p.clips.insert(clip.id, clip);
                p.placements.insert(
                    PlacementId(60),
                    Placement { id: PlacementId(60), clip: ClipId(51), start: 0, length: 1920 },
                );
                p.placements.insert(
                    PlacementId(61),
                    Placement { id: PlacementId(61), clip: ClipId(50), start: 0, length: 1920 },
                );
                let target =
                    ParamTarget::Effect { owner: ChainOwner::Master, effect: EffectId(88), param: "mix".into() };
                let mut lane = AutomationLane::new(LaneId(70), target);
                lane.points.insert(0, 0.5);
                p.automation.insert(lane.id, lane);
                first_instrument(p).mixer.sends.push(SendSettings { bus: imbolc_types::BusId(40), level: 1.0 });
            },
        ),
        case("zero-lengths", "a clip, a placement and notes of length zero", |p| {
            for c in p.clips.values_mut().filter(|c| c.drums.is_none()) {
                c.length = 0;
                for n in c.notes.values_mut() {
                    n.length = 0;
                }
            }
            for pl in p.placements.values_mut() {
                pl.length = 0;
            }
        }),
        case("absurd-levels", "levels 1e30, pan 1e9, a send of 1e30, master 1e30", |p| {
            let inst = first_instrument(p);
            inst.mixer.level = 1e30;
            inst.mixer.pan = 1e9;
            for s in &mut inst.mixer.sends {
                s.level = 1e30;
            }
            p.master.level = 1e30;
            for b in p.buses.values_mut() {
                b.mixer.level = f32::INFINITY;
            }
        }),
        case("absurd-envelopes", "release 1e9 s, attack -5 s, decay NaN, sustain 40", |p| {
            let env = &mut first_instrument(p).def.amp_env;
            env.release = 1e9;
            env.attack = -5.0;
            env.decay = f32::NAN;
            env.sustain = 40.0;
        }),
        case("absurd-params", "effect and source parameters far out of range, unknown names, NaN", |p| {
            let inst = first_instrument(p);
            inst.def.source.params.insert("detune".into(), 1e12);
            inst.def.source.params.insert("nonsense".into(), 3.0);
            inst.def.voice.polyphony = 0;
            inst.def.lfo.rate = f32::NAN;
            for e in &mut inst.def.effects {
                e.params.insert("feedback".into(), 1e6);
                e.params.insert("time".into(), -1.0);
            }
        }),
        case("absurd-notes", "notes of pitch 255, velocity 0, probability 0, ending past the last tick", |p| {
            let c = p.clips.values_mut().find(|c| c.drums.is_none()).expect("note clip");
            for (k, n) in c.notes.values_mut().enumerate() {
                match k % 4 {
                    0 => n.pitch = 255,
                    1 => n.velocity = 0,
                    2 => n.probability = 0,
                    _ => n.length = u32::MAX,
                }
            }
        }),
        case("absurd-drums", "a kit of 3 pads, swing NaN, 200 steps, a pad on /dev/zero", |p| {
            let kit = p.instruments.values_mut().find_map(|i| i.def.drums.as_mut()).expect("kit");
            kit.pads.truncate(3);
            kit.pads[1].sound = PadSound::Sample { path: "/dev/zero".into() };
            kit.pads[2].level = f32::INFINITY;
            let pattern = p.clips.values_mut().find_map(|c| c.drums.as_mut()).expect("pattern");
            pattern.swing = f32::NAN;
            pattern.steps = 200;
        }),
        case("hostile-ids", "keys unlike their ids, a repeated effect id, counters at u32::MAX", |p| {
            let (_, inst) = p.instruments.get_index_mut(0).expect("instrument");
            inst.id = InstrumentId(12345);
            let dup = p.buses.values().next().and_then(|b| b.effects.first()).map(|e| e.id).expect("bus effect");
            p.master_effects.push(imbolc_types::EffectSlot::new(dup, EffectKind::LOW_PASS));
            p.ids.effect = 0;
            p.ids.clip = u32::MAX;
            p.ids.note = u32::MAX;
        }),
        case("automation-nan", "automation points of NaN and 1e30 on the tempo and a mixer level", |p| {
            let mut lane = AutomationLane::new(LaneId(30), ParamTarget::Tempo);
            lane.points = [(0, f32::NAN), (1920, 1e-30), (3000, 1e30)].into_iter().collect();
            p.automation.insert(lane.id, lane);
            let inst = *p.instruments.keys().next().expect("instrument");
            let target = ParamTarget::Mixer { instrument: inst, param: MixerParam::Level };
            let mut lane = AutomationLane::new(LaneId(31), target);
            lane.points = [(0, 1e30), (960, f32::NEG_INFINITY)].into_iter().collect();
            p.automation.insert(lane.id, lane);
            p.ids.lane = 32;
        }),
    ];
    let mut far = case("placement-weeks-away", "a placement at tick 0xF0000000 (49 days at 120 BPM)", |p| {
        if let Some(pl) = p.placements.values_mut().next() {
            pl.start = 0xF000_0000;
        }
    });
    far.refused = true;
    all.push(far);
    let mut no_ids = case("no-id-counters", "no id counters in the file (an older or hand-made file)", |_| {});
    no_ids.writing = Writing::WithoutIdCounters;
    all.push(no_ids);
    all
}

/// Writes `case` to `path`.
///
/// # Panics
/// When the file cannot be written (a fixture failure).
pub fn write_case(case: &Case, path: &Path) {
    // Saved valid first (a NaN tempo has no place in the `bpm` column), then
    // the blob is replaced by the case's, with a matching checksum.
    persist::save(path, &base_song()).expect("save the corpus case");
    let blob = match case.writing {
        Writing::Plain => format::encode(&case.project).expect("encode"),
        Writing::WithoutIdCounters => blob_without_ids(&case.project),
    };
    let c = rusqlite::Connection::open(path).expect("open the corpus file");
    c.execute(
        "UPDATE project SET data = ?1, checksum = ?2 WHERE slot = 'main'",
        rusqlite::params![blob, format::checksum(&blob)],
    )
    .expect("write the case's blob");
}

/// Writes every case into `dir` as `NAME.imbolc`; returns the cases with
/// their paths.
pub fn write_corpus(dir: &Path) -> Vec<(Case, PathBuf)> {
    std::fs::create_dir_all(dir).expect("corpus folder");
    cases()
        .into_iter()
        .map(|c| {
            let path = dir.join(format!("{}.imbolc", c.name));
            let _ = std::fs::remove_file(&path);
            write_case(&c, &path);
            (c, path)
        })
        .collect()
}

/// The project's blob with its last field, `ids`, cut off. The blob is a
/// MessagePack map of named fields in declaration order (`ids` last): a
/// map header (fixmap or map16) whose count drops by one, and everything
/// from the `ids` key on removed.
fn blob_without_ids(p: &Project) -> Vec<u8> {
    let mut blob = format::encode(p).expect("encode");
    let key = [0xa3, b'i', b'd', b's'];
    let at = blob.windows(4).rposition(|w| w == key).expect("the ids field");
    blob.truncate(at);
    match blob[0] {
        0x81..=0x8f => blob[0] -= 1,
        // map16 (more than 15 fields): a big-endian count after the marker.
        0xde => {
            let count = u16::from_be_bytes([blob[1], blob[2]]) - 1;
            blob[1..3].copy_from_slice(&count.to_be_bytes());
        }
        other => panic!("a map header, not {other:#x}"),
    }
    blob
}
