//! Playing on across a server restart: where play was when the server went
//! away ([`Resume`]), and going on from there on the next server.
//!
//! The new server has none of the old one's voices or timed bundles, so
//! play cannot simply continue: it stops with the old server and starts
//! again, from the song position the old one had reached, one lookahead
//! after the new server has its graph. The count-in is not played again,
//! and stop still returns to where the user started play.

use imbolc_types::Tick;

use super::Playback;

/// Where play was when the server went away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Resume {
    /// The song position being heard then.
    pub position: Tick,
    /// Where the user started play (stop returns there).
    pub started_from: Tick,
}

impl Playback {
    /// Where play is now, if it plays (to go on from there on a new server).
    pub fn resume_point(&self) -> Option<Resume> {
        self.is_playing()
            .then(|| Resume { position: self.scheduler.position_at(self.clock.now()), started_from: self.started_from })
    }

    /// Plays from `resume` (on a new server, after its graph was sent).
    pub fn resume(&mut self, resume: Resume) {
        self.park(resume);
        let bars = self.scheduler.count_in();
        self.scheduler.set_count_in(0);
        let at = (self.clock.now() + self.scheduler.config().lookahead).max(self.timed_until);
        self.scheduler.play(at);
        self.scheduler.set_count_in(bars);
    }

    /// Stays stopped at `resume`'s position (pause during a restart).
    pub fn park(&mut self, resume: Resume) {
        self.scheduler.seek(resume.position);
        self.started_from = resume.started_from;
    }
}
