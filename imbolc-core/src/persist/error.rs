//! [`PersistError`]: why a project file could not be read or written. Every
//! variant leaves the file on disk exactly as it was.

use std::path::PathBuf;

use thiserror::Error;

/// A project file problem. The file is never modified when one is returned.
#[derive(Debug, Error)]
pub enum PersistError {
    /// The file could not be read or written (missing, permission, disk
    /// full). The user can pick another location or free space and retry.
    #[error("cannot access {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The existing file is marked read-only; it is not replaced. The user
    /// can save elsewhere or make the file writable.
    #[error("{path} is read-only")]
    ReadOnly { path: PathBuf },
    /// Not an SQLite database at all (empty, text, random bytes).
    #[error("{path} is not an Imbolc project (not an SQLite file)")]
    NotSqlite { path: PathBuf },
    /// An SQLite database, but not one Imbolc wrote; not overwritten.
    #[error("{path} is an SQLite database but not an Imbolc project")]
    NotAProject { path: PathBuf },
    /// The database itself is damaged or truncated. An older copy or the
    /// recovery row may still open.
    #[error("{path} is damaged: {detail}")]
    CorruptDatabase { path: PathBuf, detail: String },
    /// The database is fine but the project data in it does not decode or
    /// fails its checksum.
    #[error("the project data in {path} is damaged: {detail}")]
    CorruptData { path: PathBuf, detail: String },
    /// One checkpoint stored in the file does not decode (its row or one
    /// of its parts is damaged). The project and the other checkpoints
    /// open as usual; this one is left in the file as it is.
    #[error("checkpoint {name:?} in {path} is damaged: {detail}")]
    CorruptCheckpoint { path: PathBuf, name: String, detail: String },
    /// Written by a newer Imbolc; update Imbolc to open it.
    #[error("{path} was saved by a newer Imbolc (format {found}, this build reads up to {supported})")]
    FormatTooNew { path: PathBuf, found: u32, supported: u32 },
    /// The file has no recovery copy to open.
    #[error("{path} has no recovery copy")]
    NoRecovery { path: PathBuf },
    /// The project could not be encoded (a bug, not a user problem).
    #[error("cannot encode the project: {0}")]
    Encode(String),
    /// Another SQLite failure (locked, out of memory).
    #[error("database error in {path}: {source}")]
    Database {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// The background saver thread has stopped; restart it or save in the
    /// foreground.
    #[error("the background saver has stopped")]
    SaverGone,
}
