//! [`UndoEntry`]: the inverse of one edit, with a size estimate used to
//! bound the history by bytes.

use std::mem::size_of;
use std::time::Instant;

use imbolc_types::{Action, ParamTarget};

/// How to take one edit back.
///
/// Invariant: applying `inverse` in order to the project right after the
/// edit gives the project from right before it (id counters aside: they
/// only grow, so an id is never handed out twice). Size is proportional to
/// the edit, never to the project.
#[derive(Debug, Clone, PartialEq)]
pub struct UndoEntry {
    /// Name for menus ("set parameter", "remove effect").
    pub label: &'static str,
    /// Actions to dispatch, in order, to undo the edit.
    pub inverse: Vec<Action>,
    /// For `SetParam`: its target; later edits of the same target within
    /// the coalescing window merge into this entry.
    pub coalesce: Option<ParamTarget>,
    /// When the entry was last pushed or merged (set by the history).
    pub at: Option<Instant>,
    /// Names the project state this edit leads to (set by the history,
    /// kept through undo and redo): see [`super::UndoHistory::state`].
    pub state: u64,
}

impl UndoEntry {
    /// A new entry, not yet timed.
    pub fn new(label: &'static str, inverse: Vec<Action>, coalesce: Option<ParamTarget>) -> Self {
        UndoEntry { label, inverse, coalesce, at: None, state: 0 }
    }

    /// Approximate heap and inline bytes this entry holds. Exact for the
    /// common small edits (parameters, notes); for removals it counts the
    /// MessagePack size of what was removed, a close stand-in for its heap.
    pub fn approx_bytes(&self) -> usize {
        let target = self.coalesce.as_ref().map_or(0, target_heap);
        size_of::<Self>() + target + self.inverse.iter().map(action_bytes).sum::<usize>()
    }
}

fn target_heap(t: &ParamTarget) -> usize {
    match t {
        ParamTarget::Source { param, .. } | ParamTarget::Filter { param, .. } | ParamTarget::Effect { param, .. } => {
            param.capacity()
        }
        _ => 0,
    }
}

/// Bytes one action holds: its inline size plus what it owns on the heap.
fn action_bytes(a: &Action) -> usize {
    let heap = match a {
        Action::SetParam { target, .. } => target_heap(target),
        Action::RemoveNotes { notes, .. } => notes.capacity() * size_of::<imbolc_types::NoteId>(),
        Action::RestoreNotes { notes, .. } | Action::ReplaceNotes { notes, .. } => {
            notes.capacity() * size_of::<(imbolc_types::NoteId, imbolc_types::Note)>()
        }
        Action::RenameProject { name }
        | Action::SetArtist { artist: name }
        | Action::RenameInstrument { name, .. }
        | Action::RenameBus { name, .. }
        | Action::RenameClip { name, .. } => name.capacity(),
        other => encoded_len(other),
    };
    size_of::<Action>() + heap
}

/// MessagePack length of `a`, counted without allocating a buffer.
fn encoded_len(a: &Action) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Counter(0);
    match rmp_serde::encode::write(&mut c, a) {
        Ok(()) => c.0,
        Err(_) => 0,
    }
}
