//! Project state, dispatch, undo/redo, persistence and the session runtime
//! that connects them to the audio thread.
//!
//! - [`mod@dispatch`]: [`dispatch()`]`(&mut Project, Action)`, pure, one file per
//!   domain; returns the `AudioDiff`s, the undo entry and what to redraw.
//! - [`undo`]: inverse-based undo entries and the bounded, coalescing
//!   [`undo::UndoHistory`].
//! - [`session`]: [`session::Session`], the runtime owning project, history,
//!   path, dirty flag and the [`session::AudioSink`] diffs go to.
//! - [`persist`]: `*.imbolc` files (SQLite + MessagePack): open, save,
//!   recovery copies, migrations and a background saver thread.
//! - [`midi`]: live MIDI input (midir), routing to the audio thread's
//!   realtime lane, MIDI learn, recording, clock in and out.

pub mod dispatch;
pub mod midi;
pub mod persist;
pub mod session;
pub mod undo;

pub use dispatch::{DispatchError, Outcome, Redraw, dispatch};
pub use session::{AudioSink, Session};
pub use undo::{UndoEntry, UndoHistory};
