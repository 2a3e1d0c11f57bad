//! The sample store: importing a sample file into the project.
//!
//! [`import_sample`] checks a file the way scsynth will read it (WAV, AIFF,
//! FLAC or Ogg Vorbis; mono or stereo; decodable from start to end), copies
//! its bytes into the sample cache under their SHA-256
//! (`imbolc_audio::sample_cache`) and returns the [`SampleRef`] a pad (or
//! later an audio clip) holds. The project file stores the bytes once per
//! hash when it is saved (`crate::persist`), so importing the same file on
//! two pads stores it once.
//!
//! Any sample rate is accepted: the sampler voice scales its playback rate
//! by the buffer's rate (`BufRateScale`), so a 192 kHz file plays at its
//! pitch on a 48 kHz server.

mod probe;

use std::io;
use std::path::{Path, PathBuf};

use imbolc_audio::sample_cache::{self, CacheError};
use imbolc_types::SampleRef;

pub use probe::{Probed, probe};

/// Largest sample file imported, in bytes; a larger file is refused from
/// its size, before anything is read (the project file holds every byte).
pub const MAX_SAMPLE_BYTES: u64 = 512 * 1024 * 1024;

/// Most channels a sample may have (the sampler plays mono and stereo).
pub const MAX_CHANNELS: u16 = 2;

/// Why a file cannot be imported. Nothing was changed: the user picks
/// another file.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Missing or unreadable.
    #[error("cannot read sample {path}: {source}")]
    Unreadable { path: PathBuf, source: io::Error },
    /// A FIFO, device, socket or folder: never opened (a FIFO would block).
    #[error("{path} is not a regular file")]
    NotAFile { path: PathBuf },
    /// Over [`MAX_SAMPLE_BYTES`].
    #[error("{path} is {size} bytes; samples are limited to {limit} bytes")]
    TooLarge { path: PathBuf, size: u64, limit: u64 },
    /// Not WAV, AIFF, FLAC or Ogg Vorbis.
    #[error("{path} is not a WAV, AIFF, FLAC or Ogg Vorbis file")]
    UnknownFormat { path: PathBuf },
    /// The container is known but its contents do not decode.
    #[error("{path} is damaged: {detail}")]
    Damaged { path: PathBuf, detail: String },
    /// Fewer frames than its header announces (a cut-off file).
    #[error("{path} is truncated: {found} of {expected} frames")]
    Truncated { path: PathBuf, expected: u64, found: u64 },
    /// No audio at all.
    #[error("{path} has no audio (zero frames)")]
    Empty { path: PathBuf },
    /// Neither mono nor stereo.
    #[error("{path} has {channels} channels; samples must be mono or stereo")]
    Channels { path: PathBuf, channels: u16 },
    /// The sample cache could not be written.
    #[error(transparent)]
    Cache(#[from] CacheError),
}

/// Checks `path` and copies it into the sample cache; returns its
/// reference (named after the file).
///
/// # Errors
/// [`ImportError`] naming the file and what is wrong with it.
pub fn import_sample(path: &Path) -> Result<SampleRef, ImportError> {
    let probed = probe(path)?;
    let (hash, bytes) = sample_cache::import_file(path, probed.format.extension())?;
    let name = path.file_name().map_or_else(|| "sample".to_owned(), |s| s.to_string_lossy().into_owned());
    tracing::info!("imported sample {} as {hash} ({bytes} bytes)", path.display());
    Ok(SampleRef {
        hash,
        name,
        format: probed.format,
        channels: probed.channels,
        sample_rate: probed.sample_rate,
        frames: probed.frames,
        bytes,
    })
}
