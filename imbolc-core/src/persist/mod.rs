//! Project files (`*.imbolc`): one SQLite database with a `project` table
//! of queryable metadata (name, bpm, created, updated, format_version,
//! app_version) and the project as one MessagePack blob, in a `main` row
//! (the saved project) and an optional `recovery` row (autosave); and the
//! sample store: the bytes of every sample the project uses, once per
//! content hash (`samples`).
//!
//! - [`mod@file`]: open, save, recovery copies; why a new file goes through a
//!   temporary file and a rename and an existing one is updated in place
//!   (`write`).
//! - `samples`: the sample tables; only new samples are written by a save,
//!   and opening writes the samples to the cache scsynth reads.
//! - `checkpoints`: named checkpoints in tables of their own, each a
//!   manifest of parts stored once per content hash.
//! - [`mod@format`]: the blob, its checksum and migrations (from format 1).
//! - [`saver`]: a background thread that saves off the UI thread.
//! - [`autosave`]: when a recovery copy is due (every 30 s when dirty).
//! - [`repair`]: validate-and-repair of every decoded project, so what was
//!   read holds the invariants dispatch keeps ([`Repairs`] says what changed).
//! - `error`: [`PersistError`], what went wrong and what the user can do.

pub mod autosave;
mod checkpoints;
mod error;
pub mod file;
pub mod format;
pub mod repair;
mod samples;
pub mod saver;
mod write;

pub use autosave::{AUTOSAVE_INTERVAL, AutosaveTimer};
pub use checkpoints::ReadCheckpoints;
pub use error::PersistError;
pub use file::{
    Loaded, Metadata, SaveInfo, inspect, load, load_recovery, read_checkpoints, save, save_recovery,
    save_with_checkpoints,
};
pub use format::FORMAT_VERSION;
pub use repair::{Repair, RepairKind, Repairs, repair};
pub use samples::used_samples;
pub use saver::{BackgroundSaver, SaveJob, SaveKind, SaveReport};
