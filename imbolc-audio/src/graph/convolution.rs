//! Convolution effects with an impulse response from the sample store.
//!
//! With no IR the effect is its catalog SynthDef (a short built-in IR, no
//! buffers). With one, the effect owns two buffers: the IR read from its
//! cache file (channel 0 only: PartConv convolves with a mono IR), and the
//! spectral buffer PartConv reads, sized for the IR length at [`FFT_SIZE`]
//! and filled by `/b_gen PreparePartConv`. PartConv takes that buffer when
//! its synth starts, so the synth is created as the completion message of
//! the spectral `/b_alloc` (the buffer exists, still zero, so it is silent
//! until the `/b_gen` that follows fills it); a bypassed one is paused by
//! the completion of the IR read that comes next, after it exists.
//!
//! Ops are rewritten in one place ([`SignalGraph::attach_irs`], run on
//! every batch): wherever a chain creates a convolution effect that has an
//! IR, the plain `/s_new` becomes the buffer commands around the IR synth.
//! Removing the effect (or its chain) frees both buffers; changing the IR
//! replaces the node (`/s_new` with the Replace action) and swaps buffers.

use imbolc_types::{ChainOwner, EffectId, EffectSlot, SampleRef};

use super::{GraphError, SignalGraph};
use crate::backend::{AddAction, NodeId, ServerOp};
use crate::synthdefs::CONVOLUTION_IR;

/// FFT size of PartConv (compiled into `imbolc_convolution_ir`).
pub const FFT_SIZE: u32 = 2048;

/// The catalog SynthDef of the convolution effect (built-in IR).
const BUILT_IN: &str = "imbolc_convolution";

/// The two buffers of a convolution effect with an IR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct IrBuffers {
    /// The IR, read from its file.
    pub ir: u32,
    /// Its spectra for PartConv.
    pub spec: u32,
}

/// Frames of the spectral buffer for an IR of `ir_frames`: one FFT frame
/// per half-FFT partition of the IR (at least one). `None` when too long
/// for a server buffer.
pub fn spectral_frames(ir_frames: u64) -> Option<u32> {
    let half = u64::from(FFT_SIZE / 2);
    let partitions = ir_frames.div_ceil(half).max(1);
    u32::try_from(partitions.checked_mul(u64::from(FFT_SIZE))?).ok()
}

/// The cache file and spectral size of a usable IR.
fn ir_file(ir: Option<&SampleRef>) -> Option<(String, u32)> {
    let ir = ir?;
    if !SampleRef::is_valid_hash(&ir.hash) || ir.frames == 0 {
        return None;
    }
    Some((crate::sample_cache::path_of(ir).display().to_string(), spectral_frames(ir.frames)?))
}

impl SignalGraph {
    /// The effect slot whose node is `node`, in any chain.
    fn slot_of_node(&self, node: NodeId) -> Option<&EffectSlot> {
        let chains = self
            .instruments
            .values()
            .map(|s| &s.chain)
            .chain(self.buses.values().map(|s| &s.chain))
            .chain([&self.master.chain]);
        for chain in chains {
            if let Some((id, _)) = chain.nodes.iter().find(|(_, n)| **n == node) {
                return chain.effects.iter().find(|e| e.id == *id);
            }
        }
        None
    }

    /// Rewrites the creation of convolution effects that have an IR into
    /// their buffer commands (see the module docs). Other ops pass as they
    /// are.
    pub(super) fn attach_irs(&mut self, ops: Vec<ServerOp>) -> Vec<ServerOp> {
        if !ops.iter().any(|op| matches!(op, ServerOp::SynthNew { def, .. } if *def == BUILT_IN)) {
            return ops;
        }
        let mut out = Vec::with_capacity(ops.len() + 2);
        let mut ops = ops.into_iter().peekable();
        while let Some(op) = ops.next() {
            match op {
                ServerOp::SynthNew { def, id, action, target, controls } if def == BUILT_IN => {
                    let file = self.slot_of_node(id).and_then(|s| ir_file(s.ir.as_ref()));
                    let Some((path, frames)) = file else {
                        out.push(ServerOp::SynthNew { def, id, action, target, controls });
                        continue;
                    };
                    // A bypassed effect's pause must follow the node's
                    // creation on the server, so it is a completion too.
                    let pause = ops.next_if(|op| matches!(op, ServerOp::Run { node, on: false } if *node == id));
                    let synth = ServerOp::SynthNew { def: CONVOLUTION_IR, id, action, target, controls };
                    self.ir_synth(synth, pause, path, frames, &mut out);
                }
                other => out.push(other),
            }
        }
        out
    }

    /// The commands creating convolution `synth` (an `/s_new` of the IR
    /// def), paused by `pause` when bypassed, with the IR in `path`: the
    /// spectral buffer (the synth as its completion), the IR (the pause as
    /// its completion, so it runs after the synth exists), the spectra.
    fn ir_synth(
        &mut self,
        mut synth: ServerOp,
        pause: Option<ServerOp>,
        path: String,
        frames: u32,
        out: &mut Vec<ServerOp>,
    ) {
        let ServerOp::SynthNew { id, controls, .. } = &mut synth else { return };
        let bufs = IrBuffers { ir: self.samples.numbers.alloc(), spec: self.samples.numbers.alloc() };
        if let Some(old) = self.samples.by_effect.insert(*id, bufs) {
            out.extend(self.release(old));
        }
        controls.push(("spec", bufs.spec as f32));
        out.push(ServerOp::BufferAlloc { buf: bufs.spec, frames, then: Some(Box::new(synth)) });
        out.push(ServerOp::BufferAllocReadChannel { buf: bufs.ir, path, channel: 0, then: pause.map(Box::new) });
        out.push(ServerOp::BufferGenPartConv { buf: bufs.spec, ir: bufs.ir, fft_size: FFT_SIZE });
    }

    fn release(&mut self, bufs: IrBuffers) -> [ServerOp; 2] {
        self.samples.numbers.free(bufs.ir);
        self.samples.numbers.free(bufs.spec);
        [ServerOp::BufferFree { buf: bufs.ir }, ServerOp::BufferFree { buf: bufs.spec }]
    }

    /// Frees the IR buffers of effect nodes that are gone.
    pub(super) fn free_irs(&mut self, nodes: impl IntoIterator<Item = NodeId>) -> Vec<ServerOp> {
        let mut ops = Vec::new();
        for node in nodes {
            if let Some(bufs) = self.samples.by_effect.remove(&node) {
                ops.extend(self.release(bufs));
            }
        }
        ops
    }

    /// A convolution effect's IR changed: the node is replaced in place by
    /// one with the new IR (or the built-in one), and the old buffers are
    /// freed after it.
    pub(super) fn effect_ir_set(
        &mut self,
        owner: ChainOwner,
        effect: EffectId,
        ir: Option<&SampleRef>,
    ) -> Result<Vec<ServerOp>, GraphError> {
        let bpm = self.tempo;
        let new = self.node_ids.next_id();
        let chain = self.chain_mut(owner)?;
        let unknown = GraphError::UnknownEffect { owner, effect };
        let old = *chain.nodes.get(&effect).ok_or(unknown.clone())?;
        let pos = chain.position(effect).ok_or(unknown)?;
        let slot = &mut chain.effects[pos];
        if slot.ir.as_ref() == ir {
            return Ok(Vec::new());
        }
        slot.ir = ir.cloned();
        let slot = slot.clone();
        let bus = chain.bus;
        chain.nodes.insert(effect, new);
        let key = self.key_value(owner, bus, slot.key);
        let mut ops = Vec::with_capacity(6);
        super::build::effect_new(&slot, new, super::state::Anchor::After(old), bus, bpm, key, &mut ops);
        // The new node takes the old one's place (and frees it).
        for op in &mut ops {
            if let ServerOp::SynthNew { id, action, target, .. } = op
                && *id == new
            {
                *action = AddAction::Replace;
                *target = old;
            }
        }
        let mut ops = self.attach_irs(ops);
        ops.extend(self.free_irs([old]));
        Ok(ops)
    }
}
