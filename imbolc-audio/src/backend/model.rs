//! [`ModelBackend`]: an in-memory model of scsynth's node tree.
//!
//! It answers like the server does: add actions, recursive group free,
//! `/n_set` and `/n_map` reaching every synth inside a group, run flags,
//! moves, and a recorded [`ModelFailure`] (scsynth's `/fail`) for an op on an
//! unknown node or a duplicate id. Each group keeps its children as a doubly
//! linked list, like scsynth, so every op is O(1) except those that walk a
//! subtree (free, set/map on a group).

use std::collections::{BTreeMap, HashMap};

use super::AudioBackend;
use super::canonical::CanonicalTree;
use super::error::BackendError;
use super::op::{AddAction, ControlName, NodeId, ServerOp};
use super::timing::Timing;

/// One op the model refused, as scsynth would report it with `/fail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelFailure {
    /// The command's address, e.g. `/n_free`.
    pub command: &'static str,
    pub message: String,
}

/// A synth's state in the model.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthState {
    pub def: &'static str,
    /// Control values, including those currently mapped.
    pub controls: BTreeMap<ControlName, f32>,
    /// Controls read from a control bus.
    pub maps: BTreeMap<ControlName, u32>,
}

/// A node of the model tree.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ModelNode {
    pub parent: Option<NodeId>,
    pub prev: Option<NodeId>,
    pub next: Option<NodeId>,
    pub running: bool,
    /// `Some` for a synth, `None` for a group.
    pub synth: Option<SynthState>,
    /// First and last child (groups only).
    pub head: Option<NodeId>,
    pub tail: Option<NodeId>,
}

/// What one node looks like, for tests that compare trees before and after
/// an edit node by node (see [`ModelBackend::snapshot`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NodeView {
    pub parent: Option<NodeId>,
    /// Children in execution order (empty for synths).
    pub children: Vec<NodeId>,
    pub running: bool,
    pub synth: Option<SynthState>,
}

/// In-memory scsynth. Starts with the root group 0, like the server.
#[derive(Debug, Clone)]
pub struct ModelBackend {
    pub(super) nodes: HashMap<NodeId, ModelNode>,
    failures: Vec<ModelFailure>,
    warnings: Vec<ModelFailure>,
    batches: usize,
    messages: usize,
    last_batch: Vec<ServerOp>,
    /// Allocated buffers and the file read into each.
    buffers: BTreeMap<u32, String>,
}

impl Default for ModelBackend {
    fn default() -> Self {
        Self::new()
    }
}

impl AudioBackend for ModelBackend {
    fn execute(&mut self, _timing: Timing, ops: &[ServerOp]) -> Result<(), BackendError> {
        self.batches += 1;
        self.messages += ops.len();
        self.last_batch.clear();
        self.last_batch.extend_from_slice(ops);
        for op in ops {
            if let Err(message) = self.apply(op) {
                self.failures.push(ModelFailure { command: op.address(), message });
            }
        }
        Ok(())
    }
}

impl ModelBackend {
    /// A server with only the root group.
    pub fn new() -> Self {
        let mut nodes = HashMap::new();
        nodes.insert(NodeId::ROOT, group_node(None));
        ModelBackend {
            nodes,
            failures: Vec::new(),
            warnings: Vec::new(),
            batches: 0,
            messages: 0,
            last_batch: Vec::new(),
            buffers: BTreeMap::new(),
        }
    }

    /// Allocated buffers and the file each was read from.
    pub fn buffers(&self) -> &BTreeMap<u32, String> {
        &self.buffers
    }

    /// Ops the server would have refused with `/fail`, in order.
    pub fn failures(&self) -> &[ModelFailure] {
        &self.failures
    }

    /// Ops scsynth accepts silently but that are almost surely bugs: a
    /// direct `/n_set` or `/n_map` of a control the synth does not have.
    pub fn warnings(&self) -> &[ModelFailure] {
        &self.warnings
    }

    /// Number of batches executed so far.
    pub fn batch_count(&self) -> usize {
        self.batches
    }

    /// Number of messages received so far, over all batches.
    pub fn message_count(&self) -> usize {
        self.messages
    }

    /// The ops of the most recent batch (its length is that batch's message
    /// count).
    pub fn last_batch(&self) -> &[ServerOp] {
        &self.last_batch
    }

    /// Whether a node exists.
    pub fn contains(&self, node: NodeId) -> bool {
        self.nodes.contains_key(&node)
    }

    /// Number of nodes, the root included.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The SynthDef of every synth (in no particular order).
    pub fn synth_defs(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.nodes.values().filter_map(|n| n.synth.as_ref().map(|s| s.def))
    }

    /// The group holding a node, `None` for the root and unknown nodes.
    pub fn parent(&self, node: NodeId) -> Option<NodeId> {
        self.nodes.get(&node).and_then(|n| n.parent)
    }

    /// The state of a synth, `None` for groups and unknown nodes.
    pub fn synth(&self, node: NodeId) -> Option<&SynthState> {
        self.nodes.get(&node).and_then(|n| n.synth.as_ref())
    }

    /// Children of a group in execution order (empty for synths and unknown
    /// nodes).
    pub fn children(&self, group: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut cur = self.nodes.get(&group).and_then(|n| n.head);
        while let Some(id) = cur {
            out.push(id);
            cur = self.nodes.get(&id).and_then(|n| n.next);
        }
        out
    }

    /// Every node with its real id, for node-by-node comparisons.
    pub fn snapshot(&self) -> BTreeMap<NodeId, NodeView> {
        self.nodes
            .iter()
            .map(|(&id, n)| {
                let view = NodeView {
                    parent: n.parent,
                    children: self.children(id),
                    running: n.running,
                    synth: n.synth.clone(),
                };
                (id, view)
            })
            .collect()
    }

    /// The tree with node and bus numbers renumbered in tree order, so two
    /// servers that hold the same graph compare equal with `==`.
    pub fn canonical_tree(&self) -> CanonicalTree {
        CanonicalTree::from_model(self)
    }

    fn apply(&mut self, op: &ServerOp) -> Result<(), String> {
        match op {
            ServerOp::GroupNew { id, action, target } => self.add(*id, group_node(None), *action, *target),
            ServerOp::SynthNew { def, id, action, target, controls } => {
                let mut node = group_node(None);
                node.synth =
                    Some(SynthState { def, controls: controls.iter().copied().collect(), maps: BTreeMap::new() });
                self.add(*id, node, *action, *target)
            }
            // A voice that already ended is gone either way.
            ServerOp::FreeVoice { node } if !self.nodes.contains_key(node) => Ok(()),
            ServerOp::Free { node } | ServerOp::FreeVoice { node } => {
                self.existing(*node)?;
                if *node == NodeId::ROOT {
                    return Err("cannot free the root group".into());
                }
                self.unlink(*node);
                self.remove_subtree(*node);
                Ok(())
            }
            ServerOp::FreeAll { group } => {
                if !self.is_group(*group) {
                    return Err(format!("Group {group} not found"));
                }
                for child in self.children(*group) {
                    self.unlink(child);
                    self.remove_subtree(child);
                }
                Ok(())
            }
            ServerOp::Set { node, controls } => {
                let is_group = self.existing(*node)?.synth.is_none();
                for &(name, value) in controls {
                    let touched = self.for_synths_with(*node, name, |s| {
                        s.maps.remove(name);
                        s.controls.insert(name, value);
                    });
                    if !is_group && touched == 0 {
                        self.warn("/n_set", format!("node {node} has no control {name}"));
                    }
                }
                Ok(())
            }
            ServerOp::Run { node, on } => {
                self.existing_mut(*node)?.running = *on;
                Ok(())
            }
            ServerOp::Map { node, control, bus } => {
                let is_group = self.existing(*node)?.synth.is_none();
                let touched = self.for_synths_with(*node, control, |s| match bus {
                    Some(b) => {
                        s.maps.insert(control, *b);
                    }
                    None => {
                        s.maps.remove(control);
                    }
                });
                if !is_group && touched == 0 {
                    self.warn("/n_map", format!("node {node} has no control {control}"));
                }
                Ok(())
            }
            ServerOp::Before { node, target } => self.move_node(*node, *target, AddAction::Before),
            ServerOp::After { node, target } => self.move_node(*node, *target, AddAction::After),
            ServerOp::Head { group, node } => self.move_node(*node, *group, AddAction::Head),
            ServerOp::Tail { group, node } => self.move_node(*node, *group, AddAction::Tail),
            // scsynth replaces a buffer that is allocated again, and frees
            // an unallocated one silently.
            ServerOp::BufferAllocRead { buf, path } => {
                self.buffers.insert(*buf, path.clone());
                Ok(())
            }
            ServerOp::BufferAllocReadChannel { buf, path, channel, then } => {
                self.buffers.insert(*buf, format!("{path} (channel {channel})"));
                then.as_deref().map_or(Ok(()), |op| self.apply(op))
            }
            ServerOp::BufferAlloc { buf, frames, then } => {
                self.buffers.insert(*buf, format!("({frames} frames)"));
                then.as_deref().map_or(Ok(()), |op| self.apply(op))
            }
            ServerOp::BufferGenPartConv { buf, ir, .. } => {
                for b in [buf, ir] {
                    if !self.buffers.contains_key(b) {
                        self.warn("/b_gen", format!("buffer {b} is not allocated"));
                    }
                }
                Ok(())
            }
            ServerOp::BufferFree { buf } => {
                if self.buffers.remove(buf).is_none() {
                    self.warn("/b_free", format!("buffer {buf} is not allocated"));
                }
                Ok(())
            }
            ServerOp::BufferAllocWrite { buf, frames, path, .. } => {
                self.buffers.insert(*buf, format!("{path} (writing, {frames} frames)"));
                Ok(())
            }
            ServerOp::BufferClose { buf } => {
                if !self.buffers.contains_key(buf) {
                    self.warn("/b_close", format!("buffer {buf} is not allocated"));
                }
                Ok(())
            }
            // The model does not check SynthDef names: loading one changes
            // nothing it tracks.
            ServerOp::DefRecv { .. } => Ok(()),
        }
    }

    fn warn(&mut self, command: &'static str, message: String) {
        self.warnings.push(ModelFailure { command, message });
    }

    fn existing(&self, id: NodeId) -> Result<&ModelNode, String> {
        self.nodes.get(&id).ok_or_else(|| format!("Node {id} not found"))
    }

    fn existing_mut(&mut self, id: NodeId) -> Result<&mut ModelNode, String> {
        self.nodes.get_mut(&id).ok_or_else(|| format!("Node {id} not found"))
    }

    fn is_group(&self, id: NodeId) -> bool {
        self.nodes.get(&id).is_some_and(|n| n.synth.is_none())
    }

    fn add(&mut self, id: NodeId, node: ModelNode, action: AddAction, target: NodeId) -> Result<(), String> {
        if self.nodes.contains_key(&id) {
            return Err(format!("duplicate node ID {id}"));
        }
        self.check_placement(target, action)?;
        self.nodes.insert(id, node);
        if action == AddAction::Replace {
            self.link(id, target, AddAction::After);
            self.unlink(target);
            self.remove_subtree(target);
        } else {
            self.link(id, target, action);
        }
        Ok(())
    }

    /// Checks that `target` can take a node with `action`.
    fn check_placement(&self, target: NodeId, action: AddAction) -> Result<(), String> {
        self.existing(target)?;
        match action {
            AddAction::Head | AddAction::Tail if !self.is_group(target) => Err(format!("Group {target} not found")),
            AddAction::Before | AddAction::After | AddAction::Replace if target == NodeId::ROOT => {
                Err("the root group has no siblings".into())
            }
            _ => Ok(()),
        }
    }

    fn move_node(&mut self, node: NodeId, target: NodeId, action: AddAction) -> Result<(), String> {
        self.existing(node)?;
        self.check_placement(target, action)?;
        if node == NodeId::ROOT {
            return Err("cannot move the root group".into());
        }
        if node == target {
            return Ok(());
        }
        // A group cannot move into its own subtree.
        let mut cur = Some(target);
        while let Some(c) = cur {
            if c == node {
                return Err(format!("cannot move node {node} inside itself"));
            }
            cur = self.nodes.get(&c).and_then(|n| n.parent);
        }
        self.unlink(node);
        self.link(node, target, action);
        Ok(())
    }

    /// Inserts the (unlinked, existing) `node` relative to `target`.
    fn link(&mut self, node: NodeId, target: NodeId, action: AddAction) {
        let (parent, prev, next) = match action {
            AddAction::Head => (target, None, self.nodes.get(&target).and_then(|n| n.head)),
            AddAction::Tail => (target, self.nodes.get(&target).and_then(|n| n.tail), None),
            AddAction::Before | AddAction::Replace => {
                let t = self.nodes.get(&target);
                (t.and_then(|n| n.parent).unwrap_or(NodeId::ROOT), t.and_then(|n| n.prev), Some(target))
            }
            AddAction::After => {
                let t = self.nodes.get(&target);
                (t.and_then(|n| n.parent).unwrap_or(NodeId::ROOT), Some(target), t.and_then(|n| n.next))
            }
        };
        if let Some(n) = self.nodes.get_mut(&node) {
            n.parent = Some(parent);
            n.prev = prev;
            n.next = next;
        }
        match prev.and_then(|p| self.nodes.get_mut(&p)) {
            Some(p) => p.next = Some(node),
            None => {
                if let Some(g) = self.nodes.get_mut(&parent) {
                    g.head = Some(node);
                }
            }
        }
        match next.and_then(|x| self.nodes.get_mut(&x)) {
            Some(x) => x.prev = Some(node),
            None => {
                if let Some(g) = self.nodes.get_mut(&parent) {
                    g.tail = Some(node);
                }
            }
        }
    }

    /// Takes `node` out of its parent's child list (it stays in the map).
    fn unlink(&mut self, node: NodeId) {
        let Some(n) = self.nodes.get(&node) else { return };
        let (parent, prev, next) = (n.parent, n.prev, n.next);
        match prev.and_then(|p| self.nodes.get_mut(&p)) {
            Some(p) => p.next = next,
            None => {
                if let Some(g) = parent.and_then(|g| self.nodes.get_mut(&g)) {
                    g.head = next;
                }
            }
        }
        match next.and_then(|x| self.nodes.get_mut(&x)) {
            Some(x) => x.prev = prev,
            None => {
                if let Some(g) = parent.and_then(|g| self.nodes.get_mut(&g)) {
                    g.tail = prev;
                }
            }
        }
        if let Some(n) = self.nodes.get_mut(&node) {
            n.parent = None;
            n.prev = None;
            n.next = None;
        }
    }

    /// Removes `node` and everything under it from the map.
    fn remove_subtree(&mut self, node: NodeId) {
        let mut stack = vec![node];
        while let Some(id) = stack.pop() {
            stack.extend(self.children(id));
            self.nodes.remove(&id);
        }
    }

    /// Runs `f` on every synth at or under `node` that has `control`; returns
    /// how many there were.
    fn for_synths_with(&mut self, node: NodeId, control: &str, mut f: impl FnMut(&mut SynthState)) -> usize {
        let mut count = 0;
        let mut stack = vec![node];
        while let Some(id) = stack.pop() {
            let is_synth = self.nodes.get(&id).is_some_and(|n| n.synth.is_some());
            if is_synth {
                if let Some(s) = self.nodes.get_mut(&id).and_then(|n| n.synth.as_mut())
                    && s.controls.contains_key(control)
                {
                    f(s);
                    count += 1;
                }
            } else {
                stack.extend(self.children(id));
            }
        }
        count
    }
}

fn group_node(parent: Option<NodeId>) -> ModelNode {
    ModelNode { parent, prev: None, next: None, running: true, synth: None, head: None, tail: None }
}
