//! [`EngineCounters`]: what went wrong without stopping the engine, counted
//! so tests and the UI can see it. Written from the audio and monitor
//! threads with relaxed atomics; reading never blocks either of them.

use std::sync::atomic::{AtomicU64, Ordering};

/// One kind of counted event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    /// A datagram that was not OSC, or a known message with wrong arguments.
    Malformed,
    /// A message with an address the engine does not know.
    Unknown,
    /// A well-formed message that made no sense now (a reply nobody asked
    /// for, a notification from a server we already replaced).
    Unexpected,
    /// The server and the graph disagree: a node the graph thinks alive
    /// ended, or the server refused (`/fail`) an op the graph sent.
    Mismatch,
    /// Every `/fail` the server sent, mismatch or not.
    Fail,
    /// Times the server was restarted after it was lost.
    Restart,
    /// Diffs the graph refused (they named something it does not have).
    RejectedDiff,
    /// Commands dropped: realtime lane full, or a voice with no server.
    Dropped,
    /// Bundles that could not be sent (socket error, too large).
    SendError,
    /// Voice releases sent without the server's `/n_go` for the voice, after
    /// waiting for it (see `gates.rs`): notifications were lost.
    UnconfirmedRelease,
    /// Times the server went without answering `/status` while its process
    /// ran: busy, so not restarted (see `server/monitor.rs`).
    ServerBusy,
    /// Timeline notes (and hits, clicks) more than a lookahead late after a
    /// stall of the audio thread: dropped, not played in a burst.
    LateDropped,
    /// Wall-clock steps seen (NTP, suspend); timetags were re-anchored.
    ClockStep,
    /// Refusals the server reported, by `/fail` or in its log ("alloc
    /// failed", "FAILURE IN SERVER …"), from any client: shown to the user.
    Refused,
    /// Restarts made to give the server more memory or nodes.
    Grown,
}

const COUNT: usize = 15;

impl Counter {
    fn index(self) -> usize {
        match self {
            Counter::Malformed => 0,
            Counter::Unknown => 1,
            Counter::Unexpected => 2,
            Counter::Mismatch => 3,
            Counter::Fail => 4,
            Counter::Restart => 5,
            Counter::RejectedDiff => 6,
            Counter::Dropped => 7,
            Counter::SendError => 8,
            Counter::UnconfirmedRelease => 9,
            Counter::ServerBusy => 10,
            Counter::LateDropped => 11,
            Counter::ClockStep => 12,
            Counter::Refused => 13,
            Counter::Grown => 14,
        }
    }
}

/// Shared counters; see [`Counter`] for what each one means.
#[derive(Debug, Default)]
pub struct EngineCounters {
    values: [AtomicU64; COUNT],
    /// Malformed datagrams counted by servers already replaced; the live
    /// server's own count is added on top (see [`EngineCounters::set_live_malformed`]).
    live_malformed: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CounterSnapshot {
    pub malformed: u64,
    pub unknown: u64,
    pub unexpected: u64,
    pub mismatches: u64,
    pub fails: u64,
    pub restarts: u64,
    pub rejected_diffs: u64,
    pub dropped: u64,
    pub send_errors: u64,
    pub unconfirmed_releases: u64,
    pub server_busy: u64,
    pub late_dropped: u64,
    pub clock_steps: u64,
    pub refused: u64,
    pub grown: u64,
}

impl EngineCounters {
    /// Adds one to `counter`.
    pub fn bump(&self, counter: Counter) {
        self.add(counter, 1);
    }

    /// Adds `n` to `counter`.
    pub fn add(&self, counter: Counter, n: u64) {
        self.values[counter.index()].fetch_add(n, Ordering::Relaxed);
    }

    /// The current value of one counter.
    pub fn get(&self, counter: Counter) -> u64 {
        let live = if counter == Counter::Malformed { self.live_malformed.load(Ordering::Relaxed) } else { 0 };
        self.values[counter.index()].load(Ordering::Relaxed) + live
    }

    /// Records the live server's count of non-OSC datagrams (the monitor
    /// thread drops those before the engine sees them).
    pub(crate) fn set_live_malformed(&self, count: u64) {
        self.live_malformed.store(count, Ordering::Relaxed);
    }

    /// Folds the live server's count into the total when it is replaced.
    pub(crate) fn retire_live_malformed(&self) {
        let live = self.live_malformed.swap(0, Ordering::Relaxed);
        self.values[Counter::Malformed.index()].fetch_add(live, Ordering::Relaxed);
    }

    /// All counters at once (each read is atomic, the set is not).
    pub fn snapshot(&self) -> CounterSnapshot {
        CounterSnapshot {
            malformed: self.get(Counter::Malformed),
            unknown: self.get(Counter::Unknown),
            unexpected: self.get(Counter::Unexpected),
            mismatches: self.get(Counter::Mismatch),
            fails: self.get(Counter::Fail),
            restarts: self.get(Counter::Restart),
            rejected_diffs: self.get(Counter::RejectedDiff),
            dropped: self.get(Counter::Dropped),
            send_errors: self.get(Counter::SendError),
            unconfirmed_releases: self.get(Counter::UnconfirmedRelease),
            server_busy: self.get(Counter::ServerBusy),
            late_dropped: self.get(Counter::LateDropped),
            clock_steps: self.get(Counter::ClockStep),
            refused: self.get(Counter::Refused),
            grown: self.get(Counter::Grown),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_malformed_counts_until_retired_then_stays_in_the_total() {
        let c = EngineCounters::default();
        c.bump(Counter::Malformed);
        c.set_live_malformed(3);
        assert_eq!(c.snapshot().malformed, 4);
        c.retire_live_malformed();
        c.set_live_malformed(1);
        assert_eq!(c.snapshot().malformed, 5);
        c.bump(Counter::Mismatch);
        assert_eq!(c.snapshot().mismatches, 1);
    }
}
