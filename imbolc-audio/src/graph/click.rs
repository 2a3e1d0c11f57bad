//! Metronome clicks: one self-freeing synth per beat, at the tail of the
//! graph's top group (after the master strip) writing the hardware outputs
//! directly, so the click is heard whatever the mix and never reaches a
//! strip, a meter or a stem.

use super::SignalGraph;
use crate::backend::{AddAction, NodeId, ServerOp};
use crate::synthdefs::CLICK;

/// Click level: well below a full-scale mix.
const CLICK_AMP: f32 = 0.4;

impl SignalGraph {
    /// A click (`accent` on the bar's first beat) and its node.
    pub fn click(&mut self, accent: bool) -> (NodeId, ServerOp) {
        let id = self.node_ids.next_id();
        let controls =
            vec![("out", self.config.hardware_out as f32), ("amp", CLICK_AMP), ("accent", f32::from(u8::from(accent)))];
        (id, ServerOp::SynthNew { def: CLICK, id, action: AddAction::Tail, target: self.roots.imbolc, controls })
    }
}
