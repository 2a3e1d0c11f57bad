//! How [`Playback`] keeps tempo-synced effect parameters on the
//! scheduler's tempo, where on its time line a take starts, and what it
//! shows of the clip launcher.

use super::*;

impl Playback {
    /// Brings the graph's tempo (which tempo-synced effect parameters
    /// follow) to the scheduler's, after anything that may have changed
    /// it: a tempo edit, a new scene, a tempo lane. While playing, the
    /// `/n_set`s are timed at `from`, where the scheduler's new tempo line
    /// starts; stopped, they go at once. They touch effect nodes and the
    /// voices groups of kits with loop pads; a loop voice started in the
    /// same window already has the new tempo among its controls, so no
    /// ordering against voice batches is needed.
    pub fn follow_tempo(&mut self, from: f64, graph: &mut SignalGraph, out: &mut Vec<Batch>) {
        let ops = graph.set_tempo(self.scheduler.tempo());
        if ops.is_empty() {
            return;
        }
        let now = self.clock.now();
        let timing =
            if self.scheduler.is_playing() && from > now { Timing::At(self.clock.timetag(from)) } else { Timing::Now };
        out.push(Batch { timing, ops, started: vec![] });
    }

    /// The clock time from which a tempo change made now applies (see
    /// [`Playback::follow_tempo`]).
    pub fn tempo_change_time(&self) -> f64 {
        self.scheduler.horizon()
    }

    /// The wall time `lead` seconds from now, and the song position then
    /// when playing (a take's start, timed like a note).
    pub fn start_point(&self, lead: f64) -> (crate::backend::Timetag, Option<f64>) {
        let secs = self.clock.now() + lead;
        let song = self.is_playing().then(|| self.scheduler.song_position_at(secs));
        (self.clock.timetag(secs), song)
    }

    /// Where a take starts: `lead` from now, or when the count-in ends
    /// if play is still counting in then (the take starts with the song).
    pub fn record_start_point(&self, lead: f64) -> (crate::backend::Timetag, Option<f64>) {
        let secs = self.clock.now() + lead;
        let secs = self.scheduler.count_in_ends_after(secs).unwrap_or(secs);
        let song = self.is_playing().then(|| self.scheduler.song_position_at(secs));
        (self.clock.timetag(secs), song)
    }
}

impl Playback {
    /// The clip launcher's columns now, for the UI (empty while nothing is
    /// launched).
    pub fn launcher_feedback(&self) -> Vec<crate::scheduler::ColumnFeedback> {
        self.scheduler.launcher_feedback(self.clock.now())
    }

    /// The launches the current (or last) run of the transport took.
    pub fn performance(&self) -> &imbolc_types::Performance {
        self.scheduler.performance()
    }

    /// The clip launcher's slots, follow actions and seed.
    pub fn set_launcher_grid(&mut self, grid: imbolc_types::Launcher) {
        self.scheduler.set_launcher_grid(grid);
    }
}
