//! The sample tables of a project file (format 3): the bytes of every
//! stored sample once per hash, and which saved copy uses which.
//!
//! ```sql
//! sample(hash TEXT PRIMARY KEY, data BLOB)    -- the bytes, once per hash
//! sample_use(slot TEXT, hash TEXT)            -- main / recovery → hash
//! ```
//!
//! A save inserts only the hashes the file lacks (their bytes come from
//! the sample cache, where importing put them) and deletes the ones no
//! slot uses any more; a sample already there is never rewritten, so the
//! cost of a save does not grow with the samples.
//! Opening a project writes each sample it uses to the cache (verified by
//! hash, skipped when already there) so the server can read it.

use std::collections::BTreeMap;
use std::path::Path;

use imbolc_audio::sample_cache::{self, CacheError};
use imbolc_types::{PadSound, Project, SampleRef};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::repair::{RepairKind, Repairs};

/// Creates the sample tables (in a new file's transaction).
pub(super) const CREATE_TABLES: &str = "
    CREATE TABLE sample (hash TEXT PRIMARY KEY, data BLOB NOT NULL);
    CREATE TABLE sample_use (slot TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (slot, hash));";

/// The samples a project uses, by hash: stored pads, sampler zones,
/// audio clips and the impulse responses of convolution effects in every
/// chain.
pub fn used_samples(project: &Project) -> BTreeMap<String, SampleRef> {
    let pads = project.instruments.values().filter_map(|i| i.def.drums.as_ref()).flat_map(|k| &k.pads);
    let pads = pads.filter_map(|pad| match &pad.sound {
        PadSound::Stored(s) => Some(s),
        _ => None,
    });
    let chains = project
        .instruments
        .values()
        .flat_map(|i| &i.def.effects)
        .chain(project.buses.values().flat_map(|b| &b.effects))
        .chain(&project.master_effects);
    let irs = chains.filter_map(|e| e.ir.as_ref());
    let zones = project.instruments.values().filter_map(|i| i.def.sampler.as_ref()).flat_map(|s| &s.zones);
    let clips = project.clips.values().filter_map(|c| c.audio.as_ref()).map(|a| &a.sample);
    pads.chain(irs).chain(zones.map(|z| &z.sample)).chain(clips).map(|s| (s.hash.clone(), s.clone())).collect()
}

/// Whether the file has the sample tables (format 3).
pub(super) fn has_tables(conn: &Connection) -> rusqlite::Result<bool> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('sample', 'sample_use')",
        [],
        |r| r.get(0),
    )?;
    Ok(n == 2)
}

/// Why a save could not store a sample: mapped by the caller.
#[derive(Debug)]
pub(super) enum StoreError {
    Db(rusqlite::Error),
    Cache(CacheError),
    /// A checkpoint could not be encoded (a bug, not a user problem).
    Encode(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Db(e)
    }
}

/// Records that `slot` uses `samples`, inserts the bytes of those the file
/// lacks (from the cache), and deletes samples no slot uses. Returns how
/// many were inserted and deleted.
pub(super) fn store_slot(
    tx: &Transaction<'_>,
    slot: &str,
    samples: &BTreeMap<String, SampleRef>,
) -> Result<(usize, usize), StoreError> {
    tx.execute("DELETE FROM sample_use WHERE slot = ?1", [slot])?;
    let mut inserted = 0;
    for (hash, sample) in samples {
        tx.execute("INSERT INTO sample_use (slot, hash) VALUES (?1, ?2)", params![slot, hash])?;
        let present: Option<i64> =
            tx.query_row("SELECT 1 FROM sample WHERE hash = ?1", [hash], |r| r.get(0)).optional()?;
        if present.is_none() {
            let data = sample_cache::read_verified(sample).map_err(StoreError::Cache)?;
            tx.execute("INSERT INTO sample (hash, data) VALUES (?1, ?2)", params![hash, data])?;
            inserted += 1;
        }
    }
    let deleted = tx.execute("DELETE FROM sample WHERE hash NOT IN (SELECT hash FROM sample_use)", [])?;
    Ok((inserted, deleted))
}

/// Drops `slot`'s uses (the recovery copy is gone after a full save).
pub(super) fn drop_slot(tx: &Transaction<'_>, slot: &str) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM sample_use WHERE slot = ?1", [slot]).map(|_| ())
}

/// Writes every sample `project` uses into the cache from the file's
/// `sample` table (skipping those already cached and intact); a sample the
/// file lacks or that fails its hash is reported (its pad stays silent).
pub(super) fn materialise(conn: &Connection, path: &Path, project: &Project, repairs: &mut Repairs) {
    let tables = has_tables(conn).unwrap_or(false);
    for (hash, sample) in used_samples(project) {
        let read = || -> Result<Vec<u8>, CacheError> {
            let data: Option<Vec<u8>> = if tables {
                conn.query_row("SELECT data FROM sample WHERE hash = ?1", [&hash], |r| r.get(0))
                    .optional()
                    .ok()
                    .flatten()
            } else {
                None
            };
            data.ok_or_else(|| CacheError::Io {
                path: path.to_owned(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, format!("sample {hash} not in the file")),
            })
        };
        if let Err(e) = sample_cache::ensure(&sample, read) {
            tracing::warn!("{}: sample {} ({hash}) unavailable: {e}", path.display(), sample.name);
            repairs.push(RepairKind::SilentSample, format!("{} not in the project file or damaged", sample.name));
        }
    }
}
