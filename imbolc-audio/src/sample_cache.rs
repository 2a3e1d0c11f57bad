//! The sample cache: stored samples as files scsynth can read.
//!
//! The project file holds a sample's bytes (see `imbolc_core::store`), but
//! scsynth reads buffers from files (`/b_allocRead`), so each stored sample
//! is materialised once as `<cache dir>/samples/<sha256>.<ext>`. The name is
//! the content hash, so any project (or two copies of Imbolc) can share the
//! file, and a file is written to a temporary name and renamed, so a reader
//! never sees half of one. A file found there is checked against its hash
//! before it is trusted ([`ensure`]); a damaged one is written again.
//!
//! The cache directory is `$XDG_CACHE_HOME/imbolc` (else `~/.cache/imbolc`,
//! else the system temp folder), or whatever [`set_cache_dir`] chose.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use imbolc_types::SampleRef;
use sha2::{Digest, Sha256};

static CACHE_DIR: RwLock<Option<PathBuf>> = RwLock::new(None);
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Why a stored sample could not be put in (or read from) the cache.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The cache folder or file could not be written or read.
    #[error("sample cache {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    /// The bytes do not have the hash the project names: a damaged store.
    #[error("sample {hash} is damaged (its bytes do not match its hash)")]
    HashMismatch { hash: String },
    /// The hash is not 64 hex digits: never used as a file name.
    #[error("invalid sample hash {hash:?}")]
    BadHash { hash: String },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> CacheError + '_ {
    move |source| CacheError::Io { path: path.to_owned(), source }
}

/// Makes every later cache lookup use `dir` (tests, or a `--cache`
/// option); `None` goes back to the default.
pub fn set_cache_dir(dir: Option<PathBuf>) {
    let mut slot = CACHE_DIR.write().unwrap_or_else(std::sync::PoisonError::into_inner);
    *slot = dir;
}

/// The cache directory in use (see the module docs).
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = CACHE_DIR.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone() {
        return dir;
    }
    let non_empty = |v: &str| std::env::var_os(v).filter(|s| !s.is_empty()).map(PathBuf::from);
    if let Some(xdg) = non_empty("XDG_CACHE_HOME") {
        return xdg.join("imbolc");
    }
    if let Some(home) = non_empty("HOME") {
        return home.join(".cache").join("imbolc");
    }
    std::env::temp_dir().join("imbolc-cache")
}

/// The folder holding the sample files.
pub fn samples_dir() -> PathBuf {
    cache_dir().join("samples")
}

/// The cache file of a stored sample (it may not exist yet).
pub fn path_of(sample: &SampleRef) -> PathBuf {
    samples_dir().join(format!("{}.{}", sample.hash, sample.format.extension()))
}

/// SHA-256 of `bytes` as lowercase hex.
pub fn hash_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    use std::fmt::Write as _;
    digest.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Hashes what `reader` yields, copying it to `sink` on the way; returns
/// the hash and the byte count.
fn hash_copy(reader: &mut impl Read, mut sink: Option<&mut File>) -> io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = buf.get(..n).unwrap_or_default();
        hasher.update(chunk);
        if let Some(f) = sink.as_deref_mut() {
            f.write_all(chunk)?;
        }
        total += n as u64;
    }
    Ok((hex(&hasher.finalize()), total))
}

/// SHA-256 of the file at `path`, streamed.
///
/// # Errors
/// The file cannot be read.
pub fn hash_file(path: &Path) -> io::Result<String> {
    let mut f = File::open(path)?;
    Ok(hash_copy(&mut f, None)?.0)
}

fn temp_in(dir: &Path) -> PathBuf {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".writing-{}-{n}", std::process::id()))
}

/// Writes through a temporary file, then renames to `dest`.
fn write_atomically(
    dir: &Path,
    dest: &Path,
    fill: impl FnOnce(&mut File) -> Result<(), CacheError>,
) -> Result<(), CacheError> {
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let tmp = temp_in(dir);
    let result = File::create(&tmp).map_err(io_err(&tmp)).and_then(|mut f| {
        fill(&mut f)?;
        f.sync_all().map_err(io_err(&tmp))?;
        drop(f);
        fs::rename(&tmp, dest).map_err(io_err(dest))
    });
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Copies the file `src` into the cache as a sample with extension `ext`,
/// hashing it on the way; returns the hash and the size. Reads `src` once.
///
/// # Errors
/// [`CacheError::Io`] when `src` cannot be read or the cache written.
pub fn import_file(src: &Path, ext: &str) -> Result<(String, u64), CacheError> {
    let dir = samples_dir();
    fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    let tmp = temp_in(&dir);
    let copied = (|| {
        let mut input = File::open(src).map_err(io_err(src))?;
        let mut out = File::create(&tmp).map_err(io_err(&tmp))?;
        let (hash, bytes) = hash_copy(&mut input, Some(&mut out)).map_err(io_err(src))?;
        out.sync_all().map_err(io_err(&tmp))?;
        let dest = dir.join(format!("{hash}.{ext}"));
        fs::rename(&tmp, &dest).map_err(io_err(&dest))?;
        Ok((hash, bytes))
    })();
    if copied.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    copied
}

/// Whether the cache file of `sample` exists and has its hash.
pub fn is_cached(sample: &SampleRef) -> bool {
    SampleRef::is_valid_hash(&sample.hash) && hash_file(&path_of(sample)).is_ok_and(|h| h == sample.hash)
}

/// Makes sure the cache file of `sample` exists with the right bytes,
/// asking `bytes` for them only when it does not (or is damaged).
///
/// # Errors
/// [`CacheError::HashMismatch`] when `bytes` gives other bytes;
/// [`CacheError::Io`] when the cache cannot be written; whatever `bytes`
/// returns.
pub fn ensure(sample: &SampleRef, bytes: impl FnOnce() -> Result<Vec<u8>, CacheError>) -> Result<PathBuf, CacheError> {
    if !SampleRef::is_valid_hash(&sample.hash) {
        return Err(CacheError::BadHash { hash: sample.hash.clone() });
    }
    let dest = path_of(sample);
    if is_cached(sample) {
        return Ok(dest);
    }
    let data = bytes()?;
    if hash_bytes(&data) != sample.hash {
        return Err(CacheError::HashMismatch { hash: sample.hash.clone() });
    }
    write_atomically(&samples_dir(), &dest, |f| f.write_all(&data).map_err(io_err(&dest)))?;
    Ok(dest)
}

/// The bytes of a cached sample, checked against its hash (what a save
/// stores for a sample the project file does not have yet).
///
/// # Errors
/// [`CacheError::Io`] when the file is gone; [`CacheError::HashMismatch`]
/// when it was changed.
pub fn read_verified(sample: &SampleRef) -> Result<Vec<u8>, CacheError> {
    let path = path_of(sample);
    let data = fs::read(&path).map_err(io_err(&path))?;
    if hash_bytes(&data) != sample.hash {
        return Err(CacheError::HashMismatch { hash: sample.hash.clone() });
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_input() {
        assert_eq!(hash_bytes(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(SampleRef::is_valid_hash(&hash_bytes(b"")));
        assert!(!SampleRef::is_valid_hash("../../etc/passwd"));
    }
}
