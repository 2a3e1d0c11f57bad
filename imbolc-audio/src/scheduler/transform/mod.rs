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
//! - [`arp`]: held notes → one note per step, for each instrument's
//!   [`lanes`] lane; arpeggio notes are grooved as they are made.
//! - [`groove`]: swing and humanize.

mod arp;
mod groove;
mod lanes;
#[cfg(test)]
mod tests;

use imbolc_types::transform::{ChordTones, NoteTransforms};
use imbolc_types::{AudioDiff, InstrumentId, Key};

use super::event::{NoteEvent, NoteEventKind, NoteKey};
use super::tempo::TempoMap;
use super::transport::Cursor;
use lanes::{ArpLane, Grids, PendingOff, Sinks};
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
    settings: IdMap<InstrumentId, NoteTransforms>,
    /// The instruments with an arpeggiator, in id order.
    lanes: Vec<ArpLane>,
    /// Their ids side by side (an event's lane is found by binary search
    /// over these, not over the lanes, which are far apart in memory).
    lane_ids: Vec<InstrumentId>,
    grids: Grids,
    /// Arpeggio note-offs not yet due.
    pending: Vec<PendingOff>,
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
    made: Vec<NoteEvent>,
    sorter: Sorter,
    /// Whether any instrument has chords (not taken whole by an
    /// arpeggiator) or groove (kept by `set`: a window asks per event).
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
        self.lanes = lanes::lanes(&self.settings, std::mem::take(&mut self.lanes));
        self.lane_ids = self.lanes.iter().map(|l| l.id).collect();
        // An arpeggiator takes its chords whole (see `feed`).
        self.any_chord = self.settings.values().any(|t| t.chord.is_some() && t.arp.is_none());
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
        if !self.chorded.is_empty() || self.any_chord {
            events = self.chords(events);
            // Still in time order: only tones of one chord may be out of pitch order.
            sort_chords(&mut events);
        }
        // `out` from `first` keeps each instrument's events in time order
        // (so each note-off finds its own note-on's move); the arpeggio
        // notes, grooved as they are made, wait in `made`.
        let mut made = std::mem::take(&mut self.made);
        made.clear();
        if self.lanes.is_empty() {
            out.append(&mut events);
        } else {
            for e in events.drain(..) {
                let i = self.lane_ids.binary_search(&e.instrument);
                match i.ok().and_then(|i| self.lanes.get_mut(i)) {
                    Some(lane) => lane.input.push(e),
                    None => out.push(e),
                }
            }
            self.grids.start();
            for lane in &mut self.lanes {
                let own = lane.chord.and_then(|_| self.own_keys.get(&lane.id));
                let key = own.copied().unwrap_or(self.key);
                let sinks = Sinks { out, made: &mut made, pending: &mut self.pending };
                lane.arpeggiate(w, &mut self.grids, key, sinks);
            }
        }
        self.scratch = events;
        let mut sorted = made.is_empty() && self.lanes.is_empty();
        if !self.moved.is_empty() || self.any_groove {
            sorted &= !self.groove(out, first, w);
        }
        let end = w.tempo.time_of(w.hi);
        let mut i = 0;
        while i < self.pending.len() {
            if self.pending.get(i).is_some_and(|p| p.off.time < end) {
                made.push(self.pending.swap_remove(i).off);
                sorted = false;
            } else {
                i += 1;
            }
        }
        out.append(&mut made);
        self.made = made;
        if !sorted {
            self.sorter.sort(&mut out[first..]);
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
        kept.extend(self.pending.drain(..).map(|p| NoteEvent { time: (at + p.secs).max(at), ..p.off }));
        for e in &mut kept {
            if let Some(m) = self.moved.remove(&(e.instrument, e.key)) {
                e.time = (e.time + m.secs).max(at);
                e.velocity = m.velocity;
            }
        }
        self.moved.clear();
        for lane in &mut self.lanes {
            lane.state.clear();
        }
        out.extend(kept);
        self.sorter.sort(&mut out[first..]);
    }

    /// Whether `id`'s arpeggiator is on.
    pub(crate) fn arpeggiates(&self, id: InstrumentId) -> bool {
        self.settings.get(&id).is_some_and(|t| t.arp.is_some())
    }

    /// No arpeggiator holds a note and no arpeggio note-off is pending.
    pub(crate) fn arps_idle(&self) -> bool {
        self.pending.is_empty() && self.lanes.iter().all(|l| l.state.is_idle())
    }

    /// Nothing to do: no transforms and nothing of earlier ones sounding.
    fn is_idle(&self) -> bool {
        self.settings.is_empty() && self.pending.is_empty() && self.moved.is_empty() && self.chorded.is_empty()
    }

    /// Each note of an instrument with a chord becomes the chord's tones
    /// (tone `i` keyed `i`, so the lowest keeps the written key); a
    /// note-off ends the tones its note-on made, whatever the settings now.
    fn chords(&mut self, mut events: Vec<NoteEvent>) -> Vec<NoteEvent> {
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
                    if self.lane_ids.binary_search(&e.instrument).is_ok() {
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

    /// Swing and humanize of the instruments with groove, on the events
    /// from `first` on (each instrument's in time order); whether any
    /// moved.
    fn groove(&mut self, out: &mut [NoteEvent], first: usize, w: Window<'_>) -> bool {
        let spt = groove::secs_per_tick(w.tempo);
        let mut any = false;
        for e in out.iter_mut().skip(first) {
            let m = match e.kind {
                NoteEventKind::On => {
                    let Some(g) = self.settings.get(&e.instrument).and_then(|t| t.groove) else { continue };
                    let play = w.tempo.tick_at(e.time).round().max(0.0) as u64;
                    let song = w.cursor.locate(play).0;
                    let m = groove::groove_move(&groove::Groove::new(g), e.instrument, &e.key, song, e.velocity, spt);
                    self.moved.insert((e.instrument, e.key), m);
                    m
                }
                NoteEventKind::Off => match self.moved.remove(&(e.instrument, e.key)) {
                    Some(m) => m,
                    None => continue,
                },
            };
            e.time += m.secs;
            e.velocity = m.velocity;
            any = true;
        }
        any
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

/// Puts events in the scheduler's order: time, offs first, then
/// instrument, pitch and key. Sorts one integer per event (time, kind,
/// instrument, pitch and index packed), then moves each event once: a
/// window's events are 64 bytes each and their times nearly always
/// differ, so this is several times cheaper than sorting them. Events
/// equal but for their key (rare) are then ordered by key.
#[derive(Debug, Clone, Default)]
struct Sorter {
    keys: Vec<u128>,
    moved: Vec<NoteEvent>,
}

/// Bits of a sort key holding the event's index.
const INDEX_BITS: u32 = 23;

impl Sorter {
    fn sort(&mut self, events: &mut [NoteEvent]) {
        if events.len() >= 1 << INDEX_BITS {
            events.sort_unstable_by(scheduler_order);
            return;
        }
        self.keys.clear();
        self.keys.extend(events.iter().zip(0u32..).map(|(e, i)| sort_key(e, i)));
        self.keys.sort_unstable();
        let at = |k: u128| usize::try_from(k & ((1 << INDEX_BITS) - 1)).ok().and_then(|i| events.get(i));
        self.moved.clear();
        self.moved.extend(self.keys.iter().filter_map(|k| at(*k)));
        // Every index is in range, so nothing was left out.
        if self.moved.len() != events.len() {
            return;
        }
        events.copy_from_slice(&self.moved);
        if !self.keys.windows(2).any(|w| w[0] >> INDEX_BITS == w[1] >> INDEX_BITS) {
            return;
        }
        let mut rest = &mut events[..];
        let mut keys = self.keys.as_slice();
        while let Some(&k) = keys.first() {
            let n = keys.iter().take_while(|x| *x >> INDEX_BITS == k >> INDEX_BITS).count().max(1);
            let (run, later) = rest.split_at_mut(n.min(rest.len()));
            if run.len() > 1 {
                run.sort_unstable_by_key(|a| a.key);
            }
            rest = later;
            keys = keys.get(n..).unwrap_or_default();
        }
    }
}

/// Time, kind, instrument and pitch packed above the event's index `i`.
fn sort_key(e: &NoteEvent, i: u32) -> u128 {
    let kind = u128::from(e.kind == NoteEventKind::On);
    u128::from(time_key(e.time)) << 64
        | kind << 63
        | u128::from(e.instrument.0) << 31
        | u128::from(e.pitch) << INDEX_BITS
        | u128::from(i)
}

/// The scheduler's order of two events.
fn scheduler_order(x: &NoteEvent, y: &NoteEvent) -> std::cmp::Ordering {
    time_key(x.time)
        .cmp(&time_key(y.time))
        .then_with(|| x.kind.cmp(&y.kind))
        .then_with(|| x.instrument.cmp(&y.instrument))
        .then_with(|| x.pitch.cmp(&y.pitch))
        .then_with(|| x.key.cmp(&y.key))
}

/// Seconds as an integer in the order of `f64::total_cmp`.
fn time_key(t: f64) -> u64 {
    let bits = t.to_bits();
    if bits >> 63 == 1 { !bits } else { bits | 1 << 63 }
}
