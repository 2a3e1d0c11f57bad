//! What [`Playback`] offers the Ableton Link follower (`engine::run_link`):
//! the bar as Link's quantum, starting play at a given time, and following
//! Link's timeline.

use imbolc_types::TICKS_PER_QUARTER;

use super::*;
use crate::scheduler::metronome::bar_ticks;

impl Playback {
    /// The scheduler's clock (Link times are converted against it).
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// One bar of the time signature in quarter notes: Link's quantum.
    pub fn quantum(&self) -> f64 {
        bar_ticks(self.scheduler.time_signature()) as f64 / f64::from(TICKS_PER_QUARTER)
    }

    /// Where the stopped song position lies within its bar, in quarter
    /// notes: play starting there must start at this phase of Link's bar,
    /// so the song's bar lines fall on the session's.
    pub fn start_phase(&self) -> f64 {
        let bar = bar_ticks(self.scheduler.time_signature()).max(1);
        let position = u64::from(self.scheduler.position_at(0.0));
        (position % bar) as f64 / f64::from(TICKS_PER_QUARTER)
    }

    /// The earliest clock time play can start at (one lookahead from now).
    pub fn earliest_start(&self) -> f64 {
        (self.clock.now() + self.scheduler.config().lookahead).max(self.timed_until)
    }

    /// Starts play with its first tick at clock time `at` (like
    /// `TransportCmd::Play`, which starts one lookahead from now).
    pub fn play_at(&mut self, at: f64) {
        if !self.is_playing() {
            self.started_from = self.scheduler.position_at(0.0);
            self.scheduler.play(at);
        }
    }

    /// Clock time up to which the timeline has been sent.
    pub fn horizon(&self) -> f64 {
        self.scheduler.horizon()
    }

    /// The (fractional) play tick the scheduler's line reaches at the
    /// horizon.
    pub fn tick_at_horizon(&self) -> f64 {
        self.scheduler.tick_at_horizon()
    }

    /// Follows Link's timeline from the horizon: play tick `tick` there
    /// (`None`: where the scheduler's own line is), at `bpm` (stopped: the
    /// tempo only). Tempo-synced effects follow.
    pub fn follow_line(&mut self, tick: Option<f64>, bpm: f32, graph: &mut SignalGraph, out: &mut Vec<Batch>) {
        let from = self.scheduler.horizon();
        if self.scheduler.follow_line(tick, bpm) {
            self.follow_tempo(from, graph, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use imbolc_types::{AudioDiff, AudioScene, TimeSignature};

    use super::*;

    fn playback(ts: TimeSignature) -> Playback {
        let mut p = Playback::new(SchedulerConfig::default(), VoiceConfig::default());
        let scene = AudioScene { tempo: 120.0, time_signature: ts, ..AudioScene::default() };
        p.diff(&AudioDiff::SceneLoaded(Box::new(scene)), &mut Vec::new());
        p
    }

    /// Link's quantum is one bar in quarters; a start from the middle of
    /// a bar must start at that phase of the session's bar.
    #[test]
    fn the_quantum_is_a_bar_and_the_start_phase_is_the_position_in_it() {
        let (mut graph, _) = SignalGraph::build(crate::graph::GraphConfig::default(), &AudioScene::default());
        let mut p = playback(TimeSignature { numerator: 6, denominator: 8 });
        assert_eq!(p.quantum(), 3.0);
        assert_eq!(p.start_phase(), 0.0);
        // Bar 3, its second dotted quarter: 2 bars and 1.5 quarters in.
        p.transport(TransportCmd::Seek(2 * 1440 + 720), &mut graph, &mut Vec::new());
        assert_eq!(p.start_phase(), 1.5);
        let p = playback(TimeSignature { numerator: 4, denominator: 4 });
        assert_eq!(p.quantum(), 4.0);
    }
}
