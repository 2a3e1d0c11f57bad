//! Note transforms (chords, arpeggiator, groove, in that order) as one stage between the
//! scheduler's note events and the engine: each window's events of an
//! instrument with transforms are replaced by what the transforms make of
//! them; other instruments' events pass untouched (and cost one lookup).
//!
//! The stage sees the window's ticks and times, the tempo map and the
//! cursor (play tick → song tick), so generated notes are timed by the
//! same tempo map as written notes: sample-exact, live and in renders.
//!
//! - chords: each note → the tones of its chord shape
//!   ([`imbolc_types::transform::ChordSettings::tones`]).
//! - [`arp`]: held notes → one note per step.
//! - [`groove`]: swing and humanize.

mod arp;
mod groove;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use imbolc_types::transform::{ChordSettings, ChordTones, NoteTransforms};
use imbolc_types::{AudioDiff, InstrumentId, Key};

use super::event::{NoteEvent, NoteEventKind, NoteKey};
use super::tempo::TempoMap;
use super::transport::Cursor;
use arp::{ArpState, Held};
/// The stage's maps are keyed by project ids, not attacker-chosen:
/// foldhash (already hashbrown's) instead of SipHash.
type IdMap<K, V> = foldhash::HashMap<K, V>;

/// The part of the timeline one call covers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window<'a> {
    /// Play ticks `[lo, hi)`.
    pub lo: u64,
    pub hi: u64,
    pub tempo: &'a TempoMap,
    pub cursor: &'a Cursor,
}

/// The transforms stage of the scheduler.
#[derive(Debug, Clone, Default)]
pub struct TransformStage {
    settings: BTreeMap<InstrumentId, NoteTransforms>,
    arps: IdMap<InstrumentId, ArpState>,
    /// Arpeggio note-offs not yet due.
    pending: Vec<NoteEvent>,
    /// How each grooved sounding note moved, for its note-off.
    moved: IdMap<(InstrumentId, NoteKey), groove::Move>,
    /// The tones each sounding chorded note became, for its note-off.
    chorded: IdMap<(InstrumentId, NoteKey), ChordTones>,
    /// The project's key and the instruments' own (diatonic chords).
    key: Key,
    own_keys: IdMap<InstrumentId, Key>,
    /// Reused buffers (a window allocates nothing once warm).
    scratch: Vec<NoteEvent>,
    chorded_scratch: Vec<NoteEvent>,
    steps: Vec<(u64, u64)>,
    /// The instruments with an arpeggiator, in id order, and whether any
    /// has chords or groove (kept by `set`: a window asks per event).
    arp_ids: Vec<InstrumentId>,
    /// Each arpeggiated instrument's events of the window (reused).
    inputs: IdMap<InstrumentId, Vec<NoteEvent>>,
    any_chord: bool,
    any_groove: bool,
}

impl TransformStage {
    /// The stage for a scene's instruments.
    pub fn new(scene: &imbolc_types::AudioScene) -> Self {
        let mut stage = TransformStage { key: scene.pitch.key, ..TransformStage::default() };
        for i in &scene.instruments {
            stage.set(i.id, &i.def.transforms);
            if let Some(p) = &i.def.pitch {
                stage.own_keys.insert(i.id, p.key);
            }
        }
        stage
    }

    /// Whether any instrument has transforms.
    pub fn is_empty(&self) -> bool {
        self.settings.is_empty()
    }

    /// Follows the instruments' transforms.
    pub fn apply(&mut self, diff: &AudioDiff) {
        match diff {
            AudioDiff::SceneLoaded(scene) => *self = TransformStage::new(scene),
            AudioDiff::InstrumentAdded { instrument, .. } => {
                self.set(instrument.id, &instrument.def.transforms);
                if let Some(p) = &instrument.def.pitch {
                    self.own_keys.insert(instrument.id, p.key);
                }
            }
            AudioDiff::InstrumentRemoved { instrument } => {
                self.set(*instrument, &NoteTransforms::default());
                self.own_keys.remove(instrument);
            }
            AudioDiff::TransformsChanged { instrument, transforms } => self.set(*instrument, transforms),
            AudioDiff::PitchChanged { instrument: None, pitch: Some(p) } => self.key = p.key,
            AudioDiff::PitchChanged { instrument: Some(id), pitch } => match pitch {
                Some(p) => {
                    self.own_keys.insert(*id, p.key);
                }
                None => {
                    self.own_keys.remove(id);
                }
            },
            _ => {}
        }
    }

    fn set(&mut self, id: InstrumentId, t: &NoteTransforms) {
        if t.is_empty() {
            self.settings.remove(&id);
        } else {
            self.settings.insert(id, t.clone());
        }
        if t.arp.is_none() {
            self.arps.remove(&id);
        }
        self.arp_ids = self.settings.iter().filter(|(_, t)| t.arp.is_some()).map(|(id, _)| *id).collect();
        self.inputs.retain(|id, _| self.arp_ids.binary_search(id).is_ok());
        for id in &self.arp_ids {
            self.inputs.entry(*id).or_default();
        }
        self.any_chord = self.settings.values().any(|t| t.chord.is_some());
        self.any_groove = self.settings.values().any(|t| t.groove.is_some());
    }

    /// Transforms the events appended to `out` from index `first` on (one
    /// window, sorted) and sorts them again.
    pub(crate) fn window(&mut self, out: &mut Vec<NoteEvent>, first: usize, w: Window<'_>) {
        if self.is_idle() {
            return;
        }
        let mut events = std::mem::take(&mut self.scratch);
        events.clear();
        events.extend(out.drain(first..));
        let mut events = self.chords(events);
        // Still in time order: only tones of one chord may be out of pitch order.
        sort_chords(&mut events);
        let mut sorted = true;
        if self.arp_ids.is_empty() {
            out.append(&mut events);
        } else {
            // Arpeggiated instruments' events, each instrument's in time
            // order; the others go out as they are.
            let mut inputs = std::mem::take(&mut self.inputs);
            for e in events.drain(..) {
                match inputs.get_mut(&e.instrument) {
                    Some(mine) => mine.push(e),
                    None => out.push(e),
                }
            }
            let arp_ids = std::mem::take(&mut self.arp_ids);
            for id in &arp_ids {
                if let Some(mine) = inputs.get_mut(id) {
                    self.arpeggiate(*id, mine, w, out);
                    mine.clear();
                }
            }
            self.arp_ids = arp_ids;
            self.inputs = inputs;
            sorted = false;
        }
        self.scratch = events;
        let end = w.tempo.time_of(w.hi);
        let mut i = 0;
        while i < self.pending.len() {
            if self.pending.get(i).is_some_and(|e| e.time < end) {
                out.push(self.pending.swap_remove(i));
                sorted = false;
            } else {
                i += 1;
            }
        }
        if !self.moved.is_empty() || self.any_groove {
            // In time order, so each note-off finds its own note-on's move.
            if !sorted {
                sort(&mut out[first..]);
            }
            self.groove(out, first, w);
            sorted = false;
        }
        if !sorted {
            sort(&mut out[first..]);
        }
    }

    /// At stop: every arpeggio note ends at `at`; held notes are forgotten.
    /// Events of arpeggiated instruments appended from `first` (the
    /// written notes' offs) are dropped.
    pub(crate) fn stop(&mut self, out: &mut Vec<NoteEvent>, first: usize, at: f64) {
        if self.is_idle() {
            return;
        }
        let drained: Vec<NoteEvent> = out.drain(first..).collect();
        let settings = &self.settings;
        let mut kept: Vec<NoteEvent> =
            drained.into_iter().filter(|e| settings.get(&e.instrument).is_none_or(|t| t.arp.is_none())).collect();
        kept = self.chords(kept);
        self.chorded.clear();
        kept.extend(self.pending.drain(..).map(|e| NoteEvent { time: at, ..e }));
        for e in &mut kept {
            if let Some(m) = self.moved.remove(&(e.instrument, e.key)) {
                e.time = (e.time + m.secs).max(at);
                e.velocity = m.velocity;
            }
        }
        self.moved.clear();
        for a in self.arps.values_mut() {
            a.clear();
        }
        out.extend(kept);
        sort(&mut out[first..]);
    }

    /// Whether `id`'s arpeggiator is on.
    pub(crate) fn arpeggiates(&self, id: InstrumentId) -> bool {
        self.settings.get(&id).is_some_and(|t| t.arp.is_some())
    }

    /// No arpeggiator holds a note and no arpeggio note-off is pending.
    pub(crate) fn arps_idle(&self) -> bool {
        self.pending.is_empty() && self.arps.values().all(ArpState::is_idle)
    }

    /// Nothing to do: no transforms and nothing of earlier ones sounding.
    fn is_idle(&self) -> bool {
        self.settings.is_empty() && self.pending.is_empty() && self.moved.is_empty() && self.chorded.is_empty()
    }

    /// Each note of an instrument with a chord becomes the chord's tones
    /// (tone `i` keyed `i`, so the lowest keeps the written key); a
    /// note-off ends the tones its note-on made, whatever the settings now.
    fn chords(&mut self, mut events: Vec<NoteEvent>) -> Vec<NoteEvent> {
        if self.chorded.is_empty() && !self.any_chord {
            return events;
        }
        let mut out = std::mem::take(&mut self.chorded_scratch);
        out.clear();
        for e in events.drain(..) {
            let id = (e.instrument, e.key);
            let tones = match e.kind {
                NoteEventKind::On => {
                    // The arpeggiator takes a chord whole (see `feed`).
                    let Some(c) = self.settings.get(&e.instrument).and_then(|t| t.chord) else {
                        out.push(e);
                        continue;
                    };
                    if self.arp_ids.binary_search(&e.instrument).is_ok() {
                        out.push(e);
                        continue;
                    }
                    let key = self.own_keys.get(&e.instrument).copied().unwrap_or(self.key);
                    let tones = c.chord_tones(e.pitch, key);
                    self.chorded.insert(id, tones);
                    tones
                }
                NoteEventKind::Off => match self.chorded.remove(&id) {
                    Some(t) => t,
                    None => {
                        out.push(e);
                        continue;
                    }
                },
            };
            for (i, &p) in tones.as_slice().iter().enumerate() {
                let tone = u8::try_from(i).unwrap_or(u8::MAX);
                out.push(NoteEvent { pitch: p, key: NoteKey { tone, ..e.key }, ..e });
            }
        }
        self.chorded_scratch = events;
        out
    }

    /// Replaces `events` (one instrument's written notes in the window) by
    /// its arpeggio steps.
    fn arpeggiate(&mut self, id: InstrumentId, events: &[NoteEvent], w: Window<'_>, out: &mut Vec<NoteEvent>) {
        let Some(t) = self.settings.get(&id) else { return };
        let Some(s) = t.arp else { return };
        let chord = t.chord.map(|c| (c, self.own_keys.get(&id).copied().unwrap_or(self.key)));
        let state = self.arps.entry(id).or_default();
        if events.is_empty() && state.is_idle() {
            return;
        }
        let step = u64::from(s.step_ticks());
        let mut next = events.iter().peekable();
        let mut steps = std::mem::take(&mut self.steps);
        steps.clear();
        w.cursor.pieces(w.lo, w.hi, |piece| {
            let mut song = piece.song_lo.div_ceil(step) * step;
            while song < piece.song_hi {
                steps.push((piece.play + (song - piece.song_lo), song));
                song += step;
            }
        });
        for &(play, song) in &steps {
            let time = w.tempo.time_of(play);
            while let Some(e) = next.next_if(|e| e.time <= time) {
                out.extend(feed(state, e, s.latch, chord));
            }
            let Some((held, pitch)) = state.next(&s, id, song) else { continue };
            // Alternate keys so that a step's note-off can never end the
            // next step's note (gate 1: they meet).
            let key = NoteKey { tone: 0x80 | u8::from(song / step % 2 == 1), ..held.key };
            let on = NoteEvent {
                time,
                kind: NoteEventKind::On,
                instrument: id,
                pitch,
                velocity: held.velocity,
                key,
                audio: None,
            };
            let off_tick = play as f64 + f64::from(s.gate) * step as f64;
            out.push(on);
            self.pending.push(NoteEvent { time: w.tempo.time_of_fractional(off_tick), kind: NoteEventKind::Off, ..on });
        }
        for e in next {
            out.extend(feed(state, e, s.latch, chord));
        }
        self.steps = steps;
    }

    /// Swing and humanize of the instruments with groove, on the events
    /// from `first` on.
    fn groove(&mut self, out: &mut [NoteEvent], first: usize, w: Window<'_>) {
        let spt = w.tempo.time_of(1) - w.tempo.time_of(0);
        for e in out.iter_mut().skip(first) {
            let groove = self.settings.get(&e.instrument).and_then(|t| t.groove);
            match e.kind {
                NoteEventKind::On => {
                    let Some(g) = groove else { continue };
                    let play = w.tempo.tick_at(e.time).round().max(0.0) as u64;
                    let song = w.cursor.locate(play).0;
                    let m = groove::groove_move(&g, e.instrument, &e.key, song, e.velocity, spt);
                    e.time += m.secs;
                    e.velocity = m.velocity;
                    self.moved.insert((e.instrument, e.key), m);
                }
                NoteEventKind::Off => {
                    if let Some(m) = self.moved.remove(&(e.instrument, e.key)) {
                        e.time += m.secs;
                        e.velocity = m.velocity;
                    }
                }
            }
        }
    }
}

/// Feeds a written note, as its chord's tones, to the arpeggiator. A
/// note-off it did not hold (a note that started before the arpeggiator
/// was on) passes through.
fn feed(state: &mut ArpState, e: &NoteEvent, latch: bool, chord: Option<(ChordSettings, Key)>) -> Option<NoteEvent> {
    match e.kind {
        NoteEventKind::On => {
            let tones = chord.map_or(ChordTones::single(e.pitch), |(c, key)| c.chord_tones(e.pitch, key));
            state.note_on(Held { key: e.key, pitch: e.pitch, velocity: e.velocity, order: 0 }, tones, latch);
            None
        }
        NoteEventKind::Off => (!state.note_off(&e.key, latch)).then_some(*e),
    }
}

/// Sorts events that are in the scheduler's order except within runs of
/// one time, kind and instrument (a chord's tones): each run by pitch and
/// key.
fn sort_chords(events: &mut [NoteEvent]) {
    let mut rest = events;
    while let Some(first) = rest.first().copied() {
        let n = rest
            .iter()
            .take_while(|e| e.time == first.time && e.kind == first.kind && e.instrument == first.instrument)
            .count()
            .max(1);
        let (run, later) = rest.split_at_mut(n);
        if run.len() > 1 {
            run.sort_unstable_by(|a, b| a.pitch.cmp(&b.pitch).then(a.key.cmp(&b.key)));
        }
        rest = later;
    }
}

/// The scheduler's event order: time, offs first, then instrument, pitch
/// and key.
fn sort(events: &mut [NoteEvent]) {
    events.sort_unstable_by(|a, b| {
        a.time
            .total_cmp(&b.time)
            .then(a.kind.cmp(&b.kind))
            .then(a.instrument.cmp(&b.instrument))
            .then(a.pitch.cmp(&b.pitch).then(a.key.cmp(&b.key)))
    });
}
