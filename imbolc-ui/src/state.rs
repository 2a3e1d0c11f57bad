//! [`State`]: the read-only view a pane gets to render and to decide which
//! actions a command means. Panes never change the project; they return
//! [`crate::panes::Effect`]s and the app applies them.

use imbolc_audio::engine::EngineFeedback;
use imbolc_types::{Instrument, InstrumentId, Project};

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
    pub keymap: &'a Keymap,
    /// What the UI asked of the transport (loop region, mode).
    pub transport: TransportView,
}

impl<'a> State<'a> {
    pub fn selected_instrument(&self) -> Option<&'a Instrument> {
        self.selected.and_then(|id| self.project.instruments.get(&id))
    }

    /// Position of the selected instrument in the instrument order.
    pub fn selected_index(&self) -> Option<usize> {
        self.selected.and_then(|id| self.project.instruments.get_index_of(&id))
    }
}
