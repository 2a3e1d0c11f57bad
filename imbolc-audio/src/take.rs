//! Takes: what the streaming recorder (`engine::recorder`) writes, and
//! the file work around it that does not belong on the audio thread:
//! checking the folder and choosing a file name before a take, and making
//! the WAV header match the audio that reached the disk after it.
//!
//! The recorder streams with `DiskOut` into a file scsynth opened with
//! `/b_write … leaveOpen=1`; `/b_close` makes libsndfile write the final
//! sizes. A take cut short (the server lost, the disk full) leaves a file
//! whose header may still say 0 frames: [`finalize`] rewrites the two size
//! fields from the file's length, so whatever was written stays readable.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use imbolc_types::{InstrumentId, TrackInput};

use crate::backend::Timetag;

/// What a take records. Every source is read as a stereo pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordSource {
    /// The master's output (the hardware output pair, post limiter).
    Master,
    /// An instrument's chain bus: its sound after its effects, before its
    /// strip (level, pan, mute).
    Instrument(InstrumentId),
    /// The hardware input pair starting at `channel` (0-based).
    Input { channel: u32 },
    /// Any audio bus by its server index (tests, diagnostics).
    Bus(u32),
    /// An aux bus of the project: what its sends write (before its
    /// effects and strip).
    AuxBus(imbolc_types::BusId),
}

impl From<TrackInput> for RecordSource {
    /// What the recorder reads for what an audio track records.
    fn from(input: TrackInput) -> Self {
        match input {
            TrackInput::Hardware { channel } => RecordSource::Input { channel },
            TrackInput::Bus(bus) => RecordSource::AuxBus(bus),
            TrackInput::Instrument(id) => RecordSource::Instrument(id),
            TrackInput::Master => RecordSource::Master,
        }
    }
}

/// A finished (or cut-short) recording, ready to become a clip.
#[derive(Debug, Clone, PartialEq)]
pub struct Take {
    pub path: PathBuf,
    pub source: RecordSource,
    /// When the recorder's first sample was taken (OSC timetag; the
    /// recorder's `/s_new` carries it).
    pub start: Timetag,
    /// The song position (ticks) at `start` when the transport was playing.
    pub song_start: Option<f64>,
    /// Frames of the take: set at stop to its length up to the stop, then
    /// by [`finish`] to what the file holds (which a take cut short leaves
    /// at 0 until then).
    pub frames: u64,
    /// Frames to drop from the start so that the audio lines up with
    /// `start`: the capture latency JACK reports for the server's inputs
    /// (input takes only; 0 for buses, which have none).
    pub latency_frames: u32,
    /// Why the take ended early, if it did (the file is kept).
    pub cut_short: Option<String>,
}

/// Why a take could not start or be finished.
#[derive(Debug, thiserror::Error)]
pub enum TakeError {
    #[error("{0} exists and is not a folder; choose another take folder")]
    NotAFolder(PathBuf),
    #[error("cannot write takes in {path}: {source}")]
    Unwritable { path: PathBuf, source: std::io::Error },
    #[error("the take file {path} cannot be read: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the take file {0} holds no WAV header (nothing was recorded)")]
    NoHeader(PathBuf),
    #[error("{0}")]
    Refused(String),
}

/// Makes `folder` if needed, checks that files can be created in it, and
/// returns the next free `take-NNN.wav` in it.
///
/// # Errors
/// [`TakeError::NotAFolder`] or [`TakeError::Unwritable`], with the reason.
pub fn prepare(folder: &Path) -> Result<PathBuf, TakeError> {
    if folder.exists() && !folder.is_dir() {
        return Err(TakeError::NotAFolder(folder.to_owned()));
    }
    let unwritable = |source| TakeError::Unwritable { path: folder.to_owned(), source };
    std::fs::create_dir_all(folder).map_err(unwritable)?;
    let probe = folder.join(".imbolc-take-probe");
    File::create(&probe).map_err(unwritable)?;
    let _ = std::fs::remove_file(&probe);
    let mut n = 1u32;
    loop {
        let path = folder.join(format!("take-{n:03}.wav"));
        if !path.exists() {
            return Ok(path);
        }
        n += 1;
    }
}

/// Free space below which a running take is stopped: two halves of the
/// recorder's buffer, so what it writes until it is closed still fits
/// (`DiskOut` drops what it cannot write, and a full disk could leave
/// no room for anything else).
pub const DISK_RESERVE: u64 = crate::engine::recorder::RECORD_FRAMES as u64 * 2 * 3;

/// Why a running take must stop now (a caller polls this about twice a
/// second while recording): the disk holding `path` is (nearly) full.
pub fn check_space(path: &Path) -> Option<String> {
    let folder = path.parent().unwrap_or(path);
    let free = free_bytes(folder)?;
    (free < DISK_RESERVE).then(|| {
        format!(
            "the disk holding {} is full ({} KB free): the take was stopped; the audio up to then is kept",
            folder.display(),
            free / 1024
        )
    })
}

/// Bytes free for an unprivileged writer on the file system of `path`
/// (`None` if it cannot be asked).
#[allow(unsafe_code)]
// `fsblkcnt_t` and `c_ulong` are not u64 on every platform.
#[allow(clippy::useless_conversion)]
pub fn free_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: `c` is a valid NUL-terminated string and `stat` a plain
    // struct statvfs fills.
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::statvfs(c.as_ptr(), &mut stat) };
    (rc == 0).then(|| u64::from(stat.f_bavail).saturating_mul(u64::from(stat.f_frsize)))
}

/// Makes the take's file a valid WAV ending where the take stopped (see
/// [`finalize`]) and sets `take.frames` to the frames it holds.
///
/// # Errors
/// As [`finalize`].
pub fn finish(take: &mut Take) -> Result<(), TakeError> {
    let limit = (take.cut_short.is_none() && take.frames > 0).then_some(take.frames);
    take.frames = finalize(&take.path, limit)?;
    Ok(())
}

/// Makes the WAV header of `path` say what the file holds and returns the
/// number of whole frames. A header already consistent with the file is
/// left untouched (libsndfile wrote it at `/b_close`); a header left at 0
/// frames by a take cut short is rewritten: the data chunk runs to the end
/// of the file (rounded down to a whole frame). With `limit`, the file is
/// cut after that many frames.
///
/// # Errors
/// [`TakeError::Io`] when the file cannot be read or written,
/// [`TakeError::NoHeader`] when it does not start with a WAV header.
pub fn finalize(path: &Path, limit: Option<u64>) -> Result<u64, TakeError> {
    let io = |source| TakeError::Io { path: path.to_owned(), source };
    let mut file = OpenOptions::new().read(true).write(true).open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let mut head = vec![0u8; usize::try_from(len.min(64 * 1024)).unwrap_or(64 * 1024)];
    file.read_exact(&mut head).map_err(io)?;
    let Some(layout) = Layout::parse(&head) else { return Err(TakeError::NoHeader(path.to_owned())) };
    let align = u64::from(layout.block_align.max(1));
    let available = len.saturating_sub(layout.data_offset);
    let declared_riff = u64::from(u32_at(&head, 4)) + 8;
    let consistent = layout.data_len > 0 && layout.data_len <= available && declared_riff <= len;
    let limit_bytes = limit.map_or(u64::MAX, |f| f.saturating_mul(align));
    let data_len = if consistent && layout.data_len <= limit_bytes {
        layout.data_len
    } else {
        let whole = if consistent { layout.data_len } else { available };
        let data = (whole / align * align).min(u64::from(u32::MAX) / align * align).min(limit_bytes);
        if data < available {
            file.set_len(layout.data_offset + data).map_err(io)?;
        }
        let riff = u32::try_from(layout.data_offset + data - 8).unwrap_or(u32::MAX);
        let data32 = u32::try_from(data).unwrap_or(u32::MAX);
        file.seek(SeekFrom::Start(4)).map_err(io)?;
        file.write_all(&riff.to_le_bytes()).map_err(io)?;
        file.seek(SeekFrom::Start(layout.data_offset - 4)).map_err(io)?;
        file.write_all(&data32.to_le_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        data
    };
    Ok(data_len / align)
}

/// Where the pieces of a WAV header are.
struct Layout {
    data_offset: u64,
    data_len: u64,
    block_align: u16,
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4).map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

impl Layout {
    fn parse(head: &[u8]) -> Option<Layout> {
        if head.len() < 12 || &head[0..4] != b"RIFF" || &head[8..12] != b"WAVE" {
            return None;
        }
        let mut at = 12usize;
        let mut block_align = None;
        while at + 8 <= head.len() {
            let id = &head[at..at + 4];
            let size = u32_at(head, at + 4);
            if id == b"fmt " {
                let b = head.get(at + 20..at + 22)?;
                block_align = Some(u16::from_le_bytes([b[0], b[1]]));
            } else if id == b"data" {
                return Some(Layout {
                    data_offset: (at + 8) as u64,
                    data_len: u64::from(size),
                    block_align: block_align?,
                });
            }
            // Chunks are padded to an even size.
            at = at.checked_add(8 + size as usize + (size as usize & 1))?;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("imbolc-take-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn write_wav(path: &Path, frames: u32) {
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 48_000,
            bits_per_sample: 24,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for i in 0..frames * 2 {
            w.write_sample(i as i32).unwrap();
        }
        w.finalize().unwrap();
    }

    #[test]
    fn a_header_left_at_zero_frames_is_rewritten_from_the_file_length() {
        let dir = temp_dir("repair");
        let path = dir.join("t.wav");
        write_wav(&path, 1000);
        let mut bytes = std::fs::read(&path).unwrap();
        let data = bytes.windows(4).position(|w| w == b"data").unwrap();
        // What a crashed writer leaves: sizes 0 and half a frame at the end.
        bytes[4..8].copy_from_slice(&0u32.to_le_bytes());
        bytes[data + 4..data + 8].copy_from_slice(&0u32.to_le_bytes());
        bytes.extend([1, 2, 3]);
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(finalize(&path, None).unwrap(), 1000);
        let r = hound::WavReader::open(&path).unwrap();
        assert_eq!(r.duration(), 1000);
        assert_eq!(finalize(&path, None).unwrap(), 1000, "a second pass changes nothing");
        assert_eq!(finalize(&path, Some(400)).unwrap(), 400, "cut at the stop");
        assert_eq!(hound::WavReader::open(&path).unwrap().duration(), 400);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), (data + 8 + 400 * 6) as u64, "the rest is cut off");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_correct_header_is_kept_and_garbage_is_refused() {
        let dir = temp_dir("keep");
        let path = dir.join("t.wav");
        write_wav(&path, 10);
        let before = std::fs::read(&path).unwrap();
        assert_eq!(finalize(&path, None).unwrap(), 10);
        assert_eq!(std::fs::read(&path).unwrap(), before);
        std::fs::write(&path, b"not a wav").unwrap();
        assert!(matches!(finalize(&path, None), Err(TakeError::NoHeader(_))));
        assert!(matches!(finalize(&dir.join("missing.wav"), None), Err(TakeError::Io { .. })));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn prepare_names_the_next_free_file_and_refuses_a_file_as_folder() {
        let dir = temp_dir("prepare");
        let folder = dir.join("takes");
        let first = prepare(&folder).unwrap();
        assert_eq!(first, folder.join("take-001.wav"));
        std::fs::write(&first, b"x").unwrap();
        assert_eq!(prepare(&folder).unwrap(), folder.join("take-002.wav"));
        let file = dir.join("plain");
        std::fs::write(&file, b"x").unwrap();
        let e = prepare(&file).unwrap_err();
        assert!(e.to_string().contains("is not a folder"), "{e}");
        assert!(matches!(prepare(&file.join("sub")), Err(TakeError::Unwritable { .. })));
        assert!(free_bytes(&dir).is_some_and(|b| b > 0));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
