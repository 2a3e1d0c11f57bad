//! Live notes into the arpeggiator: keys held by musical typing or MIDI on
//! an instrument whose arpeggiator is on feed it like written notes, and
//! its steps come out as the scheduler's note events (timetagged, so
//! sample-exact).
//!
//! - While the transport plays, a key joins the held notes at the next
//!   window (at most one lookahead after it is pressed) and the steps fall
//!   on the song's grid, with the sequenced notes of that instrument.
//! - While it is stopped, the arpeggiator runs on its own clock: its first
//!   step sounds at the key press, the grid counted from there, at the
//!   project tempo. It runs until no key is held and nothing latched
//!   sounds. Play ends it (its notes end where play starts) and the keys
//!   still held join the song's grid; stop ends the song's arpeggio and
//!   the keys still held start the own clock again.
//!
//! A live note's key names no clip ([`LIVE_CLIP`]) and carries the
//! caller's voice id, so its note-off finds it.

use imbolc_types::{ClipId, InstrumentId, NoteId};

use super::super::layers::{LayerStage, sort};
use super::super::tempo::TempoMap;
use super::super::transform::Window;
use super::super::transport::{Cursor, Wrap};
use super::{NoteEvent, NoteEventKind, NoteKey, Scheduler};

/// The clip of live notes' keys: no clip has this id.
pub const LIVE_CLIP: ClipId = ClipId(u32::MAX);

/// Live notes of arpeggiated instruments.
#[derive(Debug, Clone, Default)]
pub(super) struct LiveArp {
    /// Key presses and releases not yet fed (the next window takes them).
    incoming: Vec<NoteEvent>,
    /// The note-ons of the keys held now.
    held: Vec<NoteEvent>,
    /// The own clock while the transport is stopped.
    free: Option<FreeClock>,
}

/// The arpeggiator's own clock: play tick 0 at the key press.
#[derive(Debug, Clone, Copy)]
struct FreeClock {
    tempo: TempoMap,
    next_tick: u64,
    horizon: f64,
}

impl FreeClock {
    fn at(secs: f64, bpm: f32) -> Self {
        FreeClock { tempo: TempoMap::new(secs, 0.0, bpm), next_tick: 0, horizon: secs }
    }
}

fn live_key(voice: u64) -> NoteKey {
    #[allow(clippy::cast_possible_truncation)]
    let note = NoteId(voice as u32);
    NoteKey { clip: LIVE_CLIP, note, placement: None, tone: 0 }
}

impl Scheduler {
    /// The layer links (the live path layers its voices by them).
    pub fn layers(&self) -> &LayerStage {
        &self.layers
    }

    /// Whether `instrument`'s arpeggiator is on: its live keys then go
    /// through [`Scheduler::live_note_on`].
    pub fn arpeggiates(&self, instrument: InstrumentId) -> bool {
        self.transforms.arpeggiates(instrument)
    }

    /// Whether the arpeggiator runs on its own clock (stopped, live keys
    /// held or latched): the engine then keeps calling windows.
    pub fn is_free_running(&self) -> bool {
        self.live.free.is_some()
    }

    /// A live key pressed at clock time `now` on an arpeggiated
    /// instrument; `voice` names it for its release.
    pub fn live_note_on(&mut self, instrument: InstrumentId, pitch: u8, velocity: u8, voice: u64, now: f64) {
        let e = NoteEvent {
            time: now,
            kind: NoteEventKind::On,
            instrument,
            pitch: pitch.min(127),
            velocity: velocity.clamp(1, 127),
            key: live_key(voice),
            audio: None,
        };
        self.live.held.push(e);
        self.live.incoming.push(e);
        if !self.playing && self.live.free.is_none() {
            self.live.free = Some(FreeClock::at(now, self.bpm));
        }
    }

    /// A live key released at `now`; false when it was not fed to the
    /// arpeggiator (its voice is an ordinary live voice).
    pub fn live_note_off(&mut self, voice: u64, now: f64) -> bool {
        let key = live_key(voice);
        let Some(i) = self.live.held.iter().position(|e| e.key == key) else { return false };
        let on = self.live.held.swap_remove(i);
        self.live.incoming.push(NoteEvent { time: now, kind: NoteEventKind::Off, ..on });
        true
    }

    /// Appends the live notes that arrived since the last window, at the
    /// window's start at the earliest (before the window is sorted).
    pub(super) fn feed_live(&mut self, out: &mut Vec<NoteEvent>) {
        let from = self.horizon;
        out.extend(self.live.incoming.drain(..).map(|e| NoteEvent { time: e.time.max(from), ..e }));
    }

    /// A window while stopped (or empty): the arpeggiator's own clock runs
    /// when live keys hold it; edits' note-offs still end layered notes.
    pub(super) fn stopped_window(&mut self, to: f64, out: &mut Vec<NoteEvent>, first: usize) {
        if let Some(mut free) = self.live.free.filter(|f| !self.playing && to > f.horizon) {
            let lo = free.next_tick;
            let hi = free.tempo.first_tick_at_or_after(to, lo);
            let from = free.horizon;
            out.extend(self.live.incoming.drain(..).map(|e| NoteEvent { time: e.time.max(from), ..e }));
            sort(&mut out[first..]);
            let cursor = Cursor::new(0, 0, Wrap::Linear);
            self.transforms.window(out, first, Window { lo, hi, tempo: &free.tempo, cursor: &cursor });
            free.next_tick = hi;
            free.horizon = to;
            let running = !self.live.held.is_empty() || !self.transforms.arps_idle();
            self.live.free = running.then_some(free);
        }
        self.layers.window(out, first);
    }

    /// Play started: the own clock's notes end where play starts, and the
    /// keys still held join the song's grid.
    pub(super) fn end_free_run(&mut self, out: &mut Vec<NoteEvent>, first: usize) {
        if self.live.free.take().is_some() {
            self.transforms.stop(out, first, self.horizon);
            self.live.incoming.clone_from(&self.live.held);
        }
    }

    /// Before a stop: a stop while the own clock runs ends its notes at
    /// its horizon.
    pub(super) fn before_stop(&mut self) {
        if let Some(free) = self.live.free.take().filter(|_| !self.playing) {
            self.horizon = self.horizon.max(free.horizon);
        }
    }

    /// After a stop: keys still held start the own clock from the horizon.
    pub(super) fn after_stop(&mut self) {
        if !self.live.held.is_empty() {
            self.live.free = Some(FreeClock::at(self.horizon, self.bpm));
            self.live.incoming.clone_from(&self.live.held);
        }
    }
}
