//! Automation values on the graph: the same path as a `ParamSet` (so the
//! graph's copy, which a rebuild sends, always holds the latest value),
//! called by playback with each timed sample of a lane.

use imbolc_types::ParamTarget;

use super::{GraphError, SignalGraph};
use crate::backend::ServerOp;

impl SignalGraph {
    /// Sets `target` to an automated `value` (clamped like any parameter)
    /// and returns the ops, usually one `/n_set` on the owning node:
    /// source and envelope values on the `voices` group, filter and effect
    /// values on their node (by `EffectId`), mixer values on the strip.
    /// Tempo has no node: it is the scheduler's, and gives no ops.
    ///
    /// # Errors
    /// [`GraphError`] when the target does not exist in the graph (a lane
    /// on a removed effect plays nothing).
    pub fn automate(&mut self, target: &ParamTarget, value: f32) -> Result<Vec<ServerOp>, GraphError> {
        self.param_set(target, value)
    }
}
