//! [`TempoMap`]: the mapping between clock seconds and play ticks while
//! playing, as one straight line through an anchor.
//!
//! Why an anchor and not "seconds = ticks × rate": a tempo change must not
//! move what was already scheduled. The map is re-anchored at the
//! scheduler's horizon (the end of the last window sent) with the tick
//! reached there, so ticks already sent keep their times and later ticks
//! follow the new tempo from exactly that point.

use imbolc_types::TICKS_PER_QUARTER;
use imbolc_types::project::TEMPO_RANGE;

/// Seconds ↔ play ticks for a constant tempo from an anchor on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TempoMap {
    /// Clock seconds at the anchor.
    secs: f64,
    /// Play tick (fractional) at the anchor.
    tick: f64,
    /// Seconds per tick.
    spt: f64,
}

impl TempoMap {
    /// Play tick `tick` sounds at `secs`, at `bpm`.
    pub fn new(secs: f64, tick: f64, bpm: f32) -> Self {
        TempoMap { secs, tick, spt: seconds_per_tick(bpm) }
    }

    /// The same line, continued at `bpm` from clock time `secs`.
    pub fn reanchored(&self, secs: f64, bpm: f32) -> Self {
        TempoMap::new(secs, self.tick_at(secs), bpm)
    }

    /// The anchor: clock seconds and the (fractional) play tick there.
    pub fn anchor(&self) -> (f64, f64) {
        (self.secs, self.tick)
    }

    /// Clock time of play tick `tick`.
    pub fn time_of(&self, tick: u64) -> f64 {
        self.secs + (tick as f64 - self.tick) * self.spt
    }

    /// Clock time of a fractional play tick (a swung drum step).
    pub fn time_of_fractional(&self, tick: f64) -> f64 {
        self.secs + (tick - self.tick) * self.spt
    }

    /// Fractional play tick at clock time `secs`.
    pub fn tick_at(&self, secs: f64) -> f64 {
        self.tick + (secs - self.secs) / self.spt
    }

    /// The first tick, not below `floor`, whose time is at or after `secs`.
    ///
    /// Membership of a tick in a window is decided by [`time_of`] alone
    /// (the inverse is only a first guess, corrected by at most a step), so
    /// rounding can never put one tick in two windows or in none.
    ///
    /// [`time_of`]: TempoMap::time_of
    pub fn first_tick_at_or_after(&self, secs: f64, floor: u64) -> u64 {
        let guess = self.tick_at(secs).ceil();
        let mut t = if guess.is_finite() && guess > floor as f64 { guess as u64 } else { floor };
        while t > floor && self.time_of(t - 1) >= secs {
            t -= 1;
        }
        while self.time_of(t) < secs {
            t += 1;
        }
        t
    }
}

/// Seconds per tick at `bpm`, clamped to the project's tempo range (so a NaN
/// or zero tempo cannot stop time or make it infinite).
pub fn seconds_per_tick(bpm: f32) -> f64 {
    let bpm = if bpm.is_nan() { 120.0 } else { bpm.clamp(TEMPO_RANGE.0, TEMPO_RANGE.1) };
    60.0 / (f64::from(bpm) * f64::from(TICKS_PER_QUARTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quarter_at_120_bpm_is_half_a_second() {
        let map = TempoMap::new(10.0, 0.0, 120.0);
        assert!((map.time_of(480) - 10.5).abs() < 1e-12);
        assert_eq!(map.first_tick_at_or_after(10.5, 0), 480);
        assert_eq!(map.first_tick_at_or_after(10.5 + 1e-9, 0), 481);
        assert_eq!(map.first_tick_at_or_after(0.0, 7), 7);
    }

    #[test]
    fn reanchoring_keeps_the_past_and_bends_the_future() {
        let map = TempoMap::new(0.0, 0.0, 120.0);
        let faster = map.reanchored(1.0, 240.0);
        assert!((faster.tick_at(1.0) - 960.0).abs() < 1e-9);
        assert!((faster.time_of(960 + 480) - 1.25).abs() < 1e-12);
    }

    #[test]
    fn silly_tempi_are_clamped() {
        assert!(seconds_per_tick(f32::NAN).is_finite());
        assert!(seconds_per_tick(0.0) > 0.0 && seconds_per_tick(0.0).is_finite());
        assert!(seconds_per_tick(1e9) > 0.0);
    }
}
