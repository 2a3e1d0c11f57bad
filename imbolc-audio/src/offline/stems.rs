//! [`StemRouter`]: adds a stem tap (`imbolc_stem_tap`) after each strip that
//! gets a stem, so one NRT run writes the master and every stem as output
//! channels of one file.
//!
//! Post-fader: the strip's `out` is redirected to a private stem bus; the tap
//! copies that bus to the stem's output channels and forwards it to the
//! strip's real target (master or aux bus), so the mix is unchanged and the
//! stem is exactly what the strip adds to it. Pre-fader: the strip is left
//! alone and the tap copies the chain bus (after the effects, before level,
//! pan, mute and sends). Sends always go to the buses as in the mix; they
//! are not part of an instrument's stem (bus stems carry them).

use std::collections::HashMap;

use imbolc_types::ChainOwner;

use crate::backend::{AddAction, NodeId, ServerOp};

/// The tap SynthDef (render only).
pub const STEM_TAP: &str = "imbolc_stem_tap";

/// First private audio bus used for stem buses: far above what the graph
/// allocates (it starts at the first private bus and reuses freed ones).
pub const STEM_BUS_BASE: u32 = 8192;

/// First node id of the taps, far above the graph's (which count up from
/// 1000 and include every voice of the render).
const TAP_NODE_BASE: i32 = 1_900_000_000;

/// One stem: whose strip it taps and where it lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tap {
    strip: NodeId,
    node: NodeId,
    /// The private bus the strip writes instead of its target (post-fader).
    stem_bus: u32,
    /// First of the two output channels of this stem.
    channel: u32,
}

/// Rewrites graph ops so the chosen strips feed stem taps.
#[derive(Debug, Clone)]
pub(crate) struct StemRouter {
    pre_fader: bool,
    taps: HashMap<NodeId, Tap>,
}

impl StemRouter {
    /// Taps `strips` (strip node and first output channel of each stem).
    pub fn new(strips: &[(ChainOwner, NodeId, u32)], pre_fader: bool) -> Self {
        let taps = strips
            .iter()
            .enumerate()
            .map(|(k, &(_, strip, channel))| {
                let k32 = i32::try_from(k).unwrap_or(i32::MAX - TAP_NODE_BASE);
                let tap = Tap {
                    strip,
                    node: NodeId(TAP_NODE_BASE + k32),
                    stem_bus: STEM_BUS_BASE + 2 * u32::try_from(k).unwrap_or(0),
                    channel,
                };
                (strip, tap)
            })
            .collect();
        StemRouter { pre_fader, taps }
    }

    /// Rewrites `ops` in place: strip outputs redirected (post-fader), a tap
    /// created right after each tapped strip, tap targets kept in step with
    /// later changes of a strip's `out`.
    pub fn route(&self, ops: &mut Vec<ServerOp>) {
        if self.taps.is_empty() || !ops.iter().any(|op| self.touches_strip(op)) {
            return;
        }
        let mut routed = Vec::with_capacity(ops.len() + self.taps.len());
        for mut op in ops.drain(..) {
            let extra = match &mut op {
                ServerOp::SynthNew { id, controls, .. } => self.taps.get(id).map(|tap| self.tap_new(tap, controls)),
                ServerOp::Set { node, controls } => match self.taps.get(node) {
                    Some(tap) if !self.pre_fader => redirect(tap, controls)
                        .map(|dest| ServerOp::Set { node: tap.node, controls: vec![("dest", dest)] }),
                    _ => None,
                },
                _ => None,
            };
            routed.push(op);
            routed.extend(extra);
        }
        *ops = routed;
    }

    fn touches_strip(&self, op: &ServerOp) -> bool {
        match op {
            ServerOp::SynthNew { id, .. } => self.taps.contains_key(id),
            ServerOp::Set { node, .. } => self.taps.contains_key(node),
            _ => false,
        }
    }

    /// The tap for a strip being created (its controls rewritten first).
    fn tap_new(&self, tap: &Tap, strip_controls: &mut [(&'static str, f32)]) -> ServerOp {
        let chain_bus = strip_controls.iter().find(|(n, _)| *n == "in").map_or(0.0, |c| c.1);
        let controls = if self.pre_fader {
            vec![("in", chain_bus), ("out", tap.channel as f32), ("dest", tap.channel as f32), ("thru", 0.0)]
        } else {
            let dest = redirect(tap, strip_controls).unwrap_or(0.0);
            vec![("in", tap.stem_bus as f32), ("out", tap.channel as f32), ("dest", dest), ("thru", 1.0)]
        };
        ServerOp::SynthNew { def: STEM_TAP, id: tap.node, action: AddAction::After, target: tap.strip, controls }
    }
}

/// Points a strip's `out` at its stem bus; returns the target it had.
fn redirect(tap: &Tap, controls: &mut [(&'static str, f32)]) -> Option<f32> {
    let out = controls.iter_mut().find(|(n, _)| *n == "out")?;
    let dest = out.1;
    out.1 = tap.stem_bus as f32;
    Some(dest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use imbolc_types::InstrumentId;

    fn strip(id: i32, out: f32) -> ServerOp {
        ServerOp::SynthNew {
            def: "imbolc_strip",
            id: NodeId(id),
            action: AddAction::Tail,
            target: NodeId(1),
            controls: vec![("in", 20.0), ("out", out), ("level", 0.5)],
        }
    }

    #[test]
    fn post_fader_strips_write_their_stem_bus_and_the_tap_forwards_it() {
        let r = StemRouter::new(&[(ChainOwner::Instrument(InstrumentId(3)), NodeId(50), 2)], false);
        let mut ops = vec![strip(49, 16.0), strip(50, 16.0)];
        r.route(&mut ops);
        assert_eq!(ops.len(), 3);
        assert_eq!(ops[0], strip(49, 16.0), "untapped strips are untouched");
        let ServerOp::SynthNew { controls, .. } = &ops[1] else { panic!("strip") };
        assert_eq!(controls[1], ("out", STEM_BUS_BASE as f32));
        let ServerOp::SynthNew { def, action, target, controls, .. } = &ops[2] else { panic!("tap") };
        assert_eq!((*def, *action, *target), (STEM_TAP, AddAction::After, NodeId(50)));
        assert_eq!(controls, &vec![("in", STEM_BUS_BASE as f32), ("out", 2.0), ("dest", 16.0), ("thru", 1.0)]);

        let mut ops = vec![ServerOp::Set { node: NodeId(50), controls: vec![("out", 24.0), ("pan", 0.1)] }];
        r.route(&mut ops);
        assert_eq!(
            ops[0],
            ServerOp::Set { node: NodeId(50), controls: vec![("out", STEM_BUS_BASE as f32), ("pan", 0.1)] }
        );
        assert_eq!(ops[1], ServerOp::Set { node: NodeId(TAP_NODE_BASE), controls: vec![("dest", 24.0)] });
    }

    #[test]
    fn pre_fader_taps_read_the_chain_bus_and_leave_the_strip_alone() {
        let r = StemRouter::new(&[(ChainOwner::Master, NodeId(50), 4)], true);
        let mut ops = vec![strip(50, 16.0)];
        r.route(&mut ops);
        assert_eq!(ops[0], strip(50, 16.0));
        let ServerOp::SynthNew { controls, .. } = &ops[1] else { panic!("tap") };
        assert_eq!(controls, &vec![("in", 20.0), ("out", 4.0), ("dest", 4.0), ("thru", 0.0)]);
    }
}
