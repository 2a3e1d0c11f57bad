//! [`StaticUse`]: what the graph's own nodes (not voices) take on the
//! server, real-time memory and nodes, kept up to date from the ops each
//! diff sends, so sizing the server costs the size of the change. See
//! `crate::server::sizing` for why the server is sized at all.

use crate::backend::{NodeId, ServerOp};
use crate::graph::SignalGraph;
use crate::server::sizing::{ServerSize, rt_memory_kb};

use super::registry::NodeRegistry;

/// Real-time memory (KB) and nodes the graph's own nodes take.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct StaticUse {
    pub rt_kb: u64,
    pub nodes: u64,
}

impl StaticUse {
    /// The use once `ops` (a graph batch) has run on a server that holds
    /// what `registry` expects before them.
    pub fn after(self, ops: &[ServerOp], registry: &NodeRegistry) -> StaticUse {
        let mut used = self;
        for op in ops {
            match op {
                ServerOp::SynthNew { def, .. } => used.add(rt_memory_kb(def)),
                ServerOp::GroupNew { .. } => used.nodes += 1,
                ServerOp::Free { node } | ServerOp::FreeVoice { node } => used.remove_subtree(*node, registry),
                ServerOp::FreeAll { group } => {
                    for child in registry.expected().children(*group) {
                        used.remove_subtree(child, registry);
                    }
                }
                _ => {}
            }
        }
        used
    }

    fn add(&mut self, kb: u32) {
        self.rt_kb += u64::from(kb);
        self.nodes += 1;
    }

    fn remove_subtree(&mut self, node: NodeId, registry: &NodeRegistry) {
        let model = registry.expected();
        for child in model.children(node) {
            self.remove_subtree(child, registry);
        }
        if registry.is_voice(node) || !model.contains(node) {
            return;
        }
        let kb = model.synth(node).map_or(0, |s| rt_memory_kb(s.def));
        self.rt_kb = self.rt_kb.saturating_sub(u64::from(kb));
        self.nodes = self.nodes.saturating_sub(1);
    }

    /// The server size this use needs in `graph`.
    pub fn size(&self, graph: &SignalGraph) -> ServerSize {
        ServerSize::needed(self.rt_kb, self.nodes, graph.instrument_order().len(), graph.resource_high_water())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::AddAction;

    #[test]
    fn use_follows_additions_and_frees_of_whole_subtrees_but_not_voices() {
        let group = |id: i32| ServerOp::GroupNew { id: NodeId(id), action: AddAction::Tail, target: NodeId(0) };
        let synth = |def: &'static str, id: i32, target: i32| ServerOp::SynthNew {
            def,
            id: NodeId(id),
            action: AddAction::Tail,
            target: NodeId(target),
            controls: vec![],
        };
        let mut registry = NodeRegistry::new();
        let build = [group(1), synth("imbolc_delay", 2, 1), synth("imbolc_strip", 3, 1)];
        let used = StaticUse::default().after(&build, &registry);
        assert_eq!(used, StaticUse { rt_kb: 1100 + 16, nodes: 3 });
        registry.sent(&build);
        registry.sent(&[synth("imbolc_saw", 9, 1)]);
        registry.voice_started(NodeId(9));
        let freed = used.after(&[ServerOp::Free { node: NodeId(1) }], &registry);
        assert_eq!(freed, StaticUse::default(), "the voice was never counted");
    }
}
