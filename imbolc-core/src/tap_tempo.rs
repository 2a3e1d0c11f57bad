//! [`TapTempo`]: the tempo from a few taps on a key, as musicians set it by
//! hand. Pure: the caller passes the time of each tap.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use imbolc_types::project::TEMPO_RANGE;

/// Taps kept: the tempo is the average of up to this many minus one
/// intervals (enough to smooth a human hand, few enough to follow a change).
pub const TAPS_KEPT: usize = 5;
/// A pause longer than this starts a new measurement. It is the interval
/// of the slowest tempo allowed (20 BPM), so every tempo can be tapped.
pub const RESET_AFTER: Duration = Duration::from_secs(3);

/// Recent taps.
#[derive(Debug, Clone, Default)]
pub struct TapTempo {
    taps: VecDeque<Instant>,
}

impl TapTempo {
    /// Records a tap at `now` and returns the tempo in BPM (clamped to the
    /// project's tempo range) once there are two taps; `None` for the
    /// first tap after a pause.
    pub fn tap(&mut self, now: Instant) -> Option<f32> {
        if self.taps.back().is_some_and(|last| now.saturating_duration_since(*last) > RESET_AFTER) {
            self.taps.clear();
        }
        self.taps.push_back(now);
        while self.taps.len() > TAPS_KEPT {
            self.taps.pop_front();
        }
        let (first, last) = (self.taps.front()?, self.taps.back()?);
        let intervals = self.taps.len().checked_sub(1).filter(|n| *n > 0)?;
        let mean = last.saturating_duration_since(*first).as_secs_f64() / intervals as f64;
        if mean <= 0.0 {
            return None;
        }
        Some((60.0 / mean).clamp(f64::from(TEMPO_RANGE.0), f64::from(TEMPO_RANGE.1)) as f32)
    }

    /// Forgets every tap.
    pub fn reset(&mut self) {
        self.taps.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn steady_taps_give_their_tempo_from_the_second_tap() {
        let t0 = Instant::now();
        let mut tap = TapTempo::default();
        assert_eq!(tap.tap(t0), None);
        assert_eq!(tap.tap(t0 + ms(500)), Some(120.0));
        assert_eq!(tap.tap(t0 + ms(1000)), Some(120.0));
    }

    #[test]
    fn uneven_taps_are_averaged_over_the_recent_ones() {
        let t0 = Instant::now();
        let mut tap = TapTempo::default();
        let mut bpm = None;
        for at in [0, 480, 1000, 1500, 1980] {
            bpm = tap.tap(t0 + ms(at));
        }
        assert_eq!(bpm, Some(120.0 * 2000.0 / 1980.0));
        // Older taps drop out: the tempo follows a new pace.
        for k in 1..=TAPS_KEPT as u64 {
            bpm = tap.tap(t0 + ms(1980 + k * 250));
        }
        assert_eq!(bpm, Some(240.0));
    }

    #[test]
    fn a_pause_starts_over() {
        let t0 = Instant::now();
        let mut tap = TapTempo::default();
        tap.tap(t0);
        tap.tap(t0 + ms(500));
        assert_eq!(tap.tap(t0 + ms(500) + RESET_AFTER + ms(1)), None);
        assert_eq!(tap.tap(t0 + ms(500) + RESET_AFTER + ms(1001)), Some(60.0));
    }

    #[test]
    fn tempi_are_clamped_to_the_project_range() {
        let t0 = Instant::now();
        let mut tap = TapTempo::default();
        tap.tap(t0);
        assert_eq!(tap.tap(t0 + ms(20)), Some(TEMPO_RANGE.1), "3000 BPM is clamped");
        let mut slow = TapTempo::default();
        slow.tap(t0);
        assert_eq!(slow.tap(t0 + RESET_AFTER), Some(TEMPO_RANGE.0));
        let mut same = TapTempo::default();
        same.tap(t0);
        assert_eq!(same.tap(t0), None, "two taps at once say nothing");
    }
}
