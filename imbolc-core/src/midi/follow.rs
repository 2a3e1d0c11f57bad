//! [`ClockFollow`]: the tempo of an incoming MIDI clock (24 ticks per
//! quarter note), averaged over two beats: JACK delivers events once per
//! period, so single intervals jitter by a period; the average does not.

use std::collections::VecDeque;

/// Ticks averaged over.
const WINDOW: usize = 48;

/// Measures an incoming clock.
#[derive(Debug, Clone, Default)]
pub struct ClockFollow {
    ticks: VecDeque<f64>,
}

impl ClockFollow {
    /// A clock tick at wall time `at`; returns the tempo (BPM, to 0.1) once
    /// a full window was seen, `None` before or for nonsense rates.
    pub fn tick(&mut self, at: f64) -> Option<f32> {
        if self.ticks.back().is_some_and(|last| at < *last) {
            self.ticks.clear();
        }
        self.ticks.push_back(at);
        while self.ticks.len() > WINDOW + 1 {
            self.ticks.pop_front();
        }
        if self.ticks.len() <= WINDOW {
            return None;
        }
        let span = self.ticks.back()? - self.ticks.front()?;
        if span <= 0.0 {
            return None;
        }
        let bpm = 60.0 / (24.0 * span / WINDOW as f64);
        (20.0..=999.0).contains(&bpm).then(|| ((bpm * 10.0).round() / 10.0) as f32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jittery_clock_at_120_reads_120() {
        let mut f = ClockFollow::default();
        let mut last = None;
        for k in 0..200 {
            let ideal = f64::from(k) * 60.0 / 120.0 / 24.0;
            // Quantised to 5.33 ms periods, as JACK delivers it.
            let period = 256.0 / 48_000.0;
            last = f.tick((ideal / period).ceil() * period).or(last);
        }
        let bpm = last.expect("a tempo");
        assert!((bpm - 120.0).abs() <= 1.5, "{bpm}");
    }
}
