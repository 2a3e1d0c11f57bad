//! Reading and writing `*.imbolc` files.
//!
//! # How a save is made atomic
//!
//! A save of a file that does not exist yet, or of an older format, writes
//! a complete new database to a temporary file beside the target, commits
//! it in one SQLite transaction (`synchronous = FULL`, rollback journal),
//! closes it, and renames it over the target, then syncs the directory.
//!
//! A save over an existing Imbolc file of the current format updates it in
//! place, in one SQLite transaction (rollback journal, `synchronous =
//! FULL`): the project row is replaced, samples the file lacks are
//! inserted, samples no copy uses are deleted. We moved to this from
//! rewriting the whole file because a project now holds its samples
//! (hundreds of megabytes): rewriting them on every save would make a
//! one-note edit cost seconds of disk. SQLite's journal gives the same
//! guarantee as the rename: a crash, a kill or a full disk at any moment
//! leaves either the old project or the new one, whole. What we gave up:
//! - after a crash the file has a hot journal beside it; [`load`] first
//!   rolls it back (opening the file for writing once, which restores the
//!   last committed save) and then reads read-only as before. A read-only
//!   file with a hot journal cannot be rolled back and is reported damaged;
//! - the target is open for writing during the save.
//!
//! Kept from before: a file that fails inspection (foreign, corrupt, newer
//! format, read-only) is never touched: we refuse before writing anything.
//!
//! A save keeps the file what it was: through a symlink it writes the
//! link's target (the link stays a link), and the new file gets the old
//! one's permission bits (a 0600 project stays private).

use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use imbolc_types::Project;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension};

use super::PersistError;
use super::checkpoints::{self, ReadCheckpoints};
use super::format::{self, FORMAT_VERSION};
use super::repair::{RepairKind, Repairs, repair};
use super::samples::{self, used_samples};
use super::write::{Slot, save_target, write_atomically, write_in_place};
use crate::checkpoint::Checkpoint;

/// `PRAGMA application_id` of Imbolc files ("Imbl").
pub const APPLICATION_ID: i32 = 0x496d_626c;
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
pub(super) const MAIN: &str = "main";
pub(super) const RECOVERY: &str = "recovery";

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
    /// The named checkpoints stored in the file, oldest first.
    pub checkpoints: Vec<Checkpoint>,
    /// One message per damaged checkpoint (left out of `checkpoints`; the
    /// rest of the file opened). [`read_checkpoints`] gives them typed.
    pub damaged_checkpoints: Vec<String>,
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
pub(super) struct Row {
    pub(super) meta: Metadata,
    pub(super) data: Vec<u8>,
    pub(super) checksum: i64,
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

pub(super) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PersistError + '_ {
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
/// would treat an empty file as an empty database); returns whether the
/// header carries our application id.
fn check_magic(path: &Path) -> Result<bool, PersistError> {
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
    Ok(head[68..72] == APPLICATION_ID.to_be_bytes())
}

/// Opens `path` read-only after checking it is an Imbolc database, and
/// returns the connection and the newest format version in it.
fn open_checked(path: &Path) -> Result<(Connection, u32), PersistError> {
    if check_magic(path)? {
        roll_back_hot_journal(path);
    }
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

/// A save in place that was killed leaves a journal beside the file;
/// opening the file for writing once makes SQLite roll it back, restoring
/// the last committed save, so the read-only open that follows sees it.
/// Only done for a file with our application id (a foreign database is
/// never written). When the file cannot be opened for writing the
/// read-only open reports it.
fn roll_back_hot_journal(path: &Path) {
    let Ok(target) = save_target(path) else { return };
    let mut journal = target.clone().into_os_string();
    journal.push("-journal");
    if !fs::metadata(&journal).is_ok_and(|m| m.len() > 0) {
        return;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if let Ok(conn) = Connection::open_with_flags(&target, flags) {
        let rolled = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0));
        tracing::info!("{}: rolled back an interrupted save: {:?}", target.display(), rolled.is_ok());
    }
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
/// logging every fix. Pads of an old project that name a file are
/// imported into the store when the file is there (a repair says so) and
/// reported when it is not (the pad stays silent, marked missing); the
/// samples it uses are written to the sample cache for the server.
fn decode_repaired(conn: &Connection, path: &Path, row: &Row) -> Result<(Project, Repairs), PersistError> {
    let mut project = decode_row(path, row)?;
    let mut repairs = repair(&mut project);
    import_path_pads(&mut project, &mut repairs);
    samples::materialise(conn, path, &project, &mut repairs);
    repairs.log(&path.display());
    Ok((project, repairs))
}

fn import_path_pads(project: &mut Project, repairs: &mut Repairs) {
    let pads = project.instruments.values_mut().filter_map(|i| i.def.drums.as_mut()).flat_map(|k| &mut k.pads);
    for pad in pads {
        let Some(file) = pad.sample().map(str::to_owned) else { continue };
        match crate::store::import_sample(Path::new(&file)) {
            Ok(sample) => {
                pad.sound = imbolc_types::PadSound::Stored(sample);
                repairs.push(RepairKind::ImportedSample, file);
            }
            Err(e) => repairs.push(RepairKind::SilentSample, e.to_string()),
        }
    }
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
    let cps = || {
        let read = checkpoints::read(&conn, path);
        (read.checkpoints, read.errors.iter().map(ToString::to_string).collect())
    };
    match (main, recovery) {
        (Some(main), recovery) => {
            let (project, repairs) = decode_repaired(&conn, path, &main)?;
            let newer_recovery = recovery.filter(|r| r.meta.updated_ms >= main.meta.updated_ms).map(|r| r.meta);
            let (checkpoints, damaged_checkpoints) = cps();
            Ok(Loaded {
                project,
                meta: main.meta,
                newer_recovery,
                from_recovery: false,
                repairs,
                checkpoints,
                damaged_checkpoints,
            })
        }
        (None, Some(rec)) => {
            let (project, repairs) = decode_repaired(&conn, path, &rec)?;
            let (checkpoints, damaged_checkpoints) = cps();
            Ok(Loaded {
                project,
                meta: rec.meta,
                newer_recovery: None,
                from_recovery: true,
                repairs,
                checkpoints,
                damaged_checkpoints,
            })
        }
        (None, None) => Err(PersistError::NotAProject { path: path.to_owned() }),
    }
}

/// Reads only the checkpoints of a file: those that decode and a typed
/// [`PersistError::CorruptCheckpoint`] for each damaged one.
///
/// # Errors
///
/// As [`load`] for the file itself.
pub fn read_checkpoints(path: &Path) -> Result<ReadCheckpoints, PersistError> {
    let (conn, _) = open_checked(path)?;
    Ok(checkpoints::read(&conn, path))
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
    decode_repaired(&conn, path, &row)
}

/// Saves `project` to `path` as the saved copy (dropping any recovery copy,
/// which is now older). Keeps the file's `created` time.
///
/// # Errors
///
/// If `path` exists and is not an Imbolc file (or is damaged, newer, or
/// read-only) the matching error is returned and it is not touched;
/// [`PersistError::Io`] when the directory cannot be written or a sample
/// the file lacks is missing from the sample cache.
pub fn save(path: &Path, project: &Project) -> Result<SaveInfo, PersistError> {
    save_with_checkpoints(path, project, &[])
}

/// [`save`], also adding the checkpoints the file lacks (by name); those
/// it has are left as they are.
///
/// # Errors
///
/// As [`save`].
pub fn save_with_checkpoints(
    path: &Path,
    project: &Project,
    checkpoints: &[Checkpoint],
) -> Result<SaveInfo, PersistError> {
    let existing = existing_rows(path)?;
    let now = now_ms();
    let created = existing.as_ref().and_then(|e| e.main.as_ref().or(e.recovery.as_ref())).map(|r| r.meta.created_ms);
    let row = new_row(project, created.unwrap_or(now), now)?;
    let slot = Slot { name: MAIN, row: &row, samples: used_samples(project) };
    match existing {
        Some(e) if e.in_place => write_in_place(path, &[slot], Some(RECOVERY), checkpoints),
        _ => write_atomically(path, &[slot], checkpoints),
    }
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
    let created = existing.as_ref().and_then(|e| e.main.as_ref()).map_or(now, |m| m.meta.created_ms);
    let rec = new_row(project, created, now)?;
    let rec_slot = Slot { name: RECOVERY, row: &rec, samples: used_samples(project) };
    match existing {
        Some(e) if e.in_place => write_in_place(path, &[rec_slot], None, &[]),
        Some(Existing { main: Some(main), main_samples, .. }) => {
            let main_slot = Slot { name: MAIN, row: &main, samples: main_samples };
            write_atomically(path, &[main_slot, rec_slot], &[])
        }
        _ => write_atomically(path, &[rec_slot], &[]),
    }
}

/// What a save needs to know of the file it replaces.
struct Existing {
    main: Option<Row>,
    recovery: Option<Row>,
    /// The samples the saved copy uses.
    main_samples: std::collections::BTreeMap<String, imbolc_types::SampleRef>,
    /// The current format with the sample tables: saved in place.
    in_place: bool,
}

/// The rows of the file at `path` when it exists and may be replaced.
fn existing_rows(path: &Path) -> Result<Option<Existing>, PersistError> {
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
    let recovery = read_row(&conn, path, version, RECOVERY)?;
    let in_place = version == FORMAT_VERSION && samples::has_tables(&conn).map_err(|e| read_error(path, e))?;
    let mut main_samples = Default::default();
    if let Some(m) = &main {
        // A saved copy we cannot read back is not silently replaced: the
        // user may still recover it with another build or by hand. Costs one
        // decode on the saver thread.
        main_samples = used_samples(&decode_row(path, m)?);
    }
    // An older file is rewritten in the current format: migrate its row.
    let main = match main {
        Some(m) if m.meta.format_version != FORMAT_VERSION => {
            let project = decode_row(path, &m)?;
            Some(new_row(&project, m.meta.created_ms, m.meta.updated_ms)?)
        }
        other => other,
    };
    Ok(Some(Existing { main, recovery, main_samples, in_place }))
}

pub(super) fn new_row(project: &Project, created_ms: i64, updated_ms: i64) -> Result<Row, PersistError> {
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
