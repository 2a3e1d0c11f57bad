//! [`GateKeeper`]: a voice's release never reaches the server before the
//! voice has started there.
//!
//! Why: scsynth runs every command due at the start of a control block
//! together, before it computes the block. A voice whose `gate 0` runs in
//! the same block as its `/s_new` starts with its gate already closed: its
//! envelope never opens, so it never ends and never frees itself, and the
//! voice hangs forever (silently). Three things lead there:
//! - an untimed `/s_new` (a live note) runs at the start of the server's
//!   next period, whenever that is: a release sent a few milliseconds
//!   later, timed or not, can arrive before that period starts;
//! - timed bundles that arrive late, or a server whose time base jumps
//!   (the dummy JACK driver under load skips periods), run several
//!   timetags in one block;
//! - very short notes (one tick), or a note edited just as it starts.
//!
//! So in real time a release waits until the server has reported the
//! voice's `/n_go` (it has then computed at least one block with its gate
//! open, and the release arrives after that), and in any case until
//! [`MIN_GATE`] after the voice's start. Offline (NRT) bundles run exactly
//! at their timetags, so the start time alone is enough there.
//!
//! A voice's birth record is kept until its release is sent, it ends, or
//! it can no longer matter (confirmed and older than [`MIN_GATE`] by the
//! clock): never dropped because another voice's batch is timed later.
//! Should a `/n_go` never come (scsynth drops notifications beyond about a
//! thousand per period), the release goes out [`CONFIRM_WAIT`] after the
//! start anyway.

use std::collections::HashMap;

use crate::backend::{NodeId, ServerOp};

/// Shortest time between a voice's start and its release: more than two
/// control blocks (64 samples) at 44.1 kHz, so the gate is seen open.
pub const MIN_GATE: f64 = 0.003;

/// How long a release waits for its voice's `/n_go` before it is sent
/// anyway (the voice has surely run by then on a server that answers).
pub const CONFIRM_WAIT: f64 = 1.0;

/// When and how surely a voice started.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Birth {
    /// Clock time of its `/s_new`.
    at: f64,
    /// The server reported it started (or, offline, the timetag is enough).
    confirmed: bool,
}

impl Birth {
    /// Whether a release running at `at` is safe, with the clock at `now`.
    fn allows(&self, at: f64, now: f64) -> bool {
        (self.confirmed || now >= self.at + CONFIRM_WAIT) && at >= self.at + MIN_GATE
    }
}

/// Birth records of young voices and the releases held back for them.
#[derive(Debug)]
pub(crate) struct GateKeeper {
    /// Whether releases wait for `/n_go` (real time) or only for the
    /// timetag (offline).
    wait_for_server: bool,
    born: HashMap<NodeId, Birth>,
    /// Held-back releases: (earliest time asked for, node).
    pending: Vec<(f64, NodeId)>,
    /// Releases sent after [`CONFIRM_WAIT`] without a `/n_go`.
    unconfirmed: u64,
}

fn is_release(op: &ServerOp) -> Option<NodeId> {
    match op {
        ServerOp::Set { node, controls } if controls.as_slice() == [("gate", 0.0)] => Some(*node),
        _ => None,
    }
}

impl GateKeeper {
    /// Releases wait for the server's `/n_go` of their voice.
    pub fn realtime() -> Self {
        GateKeeper { wait_for_server: true, born: HashMap::new(), pending: Vec::new(), unconfirmed: 0 }
    }

    /// Releases wait only for the voice's timetag plus [`MIN_GATE`] (an NRT
    /// score runs every bundle exactly at its time).
    pub fn offline() -> Self {
        GateKeeper { wait_for_server: false, ..GateKeeper::realtime() }
    }

    /// `node`'s `/s_new` runs at clock time `at`.
    pub fn started(&mut self, node: NodeId, at: f64) {
        self.born.insert(node, Birth { at, confirmed: !self.wait_for_server });
    }

    /// The server reported `/n_go` for `node`: its held release, if any,
    /// may go (see [`GateKeeper::due`]).
    pub fn confirmed(&mut self, node: NodeId) {
        if let Some(b) = self.born.get_mut(&node) {
            b.confirmed = true;
        }
    }

    /// Takes out of `ops` (a batch running at `at`, the clock at `now`) the
    /// releases of voices not yet safe to release, to be sent later (see
    /// [`GateKeeper::due`]); forgets voices the batch frees.
    pub fn hold_back(&mut self, at: f64, now: f64, ops: &mut Vec<ServerOp>) {
        let (pending, born) = (&mut self.pending, &mut self.born);
        ops.retain(|op| {
            if let ServerOp::Free { node } | ServerOp::FreeVoice { node } = op {
                pending.retain(|(_, n)| n != node);
                born.remove(node);
                return true;
            }
            let Some(node) = is_release(op) else { return true };
            match born.get(&node) {
                Some(b) if !b.allows(at, now) => {
                    pending.push((at.max(b.at + MIN_GATE), node));
                    false
                }
                Some(_) => {
                    born.remove(&node);
                    true
                }
                None => true,
            }
        });
        self.prune(now);
    }

    /// Whether a release is held back.
    pub fn waiting(&self) -> bool {
        !self.pending.is_empty()
    }

    /// The held-back releases that may run by `upto` (the clock at `now`),
    /// each with the time to send it at, in time order.
    pub fn due(&mut self, upto: f64, now: f64) -> Vec<(f64, NodeId)> {
        if self.pending.is_empty() {
            return Vec::new();
        }
        let mut due = Vec::new();
        let mut i = 0;
        while i < self.pending.len() {
            let (at, node) = self.pending[i];
            let birth = self.born.get(&node).copied();
            let ready = at <= upto && birth.is_none_or(|b| b.allows(at, now));
            if ready {
                self.pending.swap_remove(i);
                if let Some(b) = birth
                    && !b.confirmed
                {
                    self.unconfirmed += 1;
                    tracing::debug!("voice {node} released without its /n_go");
                }
                self.born.remove(&node);
                due.push((at, node));
            } else {
                i += 1;
            }
        }
        due.sort_by(|a, b| a.0.total_cmp(&b.0));
        due
    }

    /// The node ended (stolen, freed with its group): nothing to release.
    pub fn ended(&mut self, node: NodeId) {
        self.born.remove(&node);
        self.pending.retain(|(_, n)| *n != node);
    }

    /// A new server (or a panic that frees every voice): no voices.
    pub fn clear(&mut self) {
        self.born.clear();
        self.pending.clear();
    }

    /// Releases sent without their voice's `/n_go` so far.
    pub fn unconfirmed_releases(&self) -> u64 {
        self.unconfirmed
    }

    /// Birth records kept (young or awaiting a release), for tests.
    #[cfg(test)]
    pub fn records(&self) -> usize {
        self.born.len()
    }

    /// Drops birth records that no longer matter: every release from now
    /// on (never timed before `now`) is safe for them.
    fn prune(&mut self, now: f64) {
        let pending = &self.pending;
        self.born.retain(|node, b| !b.allows(now, now) || pending.iter().any(|(_, n)| n == node));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(node: i32) -> ServerOp {
        ServerOp::Set { node: NodeId(node), controls: vec![("gate", 0.0)] }
    }

    #[test]
    fn offline_a_release_in_the_voices_first_blocks_waits_and_a_later_one_does_not() {
        let mut g = GateKeeper::offline();
        g.started(NodeId(1), 1.0);
        g.started(NodeId(2), 1.0);
        let mut ops = vec![gate(1)];
        g.hold_back(1.0002, 1.0, &mut ops);
        assert!(ops.is_empty(), "held back");
        assert!(g.due(1.001, 1.0).is_empty());
        assert_eq!(g.due(2.0, 1.0), vec![(1.0 + MIN_GATE, NodeId(1))]);
        let mut ops = vec![gate(2)];
        g.hold_back(1.01, 1.0, &mut ops);
        assert_eq!(ops, vec![gate(2)], "old enough");
        g.started(NodeId(3), 5.0);
        let mut ops = vec![gate(3)];
        g.hold_back(5.0, 5.0, &mut ops);
        let mut ops = vec![ServerOp::Free { node: NodeId(3) }];
        g.hold_back(5.0, 5.0, &mut ops);
        assert_eq!(ops.len(), 1);
        assert!(g.due(f64::INFINITY, 5.0).is_empty(), "a stolen voice needs no release");
    }

    #[test]
    fn in_real_time_a_release_waits_for_the_voices_n_go_however_late_it_is_asked() {
        let mut g = GateKeeper::realtime();
        g.started(NodeId(1), 1.0);
        let mut ops = vec![gate(1)];
        g.hold_back(1.5, 1.5, &mut ops);
        assert!(ops.is_empty(), "no /n_go yet: the /s_new may not have run");
        assert!(g.due(f64::INFINITY, 1.5).is_empty());
        g.confirmed(NodeId(1));
        assert_eq!(g.due(2.0, 1.5), vec![(1.5, NodeId(1))], "sent at the time it was asked for");
        assert!(!g.waiting());
        assert_eq!(g.unconfirmed_releases(), 0);

        g.started(NodeId(2), 3.0);
        g.confirmed(NodeId(2));
        let mut ops = vec![gate(2)];
        g.hold_back(3.001, 3.001, &mut ops);
        assert!(ops.is_empty(), "confirmed, but still within MIN_GATE of its start");
        assert_eq!(g.due(4.0, 3.001), vec![(3.0 + MIN_GATE, NodeId(2))]);
    }

    #[test]
    fn a_release_whose_n_go_never_comes_goes_out_after_the_wait() {
        let mut g = GateKeeper::realtime();
        g.started(NodeId(7), 1.0);
        let mut ops = vec![gate(7)];
        g.hold_back(1.0, 1.0, &mut ops);
        assert!(g.due(f64::INFINITY, 1.0 + CONFIRM_WAIT / 2.0).is_empty());
        assert_eq!(g.due(f64::INFINITY, 1.0 + CONFIRM_WAIT), vec![(1.0 + MIN_GATE, NodeId(7))]);
        assert_eq!(g.unconfirmed_releases(), 1);
    }

    /// Fault 8 of issue 24: a batch of another instrument timed a lookahead
    /// ahead used to wipe every birth record older than its own time, so
    /// the young voice's quick release went out at once.
    #[test]
    fn another_voices_later_batch_does_not_wipe_a_young_voices_record() {
        let mut g = GateKeeper::offline();
        g.started(NodeId(1), 10.0);
        let mut other = vec![ServerOp::Set { node: NodeId(99), controls: vec![("freq", 440.0)] }];
        g.hold_back(10.05, 10.0, &mut other);
        let mut ops = vec![gate(1)];
        g.hold_back(10.0005, 10.0, &mut ops);
        assert!(ops.is_empty(), "the young voice's release is still held back");
        assert_eq!(g.due(11.0, 10.0), vec![(10.0 + MIN_GATE, NodeId(1))]);

        let mut g = GateKeeper::realtime();
        g.started(NodeId(2), 10.0);
        let mut other = vec![gate(99)];
        g.hold_back(10.05, 10.0, &mut other);
        let mut ops = vec![gate(2)];
        g.hold_back(10.0, 10.0, &mut ops);
        assert!(ops.is_empty(), "the unconfirmed voice's release is held back");
    }

    #[test]
    fn records_that_no_longer_matter_are_pruned_and_pending_ones_kept() {
        let mut g = GateKeeper::realtime();
        for n in 0..100 {
            g.started(NodeId(n), 1.0);
            g.confirmed(NodeId(n));
        }
        g.started(NodeId(500), 1.0);
        let mut ops = vec![gate(500)];
        g.hold_back(1.0, 1.0, &mut ops);
        g.hold_back(2.0, 2.0, &mut Vec::new());
        assert_eq!(g.records(), 1, "only the voice with a release waiting for its /n_go");
        g.ended(NodeId(500));
        assert_eq!((g.records(), g.waiting()), (0, false));
    }
}
