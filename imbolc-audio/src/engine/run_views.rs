//! The engine's side of the views of sound (see [`crate::views`]): one
//! tap synth on the watched target's bus while a view is open, and a
//! `/b_getn` for each chunk it reports full.
//!
//! The tap sits at the tail of the root group, after everything, so it
//! reads what the target's bus finally holds: for the master, the
//! hardware outputs (after the master strip and its limiter); for an
//! instrument or an aux bus, its chain bus after its effects (before its
//! strip's level and pan, like a pre-fader meter). A watched target that
//! goes away closes the view's tap; a new server gets the tap again.

use imbolc_types::{AudioDiff, ChainOwner};
use rosc::OscType;

use crate::backend::{AddAction, NodeId, ServerOp};
use crate::synthdefs::VIEW_TAP;
use crate::views::{CHUNK_FRAMES, CHUNKS, TAP_SAMPLES, VIEW_BUFFERS, ViewInput};

use super::Engine;

/// The tap on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tap {
    pub owner: ChainOwner,
    pub bus: u32,
    pub buf: u32,
    pub node: NodeId,
}

/// What the views want and have.
#[derive(Debug, Default)]
pub(crate) struct Views {
    /// The analyser thread's channel (none: views are unavailable).
    pub analyser: Option<crossbeam_channel::Sender<ViewInput>>,
    /// The target the UI watches (none: no view open).
    pub wanted: Option<ChainOwner>,
    pub current: Option<Tap>,
    /// Taps opened so far (the next buffer).
    pub opened: u32,
}

impl Views {
    fn tell(&self, input: ViewInput) {
        if let Some(a) = &self.analyser {
            // Fails only when the analyser thread is gone with the handle.
            let _ = a.send(input);
        }
    }

    /// Ops that remove the current tap.
    fn close(&mut self) -> Vec<ServerOp> {
        match self.current.take() {
            Some(tap) => vec![ServerOp::Free { node: tap.node }, ServerOp::BufferFree { buf: tap.buf }],
            None => Vec::new(),
        }
    }
}

/// Whether a diff may change which bus a target has.
fn moves_buses(diff: &AudioDiff) -> bool {
    matches!(
        diff,
        AudioDiff::InstrumentAdded { .. }
            | AudioDiff::InstrumentRemoved { .. }
            | AudioDiff::BusAdded { .. }
            | AudioDiff::BusRemoved { .. }
            | AudioDiff::SceneLoaded(_)
    )
}

impl Engine {
    /// Watch `target` (`None`: close the view).
    pub(super) fn view(&mut self, target: Option<ChainOwner>) {
        self.views.wanted = target;
        self.open_view();
    }

    /// The bus a target's view reads, if the target exists.
    fn view_bus(&self, owner: ChainOwner) -> Option<u32> {
        match owner {
            ChainOwner::Master => Some(self.config.graph_config().hardware_out),
            ChainOwner::Instrument(id) => self.graph.instrument_bus(id),
            ChainOwner::Bus(id) => self.graph.aux_bus_index(id),
        }
    }

    /// Replaces the tap with one on the wanted target (or none).
    fn open_view(&mut self) {
        let close = self.views.close();
        self.send(&close);
        let Some(owner) = self.views.wanted else {
            self.views.tell(ViewInput::Close);
            return;
        };
        let (Some(bus), true) = (self.view_bus(owner), self.link.is_some()) else {
            self.views.tell(ViewInput::Close);
            return;
        };
        if self.views.analyser.is_none() {
            return;
        }
        let buf = VIEW_BUFFERS.start + self.views.opened % VIEW_BUFFERS.len() as u32;
        self.views.opened = self.views.opened.wrapping_add(1);
        let node = self.graph.allocate_node();
        let controls = vec![
            ("in", bus as f32),
            ("buf", buf as f32),
            ("chunk", CHUNK_FRAMES as f32),
            ("chunks", CHUNKS as f32),
            ("id", buf as f32),
        ];
        let synth =
            ServerOp::SynthNew { def: VIEW_TAP, id: node, action: AddAction::Tail, target: NodeId::ROOT, controls };
        // The synth starts once its buffer exists (BufWr needs it).
        let alloc = ServerOp::BufferAlloc { buf, frames: TAP_SAMPLES, then: Some(Box::new(synth)) };
        self.views.tell(ViewInput::Open { target: owner, buf, rate: self.config.server.sample_rate });
        self.views.current = Some(Tap { owner, bus, buf, node });
        self.send(&[alloc]);
    }

    /// After a diff: a watched target that moved to another bus (or went)
    /// gets its tap moved (or closed).
    pub(super) fn refresh_view(&mut self, diff: &AudioDiff) {
        let Some(owner) = self.views.wanted else { return };
        if !moves_buses(diff) {
            return;
        }
        let bus = self.view_bus(owner);
        if self.views.current.map(|t| t.bus) != bus {
            self.open_view();
        }
    }

    /// A new server: the tap comes back on it, if a view is open.
    pub(super) fn reopen_view(&mut self) {
        self.views.current = None;
        if self.views.wanted.is_some() {
            self.open_view();
        }
    }

    /// The server lost: its tap is gone with it.
    pub(super) fn forget_view(&mut self) {
        self.views.current = None;
    }

    /// `/imbolc_view`: read the chunk the tap just filled.
    pub(super) fn view_chunk(&mut self, node: NodeId, chunk: u32) {
        let (Some(tap), Some(link)) = (self.views.current, &self.link) else { return };
        if tap.node != node {
            return;
        }
        let n = (CHUNK_FRAMES * 2) as i32;
        let args = vec![OscType::Int(tap.buf as i32), OscType::Int(chunk as i32 * n), OscType::Int(n)];
        if let Err(e) = link.sender.message("/b_getn", args) {
            tracing::warn!("cannot read the view's buffer: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use imbolc_types::InstrumentId;

    use super::*;

    #[test]
    fn bus_moves_come_from_structural_diffs_only() {
        assert!(moves_buses(&AudioDiff::InstrumentRemoved { instrument: InstrumentId(1) }));
        assert!(!moves_buses(&AudioDiff::MasterSet(Default::default())));
    }

    #[test]
    fn closing_frees_the_tap_and_its_buffer() {
        let mut v = Views::default();
        assert!(v.close().is_empty());
        v.current = Some(Tap { owner: ChainOwner::Master, bus: 0, buf: 36, node: NodeId(1500) });
        assert_eq!(v.close(), vec![ServerOp::Free { node: NodeId(1500) }, ServerOp::BufferFree { buf: 36 }]);
        assert!(v.current.is_none());
    }
}
