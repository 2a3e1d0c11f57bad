//! Writing project files: a new file through a temporary file and a
//! rename, or an existing one in place in one transaction (see
//! [`super::file`] for why each).

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use imbolc_types::SampleRef;
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior, params};

use super::PersistError;
use super::checkpoints;
use super::file::{APPLICATION_ID, Row, SaveInfo, io};
use super::samples::{self, StoreError};
use crate::checkpoint::Checkpoint;

/// One saved copy to write: its slot name, row and the samples it uses.
pub(super) struct Slot<'a> {
    pub name: &'a str,
    pub row: &'a Row,
    pub samples: BTreeMap<String, SampleRef>,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn temp_prefix(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    format!(".{name}.saving-")
}

fn temp_path(path: &Path) -> PathBuf {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!("{}{}-{n}", temp_prefix(path), std::process::id()))
}

/// Removes temporary files a killed save of `path` left behind. Assumes one
/// writer per project file: a concurrent saver of the same file would see
/// its save fail (never a damaged target).
fn remove_stale_temps(path: &Path) {
    let prefix = temp_prefix(path);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let Ok(entries) = fs::read_dir(&dir) else { return };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The file a save of `path` replaces: `path` itself, or the end of the
/// chain of symlinks it names (which may not exist yet).
pub(super) fn save_target(path: &Path) -> Result<PathBuf, PersistError> {
    let mut target = path.to_owned();
    // As many hops as the kernel follows before ELOOP.
    for _ in 0..40 {
        match fs::symlink_metadata(&target) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = fs::read_link(&target).map_err(io(&target))?;
                target = match target.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => return Ok(target),
        }
    }
    Err(PersistError::Io { path: path.to_owned(), source: std::io::Error::other("too many levels of symbolic links") })
}

/// Maps a failure while writing: a file-system problem (cannot create the
/// journal, disk full, read-only location) is an I/O error the user can
/// act on; a missing cached sample too.
fn write_error(path: &Path, e: StoreError) -> PersistError {
    match e {
        StoreError::Cache(c) => {
            PersistError::Io { path: path.to_owned(), source: std::io::Error::other(c.to_string()) }
        }
        StoreError::Encode(e) => PersistError::Encode(e),
        StoreError::Db(e) => match e.sqlite_error_code() {
            Some(
                ErrorCode::CannotOpen
                | ErrorCode::ReadOnly
                | ErrorCode::DiskFull
                | ErrorCode::SystemIoFailure
                | ErrorCode::PermissionDenied,
            ) => PersistError::Io { path: path.to_owned(), source: std::io::Error::other(e.to_string()) },
            _ => PersistError::Database { path: path.to_owned(), source: e },
        },
    }
}

/// Writes `slots` to a new database beside `path` (beside the target of a
/// symlink) and renames it over it, with the old file's permission bits.
pub(super) fn write_atomically(
    path: &Path,
    slots: &[Slot<'_>],
    checkpoints: &[Checkpoint],
) -> Result<SaveInfo, PersistError> {
    let target = save_target(path)?;
    remove_stale_temps(&target);
    let tmp = temp_path(&target);
    let permissions = fs::metadata(&target).ok().map(|m| m.permissions());
    let result = write_db(&tmp, slots, checkpoints).and_then(|()| {
        if let Some(p) = permissions {
            fs::set_permissions(&tmp, p).map_err(io(&tmp))?;
        }
        File::open(&tmp).and_then(|f| f.sync_all()).map_err(io(&tmp))?;
        fs::rename(&tmp, &target).map_err(io(&target))
    });
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Makes the rename itself durable; a failure here does not undo it.
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    info(path, &target, slots)
}

fn info(path: &Path, target: &Path, slots: &[Slot<'_>]) -> Result<SaveInfo, PersistError> {
    let bytes = fs::metadata(target).map_err(io(target))?.len();
    let updated_ms = slots.last().map_or(0, |s| s.row.meta.updated_ms);
    Ok(SaveInfo { path: path.to_owned(), bytes, updated_ms })
}

const CREATE_PROJECT: &str = "CREATE TABLE project (
    slot TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    bpm REAL NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    format_version INTEGER NOT NULL,
    app_version TEXT NOT NULL,
    checksum INTEGER NOT NULL,
    data BLOB NOT NULL
)";

fn set_pragmas(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL;")
}

fn put_row(tx: &rusqlite::Transaction<'_>, slot: &Slot<'_>) -> Result<(), StoreError> {
    let (row, m) = (slot.row, &slot.row.meta);
    tx.execute(
        "INSERT OR REPLACE INTO project \
         (slot, name, bpm, created, updated, format_version, app_version, checksum, data) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            slot.name,
            m.name,
            m.bpm,
            m.created_ms,
            m.updated_ms,
            m.format_version,
            m.app_version,
            row.checksum,
            row.data
        ],
    )?;
    let (inserted, deleted) = samples::store_slot(tx, slot.name, &slot.samples)?;
    if inserted + deleted > 0 {
        tracing::debug!("slot {}: {inserted} samples stored, {deleted} dropped", slot.name);
    }
    Ok(())
}

/// Gives back the pages of deleted samples, so removing a large sample
/// shrinks the file (a no-op when nothing was freed). The pragma frees one
/// page per step, hence the loop over its rows.
fn give_back_free_pages(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let mut statement = tx.prepare("PRAGMA incremental_vacuum")?;
    let mut rows = statement.query([])?;
    while rows.next()?.is_some() {}
    Ok(())
}

fn write_db(tmp: &Path, slots: &[Slot<'_>], checkpoints: &[Checkpoint]) -> Result<(), PersistError> {
    // Created here first so a permission or missing-directory problem is
    // reported as the plain I/O error it is (SQLite would only say
    // "cannot open"); SQLite treats the empty file as an empty database.
    File::create(tmp).map_err(io(tmp))?;
    let fail = |e| write_error(tmp, e);
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(tmp, flags).map_err(|e| fail(e.into()))?;
    // Incremental vacuum lets a save in place give back the pages of
    // samples no longer used (set before the first table).
    conn.execute_batch(&format!("PRAGMA auto_vacuum = INCREMENTAL; PRAGMA application_id = {APPLICATION_ID};"))
        .map_err(|e| fail(e.into()))?;
    set_pragmas(&conn).map_err(|e| fail(e.into()))?;
    let tx = conn.transaction().map_err(|e| fail(e.into()))?;
    tx.execute_batch(CREATE_PROJECT).map_err(|e| fail(e.into()))?;
    tx.execute_batch(samples::CREATE_TABLES).map_err(|e| fail(e.into()))?;
    for slot in slots {
        put_row(&tx, slot).map_err(fail)?;
    }
    checkpoints::store(&tx, checkpoints).map_err(fail)?;
    tx.commit().map_err(|e| fail(e.into()))?;
    conn.close().map_err(|(_, e)| fail(e.into()))
}

/// Updates the existing file at `path` (already inspected) in one
/// transaction: replaces `slots`, deletes the row of `drop` if given,
/// stores the samples the file lacks and deletes the unused ones.
pub(super) fn write_in_place(
    path: &Path,
    slots: &[Slot<'_>],
    drop: Option<&str>,
    checkpoints: &[Checkpoint],
) -> Result<SaveInfo, PersistError> {
    let target = save_target(path)?;
    remove_stale_temps(&target);
    let fail = |e| write_error(&target, e);
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(&target, flags).map_err(|e| fail(e.into()))?;
    set_pragmas(&conn).map_err(|e| fail(e.into()))?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| fail(e.into()))?;
    for slot in slots {
        put_row(&tx, slot).map_err(fail)?;
    }
    if let Some(gone) = drop {
        tx.execute("DELETE FROM project WHERE slot = ?1", [gone]).map_err(|e| fail(e.into()))?;
        samples::drop_slot(&tx, gone).map_err(|e| fail(e.into()))?;
        tx.execute("DELETE FROM sample WHERE hash NOT IN (SELECT hash FROM sample_use)", [])
            .map_err(|e| fail(e.into()))?;
    }
    checkpoints::store(&tx, checkpoints).map_err(fail)?;
    give_back_free_pages(&tx).map_err(|e| fail(e.into()))?;
    tx.commit().map_err(|e| fail(e.into()))?;
    conn.close().map_err(|(_, e)| fail(e.into()))?;
    info(path, &target, slots)
}
