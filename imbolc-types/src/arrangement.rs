//! Placements of clips on the arrangement (the song timeline).

use serde::{Deserialize, Serialize};

use crate::ids::{ClipId, PlacementId};
use crate::notes::Tick;

/// One clip placed on the arrangement. A placement of a looping clip lasts
/// `length` ticks; of a non-looping clip, `length` cuts it short.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    pub id: PlacementId,
    pub clip: ClipId,
    /// Start on the arrangement, in ticks.
    pub start: Tick,
    /// How long it plays, in ticks (at least one).
    pub length: Tick,
}
