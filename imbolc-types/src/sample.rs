//! Samples kept in the project file ("the sample store").
//!
//! A project refers to a sample by [`SampleRef`]: the SHA-256 of the
//! file's bytes plus what was learnt when it was imported. The bytes live
//! in the project file's own `sample` table, once per hash however many
//! pads (or, later, audio clips) use them, so a project opens and renders
//! on a machine without the original files.

use serde::{Deserialize, Serialize};

/// The container of a stored sample: what scsynth reads through
/// libsndfile. Kept so the cache file gets an extension libsndfile
/// recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SampleFormat {
    Wav,
    Aiff,
    Flac,
    Ogg,
}

impl SampleFormat {
    /// File extension of the cache file (no dot).
    pub fn extension(self) -> &'static str {
        match self {
            SampleFormat::Wav => "wav",
            SampleFormat::Aiff => "aiff",
            SampleFormat::Flac => "flac",
            SampleFormat::Ogg => "ogg",
        }
    }
}

/// A sample in the project's store: its content hash (the key of its bytes)
/// and metadata, so nothing needs decoding to show or check it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SampleRef {
    /// SHA-256 of the file's bytes, 64 lowercase hex digits.
    pub hash: String,
    /// File name it was imported from (for display only).
    pub name: String,
    pub format: SampleFormat,
    pub channels: u16,
    pub sample_rate: u32,
    pub frames: u64,
    /// Size of the stored bytes.
    pub bytes: u64,
}

impl SampleRef {
    /// Whether `hash` is 64 lowercase hex digits (safe as a file name).
    pub fn is_valid_hash(hash: &str) -> bool {
        hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    /// Length in seconds.
    pub fn seconds(&self) -> f64 {
        if self.sample_rate == 0 { 0.0 } else { self.frames as f64 / f64::from(self.sample_rate) }
    }
}
