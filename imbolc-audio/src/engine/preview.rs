//! File preview from the sample browser: one sound file played once
//! through the master, outside any instrument.
//!
//! A preview reads the file into its own buffer (`/b_allocRead`); the
//! sampler starts at the head of the master group, writing the master bus,
//! only when the server answers `/done /b_allocRead buf` (the read is
//! asynchronous, and the sampler takes its length when it starts). The
//! buffer is freed when the sampler ends by itself, or with the node when
//! the preview is stopped or replaced. Buffer numbers cycle through
//! [`PREVIEW_BUFFERS`], so a late `/done` of a replaced preview never
//! starts the wrong file.

use std::ops::Range;

use crate::backend::{NodeId, ServerOp};
use crate::graph::SignalGraph;

/// Buffers used by previews, below the sample pads' (which start at 64).
pub const PREVIEW_BUFFERS: Range<u32> = 48..64;

/// The preview in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Preview {
    pub buf: u32,
    /// The sampler, once the file is read.
    pub node: Option<NodeId>,
}

/// Previews over the engine's life: the current one and the next buffer.
#[derive(Debug, Default)]
pub(crate) struct Previews {
    pub current: Option<Preview>,
    next: u32,
}

impl Previews {
    /// Ops that stop the current preview (its node if started, its buffer).
    pub fn stop(&mut self) -> Vec<ServerOp> {
        let Some(p) = self.current.take() else { return Vec::new() };
        let mut ops: Vec<ServerOp> = p.node.map(|node| ServerOp::Free { node }).into_iter().collect();
        ops.push(ServerOp::BufferFree { buf: p.buf });
        ops
    }

    /// Ops that replace the current preview with reading `path`.
    pub fn start(&mut self, path: String) -> Vec<ServerOp> {
        let mut ops = self.stop();
        let buf = PREVIEW_BUFFERS.start + self.next % PREVIEW_BUFFERS.len() as u32;
        self.next = self.next.wrapping_add(1);
        self.current = Some(Preview { buf, node: None });
        ops.push(ServerOp::BufferAllocRead { buf, path });
        ops
    }

    /// The server read buffer `buf`: the sampler to start, if it is the
    /// current preview's.
    pub fn loaded(&mut self, buf: u32, graph: &mut SignalGraph) -> Option<(NodeId, ServerOp)> {
        let p = self.current.as_mut().filter(|p| p.buf == buf && p.node.is_none())?;
        let (node, op) = graph.preview_synth(buf);
        p.node = Some(node);
        Some((node, op))
    }

    /// A node ended: the buffer to free when it was the preview's sampler.
    pub fn ended(&mut self, node: NodeId) -> Option<ServerOp> {
        let p = self.current.filter(|p| p.node == Some(node))?;
        self.current = None;
        Some(ServerOp::BufferFree { buf: p.buf })
    }

    /// The server is gone: nothing of the preview is left on it.
    pub fn forget(&mut self) {
        self.current = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthdefs::SAMPLER;

    #[test]
    fn a_preview_reads_then_plays_and_stop_frees_node_and_buffer() {
        let (mut graph, _) = SignalGraph::build(Default::default(), &Default::default());
        let mut p = Previews::default();
        let ops = p.start("/a.wav".into());
        assert_eq!(ops, vec![ServerOp::BufferAllocRead { buf: 48, path: "/a.wav".into() }]);
        assert!(p.loaded(49, &mut graph).is_none(), "another buffer's read starts nothing");
        let (node, op) = p.loaded(48, &mut graph).expect("the sampler starts");
        let ServerOp::SynthNew { def, controls, .. } = op else { panic!("a synth") };
        assert_eq!(def, SAMPLER);
        assert!(controls.contains(&("out", graph.master_bus() as f32)) && controls.contains(&("buf", 48.0)));
        assert!(p.loaded(48, &mut graph).is_none(), "started once");
        let ops = p.start("/b.wav".into());
        assert_eq!(
            ops,
            vec![
                ServerOp::Free { node },
                ServerOp::BufferFree { buf: 48 },
                ServerOp::BufferAllocRead { buf: 49, path: "/b.wav".into() }
            ]
        );
        assert!(p.loaded(48, &mut graph).is_none(), "a late read of the replaced file starts nothing");
        assert_eq!(p.stop(), vec![ServerOp::BufferFree { buf: 49 }]);
        assert!(p.stop().is_empty());
    }

    #[test]
    fn a_preview_that_ends_by_itself_frees_its_buffer() {
        let (mut graph, _) = SignalGraph::build(Default::default(), &Default::default());
        let mut p = Previews::default();
        p.start("/a.wav".into());
        let (node, _) = p.loaded(48, &mut graph).expect("started");
        assert_eq!(p.ended(NodeId(node.0 + 1)), None);
        assert_eq!(p.ended(node), Some(ServerOp::BufferFree { buf: 48 }));
        assert!(p.current.is_none());
    }
}
