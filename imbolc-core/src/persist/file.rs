//! Reading and writing `*.imbolc` files.
//!
//! # Why a temporary file and a rename
//!
//! Every save (full or recovery) writes a complete new database to a
//! temporary file beside the target, commits it in one SQLite transaction
//! (`synchronous = FULL`, rollback journal), closes it, and renames it over
//! the target, then syncs the directory. We chose this over updating the
//! target in place (which SQLite's journal also makes atomic) because:
//! - the target is never open for writing, so a crash, a kill or a full disk
//!   at any moment leaves either the old file or the new one, whole;
//! - the target never has a hot journal beside it, so reading it read-only
//!   never needs a rollback, and opening never modifies it;
//! - a file that fails inspection (foreign, corrupt, newer format) is never
//!   touched: we refuse before writing anything.
//!
//! The cost is rewriting the whole file per save; the project is one blob,
//! so SQLite would rewrite most of its pages anyway.
//!
//! A save keeps the file what it was: through a symlink it writes the
//! link's target (the link stays a link), and the new file gets the old
//! one's permission bits (a 0600 project stays private).

use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use imbolc_types::Project;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, params};

use super::PersistError;
use super::format::{self, FORMAT_VERSION};
use super::repair::{RepairKind, Repairs, repair};

/// `PRAGMA application_id` of Imbolc files ("Imbl").
pub const APPLICATION_ID: i32 = 0x496d_626c;
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
const MAIN: &str = "main";
const RECOVERY: &str = "recovery";

/// The queryable columns of one saved copy.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    pub name: String,
    pub bpm: f64,
    /// Unix time in milliseconds.
    pub created_ms: i64,
    /// Unix time in milliseconds.
    pub updated_ms: i64,
    pub format_version: u32,
    /// Imbolc version that wrote it (empty for format 1).
    pub app_version: String,
}

/// A project read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub project: Project,
    pub meta: Metadata,
    /// Set when the file holds a recovery copy newer than the saved project,
    /// so the UI can offer it ([`load_recovery`] opens it).
    pub newer_recovery: Option<Metadata>,
    /// Set when the file has only a recovery copy (never saved in full):
    /// `project` is that copy.
    pub from_recovery: bool,
    /// What validate-and-repair changed in `project` (empty for a valid
    /// file); the file itself is untouched. Already logged.
    pub repairs: Repairs,
}

/// What a save wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct SaveInfo {
    pub path: PathBuf,
    /// Size of the file written, in bytes.
    pub bytes: u64,
    pub updated_ms: i64,
}

/// One row as stored, kept raw so a recovery save can copy the main row
/// without decoding it.
struct Row {
    meta: Metadata,
    data: Vec<u8>,
    checksum: i64,
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PersistError + '_ {
    move |source| PersistError::Io { path: path.to_owned(), source }
}

/// Maps an SQLite error met while reading `path` to the user-facing kind.
fn read_error(path: &Path, e: rusqlite::Error) -> PersistError {
    let path = path.to_owned();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => PersistError::NotSqlite { path },
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::SystemIoFailure) => {
            PersistError::CorruptDatabase { path, detail: e.to_string() }
        }
        _ => match e {
            rusqlite::Error::InvalidColumnType(..) | rusqlite::Error::FromSqlConversionFailure(..) => {
                PersistError::NotAProject { path }
            }
            e => PersistError::Database { path, source: e },
        },
    }
}

/// Checks the first bytes are SQLite's header, without SQLite (which
/// would treat an empty file as an empty database).
fn check_magic(path: &Path) -> Result<(), PersistError> {
    let mut head = [0u8; 100];
    let mut f = File::open(path).map_err(io(path))?;
    let mut filled = 0;
    while filled < head.len() {
        let n = f.read(&mut head[filled..]).map_err(io(path))?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    if filled < head.len() || &head[..16] != SQLITE_MAGIC {
        return Err(PersistError::NotSqlite { path: path.to_owned() });
    }
    Ok(())
}

/// Opens `path` read-only after checking it is an Imbolc database, and
/// returns the connection and the newest format version in it.
fn open_checked(path: &Path) -> Result<(Connection, u32), PersistError> {
    check_magic(path)?;
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| read_error(path, e))?;
    let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(|e| read_error(path, e))?;
    let has_table: Option<String> = conn
        .query_row("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'project'", [], |r| r.get(0))
        .optional()
        .map_err(|e| read_error(path, e))?;
    if app_id != APPLICATION_ID || has_table.is_none() {
        return Err(PersistError::NotAProject { path: path.to_owned() });
    }
    let version: Option<i64> =
        conn.query_row("SELECT MAX(format_version) FROM project", [], |r| r.get(0)).map_err(|e| read_error(path, e))?;
    let version = version.ok_or_else(|| PersistError::NotAProject { path: path.to_owned() })?;
    let version = u32::try_from(version).map_err(|_| PersistError::NotAProject { path: path.to_owned() })?;
    if version > FORMAT_VERSION {
        return Err(PersistError::FormatTooNew { path: path.to_owned(), found: version, supported: FORMAT_VERSION });
    }
    if version == 0 {
        return Err(PersistError::NotAProject { path: path.to_owned() });
    }
    Ok((conn, version))
}

fn read_row(conn: &Connection, path: &Path, version: u32, slot: &str) -> Result<Option<Row>, PersistError> {
    let row = if version == 1 {
        if slot != MAIN {
            return Ok(None);
        }
        conn.query_row(
            "SELECT name, bpm, created, updated, format_version, data FROM project ORDER BY id LIMIT 1",
            [],
            |r| {
                let data: Vec<u8> = r.get(5)?;
                let checksum = format::checksum(&data);
                Ok(Row {
                    meta: Metadata {
                        name: r.get(0)?,
                        bpm: r.get(1)?,
                        created_ms: r.get(2)?,
                        updated_ms: r.get(3)?,
                        format_version: r.get(4)?,
                        app_version: String::new(),
                    },
                    data,
                    checksum,
                })
            },
        )
    } else {
        conn.query_row(
            "SELECT name, bpm, created, updated, format_version, app_version, data, checksum \
             FROM project WHERE slot = ?1",
            [slot],
            |r| {
                Ok(Row {
                    meta: Metadata {
                        name: r.get(0)?,
                        bpm: r.get(1)?,
                        created_ms: r.get(2)?,
                        updated_ms: r.get(3)?,
                        format_version: r.get(4)?,
                        app_version: r.get(5)?,
                    },
                    data: r.get(6)?,
                    checksum: r.get(7)?,
                })
            },
        )
    };
    row.optional().map_err(|e| read_error(path, e))
}

/// Decodes a row and repairs what was decoded (see [`super::repair`]),
/// logging every fix; sample files that are not regular files are
/// reported too (their pads stay silent: the engine never loads them).
fn decode_repaired(path: &Path, row: &Row) -> Result<(Project, Repairs), PersistError> {
    let mut project = decode_row(path, row)?;
    let mut repairs = repair(&mut project);
    let samples = project.instruments.values().filter_map(|i| i.def.drums.as_ref()).flat_map(|k| &k.pads);
    for sample in samples.filter_map(|pad| pad.sample()) {
        if !imbolc_audio::samples::is_regular_file(Path::new(sample)) {
            repairs.push(RepairKind::SilentSample, sample);
        }
    }
    repairs.log(&path.display());
    Ok((project, repairs))
}

fn decode_row(path: &Path, row: &Row) -> Result<Project, PersistError> {
    let corrupt = |detail: String| PersistError::CorruptData { path: path.to_owned(), detail };
    if format::checksum(&row.data) != row.checksum {
        return Err(corrupt("checksum mismatch".into()));
    }
    let mut project = format::decode(row.meta.format_version, &row.data).map_err(corrupt)?;
    crate::sources::repair(&mut project);
    Ok(project)
}

/// Reads the metadata of the saved project without decoding it (for
/// project lists).
///
/// # Errors
///
/// As [`load`], except data errors.
pub fn inspect(path: &Path) -> Result<Metadata, PersistError> {
    let (conn, version) = open_checked(path)?;
    let main = read_row(&conn, path, version, MAIN)?;
    let row = match main {
        Some(row) => row,
        None => {
            read_row(&conn, path, version, RECOVERY)?.ok_or_else(|| PersistError::NotAProject { path: path.into() })?
        }
    };
    Ok(row.meta)
}

/// Opens a project file read-only and decodes the saved project, migrating
/// older formats and repairing what dispatch would have refused
/// ([`Loaded::repairs`]). Reports a newer recovery copy in
/// [`Loaded::newer_recovery`].
///
/// # Errors
///
/// [`PersistError::NotSqlite`], [`PersistError::NotAProject`],
/// [`PersistError::CorruptDatabase`], [`PersistError::CorruptData`],
/// [`PersistError::FormatTooNew`] or [`PersistError::Io`]. The file is
/// never modified.
pub fn load(path: &Path) -> Result<Loaded, PersistError> {
    let (conn, version) = open_checked(path)?;
    let main = read_row(&conn, path, version, MAIN)?;
    let recovery = read_row(&conn, path, version, RECOVERY)?;
    match (main, recovery) {
        (Some(main), recovery) => {
            let (project, repairs) = decode_repaired(path, &main)?;
            let newer_recovery = recovery.filter(|r| r.meta.updated_ms >= main.meta.updated_ms).map(|r| r.meta);
            Ok(Loaded { project, meta: main.meta, newer_recovery, from_recovery: false, repairs })
        }
        (None, Some(rec)) => {
            let (project, repairs) = decode_repaired(path, &rec)?;
            Ok(Loaded { project, meta: rec.meta, newer_recovery: None, from_recovery: true, repairs })
        }
        (None, None) => Err(PersistError::NotAProject { path: path.to_owned() }),
    }
}

/// Decodes and repairs the recovery copy of a file (as [`load`] does the
/// saved one).
///
/// # Errors
///
/// [`PersistError::NoRecovery`] when there is none; otherwise as [`load`].
pub fn load_recovery(path: &Path) -> Result<(Project, Repairs), PersistError> {
    let (conn, version) = open_checked(path)?;
    let row =
        read_row(&conn, path, version, RECOVERY)?.ok_or_else(|| PersistError::NoRecovery { path: path.into() })?;
    decode_repaired(path, &row)
}

/// Saves `project` to `path` as the saved copy (dropping any recovery copy,
/// which is now older). Keeps the file's `created` time.
///
/// # Errors
///
/// If `path` exists and is not an Imbolc file (or is damaged, newer, or
/// read-only) the matching error is returned and it is not touched;
/// [`PersistError::Io`] when the directory cannot be written.
pub fn save(path: &Path, project: &Project) -> Result<SaveInfo, PersistError> {
    let existing = existing_rows(path)?;
    let now = now_ms();
    let created = existing.as_ref().and_then(|(main, rec)| main.as_ref().or(rec.as_ref())).map(|r| r.meta.created_ms);
    let row = new_row(project, created.unwrap_or(now), now)?;
    write_atomically(path, &[(MAIN, &row)])
}

/// Writes `project` as the recovery copy of `path`, keeping the saved copy
/// as it is. Creates the file (with only a recovery copy) if needed.
///
/// # Errors
///
/// As [`save`].
pub fn save_recovery(path: &Path, project: &Project) -> Result<SaveInfo, PersistError> {
    let existing = existing_rows(path)?;
    let now = now_ms();
    let main = existing.and_then(|(main, _)| main);
    let created = main.as_ref().map_or(now, |m| m.meta.created_ms);
    let rec = new_row(project, created, now)?;
    let mut rows = vec![(RECOVERY, &rec)];
    if let Some(main) = main.as_ref() {
        rows.insert(0, (MAIN, main));
    }
    write_atomically(path, &rows)
}

type ExistingRows = Option<(Option<Row>, Option<Row>)>;

/// The rows of the file at `path` when it exists and may be replaced.
fn existing_rows(path: &Path) -> Result<ExistingRows, PersistError> {
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(PersistError::Io { path: path.to_owned(), source: e }),
    };
    if meta.permissions().readonly() {
        return Err(PersistError::ReadOnly { path: path.to_owned() });
    }
    let (conn, version) = open_checked(path)?;
    let main = read_row(&conn, path, version, MAIN)?;
    let rec = read_row(&conn, path, version, RECOVERY)?;
    if let Some(m) = &main {
        // A saved copy we cannot read back is not silently replaced: the
        // user may still recover it with another build or by hand. Costs one
        // decode on the saver thread.
        decode_row(path, m)?;
    }
    // A format-1 file is rewritten in the current format: migrate its row.
    let main = match main {
        Some(m) if m.meta.format_version != FORMAT_VERSION => {
            let project = decode_row(path, &m)?;
            Some(new_row(&project, m.meta.created_ms, m.meta.updated_ms)?)
        }
        other => other,
    };
    Ok(Some((main, rec)))
}

fn new_row(project: &Project, created_ms: i64, updated_ms: i64) -> Result<Row, PersistError> {
    let data = format::encode(project)?;
    Ok(Row {
        meta: Metadata {
            name: project.name.clone(),
            bpm: f64::from(project.tempo),
            created_ms,
            updated_ms,
            format_version: FORMAT_VERSION,
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        checksum: format::checksum(&data),
        data,
    })
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
fn save_target(path: &Path) -> Result<PathBuf, PersistError> {
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

/// Writes `rows` to a new database beside `path` (beside the target of a
/// symlink) and renames it over it, with the old file's permission bits.
fn write_atomically(path: &Path, rows: &[(&str, &Row)]) -> Result<SaveInfo, PersistError> {
    let target = save_target(path)?;
    remove_stale_temps(&target);
    let tmp = temp_path(&target);
    let permissions = fs::metadata(&target).ok().map(|m| m.permissions());
    let result = write_db(&tmp, rows).and_then(|()| {
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
    let bytes = fs::metadata(&target).map_err(io(&target))?.len();
    let updated_ms = rows.last().map_or(0, |(_, r)| r.meta.updated_ms);
    Ok(SaveInfo { path: path.to_owned(), bytes, updated_ms })
}

fn write_db(tmp: &Path, rows: &[(&str, &Row)]) -> Result<(), PersistError> {
    let db = |source| PersistError::Database { path: tmp.to_owned(), source };
    // Created here first so a permission or missing-directory problem is
    // reported as the plain I/O error it is (SQLite would only say
    // "cannot open"); SQLite treats the empty file as an empty database.
    File::create(tmp).map_err(io(tmp))?;
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(tmp, flags).map_err(db)?;
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL; PRAGMA application_id = {APPLICATION_ID};"
    ))
    .map_err(db)?;
    let tx = conn.transaction().map_err(db)?;
    tx.execute_batch(
        "CREATE TABLE project (
            slot TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            bpm REAL NOT NULL,
            created INTEGER NOT NULL,
            updated INTEGER NOT NULL,
            format_version INTEGER NOT NULL,
            app_version TEXT NOT NULL,
            checksum INTEGER NOT NULL,
            data BLOB NOT NULL
        )",
    )
    .map_err(db)?;
    for (slot, row) in rows {
        let m = &row.meta;
        tx.execute(
            "INSERT INTO project (slot, name, bpm, created, updated, format_version, app_version, checksum, data) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                slot,
                m.name,
                m.bpm,
                m.created_ms,
                m.updated_ms,
                m.format_version,
                m.app_version,
                row.checksum,
                row.data
            ],
        )
        .map_err(db)?;
    }
    tx.commit().map_err(db)?;
    conn.close().map_err(|(_, e)| db(e))
}
