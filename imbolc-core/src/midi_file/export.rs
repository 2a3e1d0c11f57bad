//! A project (the whole song, a range of bars, or one clip) written as a
//! Standard MIDI File of format 1 at the project's resolution (480 ticks
//! per quarter): a conductor track (name, tempo map, time signature) and
//! one named track per instrument with its program, level (CC 7), pan
//! (CC 10) and notes. Kits play on channel 10 with each pad's GM note;
//! other instruments take channels 1-16 in order, skipping 10.

use std::path::Path;

use imbolc_types::{
    AutomationLane, Clip, ClipId, Curve, Instrument, InstrumentId, MixerParam, ParamTarget, Placement, Project,
    TICKS_PER_QUARTER, Tick,
};
use midly::num::{u4, u7, u15, u24, u28};
use midly::{Format, Header, MetaMessage, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind};

use super::error::MidiFileError;
use super::gm;
use super::import::{bar_ticks, cc_from_level, cc_from_pan};

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExportRange {
    /// Every placement.
    #[default]
    Whole,
    /// Bars `first..=last`, counted from 1.
    Bars { first: u32, last: u32 },
    /// One clip's notes from its start (one pass, even when it loops).
    Clip(ClipId),
}

impl std::str::FromStr for ExportRange {
    type Err = MidiFileError;

    /// `whole`, `2-5` (bars, from 1) or `clip:ID`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || MidiFileError::BadRange(s.to_owned());
        if s == "whole" {
            return Ok(ExportRange::Whole);
        }
        if let Some(id) = s.strip_prefix("clip:") {
            return id.trim().parse().map(|n| ExportRange::Clip(ClipId(n))).map_err(|_| bad());
        }
        let (a, b) = s.split_once('-').ok_or_else(bad)?;
        let (first, last): (u32, u32) = (a.trim().parse().map_err(|_| bad())?, b.trim().parse().map_err(|_| bad())?);
        if first == 0 || last < first {
            return Err(bad());
        }
        Ok(ExportRange::Bars { first, last })
    }
}

/// Export settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExportOptions {
    pub range: ExportRange,
    /// Muted instruments are left out unless this is set.
    pub include_muted: bool,
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExportSummary {
    /// Instrument tracks (the conductor track not counted).
    pub tracks: usize,
    pub notes: usize,
}

impl std::fmt::Display for ExportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exported {} notes in {} tracks", self.notes, self.tracks)
    }
}

/// A note to write: (pitch, velocity, start, length).
type OutNote = (u8, u8, Tick, Tick);

/// One instrument track to write: name, channel, program, notes, and the
/// instrument whose level and pan it carries.
struct OutTrack {
    name: String,
    channel: u8,
    program: u8,
    notes: Vec<OutNote>,
    instrument: Option<InstrumentId>,
}

/// A mixer control written as a controller: which, its CC number, its
/// value now and the conversion.
type MixerControl = (MixerParam, u8, f32, fn(f32) -> u8);

/// Events of one track at absolute ticks; `order` puts notes off before
/// notes on at the same tick.
type Timed<'a> = Vec<(Tick, u8, TrackEventKind<'a>)>;

fn midi(channel: u8, message: MidiMessage) -> TrackEventKind<'static> {
    TrackEventKind::Midi { channel: u4::new(channel & 0x0f), message }
}

fn to_track(mut events: Timed<'_>, end: Tick) -> Vec<TrackEvent<'_>> {
    events.sort_by_key(|(t, order, _)| (*t, *order));
    let mut out = Vec::with_capacity(events.len() + 1);
    let mut last = 0;
    for (t, _, kind) in events {
        push_after(&mut out, t - last, kind);
        last = t;
    }
    push_after(&mut out, end.saturating_sub(last), TrackEventKind::Meta(MetaMessage::EndOfTrack));
    out
}

/// Pushes `kind` `delta` ticks after the previous event. A delta longer
/// than a MIDI delta time holds (2^28 - 1 ticks, 155 hours at 120 BPM) is
/// split with empty text events, which readers ignore.
fn push_after<'a>(out: &mut Vec<TrackEvent<'a>>, mut delta: Tick, kind: TrackEventKind<'a>) {
    let max = u28::max_value().as_int();
    while delta > max {
        out.push(TrackEvent { delta: u28::max_value(), kind: TrackEventKind::Meta(MetaMessage::Text(b"")) });
        delta -= max;
    }
    out.push(TrackEvent { delta: u28::new(delta), kind });
}

/// The song's notes of `instrument` at absolute ticks in `from..to`:
/// (pitch, velocity, start, length), shifted by `-from`.
fn instrument_notes(p: &Project, id: InstrumentId, from: Tick, to: Tick) -> Vec<OutNote> {
    let mut out = Vec::new();
    for pl in p.placements.values() {
        let Some(clip) = p.clips.get(&pl.clip).filter(|c| c.instrument == id) else { continue };
        placement_notes(clip, pl, from, to, &mut out);
    }
    out
}

/// One clip's notes (or drum steps) as (pitch, velocity, start, length)
/// relative to the clip start, one pass.
fn clip_pass(clip: &Clip) -> Vec<OutNote> {
    let mut notes: Vec<_> = clip.notes.values().map(|n| (n.pitch, n.velocity, n.start, n.length)).collect();
    if let Some(pattern) = &clip.drums {
        let step_len = pattern.resolution.ticks();
        for (&(step, pad), hit) in &pattern.hits {
            let start = pattern.step_tick(step).round() as Tick;
            notes.push((gm::KIT_BASE_NOTE.saturating_add(pad), hit.velocity.clamp(1, 127), start, step_len));
        }
    }
    notes
}

fn placement_notes(clip: &Clip, pl: &Placement, from: Tick, to: Tick, out: &mut Vec<OutNote>) {
    let pass = clip_pass(clip);
    let end = pl.start.saturating_add(pl.length).min(to);
    let period = if clip.looping { clip.length.max(1) } else { Tick::MAX };
    let mut origin = pl.start;
    while origin < end {
        for &(pitch, vel, start, len) in &pass {
            if start >= period {
                continue;
            }
            let s = origin.saturating_add(start);
            let e = s.saturating_add(len).min(end);
            if s >= from && s < end && e > s {
                out.push((pitch, vel, s - from, e - s));
            }
        }
        if !clip.looping {
            break;
        }
        origin = origin.saturating_add(period);
    }
}

/// The tempo map in `from..to` as (tick, BPM), shifted by `-from`. Linear
/// and curved segments are written as a step every sixteenth note.
fn tempo_map(p: &Project, from: Tick, to: Tick) -> Vec<(Tick, f32)> {
    let lane = p.automation.values().find(|l| l.target == ParamTarget::Tempo && l.enabled && !l.points.is_empty());
    let Some(lane) = lane else { return vec![(0, p.tempo)] };
    let mut out = vec![(0, lane.value_at(f64::from(from)).unwrap_or(p.tempo))];
    let step = TICKS_PER_QUARTER / 4;
    let points: Vec<(Tick, f32)> = lane.points.iter().map(|(&t, &v)| (t, v)).collect();
    for (i, &(t, v)) in points.iter().enumerate() {
        if t > from && t < to {
            out.push((t - from, v));
        }
        let next = points.get(i + 1).map_or(t, |n| n.0);
        if lane.curve_at(t) != Curve::Step && next > t {
            let mut s = t.saturating_add(step);
            while s < next && s < to {
                if s > from {
                    out.push((s - from, lane.value_at(f64::from(s)).unwrap_or(v)));
                }
                s = s.saturating_add(step);
            }
        }
    }
    out.dedup_by(|b, a| a.1 == b.1);
    out
}

fn lane_of(p: &Project, id: InstrumentId, param: MixerParam) -> Option<&AutomationLane> {
    p.automation
        .values()
        .find(|l| l.enabled && l.target == ParamTarget::Mixer { instrument: id, param } && !l.points.is_empty())
}

/// Whether an instrument is written: it plays notes (no audio input) and
/// is not muted, unless muted ones are asked for.
fn exported(inst: &Instrument, opts: &ExportOptions) -> bool {
    inst.def.input.is_none() && (opts.include_muted || !inst.mixer.mute)
}

/// The MIDI file bytes for `project`.
///
/// # Errors
///
/// [`MidiFileError::NoSuchClip`] for a clip range naming no clip;
/// [`MidiFileError::Encode`] past the format's limits.
pub fn export(p: &Project, opts: &ExportOptions) -> Result<(Vec<u8>, ExportSummary), MidiFileError> {
    let last_end = p.placements.values().map(|pl| pl.start.saturating_add(pl.length)).max().unwrap_or(0);
    // The song runs to its last placement or its last tempo change.
    let last_tempo = p
        .automation
        .values()
        .filter(|l| l.target == ParamTarget::Tempo && l.enabled)
        .filter_map(|l| l.points.keys().next_back())
        .max()
        .map_or(0, |t| t.saturating_add(1));
    let last_end = last_end.max(last_tempo);
    let (from, to) = match opts.range {
        ExportRange::Whole | ExportRange::Clip(_) => (0, last_end.max(1)),
        ExportRange::Bars { first, last } => {
            let bar = bar_ticks(p.time_signature);
            (first.saturating_sub(1).saturating_mul(bar), last.saturating_mul(bar))
        }
    };
    let mut summary = ExportSummary::default();
    let mut tracks: Vec<OutTrack> = Vec::new();
    let mut channel = 0u8;
    let mut next_channel = |drums: bool| {
        if drums {
            return 9;
        }
        let c = channel;
        channel = (channel + 1) % 16;
        if channel == 9 {
            channel = 10;
        }
        c
    };
    match opts.range {
        ExportRange::Clip(id) => {
            let clip = p.clips.get(&id).ok_or(MidiFileError::NoSuchClip(id))?;
            let inst = p.instruments.get(&clip.instrument);
            let drums = inst.is_some_and(|i| i.def.drums.is_some());
            let program = inst.map_or(0, |i| gm::program_for_source(i.def.source.kind));
            let notes = clip_pass(clip).into_iter().filter(|n| n.2 < clip.length).collect();
            let name = if clip.name.is_empty() { format!("clip {id}") } else { clip.name.clone() };
            tracks.push(OutTrack { name, channel: next_channel(drums), program, notes, instrument: None });
        }
        _ => {
            for inst in p.instruments.values().filter(|i| exported(i, opts)) {
                let drums = inst.def.drums.is_some();
                let notes = instrument_notes(p, inst.id, from, to);
                let program = gm::program_for_source(inst.def.source.kind);
                let (name, channel) = (inst.name.clone(), next_channel(drums));
                tracks.push(OutTrack { name, channel, program, notes, instrument: Some(inst.id) });
            }
        }
    }
    let end = to - from;
    let mut smf = Smf::new(Header::new(Format::Parallel, Timing::Metrical(u15::new(TICKS_PER_QUARTER as u16))));
    let mut conductor: Timed = vec![(0, 0, TrackEventKind::Meta(MetaMessage::TrackName(p.name.as_bytes())))];
    let sig = p.time_signature;
    let pow = sig.denominator.max(1).trailing_zeros() as u8;
    conductor.push((0, 1, TrackEventKind::Meta(MetaMessage::TimeSignature(sig.numerator, pow, 24, 8))));
    for (t, bpm) in tempo_map(p, from, to) {
        let us = (60_000_000.0 / f64::from(bpm.max(1.0))).round().clamp(1.0, f64::from(0xFF_FFFF)) as u32;
        conductor.push((t, 2, TrackEventKind::Meta(MetaMessage::Tempo(u24::new(us)))));
    }
    smf.tracks.push(to_track(conductor, end));
    for OutTrack { name, channel: ch, program, notes, instrument: inst } in &tracks {
        let mut ev: Timed = vec![(0, 0, TrackEventKind::Meta(MetaMessage::TrackName(name.as_bytes())))];
        let drums = *ch == 9;
        if !drums {
            ev.push((0, 1, midi(*ch, MidiMessage::ProgramChange { program: u7::new(program & 0x7f) })));
        }
        if let Some(id) = inst.and_then(|id| p.instruments.get(&id)) {
            mixer_events(p, id, *ch, from, to, &mut ev);
        }
        for &(pitch, vel, start, len) in notes {
            let key = if drums {
                pitch.checked_sub(gm::KIT_BASE_NOTE).and_then(gm::drum_note_for_pad).unwrap_or(pitch)
            } else {
                pitch
            };
            let key = u7::new(key & 0x7f);
            ev.push((start, 4, midi(*ch, MidiMessage::NoteOn { key, vel: u7::new(vel.clamp(1, 127)) })));
            ev.push((start + len, 3, midi(*ch, MidiMessage::NoteOff { key, vel: u7::new(0) })));
        }
        summary.notes += notes.len();
        summary.tracks += 1;
        let track_end = notes.iter().map(|n| n.2 + n.3).max().unwrap_or(0).max(end);
        smf.tracks.push(to_track(ev, track_end));
    }
    let mut bytes = Vec::new();
    smf.write_std(&mut bytes).map_err(|e| MidiFileError::Encode(e.to_string()))?;
    Ok((bytes, summary))
}

/// CC 7 and CC 10 at the start, then at each point of their lanes.
fn mixer_events(p: &Project, inst: &Instrument, ch: u8, from: Tick, to: Tick, ev: &mut Timed<'_>) {
    let controls: [MixerControl; 2] =
        [(MixerParam::Level, 7, inst.mixer.level, cc_from_level), (MixerParam::Pan, 10, inst.mixer.pan, cc_from_pan)];
    for (param, cc, now, convert) in controls {
        let controller = u7::new(cc);
        let lane = lane_of(p, inst.id, param);
        let start = lane.and_then(|l| l.value_at(f64::from(from))).unwrap_or(now);
        ev.push((0, 2, midi(ch, MidiMessage::Controller { controller, value: u7::new(convert(start)) })));
        for (&t, &v) in lane.map(|l| l.points.range(from.saturating_add(1)..to)).into_iter().flatten() {
            ev.push((t - from, 2, midi(ch, MidiMessage::Controller { controller, value: u7::new(convert(v)) })));
        }
    }
}

/// `imbolc export song.imbolc -o song.mid`.
///
/// # Errors
///
/// [`MidiFileError::Exists`] without `force`; the project's
/// [`MidiFileError::Persist`]; as [`export`]; [`MidiFileError::Write`].
pub fn export_file(
    project: &Path,
    out: &Path,
    opts: &ExportOptions,
    force: bool,
) -> Result<ExportSummary, MidiFileError> {
    if !force && out.exists() {
        return Err(MidiFileError::Exists(out.to_owned()));
    }
    let loaded = crate::persist::load(project)?;
    write_midi(&loaded.project, out, opts)
}

/// Writes `project` as a MIDI file at `out` (replacing it).
///
/// # Errors
///
/// As [`export`]; [`MidiFileError::Write`].
pub fn write_midi(project: &Project, out: &Path, opts: &ExportOptions) -> Result<ExportSummary, MidiFileError> {
    let (bytes, summary) = export(project, opts)?;
    std::fs::write(out, bytes).map_err(|source| MidiFileError::Write { path: out.to_owned(), source })?;
    Ok(summary)
}
