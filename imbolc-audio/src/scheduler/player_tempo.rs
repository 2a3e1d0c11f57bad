//! The [`Scheduler`]'s tempo moves: a tempo change at a future play tick
//! (tap tempo takes effect on the next bar line) and nudges (the tempo
//! pushed faster or slower for one beat, like a hand on a record, then
//! back).
//!
//! A window is cut at each move's tick: the ticks before it keep the old
//! tempo line, and the line continues from exactly that tick at the new
//! tempo, so nothing already sent moves and the move lands on its tick.

use imbolc_types::TICKS_PER_QUARTER;

use super::super::launcher::next_boundary;
use super::*;

/// How much a nudge changes the tempo, for how long: 4 % for one beat
/// moves the music by 4 % of a beat (about 20 ms at 120 bpm).
pub const NUDGE_FACTOR: f32 = 0.04;
/// Play ticks a nudge lasts.
pub const NUDGE_TICKS: u64 = TICKS_PER_QUARTER as u64;

/// How far (ticks) the scheduler's line may be from a followed one before
/// it is re-anchored: 0.05 tick is 50 µs at 120 bpm.
const FOLLOW_TOLERANCE: f64 = 0.05;

impl Scheduler {
    /// In song mode, takes the tempo of an enabled tempo lane at the first
    /// unscheduled tick (re-anchoring at the horizon, like any tempo change);
    /// not while following Link, whose tempo wins.
    pub(super) fn follow_tempo_lane(&mut self) {
        if self.mode != PlayMode::Song || self.following {
            return;
        }
        let song = self.cursor.locate(self.next_tick).0;
        if let Some(bpm) = self.automation.tempo_at(song)
            && sane_tempo(bpm) != self.bpm
        {
            self.set_tempo(bpm);
        }
    }

    /// Emits the events of the window `[horizon, to)` and moves the horizon
    /// to `to`, cut at the tempo moves inside it. Notes ended by edits
    /// since the last window come first, at the window's start. Appended
    /// events are sorted by time, note-offs before note-ons at equal times.
    pub fn advance(&mut self, to: f64, out: &mut Vec<NoteEvent>) {
        while self.playing && to > self.horizon {
            let Some(&(tick, bpm)) = self.tempo_moves.first() else { break };
            let at = self.tempo.time_of(tick);
            if at >= to {
                break;
            }
            if at > self.horizon {
                self.advance_once(at, out);
            }
            self.tempo_moves.remove(0);
            if let Some(bpm) = bpm {
                self.bpm = sane_tempo(bpm);
            }
            // `advance_once` stopped right before `tick` (its time is the
            // horizon): the new line starts exactly there.
            self.tempo = if at >= self.horizon && self.next_tick == tick {
                TempoMap::new(at, tick as f64, self.bpm)
            } else {
                self.tempo.reanchored(self.horizon, self.bpm)
            };
        }
        self.advance_once(to, out);
    }

    /// Sets the tempo from the next bar line of the song (while stopped:
    /// at once). The same tempo arriving as an edit before then waits for
    /// the bar line too (see [`Scheduler::set_tempo`]).
    pub fn set_tempo_at_bar(&mut self, bpm: f32) {
        if !self.playing {
            self.set_tempo(bpm);
            return;
        }
        let bar = super::super::metronome::bar_ticks(self.time_signature);
        let at = next_boundary(&self.cursor, self.next_tick.max(self.cursor.origin_play), bar);
        self.tempo_moves.retain(|(_, b)| b.is_none());
        self.insert_move(at, Some(sane_tempo(bpm)));
    }

    /// Pushes the music faster (or holds it back) for one beat from the
    /// horizon, then goes back to the tempo. Pressed again during a nudge,
    /// the nudge lasts one beat from then. Does nothing while stopped.
    pub fn nudge(&mut self, faster: bool) {
        if !self.playing {
            return;
        }
        let factor = if faster { 1.0 + NUDGE_FACTOR } else { 1.0 - NUDGE_FACTOR };
        self.tempo = self.tempo.reanchored(self.horizon, self.bpm * factor);
        self.tempo_moves.retain(|(_, b)| b.is_some());
        self.insert_move(self.next_tick + NUDGE_TICKS, None);
    }

    /// Whether a tempo move to `bpm` waits for its tick (an edit setting
    /// the same tempo then waits with it).
    pub(super) fn tempo_move_pending(&self, bpm: f32) -> bool {
        let bpm = sane_tempo(bpm);
        self.tempo_moves.iter().any(|(_, b)| *b == Some(bpm))
    }

    /// Play stops or starts: a waiting tempo takes effect now, a nudge
    /// ends.
    pub(super) fn settle_tempo_moves(&mut self) {
        for (_, bpm) in std::mem::take(&mut self.tempo_moves) {
            if let Some(bpm) = bpm {
                self.bpm = bpm;
            }
        }
    }

    /// Follows an outside timeline (Ableton Link): from the horizon on,
    /// play tick `tick` is there (`None`: the tick the line reaches there)
    /// and the tempo is `bpm`. Stopped, only the tempo is taken. Returns whether anything changed; a line that
    /// agrees within `FOLLOW_TOLERANCE` ticks is left alone, so the
    /// tempo map is not re-anchored every turn for rounding noise.
    pub fn follow_line(&mut self, tick: Option<f64>, bpm: f32) -> bool {
        let bpm = sane_tempo(bpm);
        if !self.playing {
            let changed = bpm != self.bpm;
            self.bpm = bpm;
            return changed;
        }
        self.following = true;
        let tick = tick.unwrap_or_else(|| self.tempo.tick_at(self.horizon));
        let drift = self.tempo.tick_at(self.horizon) - tick;
        if bpm == self.bpm && drift.abs() < FOLLOW_TOLERANCE {
            return false;
        }
        self.bpm = bpm;
        self.tempo = TempoMap::new(self.horizon, tick, bpm);
        true
    }

    /// The (fractional) play tick the tempo line reaches at the horizon.
    pub fn tick_at_horizon(&self) -> f64 {
        self.tempo.tick_at(self.horizon)
    }

    fn insert_move(&mut self, tick: u64, bpm: Option<f32>) {
        let i = self.tempo_moves.partition_point(|(t, _)| *t <= tick);
        self.tempo_moves.insert(i, (tick, bpm));
    }
}
