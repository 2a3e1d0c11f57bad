//! Standard MIDI Files in and out (midly parses and writes them).
//!
//! - [`read`]: a file's bytes → [`MidiSong`] (parts, notes on the project's
//!   grid, tempo map, time signature, controllers) with an
//!   [`ImportSummary`] of what was rounded, repaired or left out.
//! - [`import`]: a song → the actions adding it to a project (one undo
//!   step in the TUI) or a new project (`imbolc import`).
//! - [`export`]: a project, a range of bars or a clip → format 1 bytes
//!   (`imbolc export`, the render dialog's `m`).
//! - [`gm`]: the General MIDI program → source table and drum map.
//! - [`error`]: the error type, [`MidiFileError`].
//!
//! See `docs/midi-files.md`.

pub mod error;
pub mod export;
pub mod gm;
pub mod import;
pub mod read;

pub use error::MidiFileError;
pub use export::{ExportOptions, ExportRange, ExportSummary, export, export_file, write_midi};
pub use import::{ImportPlan, import_file, import_into, new_project, plan};
pub use read::{ImportSummary, MidiSong, read_song};

#[cfg(test)]
mod tests;
