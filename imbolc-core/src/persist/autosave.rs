//! [`AutosaveTimer`]: decides when a recovery copy is due. Time is passed
//! in, so the rule is testable; the UI calls [`crate::Session::autosave_job`]
//! from its loop and hands the job to the background saver.

use std::time::{Duration, Instant};

/// How often a recovery copy is written while there are unsaved changes.
pub const AUTOSAVE_INTERVAL: Duration = Duration::from_secs(30);

/// Tracks the last recovery write.
#[derive(Debug, Clone)]
pub struct AutosaveTimer {
    interval: Duration,
    last: Instant,
}

impl AutosaveTimer {
    /// A timer that counts from `now`.
    pub fn new(interval: Duration, now: Instant) -> Self {
        AutosaveTimer { interval, last: now }
    }

    /// Whether a recovery copy is due at `now` given unsaved changes; if so,
    /// the timer restarts.
    pub fn take_due(&mut self, now: Instant, has_changes: bool) -> bool {
        if has_changes && now.saturating_duration_since(self.last) >= self.interval {
            self.last = now;
            true
        } else {
            false
        }
    }
}
