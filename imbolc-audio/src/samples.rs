//! Reading a WAV or AIFF header: the channel count and rate, so a file
//! with more channels than the sampler voice (`imbolc_sampler`) plays is
//! named as such. Only the header is read. `imbolc_core::store` uses it
//! before decoding a sample it imports; [`is_unsafe_to_load`] keeps
//! FIFOs and devices away from the server.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Most channels the sampler voice plays.
pub const MAX_SAMPLE_CHANNELS: u16 = 2;

/// What the header says about a sample file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleInfo {
    pub channels: u16,
    pub sample_rate: u32,
}

/// Whether `path` (symlinks followed) is a regular file: the only kind
/// handed to the server. A FIFO would block scsynth's command thread (and
/// every `/sync` after it), a device or a folder makes no sense as audio.
pub fn is_regular_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

/// Whether `path` exists but is not a regular file (a FIFO, device,
/// socket or folder): never to be named to the server. A missing file is
/// harmless there (scsynth answers `/fail`, which is reported).
pub fn is_unsafe_to_load(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file())
}

/// Why a file cannot be a pad's sample. The user picks another file.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    /// The file is missing or unreadable.
    #[error("cannot read sample {path}: {source}")]
    Unreadable { path: PathBuf, source: io::Error },
    /// A FIFO, device, socket or folder: never opened (a FIFO would block).
    #[error("{path} is not a regular file")]
    NotAFile { path: PathBuf },
    /// Neither a WAV nor an AIFF file, or a damaged header.
    #[error("{path} is not a WAV or AIFF file")]
    UnknownFormat { path: PathBuf },
    /// The sampler plays mono and stereo files only.
    #[error("{path} has {channels} channels; pads play mono or stereo files")]
    Channels { path: PathBuf, channels: u16 },
}

/// Reads the header of `path` and checks the sampler can play it.
///
/// # Errors
/// [`SampleError`] when the file is missing, not WAV/AIFF, or has a
/// channel count other than 1 or 2.
pub fn check_sample(path: &Path) -> Result<SampleInfo, SampleError> {
    let unreadable = |source| SampleError::Unreadable { path: path.to_owned(), source };
    std::fs::metadata(path).map_err(unreadable)?;
    if !is_regular_file(path) {
        return Err(SampleError::NotAFile { path: path.to_owned() });
    }
    let mut file = File::open(path).map_err(unreadable)?;
    let info = read_header(&mut file).map_err(unreadable)?;
    let info = info.ok_or_else(|| SampleError::UnknownFormat { path: path.to_owned() })?;
    if info.channels == 0 || info.channels > MAX_SAMPLE_CHANNELS {
        tracing::warn!("refused sample {}: {} channels", path.display(), info.channels);
        return Err(SampleError::Channels { path: path.to_owned(), channels: info.channels });
    }
    Ok(info)
}

/// `None` when the format is not recognised.
fn read_header(file: &mut File) -> io::Result<Option<SampleInfo>> {
    let mut head = [0u8; 12];
    if file.read(&mut head)? < 12 {
        return Ok(None);
    }
    match (&head[0..4], &head[8..12]) {
        (b"RIFF", b"WAVE") => find_chunk(file, b"fmt ", false, |c| {
            // Format tag (2 bytes), then channels and the sample rate.
            let channels = u16::from_le_bytes([*c.get(2)?, *c.get(3)?]);
            let rate = u32::from_le_bytes([*c.get(4)?, *c.get(5)?, *c.get(6)?, *c.get(7)?]);
            Some(SampleInfo { channels, sample_rate: rate })
        }),
        (b"FORM", b"AIFF" | b"AIFC") => find_chunk(file, b"COMM", true, |c| {
            let channels = u16::from_be_bytes([*c.first()?, *c.get(1)?]);
            Some(SampleInfo { channels, sample_rate: aiff_rate(c.get(8..18)?) })
        }),
        _ => Ok(None),
    }
}

/// Walks chunks after the 12-byte header until `id`, and parses its first
/// bytes with `parse`.
fn find_chunk(
    file: &mut File,
    id: &[u8; 4],
    big_endian: bool,
    parse: impl Fn(&[u8]) -> Option<SampleInfo>,
) -> io::Result<Option<SampleInfo>> {
    let mut header = [0u8; 8];
    loop {
        if file.read(&mut header)? < 8 {
            return Ok(None);
        }
        let size_bytes = [header[4], header[5], header[6], header[7]];
        let size = if big_endian { u32::from_be_bytes(size_bytes) } else { u32::from_le_bytes(size_bytes) };
        if &header[0..4] == id {
            let mut body = vec![0u8; usize::try_from(size.min(64)).unwrap_or(64)];
            file.read_exact(&mut body)?;
            return Ok(parse(&body));
        }
        // Chunks are padded to an even size.
        file.seek(SeekFrom::Current(i64::from(size) + i64::from(size % 2)))?;
    }
}

/// The 80-bit extended float sample rate of an AIFF `COMM` chunk.
fn aiff_rate(b: &[u8]) -> u32 {
    let (Some(&e0), Some(&e1)) = (b.first(), b.get(1)) else { return 0 };
    let exponent = i32::from(u16::from_be_bytes([e0 & 0x7f, e1])) - 16383;
    let mut mantissa = 0u64;
    for &byte in b.iter().skip(2).take(8) {
        mantissa = (mantissa << 8) | u64::from(byte);
    }
    let shift = 63 - exponent;
    if (0..64).contains(&shift) { u32::try_from(mantissa >> shift).unwrap_or(0) } else { 0 }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn wav(channels: u16) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(b"RIFF");
        b.extend_from_slice(&36u32.to_le_bytes());
        b.extend_from_slice(b"WAVEfmt ");
        b.extend_from_slice(&16u32.to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&channels.to_le_bytes());
        b.extend_from_slice(&44_100u32.to_le_bytes());
        b.extend_from_slice(&(44_100u32 * 2 * u32::from(channels)).to_le_bytes());
        b.extend_from_slice(&(2 * channels).to_le_bytes());
        b.extend_from_slice(&16u16.to_le_bytes());
        b.extend_from_slice(b"data");
        b.extend_from_slice(&0u32.to_le_bytes());
        b
    }

    fn aiff(channels: u16) -> Vec<u8> {
        let mut b = Vec::new();
        b.extend_from_slice(b"FORM");
        b.extend_from_slice(&30u32.to_be_bytes());
        b.extend_from_slice(b"AIFFCOMM");
        b.extend_from_slice(&18u32.to_be_bytes());
        b.extend_from_slice(&channels.to_be_bytes());
        b.extend_from_slice(&0u32.to_be_bytes());
        b.extend_from_slice(&16u16.to_be_bytes());
        // 48000 as an 80-bit extended float.
        b.extend_from_slice(&[0x40, 0x0E, 0xBB, 0x80, 0, 0, 0, 0, 0, 0]);
        b
    }

    fn write(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("imbolc-samples-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn mono_and_stereo_wav_and_aiff_are_accepted() {
        let info = check_sample(&write("m.wav", &wav(1))).unwrap();
        assert_eq!(info, SampleInfo { channels: 1, sample_rate: 44_100 });
        assert_eq!(check_sample(&write("s.aiff", &aiff(2))).unwrap(), SampleInfo { channels: 2, sample_rate: 48_000 });
    }

    #[test]
    fn other_files_are_clear_errors() {
        let six = check_sample(&write("six.wav", &wav(6))).unwrap_err();
        assert!(matches!(six, SampleError::Channels { channels: 6, .. }), "{six}");
        assert!(six.to_string().contains("6 channels"));
        let text = check_sample(&write("t.wav", b"hello, this is not audio")).unwrap_err();
        assert!(matches!(text, SampleError::UnknownFormat { .. }), "{text}");
        let missing = check_sample(Path::new("/nonexistent/kick.wav")).unwrap_err();
        assert!(matches!(missing, SampleError::Unreadable { .. }));
        assert!(missing.to_string().contains("/nonexistent/kick.wav"));
    }
}
