//! The seam between "what the graph wants" and "how it is delivered".
//!
//! The graph produces batches of [`ServerOp`]s; an [`AudioBackend`] executes
//! each batch atomically at a [`Timing`]:
//!
//! - [`ModelBackend`]: an in-memory scsynth node tree for tests, with a
//!   [`CanonicalTree`] view comparable with `==`.
//! - [`ScBackend`]: one OSC bundle per batch over UDP to scsynth.
//! - [`ScoreBackend`] (NRT rendering): records `(timetag, ops)` pairs as
//!   timed bundles of a [`Score`] for `scsynth -N`.

mod canonical;
mod error;
mod model;
#[cfg(test)]
mod model_tests;
mod op;
mod query_tree;
mod sc;
mod score;
mod timing;

pub use canonical::{CanonicalKind, CanonicalNode, CanonicalTree, ControlValue};
pub use error::BackendError;
pub use model::{ModelBackend, ModelFailure, NodeView, SynthState};
pub use op::{AddAction, ControlName, NodeId, ServerOp};
pub use query_tree::QueryTreeError;
pub use sc::{MAX_DATAGRAM, ScBackend, encode_batch, encode_batch_into, to_message, to_messages};
pub use score::{Score, ScoreBackend, ScoreEntry, ScoreError};
pub use timing::{Timetag, Timing};

/// Executes batches of server ops.
///
/// One call is one batch: everything in it takes effect at the same moment
/// on the server (one OSC bundle, one score entry), so a diff never leaves
/// the server half-applied between audio blocks.
pub trait AudioBackend {
    /// Executes `ops` in order, as one atomic batch at `timing`.
    ///
    /// # Errors
    /// The batch could not be delivered (too large, I/O); see
    /// [`BackendError`]. Failures the server reports later (`/fail`) are not
    /// errors here: the model records them, the real server sends them back.
    fn execute(&mut self, timing: Timing, ops: &[ServerOp]) -> Result<(), BackendError>;
}
