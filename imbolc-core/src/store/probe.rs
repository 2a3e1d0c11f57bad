//! Checking a sample file with symphonia: container by its magic bytes,
//! channels from the header, then every packet decoded so a cut-off or
//! damaged file is refused on import rather than heard as silence later.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use imbolc_types::SampleFormat;
use symphonia::core::codecs::{CODEC_TYPE_NULL, DecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use super::{ImportError, MAX_CHANNELS, MAX_SAMPLE_BYTES};

/// What a checked file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probed {
    pub format: SampleFormat,
    pub channels: u16,
    pub sample_rate: u32,
    pub frames: u64,
}

/// The container, from the first 12 bytes.
fn sniff(head: &[u8]) -> Option<SampleFormat> {
    match (head.get(0..4)?, head.get(8..12)) {
        (b"RIFF", Some(b"WAVE")) => Some(SampleFormat::Wav),
        (b"FORM", Some(b"AIFF" | b"AIFC")) => Some(SampleFormat::Aiff),
        (b"fLaC", _) => Some(SampleFormat::Flac),
        (b"OggS", _) => Some(SampleFormat::Ogg),
        _ => None,
    }
}

/// Checks the file at `path` (see the module docs).
///
/// # Errors
/// [`ImportError`] for each kind of unfit file; the size limit is checked
/// from the file's metadata before reading.
pub fn probe(path: &Path) -> Result<Probed, ImportError> {
    let unreadable = |source| ImportError::Unreadable { path: path.to_owned(), source };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if !meta.is_file() {
        return Err(ImportError::NotAFile { path: path.to_owned() });
    }
    if meta.len() > MAX_SAMPLE_BYTES {
        return Err(ImportError::TooLarge { path: path.to_owned(), size: meta.len(), limit: MAX_SAMPLE_BYTES });
    }
    let mut file = File::open(path).map_err(unreadable)?;
    let mut head = [0u8; 12];
    let n = read_up_to(&mut file, &mut head).map_err(unreadable)?;
    let format =
        sniff(head.get(..n).unwrap_or_default()).ok_or_else(|| ImportError::UnknownFormat { path: path.to_owned() })?;
    // The plain header reader names the channel count even where
    // symphonia only supports fewer channels.
    if matches!(format, SampleFormat::Wav | SampleFormat::Aiff) {
        match imbolc_audio::samples::check_sample(path) {
            Err(imbolc_audio::samples::SampleError::Channels { channels, .. }) => {
                return Err(ImportError::Channels { path: path.to_owned(), channels });
            }
            Err(imbolc_audio::samples::SampleError::UnknownFormat { .. }) => {
                return Err(ImportError::Damaged { path: path.to_owned(), detail: "no format header".into() });
            }
            Err(imbolc_audio::samples::SampleError::Unreadable { source, .. })
                if source.kind() == io::ErrorKind::UnexpectedEof =>
            {
                return Err(ImportError::Damaged { path: path.to_owned(), detail: "the header is cut short".into() });
            }
            Err(imbolc_audio::samples::SampleError::Unreadable { source, .. }) => return Err(unreadable(source)),
            Err(imbolc_audio::samples::SampleError::NotAFile { .. }) => {
                return Err(ImportError::NotAFile { path: path.to_owned() });
            }
            Ok(_) => {}
        }
    }
    let file = File::open(path).map_err(unreadable)?;
    decode_all(path, format, file)
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(buf.get_mut(filled..).unwrap_or_default())? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

fn decode_all(path: &Path, format: SampleFormat, file: File) -> Result<Probed, ImportError> {
    let damaged = |e: SymError| ImportError::Damaged { path: path.to_owned(), detail: e.to_string() };
    let mut hint = Hint::new();
    hint.with_extension(format.extension());
    let stream = MediaSourceStream::new(Box::new(file), Default::default());
    let probed = symphonia::default::get_probe()
        .format(&hint, stream, &FormatOptions::default(), &MetadataOptions::default())
        .map_err(|e| match e {
            SymError::Unsupported(_) => ImportError::UnknownFormat { path: path.to_owned() },
            e => damaged(e),
        })?;
    let mut reader = probed.format;
    let track = reader
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or_else(|| ImportError::Empty { path: path.to_owned() })?;
    let track_id = track.id;
    let params = track.codec_params.clone();
    let channels = params.channels.map_or(0, |c| c.count());
    let channels = u16::try_from(channels).unwrap_or(u16::MAX);
    if channels == 0 || channels > MAX_CHANNELS {
        return Err(ImportError::Channels { path: path.to_owned(), channels });
    }
    let sample_rate = params
        .sample_rate
        .filter(|r| *r > 0)
        .ok_or_else(|| ImportError::Damaged { path: path.to_owned(), detail: "no sample rate".into() })?;
    let mut decoder =
        symphonia::default::get_codecs().make(&params, &DecoderOptions::default()).map_err(|e| match e {
            SymError::Unsupported(_) => ImportError::UnknownFormat { path: path.to_owned() },
            e => damaged(e),
        })?;
    let mut frames = 0u64;
    loop {
        let packet = match reader.next_packet() {
            Ok(p) => p,
            Err(SymError::IoError(e)) if e.kind() == io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(damaged(e)),
        };
        if packet.track_id() != track_id {
            continue;
        }
        let decoded = decoder.decode(&packet).map_err(damaged)?;
        frames += decoded.frames() as u64;
    }
    // symphonia 0.5 counts the 8 bytes of offset and block size at the
    // start of an AIFF `SSND` chunk as audio: up to 8 frames too many.
    let slack = if format == SampleFormat::Aiff { 8 } else { 0 };
    if let Some(expected) = params.n_frames
        && frames + slack < expected
    {
        return Err(ImportError::Truncated { path: path.to_owned(), expected, found: frames });
    }
    if frames == 0 {
        return Err(ImportError::Empty { path: path.to_owned() });
    }
    Ok(Probed { format, channels, sample_rate, frames })
}
