//! Undo and redo as data. An [`UndoEntry`] holds the inverse actions of one
//! edit; [`UndoHistory`] keeps a bounded
//! stack of them (by count and by bytes) and replays them through dispatch,
//! so undo emits the same targeted diffs as any edit.
//!
//! - `entry`: [`UndoEntry`] and its size estimate.
//! - `history`: [`UndoHistory`], coalescing and limits.

mod entry;
mod history;

pub use entry::UndoEntry;
pub use history::{COALESCE_WINDOW, DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES, Replayed, UndoHistory};

#[cfg(test)]
mod tests;
