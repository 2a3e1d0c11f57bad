//! [`GateKeeper`]: keeps every voice's gate open for a minimum time.
//!
//! Why: scsynth runs the ops of one control block together. A voice whose
//! `gate 0` lands in the same block as its `/s_new` starts with its gate
//! already closed: its envelope never opens, so it never reaches its end
//! and never frees itself, and the voice hangs forever (silently). This
//! happens with very short notes (one tick) and with a note edited just
//! as it starts (seen on a real server). So a release of a voice younger
//! than [`MIN_GATE`] is held back and sent at birth + [`MIN_GATE`].

use std::collections::HashMap;

use crate::backend::{NodeId, ServerOp};

/// Shortest time between a voice's start and its release: more than two
/// control blocks (64 samples) at 44.1 kHz, so the gate is seen open.
pub const MIN_GATE: f64 = 0.003;

/// Start times of young voices and the releases held back for them.
#[derive(Debug, Default)]
pub(crate) struct GateKeeper {
    born: HashMap<NodeId, f64>,
    /// Held-back releases: (due time, node).
    pending: Vec<(f64, NodeId)>,
}

fn is_release(op: &ServerOp) -> Option<NodeId> {
    match op {
        ServerOp::Set { node, controls } if controls.as_slice() == [("gate", 0.0)] => Some(*node),
        _ => None,
    }
}

impl GateKeeper {
    /// `node` starts at clock time `at`.
    pub fn started(&mut self, node: NodeId, at: f64) {
        self.born.insert(node, at);
    }

    /// Takes out of `ops` (a batch running at `at`) the releases of voices
    /// younger than [`MIN_GATE`], to be sent later (see [`GateKeeper::due`]);
    /// forgets voices the batch frees.
    pub fn hold_back(&mut self, at: f64, ops: &mut Vec<ServerOp>) {
        self.born.retain(|_, born| at - *born < MIN_GATE);
        let pending = &mut self.pending;
        let born = &self.born;
        ops.retain(|op| {
            if let ServerOp::Free { node } = op {
                pending.retain(|(_, n)| n != node);
                return true;
            }
            match is_release(op).and_then(|node| born.get(&node).map(|b| (node, *b))) {
                Some((node, b)) if at < b + MIN_GATE => {
                    pending.push((b + MIN_GATE, node));
                    false
                }
                _ => true,
            }
        });
    }

    /// Whether a release is held back.
    pub fn waiting(&self) -> bool {
        !self.pending.is_empty()
    }

    /// The held-back releases due at or before `upto`, in time order.
    pub fn due(&mut self, upto: f64) -> Vec<(f64, NodeId)> {
        if self.pending.is_empty() {
            return Vec::new();
        }
        let (mut due, rest): (Vec<_>, Vec<_>) = self.pending.drain(..).partition(|(t, _)| *t <= upto);
        self.pending = rest;
        due.sort_by(|a, b| a.0.total_cmp(&b.0));
        due
    }

    /// The node ended (stolen, freed with its group): nothing to release.
    pub fn ended(&mut self, node: NodeId) {
        self.born.remove(&node);
        self.pending.retain(|(_, n)| *n != node);
    }

    /// A new server: no voices.
    pub fn clear(&mut self) {
        self.born.clear();
        self.pending.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(node: i32) -> ServerOp {
        ServerOp::Set { node: NodeId(node), controls: vec![("gate", 0.0)] }
    }

    #[test]
    fn a_release_in_the_voices_first_blocks_waits_and_a_later_one_does_not() {
        let mut g = GateKeeper::default();
        g.started(NodeId(1), 1.0);
        g.started(NodeId(2), 1.0);
        let mut ops = vec![gate(1)];
        g.hold_back(1.0002, &mut ops);
        assert!(ops.is_empty(), "held back");
        assert!(g.due(1.001).is_empty());
        assert_eq!(g.due(2.0), vec![(1.0 + MIN_GATE, NodeId(1))]);
        let mut ops = vec![gate(2)];
        g.hold_back(1.01, &mut ops);
        assert_eq!(ops, vec![gate(2)], "old enough");
        g.started(NodeId(3), 5.0);
        let mut ops = vec![gate(3)];
        g.hold_back(5.0, &mut ops);
        let mut ops = vec![ServerOp::Free { node: NodeId(3) }];
        g.hold_back(5.0, &mut ops);
        assert_eq!(ops.len(), 1);
        assert!(g.due(f64::INFINITY).is_empty(), "a stolen voice needs no release");
    }
}
