//! [`State`]: the read-only view a pane gets to render and to decide which
//! actions a command means. Panes never change the project; they return
//! [`crate::panes::Effect`]s and the app applies them.

use imbolc_audio::engine::EngineFeedback;
use imbolc_types::{Clip, ClipId, Instrument, InstrumentId, Project};

use crate::keys::Keymap;
use crate::transport::TransportView;

/// What panes may read.
#[derive(Debug, Clone, Copy)]
pub struct State<'a> {
    pub project: &'a Project,
    /// Server state and meters, as of this frame.
    pub feedback: &'a EngineFeedback,
    /// The instrument the editor and piano roll work on.
    pub selected: Option<InstrumentId>,
    /// The clip picked in the arrangement: the piano roll and the drum pane
    /// edit it while its instrument is selected (otherwise that
    /// instrument's first clip).
    pub clip: Option<ClipId>,
    pub keymap: &'a Keymap,
    /// What the UI asked of the transport (loop region, mode).
    pub transport: TransportView,
}

impl<'a> State<'a> {
    pub fn selected_instrument(&self) -> Option<&'a Instrument> {
        self.selected.and_then(|id| self.project.instruments.get(&id))
    }

    /// The picked clip, when it belongs to the selected instrument and
    /// `fits` it (e.g. has drum steps).
    pub fn picked_clip(&self, fits: impl Fn(&Clip) -> bool) -> Option<&'a Clip> {
        let clip = self.project.clips.get(&self.clip?)?;
        (Some(clip.instrument) == self.selected && fits(clip)).then_some(clip)
    }

    /// Position of the selected instrument in the instrument order.
    pub fn selected_index(&self) -> Option<usize> {
        self.selected.and_then(|id| self.project.instruments.get_index_of(&id))
    }
}
