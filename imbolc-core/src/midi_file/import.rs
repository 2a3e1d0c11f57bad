//! A [`MidiSong`] turned into the actions that add it to a project: per
//! part an instrument (a drum kit for channel 10), its mixer level and pan
//! (or their automation), one clip from the bar of its first note and its
//! placement; and, for a project with no song yet, the tempo, tempo lane
//! and time signature. The actions are applied as one undo step
//! (`Session::dispatch_group`) or to a fresh project ([`new_project`]).
//!
//! Ids are predicted from the project's counters (each add takes the next
//! one; see `imbolc_types::IdCounters`), the way the demo builder does.

use std::collections::BTreeMap;
use std::path::Path;

use imbolc_types::{
    Action, ClipId, Curve, InstrumentId, LaneId, MixerParam, Note, ParamTarget, Project, SourceKind, TICKS_PER_QUARTER,
    Tick, TimeSignature,
};

use super::error::MidiFileError;
use super::gm;
use super::read::{ImportSummary, MidiSong, Part, read_song};

/// Label of the undo step of an import into an open project.
pub const UNDO_LABEL: &str = "import MIDI file";

/// The actions that add a song to a project, and its summary.
#[derive(Debug, Clone)]
pub struct ImportPlan {
    pub actions: Vec<Action>,
    pub summary: ImportSummary,
    /// The instruments the actions add, in order.
    pub instruments: Vec<InstrumentId>,
}

/// CC 7 (0..=127) → mixer level: GM's 40·log10(v/127) dB, i.e. (v/127)².
pub fn level_from_cc(v: u8) -> f32 {
    let x = f32::from(v.min(127)) / 127.0;
    x * x
}

/// Mixer level → CC 7 (the inverse of [`level_from_cc`], clamped).
pub fn cc_from_level(level: f32) -> u8 {
    let v = (level.clamp(0.0, 1.0).sqrt() * 127.0).round();
    v.clamp(0.0, 127.0) as u8
}

/// CC 10 (0..=127, 64 centre) → pan (-1..=1).
pub fn pan_from_cc(v: u8) -> f32 {
    ((f32::from(v.min(127)) - 64.0) / 63.0).clamp(-1.0, 1.0)
}

/// Pan → CC 10.
pub fn cc_from_pan(pan: f32) -> u8 {
    (pan.clamp(-1.0, 1.0) * 63.0 + 64.0).round().clamp(0.0, 127.0) as u8
}

/// Bar length in ticks for `sig`.
pub fn bar_ticks(sig: TimeSignature) -> Tick {
    let beat = TICKS_PER_QUARTER * 4 / Tick::from(sig.denominator.max(1));
    (beat * Tick::from(sig.numerator.max(1))).max(1)
}

struct Ids {
    instrument: u32,
    clip: u32,
    lane: u32,
}

/// The actions adding `song` to `project`. The tempo, its lane and the
/// time signature are set only when the project has no placements yet (a
/// fresh or empty song); otherwise the project keeps its own and the
/// summary says so.
pub fn plan(project: &Project, song: MidiSong) -> ImportPlan {
    let mut ids = Ids { instrument: project.ids.instrument, clip: project.ids.clip, lane: project.ids.lane };
    let mut actions = Vec::new();
    let mut summary = song.summary;
    let song_tempo = project.placements.is_empty();
    let mut sig = project.time_signature;
    if song_tempo {
        if let Some(s) = song.time_signature {
            sig = s;
            actions.push(Action::SetTimeSignature(s));
        }
        if let Some(&(_, bpm)) = song.tempo.first() {
            actions.push(Action::SetParam { target: ParamTarget::Tempo, value: bpm });
        }
        let has_tempo_lane = project.automation.values().any(|l| l.target == ParamTarget::Tempo);
        if song.tempo.len() > 1 && !has_tempo_lane {
            lane(&mut actions, &mut ids, ParamTarget::Tempo, song.tempo.iter().copied());
        }
    } else {
        summary.tempo_kept = true;
    }
    let mut instruments = Vec::new();
    for part in song.parts {
        let id = add_part(&mut actions, &mut ids, part, sig, &mut summary);
        instruments.push(id);
    }
    ImportPlan { actions, summary, instruments }
}

/// Adds a lane on `target` holding `points`, each a step (MIDI values
/// jump; they do not glide).
fn lane(actions: &mut Vec<Action>, ids: &mut Ids, target: ParamTarget, points: impl Iterator<Item = (Tick, f32)>) {
    let lane = LaneId(ids.lane);
    ids.lane += 1;
    let points: Vec<(Tick, f32)> = points.collect();
    let to = points.last().map_or(0, |p| p.0);
    let curves = points.iter().map(|&(t, _)| (t, Curve::Step)).collect();
    actions.push(Action::AddLane { target });
    actions.push(Action::ReplaceAutomationPoints { lane, from: 0, to, points, curves });
}

fn add_part(
    actions: &mut Vec<Action>,
    ids: &mut Ids,
    part: Part,
    sig: TimeSignature,
    summary: &mut ImportSummary,
) -> InstrumentId {
    let instrument = InstrumentId(ids.instrument);
    ids.instrument += 1;
    if part.drums {
        actions.push(Action::AddDrumKit { name: part.name.clone() });
        summary.mod_wheel += part.modulation.len();
    } else {
        let source = gm::source_for_program(part.program);
        actions.push(Action::AddInstrument { source, name: part.name.clone() });
        modulation(actions, ids, instrument, source, &part.modulation, summary);
    }
    mixer(actions, ids, instrument, MixerParam::Level, &part.volume, level_from_cc);
    mixer(actions, ids, instrument, MixerParam::Pan, &part.pan, pan_from_cc);

    let bar = bar_ticks(sig);
    let first = part.notes.iter().map(|n| n.start).min().unwrap_or(0);
    let end = part.notes.iter().map(|n| n.start.saturating_add(n.length)).max().unwrap_or(1);
    let start = first - first % bar;
    let length = end.saturating_sub(start).div_ceil(bar).saturating_mul(bar).max(bar);
    let clip = ClipId(ids.clip);
    ids.clip += 1;
    let notes: Vec<Note> = part
        .notes
        .iter()
        .map(|n| {
            let pitch = if part.drums {
                gm::pad_for_drum_note(n.pitch).unwrap_or_else(|| {
                    summary.unmapped_drums += 1;
                    6
                }) + gm::KIT_BASE_NOTE
            } else {
                n.pitch
            };
            Note { pitch, start: n.start - start, ..*n }
        })
        .collect();
    actions.push(Action::AddClip { instrument, name: part.name, length });
    if !notes.is_empty() {
        actions.push(Action::AddNotes { clip, notes });
    }
    actions.push(Action::AddPlacement { clip, start, length });
    instrument
}

/// The mod wheel (CC 1) moves the source's timbre parameter over its range,
/// as it does live: one value sets it, changes make a lane. A source with
/// no timbre parameter counts the events as not kept.
fn modulation(
    actions: &mut Vec<Action>,
    ids: &mut Ids,
    instrument: InstrumentId,
    source: SourceKind,
    values: &BTreeMap<Tick, u8>,
    summary: &mut ImportSummary,
) {
    let Some((_, &first)) = values.iter().next() else { return };
    let Some(spec) = source.spec().timbre_param() else {
        summary.mod_wheel += values.len();
        return;
    };
    let convert = |v: u8| spec.from_unit(f32::from(v) / 127.0);
    let target = ParamTarget::Source { instrument, param: spec.id.to_owned() };
    actions.push(Action::SetParam { target: target.clone(), value: convert(first) });
    if values.values().any(|&v| v != first) {
        lane(actions, ids, target, values.iter().map(|(&t, &v)| (t, convert(v))));
    }
}

/// A mixer control from its controller values: one value (or all equal)
/// sets it; changes make an automation lane.
fn mixer(
    actions: &mut Vec<Action>,
    ids: &mut Ids,
    instrument: InstrumentId,
    param: MixerParam,
    values: &BTreeMap<Tick, u8>,
    convert: fn(u8) -> f32,
) {
    let Some((_, &first)) = values.iter().next() else { return };
    let target = ParamTarget::Mixer { instrument, param };
    actions.push(Action::SetParam { target: target.clone(), value: convert(first) });
    if values.values().any(|&v| v != first) {
        lane(actions, ids, target, values.iter().map(|(&t, &v)| (t, convert(v))));
    }
}

/// A new project named `name` holding the MIDI file `bytes`.
///
/// # Errors
///
/// As [`read_song`]; [`MidiFileError::Refused`] if an edit is refused
/// (which the tests rule out).
pub fn new_project(bytes: &[u8], name: &str) -> Result<(Project, ImportSummary), MidiFileError> {
    let song = read_song(bytes)?;
    let mut project = Project::new(name);
    let plan = plan(&project, song);
    for action in plan.actions {
        crate::dispatch(&mut project, action)?;
    }
    Ok((project, plan.summary))
}

/// `imbolc import song.mid -o song.imbolc`: reads the MIDI file, writes a
/// new project file (replacing one only with `force`).
///
/// # Errors
///
/// [`MidiFileError::Read`], [`MidiFileError::Exists`], as [`new_project`],
/// or the save's [`MidiFileError::Persist`].
pub fn import_file(midi: &Path, out: &Path, force: bool) -> Result<ImportSummary, MidiFileError> {
    if !force && out.exists() {
        return Err(MidiFileError::Exists(out.to_owned()));
    }
    let bytes = std::fs::read(midi).map_err(|source| MidiFileError::Read { path: midi.to_owned(), source })?;
    let name = midi.file_stem().map_or_else(|| "imported".to_owned(), |s| s.to_string_lossy().into_owned());
    let (project, summary) = new_project(&bytes, &name)?;
    crate::persist::save(out, &project)?;
    Ok(summary)
}

/// Adds the MIDI file `bytes` to the session's project as one undo step
/// ([`UNDO_LABEL`]).
///
/// # Errors
///
/// As [`read_song`]; [`MidiFileError::Refused`] if an edit is refused
/// (then nothing is changed).
pub fn import_into<S: crate::AudioSink>(
    session: &mut crate::Session<S>,
    bytes: &[u8],
) -> Result<ImportSummary, MidiFileError> {
    let song = read_song(bytes)?;
    let plan = plan(session.project(), song);
    if !plan.actions.is_empty() {
        session.dispatch_group(UNDO_LABEL, plan.actions)?;
    }
    Ok(plan.summary)
}
