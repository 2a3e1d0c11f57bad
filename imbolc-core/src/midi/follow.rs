//! [`ClockFollow`]: the tempo of an incoming MIDI clock (24 ticks per
//! quarter note), fitted over two beats: JACK delivers events once per
//! period, so single intervals jitter by a period, and a sender or a JACK
//! cycle that runs late delivers a few ticks late and then in a burst. A
//! least-squares line through the window's tick times shrugs both off;
//! the span from its first to its last tick would move by a whole late
//! tick (46 ms late on a 1.2 s window read 104 BPM for 100).

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
        let interval = fitted_interval(&self.ticks)?;
        let bpm = 60.0 / (24.0 * interval);
        (20.0..=999.0).contains(&bpm).then(|| ((bpm * 10.0).round() / 10.0) as f32)
    }
}

/// Seconds per tick: the slope of the least-squares line through the tick
/// times against their index; `None` when it is not positive.
fn fitted_interval(ticks: &VecDeque<f64>) -> Option<f64> {
    let n = ticks.len() as f64;
    let first = *ticks.front()?;
    let mean_i = (n - 1.0) / 2.0;
    // Times relative to the first tick keep the sums well conditioned.
    let mean_t = ticks.iter().map(|t| t - first).sum::<f64>() / n;
    let (mut cov, mut var) = (0.0, 0.0);
    for (i, t) in ticks.iter().enumerate() {
        let di = i as f64 - mean_i;
        cov += di * (t - first - mean_t);
        var += di * di;
    }
    let slope = cov / var;
    (slope > 0.0 && slope.is_finite()).then_some(slope)
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

    /// A sender that stalls 46 ms and then sends the ticks it owes at once
    /// (the first tick of the last window is late): the reading stays put.
    #[test]
    fn a_stall_and_a_burst_of_owed_ticks_do_not_move_the_tempo() {
        let interval = 0.025; // 100 BPM
        let stalled = 200 - 49;
        let mut f = ClockFollow::default();
        let mut last = None;
        for k in 0..200_u32 {
            let ideal = f64::from(k) * interval;
            let stall_end = f64::from(stalled) * interval + 0.046;
            let at = if k >= stalled { ideal.max(stall_end) } else { ideal };
            last = f.tick(at).or(last);
        }
        let bpm = last.expect("a tempo");
        assert!((bpm - 100.0).abs() <= 1.0, "{bpm}");
    }
}
