//! A performance on the clip launcher as the audio thread played it: every
//! launch, stop, hand-back and follow action at the song tick where it took
//! effect. The UI captures it into the arrangement
//! (`imbolc_core::capture`).

use serde::{Deserialize, Serialize};

use crate::ids::InstrumentId;
use crate::launcher::LaunchTarget;
use crate::notes::Tick;

/// One column change that took effect while playing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Taken {
    /// Song tick of the boundary (where the new owner's phase starts).
    pub song: Tick,
    pub instrument: InstrumentId,
    /// What the column plays from there on.
    pub target: LaunchTarget,
    /// Taken by a follow action (not a key press).
    pub follow: bool,
}

/// The changes of one run of the transport, in the order they took effect.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Performance {
    /// Song tick where play started.
    pub start: Tick,
    /// Song tick where play stopped (scheduling reached it, so the notes
    /// up to it were heard); `None` while playing.
    pub end: Option<Tick>,
    /// The follow actions' seed the choices were made with.
    pub seed: u64,
    pub taken: Vec<Taken>,
    /// The song position jumped (a loop wrap or a seek) during the run:
    /// the arrangement cannot hold it exactly.
    pub jumped: bool,
}

impl Performance {
    /// Whether there is anything to capture.
    pub fn is_empty(&self) -> bool {
        self.taken.is_empty()
    }
}
