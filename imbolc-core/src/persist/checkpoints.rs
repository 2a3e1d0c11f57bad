//! Checkpoints in the project file, stored compactly: each checkpoint is a
//! small manifest of part hashes; the parts (the project without its
//! instruments and clips, each instrument, each clip without its notes,
//! each clip's notes in chunks of consecutive ids) are stored once per
//! content hash. Twenty
//! checkpoints a few edits apart share nearly every part, so they cost
//! about one copy of the project plus what changed.
//!
//! ```sql
//! checkpoint(name TEXT PRIMARY KEY, created INTEGER, format_version INTEGER,
//!            manifest BLOB, checksum INTEGER)
//! checkpoint_part(hash BLOB PRIMARY KEY, data BLOB)   -- MessagePack
//! ```
//!
//! The tables are made by the first save that has a checkpoint; files
//! without them open as before and older builds ignore them. Checkpoints
//! are only ever added: a save writes the ones the file lacks (by name)
//! and leaves the rows already there alone, so a damaged row is never
//! made worse and never costs the others. The samples a checkpoint uses
//! are kept in the file under the sample slot `checkpoint:NAME`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use imbolc_types::{Clip, ClipId, Instrument, InstrumentId, Note, NoteId, Project};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::PersistError;
use super::format::{self, FORMAT_VERSION};
use super::repair::Repairs;
use super::samples::{self, StoreError, used_samples};
use crate::checkpoint::Checkpoint;

const CREATE_TABLES: &str = "
    CREATE TABLE IF NOT EXISTS checkpoint (
        name TEXT PRIMARY KEY,
        created INTEGER NOT NULL,
        format_version INTEGER NOT NULL,
        manifest BLOB NOT NULL,
        checksum INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS checkpoint_part (hash BLOB PRIMARY KEY, data BLOB NOT NULL);";

/// A part's name: the first 16 bytes of its SHA-256.
type Hash = [u8; 16];

/// The parts one checkpoint is made of, in order.
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    /// The project with no instruments and no clips.
    rest: Hash,
    /// Each instrument, in display order.
    instruments: Vec<Hash>,
    /// Each clip without its notes, and its notes in chunks of
    /// [`NOTE_CHUNK`] consecutive ids.
    clips: Vec<(Hash, Vec<Hash>)>,
}

/// Notes per chunk by id: an edit of a few notes in a clip of 100 000
/// changes a chunk or two, not the whole clip's part.
const NOTE_CHUNK: u32 = 1024;

fn hash(data: &[u8]) -> Hash {
    let digest = Sha256::digest(data);
    let mut h = [0u8; 16];
    h.copy_from_slice(&digest[..16]);
    h
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, PersistError> {
    rmp_serde::to_vec_named(value).map_err(|e| PersistError::Encode(e.to_string()))
}

/// Splits `project` into parts: the manifest and every part by hash.
/// Encoded parts with their hashes.
type Parts = Vec<(Hash, Vec<u8>)>;

fn split(project: &Project) -> Result<(Manifest, Parts), PersistError> {
    let mut parts = Vec::new();
    let mut put = |data: Vec<u8>| {
        let h = hash(&data);
        parts.push((h, data));
        h
    };
    let mut rest = project.clone();
    rest.instruments = Default::default();
    rest.clips = Default::default();
    let rest = put(format::encode(&rest)?);
    let instruments = project.instruments.values().map(|i| encode(i).map(&mut put)).collect::<Result<Vec<_>, _>>()?;
    let mut clips = Vec::with_capacity(project.clips.len());
    for clip in project.clips.values() {
        let mut head = clip.clone();
        head.notes = Default::default();
        let head = put(encode(&head)?);
        let mut chunks: BTreeMap<u32, NoteChunk> = BTreeMap::new();
        for (id, note) in &clip.notes {
            chunks.entry(id.0 / NOTE_CHUNK).or_default().0.insert(*id, *note);
        }
        let notes = chunks.values().map(|c| encode(c).map(&mut put)).collect::<Result<Vec<_>, _>>()?;
        clips.push((head, notes));
    }
    Ok((Manifest { rest, instruments, clips }, parts))
}

/// Adds the checkpoints the file lacks (by name), in the save's
/// transaction.
pub(super) fn store(tx: &Transaction<'_>, checkpoints: &[Checkpoint]) -> Result<(), StoreError> {
    if checkpoints.is_empty() {
        return Ok(());
    }
    let encode_error = |e: PersistError| StoreError::Encode(e.to_string());
    tx.execute_batch(CREATE_TABLES)?;
    for cp in checkpoints {
        let present: Option<i64> =
            tx.query_row("SELECT 1 FROM checkpoint WHERE name = ?1", [&cp.name], |r| r.get(0)).optional()?;
        if present.is_some() {
            continue;
        }
        let (manifest, parts) = split(&cp.project).map_err(encode_error)?;
        for (h, data) in parts {
            tx.execute("INSERT OR IGNORE INTO checkpoint_part (hash, data) VALUES (?1, ?2)", params![&h[..], data])?;
        }
        let manifest = encode(&manifest).map_err(encode_error)?;
        tx.execute(
            "INSERT INTO checkpoint (name, created, format_version, manifest, checksum) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![cp.name, cp.created_ms, FORMAT_VERSION, manifest, format::checksum(&manifest)],
        )?;
        samples::store_slot(tx, &sample_slot(&cp.name), &used_samples(&cp.project))?;
    }
    Ok(())
}

fn sample_slot(name: &str) -> String {
    format!("checkpoint:{name}")
}

/// What reading the checkpoints of a file found: the ones that decode,
/// oldest first, and an error for each damaged one.
#[derive(Debug, Default)]
pub struct ReadCheckpoints {
    pub checkpoints: Vec<Checkpoint>,
    pub errors: Vec<PersistError>,
}

/// Reads every checkpoint of the file (none when it has no checkpoint
/// table). A damaged row (manifest or part) becomes an error naming it;
/// the others are read all the same. The samples each uses are written to
/// the cache, as for the project.
pub(super) fn read(conn: &Connection, path: &Path) -> ReadCheckpoints {
    let mut out = ReadCheckpoints::default();
    let rows = match read_rows(conn) {
        Ok(rows) => rows,
        Err(e) => {
            out.errors.push(PersistError::CorruptCheckpoint {
                path: path.to_owned(),
                name: String::new(),
                detail: e.to_string(),
            });
            return out;
        }
    };
    let mut parts = PartCache::default();
    for row in rows {
        match decode(conn, &mut parts, &row) {
            Ok(project) => {
                let mut repairs = Repairs::default();
                samples::materialise(conn, path, &project, &mut repairs);
                repairs.log(&path.display());
                out.checkpoints.push(Checkpoint {
                    name: row.name,
                    created_ms: row.created_ms,
                    project: Arc::new(project),
                });
            }
            Err(detail) => {
                tracing::warn!("{}: checkpoint {:?} is damaged: {detail}", path.display(), row.name);
                out.errors.push(PersistError::CorruptCheckpoint { path: path.to_owned(), name: row.name, detail });
            }
        }
    }
    out
}

struct CheckpointRow {
    name: String,
    created_ms: i64,
    format_version: u32,
    manifest: Vec<u8>,
    checksum: i64,
}

fn read_rows(conn: &Connection) -> rusqlite::Result<Vec<CheckpointRow>> {
    let has: Option<String> = conn
        .query_row("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'checkpoint'", [], |r| r.get(0))
        .optional()?;
    if has.is_none() {
        return Ok(Vec::new());
    }
    let mut st = conn
        .prepare("SELECT name, created, format_version, manifest, checksum FROM checkpoint ORDER BY created, name")?;
    let rows = st.query_map([], |r| {
        Ok(CheckpointRow {
            name: r.get(0)?,
            created_ms: r.get(1)?,
            format_version: r.get(2)?,
            manifest: r.get(3)?,
            checksum: r.get(4)?,
        })
    })?;
    rows.collect()
}

/// Parts decoded so far, by hash, so checkpoints that share a part decode
/// it once.
#[derive(Default)]
struct PartCache {
    instruments: HashMap<Hash, Instrument>,
    clips: HashMap<Hash, Clip>,
    notes: HashMap<Hash, NoteChunk>,
}

/// A part of up to [`NOTE_CHUNK`] notes, stored as note columns like a
/// clip's notes in the project blob (parts from before format 4 are maps;
/// both read).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
struct NoteChunk(#[serde(with = "imbolc_types::note_columns")] BTreeMap<NoteId, Note>);

fn part(conn: &Connection, h: &Hash) -> Result<Vec<u8>, String> {
    let data: Option<Vec<u8>> = conn
        .query_row("SELECT data FROM checkpoint_part WHERE hash = ?1", [&h[..]], |r| r.get(0))
        .optional()
        .map_err(|e| e.to_string())?;
    let data = data.ok_or_else(|| "a part is missing".to_owned())?;
    if hash(&data) != *h {
        return Err("a part fails its hash".into());
    }
    Ok(data)
}

fn cached<T: Clone + serde::de::DeserializeOwned>(
    conn: &Connection,
    cache: &mut HashMap<Hash, T>,
    h: &Hash,
) -> Result<T, String> {
    if let Some(v) = cache.get(h) {
        return Ok(v.clone());
    }
    let v: T = rmp_serde::from_slice(&part(conn, h)?).map_err(|e| e.to_string())?;
    cache.insert(*h, v.clone());
    Ok(v)
}

fn decode(conn: &Connection, cache: &mut PartCache, row: &CheckpointRow) -> Result<Project, String> {
    if format::checksum(&row.manifest) != row.checksum {
        return Err("checksum mismatch".into());
    }
    if row.format_version > FORMAT_VERSION {
        return Err(format!("written by a newer Imbolc (format {})", row.format_version));
    }
    let manifest: Manifest = rmp_serde::from_slice(&row.manifest).map_err(|e| e.to_string())?;
    let mut project = format::decode(FORMAT_VERSION, &part(conn, &manifest.rest)?)?;
    for h in &manifest.instruments {
        let inst = cached(conn, &mut cache.instruments, h)?;
        let id: InstrumentId = inst.id;
        project.instruments.0.insert(id, inst);
    }
    for (head, notes) in &manifest.clips {
        let mut clip = cached(conn, &mut cache.clips, head)?;
        for h in notes {
            clip.notes.extend(cached(conn, &mut cache.notes, h)?.0);
        }
        let id: ClipId = clip.id;
        project.clips.insert(id, clip);
    }
    crate::sources::repair(&mut project);
    Ok(project)
}
