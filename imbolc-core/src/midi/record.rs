//! [`Recorder`]: turns the notes played while recording into one take for
//! the active clip. Times come from the MIDI events (wall time derived from
//! JACK stamps) and the engine's tempo line, so a slow UI frame does not
//! move a note. Sustain-pedal holds lengthen notes until pedal up. Pure:
//! the runtime feeds it events and the transport and commits the take.
//!
//! Limits: the song position is taken as linear from where play started
//! (a seek or loop wrap during a take is not followed); notes outside the
//! clip are dropped (a looping clip wraps them instead).

use std::collections::HashMap;

use imbolc_audio::engine::{TempoAnchor, TransportFeedback};
use imbolc_types::{ClipId, Note, Tick};

use super::live::MidiInbound;
use super::timebase::{play_tick_at, unix_secs, wall_now};

/// What a take does to the notes already in the clip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecordMode {
    /// Adds the take to what is there.
    #[default]
    Overdub,
    /// Removes the notes that start within the take's span first.
    Replace,
}

/// How to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordSettings {
    pub clip: ClipId,
    /// Song tick where the clip's tick 0 is (its placement's start).
    pub origin: Tick,
    /// Grid to snap starts and lengths to (ticks), if any.
    pub quantise: Option<Tick>,
    pub mode: RecordMode,
    /// Ticks of count-in before the take starts (play starts that much
    /// earlier; nothing is recorded during it).
    pub count_in: Tick,
}

/// A finished take, in clip ticks.
#[derive(Debug, Clone, PartialEq)]
pub struct Take {
    pub clip: ClipId,
    pub notes: Vec<Note>,
    pub mode: RecordMode,
    /// Clip ticks the take covered (start inclusive, end exclusive).
    pub span: (Tick, Tick),
}

/// A key down, in song ticks.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Open {
    start: f64,
    velocity: u8,
}

#[derive(Debug, Clone, PartialEq)]
enum State {
    Idle,
    /// Waiting for play; `from` is the song tick the take starts at,
    /// `start` the position play will start from (seen while stopped, or
    /// given: `fixed`).
    Armed {
        from: Tick,
        start: Option<Tick>,
        fixed: bool,
    },
    Recording(Box<Take0>),
}

/// A take in progress.
#[derive(Debug, Clone, PartialEq)]
struct Take0 {
    /// Song tick at play tick 0.
    song0: f64,
    /// Song tick the take starts at (after the count-in).
    from: f64,
    /// Tempo lines seen while recording, oldest first.
    lines: Vec<TempoAnchor>,
    open: HashMap<(u8, u8), Open>,
    /// Keys released while the pedal was down, by channel.
    sustained: HashMap<u8, Vec<(u8, Open)>>,
    pedal: [bool; 16],
    /// Finished notes: pitch, velocity, start and end in song ticks.
    done: Vec<(u8, u8, f64, f64)>,
    last_tick: f64,
}

/// Records takes. See the module docs.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorder {
    settings: Option<RecordSettings>,
    state: State,
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder { settings: None, state: State::Idle }
    }
}

impl Recorder {
    /// Arms: the take starts when play reaches song tick `from`.
    pub fn arm(&mut self, settings: RecordSettings, from: Tick) {
        self.settings = Some(settings);
        self.state = State::Armed { from, start: None, fixed: false };
    }

    /// Arms for a play the caller starts from song tick `start` (a
    /// count-in: `start` = `from` − count-in), so the stopped position seen
    /// before the seek lands is not taken for it.
    pub fn arm_from(&mut self, settings: RecordSettings, from: Tick, start: Tick) {
        self.settings = Some(settings);
        self.state = State::Armed { from, start: Some(start), fixed: true };
    }

    /// Moves the song tick of the clip's tick 0 (a take whose boundary
    /// turned out later or earlier than armed for).
    pub fn set_origin(&mut self, origin: Tick) {
        if let Some(s) = &mut self.settings {
            s.origin = origin;
        }
    }

    /// Whether armed or recording.
    pub fn is_armed(&self) -> bool {
        !matches!(self.state, State::Idle)
    }

    /// Whether a take is being recorded now.
    pub fn is_recording(&self) -> bool {
        matches!(self.state, State::Recording(_))
    }

    /// Disarms; a take in progress ends now and is returned.
    pub fn disarm(&mut self) -> Option<Take> {
        let take = self.finish(Some(wall_now()));
        self.state = State::Idle;
        take
    }

    /// Follows the transport: play starting begins the take, play stopping
    /// ends it (returned).
    pub fn observe(&mut self, transport: &TransportFeedback) -> Option<Take> {
        match (&mut self.state, transport.anchor) {
            (State::Armed { start, fixed: false, .. }, _) if !transport.playing => {
                *start = Some(transport.tick);
                None
            }
            (State::Armed { from, start, .. }, Some(line)) if transport.playing => {
                // Play tick 0 is where play started; when the recorder did
                // not see the stopped position (armed while playing), the
                // published playhead minus the play ticks since is close.
                let song0 = match start {
                    Some(s) => f64::from(*s),
                    None => (f64::from(transport.tick) - play_tick_at(&line, wall_now()).max(0.0)).max(0.0),
                };
                let from = f64::from(*from);
                self.state = State::Recording(Box::new(Take0 {
                    song0,
                    from,
                    lines: vec![line],
                    open: HashMap::new(),
                    sustained: HashMap::new(),
                    pedal: [false; 16],
                    done: Vec::new(),
                    last_tick: from,
                }));
                None
            }
            (State::Recording(take), Some(line)) if transport.playing => {
                if take.lines.last() != Some(&line) {
                    take.lines.push(line);
                }
                None
            }
            (State::Recording(_), _) if !transport.playing => {
                let take = self.finish(Some(wall_now()));
                self.state = State::Idle;
                take
            }
            _ => None,
        }
    }

    /// One event from the MIDI callback.
    pub fn event(&mut self, event: &MidiInbound) {
        let State::Recording(take) = &mut self.state else { return };
        match *event {
            MidiInbound::Note { at, channel, key, velocity, on } => {
                let tick = take.song_tick(at);
                take.last_tick = take.last_tick.max(tick);
                if on {
                    take.end_key(channel, key, tick);
                    take.open.insert((channel, key), Open { start: tick, velocity });
                } else if let Some(open) = take.open.remove(&(channel, key)) {
                    if take.pedal.get(usize::from(channel)).copied().unwrap_or(false) {
                        take.sustained.entry(channel).or_default().push((key, open));
                    } else {
                        take.done.push((key, open.velocity, open.start, tick));
                    }
                }
            }
            MidiInbound::Pedal { at, channel, down } => {
                let tick = take.song_tick(at);
                if let Some(p) = take.pedal.get_mut(usize::from(channel)) {
                    *p = down;
                }
                if !down {
                    for (key, open) in take.sustained.remove(&channel).unwrap_or_default() {
                        take.done.push((key, open.velocity, open.start, tick));
                    }
                }
            }
            _ => {}
        }
    }

    /// Ends the take at `at` (wall time; `None`: the latest event), closing
    /// held and sustained notes there.
    fn finish(&mut self, at: Option<f64>) -> Option<Take> {
        let settings = self.settings?;
        let State::Recording(take) = &mut self.state else { return None };
        let end = at.map_or(take.last_tick, |a| take.song_tick(a));
        let mut raw = std::mem::take(&mut take.done);
        for ((_, key), open) in take.open.drain() {
            raw.push((key, open.velocity, open.start, end.max(open.start + 1.0)));
        }
        for (_, held) in take.sustained.drain() {
            for (key, open) in held {
                raw.push((key, open.velocity, open.start, end.max(open.start + 1.0)));
            }
        }
        let from = take.from;
        let mut notes: Vec<Note> = raw
            .into_iter()
            .filter(|(_, _, start, _)| *start >= from - 0.5)
            .filter_map(|(pitch, velocity, start, end)| to_note(&settings, pitch, velocity, start, end))
            .collect();
        notes.sort_by_key(|n| (n.start, n.pitch));
        let clip_from = (from.round() as i64 - i64::from(settings.origin)).max(0);
        // The take covers up to the stop, or to its last note's end.
        let stop = end.round() as i64 - i64::from(settings.origin);
        let last = notes.iter().map(|n| i64::from(n.start) + i64::from(n.length)).max().unwrap_or(clip_from);
        let span_end = stop.max(last);
        let span =
            (Tick::try_from(clip_from).unwrap_or(0), Tick::try_from(span_end.max(clip_from + 1)).unwrap_or(Tick::MAX));
        Some(Take { clip: settings.clip, notes, mode: settings.mode, span })
    }
}

impl Take0 {
    /// Song tick at wall time `at`, on the tempo line in force then.
    fn song_tick(&self, at: f64) -> f64 {
        let line = self.lines.iter().rev().find(|l| unix_secs(l.timetag) <= at).or(self.lines.first());
        match line {
            Some(line) => self.song0 + play_tick_at(line, at),
            None => self.from,
        }
    }

    /// A key struck again while its previous strike is open or sustained:
    /// the previous note ends here.
    fn end_key(&mut self, channel: u8, key: u8, tick: f64) {
        if let Some(open) = self.open.remove(&(channel, key)) {
            self.done.push((key, open.velocity, open.start, tick));
        }
        if let Some(held) = self.sustained.get_mut(&channel)
            && let Some(i) = held.iter().position(|(k, _)| *k == key)
        {
            let (_, open) = held.remove(i);
            self.done.push((key, open.velocity, open.start, tick));
        }
    }
}

/// A recorded note in clip ticks, quantised if asked; `None` before the
/// clip's origin.
fn to_note(s: &RecordSettings, pitch: u8, velocity: u8, start: f64, end: f64) -> Option<Note> {
    let origin = f64::from(s.origin);
    let (mut start, mut length) = (start - origin, (end - start).max(1.0));
    if let Some(grid) = s.quantise.filter(|g| *g > 0).map(f64::from) {
        start = (start / grid).round() * grid;
        length = ((length / grid).round() * grid).max(grid);
    }
    if start < -0.5 {
        return None;
    }
    let start = Tick::try_from(start.round().max(0.0) as i64).ok()?;
    let length = Tick::try_from(length.round().max(1.0) as i64).ok()?;
    Some(Note::new(pitch.min(127), velocity.clamp(1, 127), start, length))
}

#[cfg(test)]
#[path = "record_tests.rs"]
mod tests;
