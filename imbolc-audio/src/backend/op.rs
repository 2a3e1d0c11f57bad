//! [`ServerOp`]: one server command, as plain data.
//!
//! The graph plans in terms of these and never builds OSC itself, so the same
//! plan can be executed by the in-memory model, sent to scsynth, or written
//! into an NRT score.

use std::fmt;

/// A scsynth node id. Allocated by the graph and never reused in a session,
/// so a late `/n_end` can never be confused with a newer node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub i32);

impl NodeId {
    /// scsynth's root group, which always exists.
    pub const ROOT: NodeId = NodeId(0);
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where a new node goes relative to its target (scsynth's add actions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddAction {
    /// First child of the target group.
    Head,
    /// Last child of the target group.
    Tail,
    /// Immediately before the target node.
    Before,
    /// Immediately after the target node.
    After,
    /// In place of the target node, which is freed.
    Replace,
}

impl AddAction {
    /// The integer scsynth expects in `/s_new` and `/g_new`.
    pub fn code(self) -> i32 {
        match self {
            AddAction::Head => 0,
            AddAction::Tail => 1,
            AddAction::Before => 2,
            AddAction::After => 3,
            AddAction::Replace => 4,
        }
    }
}

/// A control name. SynthDef control names come from the catalog and strip
/// conventions, all known at compile time, so ops carry no allocations for
/// names.
pub type ControlName = &'static str;

/// One command to the server. A diff becomes a `Vec<ServerOp>` that is
/// executed as one batch (one OSC bundle).
#[derive(Debug, Clone, PartialEq)]
pub enum ServerOp {
    /// `/g_new id action target`.
    GroupNew { id: NodeId, action: AddAction, target: NodeId },
    /// `/s_new def id action target name value …`.
    SynthNew { def: &'static str, id: NodeId, action: AddAction, target: NodeId, controls: Vec<(ControlName, f32)> },
    /// `/n_free node`: a group is freed with everything inside it.
    Free { node: NodeId },
    /// `/n_free node` of a voice that may already have ended by itself (a
    /// stolen voice whose release finished while the free was on its
    /// way): the engine cannot know, so the server's "not found" for this
    /// one message is silenced (see [`crate::backend::to_messages`]).
    FreeVoice { node: NodeId },
    /// `/g_freeAll group`: frees every node inside the group (the group
    /// stays).
    FreeAll { group: NodeId },
    /// `/n_set node name value …`: on a group it reaches every synth inside.
    /// Setting a control also removes any bus mapping of that control.
    Set { node: NodeId, controls: Vec<(ControlName, f32)> },
    /// `/n_run node flag`: a paused in-place processor lets its bus pass.
    Run { node: NodeId, on: bool },
    /// `/n_map node control bus`: read the control from a control bus;
    /// `bus: None` (sent as -1) removes the mapping.
    Map { node: NodeId, control: ControlName, bus: Option<u32> },
    /// `/n_before node target`: move `node` immediately before `target`.
    Before { node: NodeId, target: NodeId },
    /// `/n_after node target`: move `node` immediately after `target`.
    After { node: NodeId, target: NodeId },
    /// `/g_head group node`: move `node` to the head of `group`.
    Head { group: NodeId, node: NodeId },
    /// `/g_tail group node`: move `node` to the tail of `group`.
    Tail { group: NodeId, node: NodeId },
    /// `/b_allocRead buf path`: allocate buffer `buf` and read a whole
    /// sound file into it (asynchronous on the server; a missing file is a
    /// `/fail /b_allocRead`).
    BufferAllocRead { buf: u32, path: String },
    /// `/b_allocReadChannel buf path 0 0 channel [then]`: like
    /// [`ServerOp::BufferAllocRead`] but one channel only (a convolution
    /// IR must be mono), then (on the server, once read) run `then`.
    BufferAllocReadChannel { buf: u32, path: String, channel: u32, then: Option<Box<ServerOp>> },
    /// `/b_alloc buf frames 1 [then]`: allocate a zeroed mono buffer, then
    /// (on the server, once it exists) run `then`. A convolution synth is
    /// created this way: PartConv needs its buffer when it starts.
    BufferAlloc { buf: u32, frames: u32, then: Option<Box<ServerOp>> },
    /// `/b_gen buf PreparePartConv ir fft_size`: fill `buf` with the
    /// spectra of buffer `ir` for PartConv (asynchronous, after the
    /// commands before it).
    BufferGenPartConv { buf: u32, ir: u32, fft_size: u32 },
    /// `/b_free buf`: free a buffer's memory.
    BufferFree { buf: u32 },
    /// `/b_alloc buf frames channels` then (on the server, once allocated)
    /// `/b_write buf path wav int24 0 0 1`: a buffer whose sound file stays
    /// open, for `DiskOut` to stream into (the take recorder). A file that
    /// cannot be created is a `/fail /b_write`.
    BufferAllocWrite { buf: u32, frames: u32, channels: u32, path: String },
    /// `/b_close buf`: close the sound file left open by `/b_write`
    /// (libsndfile writes the final header sizes).
    BufferClose { buf: u32 },
    /// `/d_recv bytes`: load (or replace) a SynthDef, here a user's own
    /// def stored in the project (the built-in ones load at boot).
    DefRecv { name: &'static str, bytes: std::sync::Arc<[u8]> },
}

impl ServerOp {
    /// The OSC address this op is sent as (also used in failure reports).
    pub fn address(&self) -> &'static str {
        match self {
            ServerOp::GroupNew { .. } => "/g_new",
            ServerOp::SynthNew { .. } => "/s_new",
            ServerOp::Free { .. } | ServerOp::FreeVoice { .. } => "/n_free",
            ServerOp::FreeAll { .. } => "/g_freeAll",
            ServerOp::Set { .. } => "/n_set",
            ServerOp::Run { .. } => "/n_run",
            ServerOp::Map { .. } => "/n_map",
            ServerOp::Before { .. } => "/n_before",
            ServerOp::After { .. } => "/n_after",
            ServerOp::Head { .. } => "/g_head",
            ServerOp::Tail { .. } => "/g_tail",
            ServerOp::BufferAllocRead { .. } => "/b_allocRead",
            ServerOp::BufferAllocReadChannel { .. } => "/b_allocReadChannel",
            ServerOp::BufferAlloc { .. } => "/b_alloc",
            ServerOp::BufferGenPartConv { .. } => "/b_gen",
            ServerOp::BufferFree { .. } => "/b_free",
            ServerOp::BufferAllocWrite { .. } => "/b_alloc",
            ServerOp::BufferClose { .. } => "/b_close",
            ServerOp::DefRecv { .. } => "/d_recv",
        }
    }
}
