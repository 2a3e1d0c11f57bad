//! Project files (`*.imbolc`): one SQLite database with a `project` table
//! of queryable metadata (name, bpm, created, updated, format_version,
//! app_version) and the project as one MessagePack blob, in a `main` row
//! (the saved project) and an optional `recovery` row (autosave).
//!
//! - [`mod@file`]: open, save, recovery copies; why saves go through a
//!   temporary file and a rename.
//! - [`mod@format`]: the blob, its checksum and migrations (from format 1).
//! - [`saver`]: a background thread that saves off the UI thread.
//! - [`autosave`]: when a recovery copy is due (every 30 s when dirty).
//! - [`repair`]: validate-and-repair of every decoded project, so what was
//!   read holds the invariants dispatch keeps ([`Repairs`] says what changed).
//! - `error`: [`PersistError`], what went wrong and what the user can do.

pub mod autosave;
mod error;
pub mod file;
pub mod format;
pub mod repair;
pub mod saver;

pub use autosave::{AUTOSAVE_INTERVAL, AutosaveTimer};
pub use error::PersistError;
pub use file::{Loaded, Metadata, SaveInfo, inspect, load, load_recovery, save, save_recovery};
pub use format::FORMAT_VERSION;
pub use repair::{Repair, RepairKind, Repairs, repair};
pub use saver::{BackgroundSaver, SaveJob, SaveKind, SaveReport};
