//! Reading a Standard MIDI File (with midly) into a [`MidiSong`]: parts
//! (one per track and channel with notes), notes on the project's tick
//! grid, the tempo map, the time signature and controller lanes, plus a
//! [`ImportSummary`] of what was repaired, rounded or left out.
//!
//! Repairs (documented in `docs/midi-files.md`): a note never released is
//! closed at the end of its track; a note on of a key already sounding on
//! the channel closes nothing (notes off close the oldest first); a note of
//! zero length lasts one tick; tempo 0 is ignored; a tempo outside
//! 20..=999 BPM is clamped; the sustain pedal lengthens notes until it is
//! released, as it does while recording.

use std::collections::{BTreeMap, HashMap, VecDeque};

use imbolc_types::project::{DEFAULT_TEMPO, TEMPO_RANGE};
use imbolc_types::{Note, TICKS_PER_QUARTER, Tick, TimeSignature};
use midly::{Format, MetaMessage, MidiMessage, Timing, TrackEventKind};

use super::error::MidiFileError;

/// Most parts (track and channel pairs with notes) one import makes.
pub const MAX_PARTS: usize = 256;
/// Last tick an imported event may reach (half the `u32` timeline, so a
/// clip's end and a placement's end always fit).
const MAX_TICK: u64 = (u32::MAX / 2) as u64;

/// Controller numbers used.
const CC_MOD_WHEEL: u8 = 1;
const CC_VOLUME: u8 = 7;
const CC_PAN: u8 = 10;
const CC_SUSTAIN: u8 = 64;

/// One imported part: what becomes one instrument.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub name: String,
    /// 0-based MIDI channel.
    pub channel: u8,
    /// The first program change, if any.
    pub program: Option<u8>,
    /// Channel 10: becomes a drum kit.
    pub drums: bool,
    /// Notes at absolute project ticks, in start order.
    pub notes: Vec<Note>,
    /// CC 7 values by project tick.
    pub volume: BTreeMap<Tick, u8>,
    /// CC 10 values by project tick.
    pub pan: BTreeMap<Tick, u8>,
    /// CC 1 (mod wheel) values by project tick.
    pub modulation: BTreeMap<Tick, u8>,
}

/// What an import did not keep exactly, counted for its one-line summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// SMF format (0 or 1) and ticks per quarter note of the file.
    pub format: u8,
    pub resolution: u16,
    pub parts: usize,
    pub notes: usize,
    /// Event times not on the project's grid, rounded to the nearest tick.
    pub rounded: usize,
    /// Where the first rounding happened: (track from 1, file tick).
    pub first_rounded: Option<(usize, u64)>,
    /// Notes never released, closed at the end of their track.
    pub unclosed: usize,
    pub sysex: usize,
    pub lyrics: usize,
    pub smpte_offsets: usize,
    /// Tempo events of 0 µs per quarter, ignored.
    pub tempo_zero: usize,
    /// Tempos outside the project's range, clamped.
    pub tempo_clamped: usize,
    /// Time signature changes after the first (only the first is kept) or
    /// signatures the project cannot show.
    pub time_signatures_dropped: usize,
    /// Pitch bend events: timeline notes do not follow them (live input
    /// does), so they are counted, not kept.
    pub pitch_bends: usize,
    /// Mod wheel (CC 1) events on a part whose source has no timbre
    /// parameter for them to move (drum kits), so not kept.
    pub mod_wheel: usize,
    /// Notes lengthened by the sustain pedal.
    pub sustained: usize,
    /// Drum notes outside the GM drum map (35..=81), played on the rim pad.
    pub unmapped_drums: usize,
    /// Set by the import into an open project that has a song already: the
    /// project keeps its tempo and time signature.
    pub tempo_kept: bool,
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "imported {} notes in {} instrument{} (format {}, {} ticks/quarter)",
            self.notes,
            self.parts,
            if self.parts == 1 { "" } else { "s" },
            self.format,
            self.resolution
        )?;
        let counts = [
            (self.rounded, "times rounded to the grid"),
            (self.unclosed, "notes never released (closed at track end)"),
            (self.sustained, "notes lengthened by sustain"),
            (self.sysex, "SysEx skipped"),
            (self.lyrics, "lyrics skipped"),
            (self.smpte_offsets, "SMPTE offsets skipped"),
            (self.pitch_bends, "pitch bends skipped"),
            (self.mod_wheel, "mod wheel events skipped"),
            (self.tempo_zero, "tempo 0 ignored"),
            (self.tempo_clamped, "tempos clamped"),
            (self.time_signatures_dropped, "time signature changes dropped"),
            (self.unmapped_drums, "drum notes outside GM on the rim pad"),
        ];
        for (n, what) in counts.iter().filter(|(n, _)| *n > 0) {
            write!(f, "; {n} {what}")?;
            if let (true, Some((track, tick))) = (*what == counts[0].1, self.first_rounded) {
                let quarter = tick as f64 / f64::from(self.resolution.max(1));
                write!(f, " (first in track {track} at quarter note {quarter:.3})")?;
            }
        }
        if self.tempo_kept {
            write!(f, "; project tempo kept")?;
        }
        Ok(())
    }
}

/// A MIDI file read onto the project's grid.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MidiSong {
    pub parts: Vec<Part>,
    /// Tempo changes (project tick, BPM), ascending; the first at tick 0.
    pub tempo: Vec<(Tick, f32)>,
    pub time_signature: Option<TimeSignature>,
    pub summary: ImportSummary,
}

/// File ticks → project ticks, rounding to the nearest and counting it.
struct Grid {
    resolution: u64,
    rounded: usize,
    first_rounded: Option<(usize, u64)>,
}

impl Grid {
    fn tick(&mut self, file_tick: u64, track: usize) -> Result<Tick, MidiFileError> {
        let scaled = u128::from(file_tick) * u128::from(TICKS_PER_QUARTER);
        let res = u128::from(self.resolution);
        let (q, r) = (scaled / res, scaled % res);
        if r != 0 {
            self.rounded += 1;
            self.first_rounded.get_or_insert((track, file_tick));
        }
        let t = if r * 2 >= res { q + 1 } else { q };
        if t > u128::from(MAX_TICK) {
            let quarter = u64::try_from(t / u128::from(TICKS_PER_QUARTER)).unwrap_or(u64::MAX);
            return Err(MidiFileError::TooLong { track, quarter });
        }
        Ok(Tick::try_from(t).unwrap_or(Tick::MAX))
    }
}

/// Notes being played on one track and channel.
#[derive(Default)]
struct PartBuilder {
    name: Option<String>,
    program: Option<u8>,
    /// Sounding notes per key: (start file tick, velocity), oldest first.
    held: HashMap<u8, VecDeque<(u64, u8)>>,
    /// Released while the pedal was down: (key, start, velocity).
    pedal_held: Vec<(u8, u64, u8)>,
    pedal: bool,
    /// Closed notes in file ticks: (key, velocity, start, end).
    closed: Vec<(u8, u8, u64, u64)>,
    volume: Vec<(u64, u8)>,
    pan: Vec<(u64, u8)>,
    modulation: Vec<(u64, u8)>,
    sustained: usize,
}

impl PartBuilder {
    fn note_on(&mut self, key: u8, vel: u8, now: u64) {
        // A key struck again while the pedal holds it: the held one ends.
        if let Some(i) = self.pedal_held.iter().position(|(k, _, _)| *k == key) {
            let (k, start, v) = self.pedal_held.swap_remove(i);
            self.closed.push((k, v, start, now));
        }
        self.held.entry(key).or_default().push_back((now, vel));
    }

    fn note_off(&mut self, key: u8, now: u64) {
        let Some((start, vel)) = self.held.get_mut(&key).and_then(VecDeque::pop_front) else { return };
        if self.pedal {
            self.pedal_held.push((key, start, vel));
        } else {
            self.closed.push((key, vel, start, now));
        }
    }

    fn sustain(&mut self, down: bool, now: u64) {
        self.pedal = down;
        if !down {
            for (k, start, v) in self.pedal_held.drain(..) {
                self.sustained += 1;
                self.closed.push((k, v, start, now));
            }
        }
    }

    /// Closes what still sounds at `end`; returns how many notes were
    /// never released.
    fn finish(&mut self, end: u64) -> usize {
        let mut unclosed = 0;
        for (k, start, v) in self.pedal_held.drain(..) {
            self.sustained += 1;
            self.closed.push((k, v, start, end));
        }
        for (key, queue) in self.held.drain() {
            for (start, vel) in queue {
                unclosed += 1;
                self.closed.push((key, vel, start, end));
            }
        }
        unclosed
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim().to_owned()
}

/// midly 0.5.3 negates the SMPTE frame rate byte as an `i8`, which
/// overflows (a panic in debug builds) for 0x80; such a header is refused
/// here before midly sees it. The header is the first `MThd` (a RIFF/RMID
/// wrapper puts it further in).
fn refuse_fps_128(bytes: &[u8]) -> Result<(), MidiFileError> {
    let Some(at) = bytes.windows(4).position(|w| w == b"MThd") else { return Ok(()) };
    match bytes.get(at + 12) {
        Some(0x80) => Err(MidiFileError::Malformed { track: None, reason: "invalid SMPTE frame rate".to_owned() }),
        _ => Ok(()),
    }
}

/// Reads `bytes` as a Standard MIDI File of format 0 or 1.
///
/// # Errors
///
/// [`MidiFileError::Malformed`] for broken bytes (truncated, a chunk past
/// the end, running status without a status byte, ...),
/// [`MidiFileError::Format2`], [`MidiFileError::SmpteTiming`],
/// [`MidiFileError::ZeroResolution`], [`MidiFileError::TooManyParts`],
/// [`MidiFileError::TooLong`].
pub fn read_song(bytes: &[u8]) -> Result<MidiSong, MidiFileError> {
    refuse_fps_128(bytes)?;
    let (header, tracks) =
        midly::parse(bytes).map_err(|e| MidiFileError::Malformed { track: None, reason: e.to_string() })?;
    let format = match header.format {
        Format::SingleTrack => 0,
        Format::Parallel => 1,
        Format::Sequential => return Err(MidiFileError::Format2),
    };
    let resolution = match header.timing {
        Timing::Metrical(r) if r.as_int() == 0 => return Err(MidiFileError::ZeroResolution),
        Timing::Metrical(r) => r.as_int(),
        Timing::Timecode(fps, _) => return Err(MidiFileError::SmpteTiming { fps: fps.as_int() }),
    };
    let mut grid = Grid { resolution: u64::from(resolution), rounded: 0, first_rounded: None };
    let mut summary = ImportSummary { format, resolution, ..ImportSummary::default() };
    let mut tempo: BTreeMap<u64, f32> = BTreeMap::new();
    let mut signatures: BTreeMap<u64, (u8, u8)> = BTreeMap::new();
    // Parts in order of first note-bearing event: (track, channel) → builder.
    let mut parts: Vec<((usize, u8), PartBuilder)> = Vec::new();
    let mut index: HashMap<(usize, u8), usize> = HashMap::new();

    // The header's track count: a file cut at a chunk boundary holds fewer.
    let declared = tracks.size_hint().0;
    let mut found = 0;
    for (t, track) in tracks.enumerate() {
        found += 1;
        let track_no = t + 1;
        let events = track.map_err(|e| MidiFileError::Malformed { track: Some(track_no), reason: e.to_string() })?;
        let mut now: u64 = 0;
        let mut track_name: Option<String> = None;
        let first_part = parts.len();
        for event in events {
            let event = event.map_err(|e| MidiFileError::Malformed { track: Some(track_no), reason: e.to_string() })?;
            now += u64::from(event.delta.as_int());
            if now > MAX_TICK.saturating_mul(u64::from(resolution)) {
                grid.tick(now, track_no)?;
            }
            match event.kind {
                TrackEventKind::Midi { channel, message } => {
                    let channel = channel.as_int();
                    let key = (t, channel);
                    let i = *index.entry(key).or_insert_with(|| {
                        parts.push((key, PartBuilder::default()));
                        parts.len() - 1
                    });
                    let part = &mut parts[i].1;
                    match message {
                        MidiMessage::NoteOn { key, vel } if vel.as_int() > 0 => {
                            part.note_on(key.as_int(), vel.as_int(), now);
                        }
                        MidiMessage::NoteOn { key, .. } | MidiMessage::NoteOff { key, .. } => {
                            part.note_off(key.as_int(), now);
                        }
                        MidiMessage::Controller { controller, value } => match controller.as_int() {
                            CC_VOLUME => part.volume.push((now, value.as_int())),
                            CC_PAN => part.pan.push((now, value.as_int())),
                            CC_SUSTAIN => part.sustain(value.as_int() >= 64, now),
                            CC_MOD_WHEEL => part.modulation.push((now, value.as_int())),
                            _ => {}
                        },
                        MidiMessage::ProgramChange { program } => {
                            part.program.get_or_insert(program.as_int());
                        }
                        MidiMessage::PitchBend { .. } => summary.pitch_bends += 1,
                        MidiMessage::Aftertouch { .. } | MidiMessage::ChannelAftertouch { .. } => {}
                    }
                }
                TrackEventKind::SysEx(_) | TrackEventKind::Escape(_) => summary.sysex += 1,
                TrackEventKind::Meta(meta) => match meta {
                    MetaMessage::TrackName(name) if track_name.is_none() => {
                        track_name = Some(text(name)).filter(|n| !n.is_empty());
                    }
                    MetaMessage::Lyric(_) => summary.lyrics += 1,
                    MetaMessage::SmpteOffset(_) => summary.smpte_offsets += 1,
                    MetaMessage::Tempo(us) => match us.as_int() {
                        0 => summary.tempo_zero += 1,
                        us => {
                            // To 1/1000 BPM: 666,666 µs is 90 BPM, not 90.00009.
                            let bpm = (60_000_000_000.0 / f64::from(us)).round() / 1000.0;
                            tempo.insert(now, bpm as f32);
                        }
                    },
                    MetaMessage::TimeSignature(num, pow, _, _) => {
                        signatures.insert(now, (num, pow));
                    }
                    _ => {}
                },
            }
        }
        for (_, part) in &mut parts[first_part..] {
            summary.unclosed += part.finish(now);
            part.name = track_name.clone();
        }
    }

    if found != declared {
        let reason = format!("the header declares {declared} tracks but the file holds {found} (truncated?)");
        return Err(MidiFileError::Malformed { track: None, reason });
    }
    if format == 0 && found > 1 {
        let reason = format!("format 0 allows one track, the file holds {found}");
        return Err(MidiFileError::Malformed { track: None, reason });
    }
    let mut out = Vec::new();
    let with_notes: Vec<_> = parts.into_iter().filter(|(_, p)| !p.closed.is_empty()).collect();
    if with_notes.len() > MAX_PARTS {
        return Err(MidiFileError::TooManyParts { found: with_notes.len(), max: MAX_PARTS });
    }
    let mut channels_per_track: HashMap<usize, usize> = HashMap::new();
    for ((t, _), _) in &with_notes {
        *channels_per_track.entry(*t).or_default() += 1;
    }
    for ((track, channel), mut b) in with_notes {
        let track_no = track + 1;
        b.closed.sort_by_key(|&(key, _, start, _)| (start, key));
        let mut notes = Vec::with_capacity(b.closed.len());
        for &(key, vel, start, end) in &b.closed {
            let s = grid.tick(start, track_no)?;
            let e = grid.tick(end, track_no)?;
            notes.push(Note::new(key, vel.max(1), s, e.saturating_sub(s).max(1)));
        }
        let mut lane = |points: &[(u64, u8)]| -> Result<BTreeMap<Tick, u8>, MidiFileError> {
            points.iter().map(|&(t, v)| Ok((grid.tick(t, track_no)?, v))).collect()
        };
        let volume = lane(&b.volume)?;
        let pan = lane(&b.pan)?;
        let modulation = lane(&b.modulation)?;
        let drums = channel == 9;
        let label = match (&b.name, format) {
            (Some(n), 1) if channels_per_track.get(&track).copied().unwrap_or(0) > 1 => {
                format!("{n} ch {}", channel + 1)
            }
            (Some(n), 1) => n.clone(),
            _ if drums => "drums".to_owned(),
            _ => match b.program {
                Some(p) => format!("{} ch {}", super::gm::GM_PROGRAMS[usize::from(p & 0x7f)].0, channel + 1),
                None => format!("channel {}", channel + 1),
            },
        };
        summary.sustained += b.sustained;
        summary.notes += notes.len();
        out.push(Part { name: label, channel, program: b.program, drums, notes, volume, pan, modulation });
    }
    summary.parts = out.len();

    let mut tempo_points = Vec::with_capacity(tempo.len() + 1);
    if tempo.keys().next().is_none_or(|&t| t > 0) {
        tempo_points.push((0, DEFAULT_TEMPO));
    }
    for (t, bpm) in tempo {
        let clamped = bpm.clamp(TEMPO_RANGE.0, TEMPO_RANGE.1);
        if clamped != bpm {
            summary.tempo_clamped += 1;
        }
        tempo_points.push((grid.tick(t, 1)?, clamped));
    }
    tempo_points.dedup_by(|later, earlier| {
        let same_tick = later.0 == earlier.0;
        if same_tick {
            earlier.1 = later.1;
        }
        same_tick
    });

    let mut time_signature = None;
    for (i, (_, (num, pow))) in signatures.into_iter().enumerate() {
        let sig = (pow <= 5).then(|| TimeSignature { numerator: num, denominator: 1 << pow });
        match sig.filter(TimeSignature::is_valid) {
            Some(s) if i == 0 => time_signature = Some(s),
            Some(s) if Some(s) == time_signature => {}
            _ => summary.time_signatures_dropped += 1,
        }
    }
    summary.rounded = grid.rounded;
    summary.first_rounded = grid.first_rounded;
    Ok(MidiSong { parts: out, tempo: tempo_points, time_signature, summary })
}
