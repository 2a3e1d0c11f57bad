//! The [`Scheduler`]'s metronome and count-in settings, and what its
//! windows produce beside notes: clicks and automation events.

use super::*;

impl Scheduler {
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
