//! The blob format: the project as MessagePack with named fields (so new
//! fields can be added with `#[serde(default)]` and old ones dropped without
//! a format bump), a checksum, and migrations from older format versions.
//!
//! Format history:
//! - **1**: table `project(id, name, bpm, created, updated, format_version,
//!   data)`; the blob held instruments, buses and clips as lists, notes as
//!   lists with their ids inside ([`v1::ProjectV1`]).
//! - **2**: table keyed by `slot` (`main`, `recovery`) with
//!   `app_version` and `checksum`; the blob is [`Project`] with id-keyed maps.
//! - **3**: the blob as in 2, plus the sample store tables
//!   `sample` and `sample_use`; pads may be `PadSound::Stored`. Older builds
//!   refuse it as newer rather than failing on the new pad kind.
//! - **4** (current): as 3, but a clip's notes are one byte string of
//!   delta-coded columns ([`imbolc_types::note_columns`]) instead of a
//!   map of named fields per note: about 7 bytes a note instead of ~45.
//!   Format 2 and 3 blobs decode with the same code (the reader takes
//!   either form); older builds refuse format 4 as newer.

use imbolc_types::Project;

use super::PersistError;

pub mod v1;

/// The format this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 4;

/// Encodes the current format.
///
/// # Errors
///
/// [`PersistError::Encode`] if serialisation fails (not expected for a
/// well-formed project).
pub fn encode(project: &Project) -> Result<Vec<u8>, PersistError> {
    rmp_serde::to_vec_named(project).map_err(|e| PersistError::Encode(e.to_string()))
}

/// Decodes a blob of format `version` (1 to current), migrating old ones.
/// The error is a plain message; the caller adds the path.
pub fn decode(version: u32, data: &[u8]) -> Result<Project, String> {
    match version {
        1 => rmp_serde::from_slice::<v1::ProjectV1>(data).map(v1::migrate).map_err(|e| e.to_string()),
        2 | 3 | FORMAT_VERSION => rmp_serde::from_slice::<Project>(data).map_err(|e| e.to_string()),
        other => Err(format!("unknown format version {other}")),
    }
}

/// FNV-1a 64-bit hash of the blob, stored beside it: catches truncation and
/// stray writes that would otherwise still decode.
pub fn checksum(data: &[u8]) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in data {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    i64::from_ne_bytes(h.to_ne_bytes())
}
