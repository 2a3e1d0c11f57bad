//! [`NodeRegistry`]: node lifetimes as the server reports them (`/n_go`,
//! `/n_end`, `/fail` after `/notify 1`), checked against what the graph
//! expects.
//!
//! What the graph expects is kept as a [`ModelBackend`] fed with every batch
//! the engine sends, so a group free expects the end of its whole subtree
//! without any bookkeeping here. Voices are the one kind of node that ends
//! on its own (after its release), so they are registered as such.
//!
//! Invariant: node ids are never reused in a session, so a late
//! notification can never be mistaken for a newer node.

use std::collections::{HashMap, HashSet};

use crate::backend::{AudioBackend, ModelBackend, NodeId, ServerOp, Timing};

use super::inbound::NodeNotice;

/// Addresses of the ops the graph sends: a `/fail` for one of them means
/// the graph and the server disagree.
const GRAPH_COMMANDS: [&str; 11] = [
    "/g_new",
    "/s_new",
    "/n_free",
    "/g_freeAll",
    "/n_set",
    "/n_run",
    "/n_map",
    "/n_before",
    "/n_after",
    "/g_head",
    "/g_tail",
];

/// What an `/n_end` meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndOutcome {
    /// The graph freed it (or an ancestor); all is well.
    Expected,
    /// A voice finished its release (or went with its group).
    VoiceEnded,
    /// The graph still thinks it alive: a mismatch.
    Unexpected,
}

/// A node the server reported started and has not reported ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveNode {
    pub parent: NodeId,
    pub is_group: bool,
}

/// Live nodes per the server, and the graph's expectation to check them by.
#[derive(Debug, Clone, Default)]
pub struct NodeRegistry {
    expected: ModelBackend,
    live: HashMap<NodeId, LiveNode>,
    voices: HashSet<NodeId>,
}

impl NodeRegistry {
    pub fn new() -> Self {
        NodeRegistry::default()
    }

    /// Forgets everything: a new, empty server.
    pub fn reset(&mut self) {
        *self = NodeRegistry::new();
    }

    /// Records a batch sent to the server.
    pub fn sent(&mut self, ops: &[ServerOp]) {
        // The model never fails a batch; refused ops are recorded in it and
        // the real server reports the same ones with `/fail`.
        let _ = self.expected.execute(Timing::Now, ops);
    }

    /// Marks `node` (already sent) as a voice: it may end by itself.
    pub fn voice_started(&mut self, node: NodeId) {
        self.voices.insert(node);
    }

    /// `/n_go`.
    pub fn on_go(&mut self, notice: NodeNotice) {
        self.live.insert(notice.node, LiveNode { parent: notice.parent, is_group: notice.is_group });
    }

    /// `/n_end`: is it what the graph expected?
    pub fn on_end(&mut self, node: NodeId) -> EndOutcome {
        self.live.remove(&node);
        if self.voices.remove(&node) {
            if self.expected.contains(node) {
                self.sent(&[ServerOp::Free { node }]);
            }
            return EndOutcome::VoiceEnded;
        }
        if !self.expected.contains(node) {
            return EndOutcome::Expected;
        }
        // A per-voice group (a voice with its own filter) ends with its
        // voice, and the server reports its synths' ends before its own.
        if self.expected.parent(node).is_some_and(|p| self.voices.contains(&p)) {
            self.sent(&[ServerOp::Free { node }]);
            return EndOutcome::Expected;
        }
        EndOutcome::Unexpected
    }

    /// `/fail command`: true when `command` is one the graph sends, i.e. the
    /// server refused part of the graph.
    pub fn is_graph_failure(command: &str) -> bool {
        GRAPH_COMMANDS.contains(&command)
    }

    /// Whether the server reported `node` started and not yet ended.
    pub fn is_live(&self, node: NodeId) -> bool {
        self.live.contains_key(&node)
    }

    /// What the server reported about a live node.
    pub fn live_node(&self, node: NodeId) -> Option<LiveNode> {
        self.live.get(&node).copied()
    }

    /// Number of live nodes the server reported (the root excluded).
    pub fn live_count(&self) -> usize {
        self.live.len()
    }

    /// Whether the graph expects `node` to exist on the server.
    pub fn expects(&self, node: NodeId) -> bool {
        self.expected.contains(node)
    }

    /// Whether `node` is a voice that has not ended.
    pub fn is_voice(&self, node: NodeId) -> bool {
        self.voices.contains(&node)
    }

    /// The graph's expectation of the whole server tree.
    pub fn expected(&self) -> &ModelBackend {
        &self.expected
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::backend::AddAction;

    fn group(id: i32, target: i32) -> ServerOp {
        ServerOp::GroupNew { id: NodeId(id), action: AddAction::Tail, target: NodeId(target) }
    }

    fn synth(id: i32, target: i32) -> ServerOp {
        ServerOp::SynthNew {
            def: "imbolc_sine",
            id: NodeId(id),
            action: AddAction::Tail,
            target: NodeId(target),
            controls: vec![("gate", 1.0)],
        }
    }

    fn go(node: i32, parent: i32, is_group: bool) -> NodeNotice {
        NodeNotice { node: NodeId(node), parent: NodeId(parent), is_group }
    }

    #[test]
    fn ends_of_freed_subtrees_are_expected_and_others_are_mismatches() {
        let mut r = NodeRegistry::new();
        r.sent(&[group(1, 0), group(2, 1), synth(3, 2), synth(4, 1)]);
        for n in [go(1, 0, true), go(2, 1, true), go(3, 2, false), go(4, 1, false)] {
            r.on_go(n);
        }
        assert_eq!(r.live_count(), 4);
        assert_eq!(r.live_node(NodeId(3)), Some(LiveNode { parent: NodeId(2), is_group: false }));

        // Freeing group 2 expects the end of 2 and of 3 inside it.
        r.sent(&[ServerOp::Free { node: NodeId(2) }]);
        assert_eq!(r.on_end(NodeId(3)), EndOutcome::Expected);
        assert_eq!(r.on_end(NodeId(2)), EndOutcome::Expected);
        // Nobody freed 4.
        assert_eq!(r.on_end(NodeId(4)), EndOutcome::Unexpected);
        assert!(!r.is_live(NodeId(4)));
        assert!(r.is_live(NodeId(1)));
    }

    #[test]
    fn a_per_voice_group_ends_with_its_synths_first_and_nothing_is_a_mismatch() {
        let mut r = NodeRegistry::new();
        r.sent(&[group(1, 0), group(10, 1), synth(11, 10), synth(12, 10), synth(20, 1)]);
        r.voice_started(NodeId(10));
        // doneAction 14: the synths' ends, then the group's.
        assert_eq!(r.on_end(NodeId(11)), EndOutcome::Expected);
        assert_eq!(r.on_end(NodeId(12)), EndOutcome::Expected);
        assert_eq!(r.on_end(NodeId(10)), EndOutcome::VoiceEnded);
        assert!(!r.expects(NodeId(11)) && !r.expects(NodeId(10)));
        // A synth outside any voice group ending by itself still is one.
        assert_eq!(r.on_end(NodeId(20)), EndOutcome::Unexpected);
    }

    #[test]
    fn voices_may_end_by_themselves_once() {
        let mut r = NodeRegistry::new();
        r.sent(&[group(1, 0), synth(10, 1)]);
        r.voice_started(NodeId(10));
        r.on_go(go(10, 1, false));
        assert!(r.is_voice(NodeId(10)));
        assert_eq!(r.on_end(NodeId(10)), EndOutcome::VoiceEnded);
        assert!(!r.expects(NodeId(10)), "an ended voice is no longer expected");
        assert!(!r.is_voice(NodeId(10)));
        assert_eq!(r.on_end(NodeId(10)), EndOutcome::Expected, "a duplicate end is harmless");
    }

    #[test]
    fn a_late_go_after_a_free_is_not_a_mismatch_and_reset_forgets_all() {
        let mut r = NodeRegistry::new();
        r.sent(&[group(1, 0), ServerOp::Free { node: NodeId(1) }]);
        r.on_go(go(1, 0, true));
        assert_eq!(r.on_end(NodeId(1)), EndOutcome::Expected);
        r.sent(&[group(5, 0)]);
        r.reset();
        assert!(!r.expects(NodeId(5)));
        assert_eq!(r.live_count(), 0);
    }

    #[test]
    fn failures_of_graph_ops_are_told_apart() {
        assert!(NodeRegistry::is_graph_failure("/n_free"));
        assert!(NodeRegistry::is_graph_failure("/s_new"));
        assert!(!NodeRegistry::is_graph_failure("/g_queryTree"));
        assert!(!NodeRegistry::is_graph_failure("/d_recv"));
    }

    proptest! {
        /// Notifications for any node ids, in any order, never panic, and a
        /// node the registry never heard of ends as expected.
        #[test]
        fn arbitrary_notifications_are_safe(events in proptest::collection::vec((any::<bool>(), any::<i32>(), any::<i32>()), 0..64)) {
            let mut r = NodeRegistry::new();
            r.sent(&[group(1, 0)]);
            for (start, node, parent) in events {
                if start {
                    r.on_go(go(node, parent, node % 2 == 0));
                } else if node != 1 {
                    prop_assert_eq!(r.on_end(NodeId(node)), EndOutcome::Expected);
                }
            }
            prop_assert!(r.expects(NodeId(1)));
        }
    }
}
