//! [`CanonicalTree`]: a server's node tree with every server-chosen number
//! renumbered in tree order, so an incrementally edited server and one built
//! from scratch compare equal with `==` exactly when they hold the same
//! graph.
//!
//! Node ids become pre-order positions. Bus indices are renumbered too, per
//! bus space (audio, control) in order of first appearance, because the
//! allocator's free list hands out different indices depending on history.
//! Which controls hold bus indices follows the SynthDef conventions: `in`,
//! `out`, `bus`, `key` (sidechain) and `send<N>bus` are audio buses, except the `out` of the LFO
//! SynthDef, which is a control bus; `/n_map` targets are control buses. A
//! mapped control shows only its mapping: its stored value is not audible.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use imbolc_types::catalog::LFO_SYNTHDEF;

use super::model::ModelBackend;
use super::op::NodeId;

/// One control of a canonical synth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ControlValue {
    /// A plain value.
    Value(f32),
    /// An audio bus, renumbered in order of first appearance.
    AudioBus(u32),
    /// A control bus written by the synth, renumbered likewise.
    ControlBus(u32),
    /// Mapped with `/n_map` to this (renumbered) control bus.
    Mapped(u32),
}

/// What a canonical node is.
#[derive(Debug, Clone, PartialEq)]
pub enum CanonicalKind {
    Group,
    Synth { def: String, controls: BTreeMap<String, ControlValue> },
}

/// One node, in pre-order.
#[derive(Debug, Clone, PartialEq)]
pub struct CanonicalNode {
    /// Depth below the root (root = 0).
    pub depth: usize,
    pub running: bool,
    pub kind: CanonicalKind,
}

/// A whole tree in pre-order; a node's id is its index, so renumbering is
/// implicit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CanonicalTree {
    pub nodes: Vec<CanonicalNode>,
}

/// Which numbering a bus-valued control belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum BusSpace {
    Audio,
    Control,
}

fn bus_space(def: &str, control: &str) -> Option<BusSpace> {
    match control {
        "out" if def == LFO_SYNTHDEF => Some(BusSpace::Control),
        "in" | "out" | "bus" | "key" => Some(BusSpace::Audio),
        c if c.starts_with("send") && c.ends_with("bus") => Some(BusSpace::Audio),
        _ => None,
    }
}

/// A control as a server reports it, before renumbering.
#[derive(Debug, Clone, Copy)]
pub(super) enum RawControl {
    Value(f32),
    /// Mapped to this control bus.
    Mapped(u32),
}

/// The canonical form of one synth.
pub(super) fn synth_kind<'a>(
    def: &str,
    controls: impl Iterator<Item = (&'a str, RawControl)>,
    buses: &mut Renumber,
) -> CanonicalKind {
    let mut out = BTreeMap::new();
    for (name, raw) in controls {
        let v = match raw {
            RawControl::Mapped(bus) => ControlValue::Mapped(buses.get(BusSpace::Control, bus)),
            RawControl::Value(value) => match bus_space(def, name) {
                Some(space) => {
                    let n = buses.get(space, value.max(0.0) as u32);
                    match space {
                        BusSpace::Audio => ControlValue::AudioBus(n),
                        BusSpace::Control => ControlValue::ControlBus(n),
                    }
                }
                None => ControlValue::Value(value),
            },
        };
        out.insert(name.to_owned(), v);
    }
    CanonicalKind::Synth { def: def.to_owned(), controls: out }
}

/// Renumbers bus indices per space in order of first appearance.
#[derive(Default)]
pub(super) struct Renumber {
    seen: HashMap<(BusSpace, u32), u32>,
    next: HashMap<BusSpace, u32>,
}

impl Renumber {
    fn get(&mut self, space: BusSpace, bus: u32) -> u32 {
        if let Some(&n) = self.seen.get(&(space, bus)) {
            return n;
        }
        let counter = self.next.entry(space).or_insert(0);
        let n = *counter;
        *counter += 1;
        self.seen.insert((space, bus), n);
        n
    }
}

impl CanonicalTree {
    /// The same tree with every node marked running: `/g_queryTree` does
    /// not report run state, so compare a server's tree with a model's
    /// through this.
    pub fn ignoring_run_state(&self) -> CanonicalTree {
        let nodes = self.nodes.iter().map(|n| CanonicalNode { running: true, ..n.clone() }).collect();
        CanonicalTree { nodes }
    }

    /// The canonical form of the model's tree below the root.
    pub fn from_model(model: &ModelBackend) -> CanonicalTree {
        let mut nodes = Vec::new();
        let mut buses = Renumber::default();
        let mut stack = vec![(NodeId::ROOT, 0usize)];
        while let Some((id, depth)) = stack.pop() {
            let Some(node) = model.nodes.get(&id) else { continue };
            let kind = match &node.synth {
                None => {
                    let children = model.children(id);
                    stack.extend(children.into_iter().rev().map(|c| (c, depth + 1)));
                    CanonicalKind::Group
                }
                Some(s) => {
                    let raw = s.controls.iter().map(|(&name, &value)| match s.maps.get(name) {
                        Some(&bus) => (name, RawControl::Mapped(bus)),
                        None => (name, RawControl::Value(value)),
                    });
                    synth_kind(s.def, raw, &mut buses)
                }
            };
            nodes.push(CanonicalNode { depth, running: node.running, kind });
        }
        CanonicalTree { nodes }
    }
}

impl fmt::Display for CanonicalTree {
    /// One node per line, indented by depth; handy in assertion failures.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, n) in self.nodes.iter().enumerate() {
            let pause = if n.running { "" } else { " (paused)" };
            write!(f, "{:indent$}{i}", "", indent = n.depth * 2)?;
            match &n.kind {
                CanonicalKind::Group => writeln!(f, " group{pause}")?,
                CanonicalKind::Synth { def, controls } => {
                    write!(f, " {def}{pause}")?;
                    for (name, v) in controls {
                        match v {
                            ControlValue::Value(x) => write!(f, " {name}={x}")?,
                            ControlValue::AudioBus(b) => write!(f, " {name}=a{b}")?,
                            ControlValue::ControlBus(b) => write!(f, " {name}=c{b}")?,
                            ControlValue::Mapped(b) => write!(f, " {name}->c{b}")?,
                        }
                    }
                    writeln!(f)?;
                }
            }
        }
        Ok(())
    }
}
