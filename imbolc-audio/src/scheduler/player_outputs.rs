//! The [`Scheduler`]'s metronome and count-in settings, and what its
//! windows produce beside notes: drum hits, clicks and automation events.

use super::*;

impl Scheduler {
    /// Appends the drum hits of the latest window (each window replaces
    /// the last one's untaken hits), in time order; they interleave with
    /// that window's note events by time.
    pub fn take_hits(&mut self, out: &mut Vec<DrumHit>) {
        out.append(&mut self.hits);
    }

    /// Times pending hits on the tempo map and queues them, sorted.
    pub(super) fn push_hits(&mut self, pending: Vec<PendingHit>) {
        let first = self.hits.len();
        self.hits.extend(pending.into_iter().map(|h| DrumHit {
            time: self.tempo.time_of_fractional(h.play_tick),
            instrument: h.instrument,
            pad: h.key.pad,
            velocity: h.velocity,
            pitch: h.pitch,
            key: h.key,
        }));
        if let Some(new) = self.hits.get_mut(first..) {
            new.sort_by(|a, b| a.time.total_cmp(&b.time).then(a.instrument.cmp(&b.instrument)).then(a.key.cmp(&b.key)));
        }
    }

    /// Turns the click on beats on or off (takes effect from the next window).
    pub fn set_metronome(&mut self, on: bool) {
        self.metronome = on;
    }

    pub fn metronome(&self) -> bool {
        self.metronome
    }

    /// Bars of clicks before the song starts on the next play (clamped to 0..=2).
    pub fn set_count_in(&mut self, bars: u8) {
        self.count_in_bars = bars.min(2);
    }

    pub fn count_in(&self) -> u8 {
        self.count_in_bars
    }

    /// The song position at clock time `secs` with the part of a tick
    /// ([`Scheduler::position_at`] is whole ticks): where a take's first
    /// sample lies, so its clip lands on the sample, not up to a tick early.
    pub fn song_position_at(&self, secs: f64) -> f64 {
        let whole = f64::from(self.position_at(secs));
        let tick = self.tempo.tick_at(secs);
        let counted = self.playing && tick.is_finite() && tick >= self.cursor.origin_play as f64;
        if counted { whole + (tick - tick.floor()) } else { whole }
    }

    /// The clock time the current play's count-in ends, if it is later
    /// than `secs`.
    pub fn count_in_ends_after(&self, secs: f64) -> Option<f64> {
        (self.playing && self.count_in_end > 0).then(|| self.tempo.time_of(self.count_in_end)).filter(|&t| t > secs)
    }

    /// Whether the current play is still counting in at clock time `secs`.
    pub fn counting_in_at(&self, secs: f64) -> bool {
        self.playing && self.tempo.tick_at(secs) < self.count_in_end as f64
    }

    /// Moves the clicks of the windows advanced so far to `out`.
    pub fn drain_clicks(&mut self, out: &mut Vec<ClickEvent>) {
        out.append(&mut self.clicks);
    }

    /// Moves the automation events of the windows advanced so far to
    /// `out` (time order within each window).
    pub fn drain_param_events(&mut self, out: &mut Vec<ParamEvent>) {
        self.automation.drain(out);
    }
}
