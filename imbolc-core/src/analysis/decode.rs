//! Decoding a sample file to `f32` frames with symphonia, for display and
//! analysis only (scsynth reads the file itself to play it).
//!
//! [`decode_blocks`] streams interleaved blocks to a callback, so the
//! waveform overview of a long file is built without holding its audio;
//! [`decode_mono`] keeps a mono mix for onset and pitch analysis.

use std::fs::File;
use std::path::Path;

use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{CODEC_TYPE_NULL, DecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

/// The most channels a sample may have (what the sampler voice plays).
pub const MAX_CHANNELS: usize = 2;

/// Why a file could not be decoded. Every variant is a user error about
/// the file (pick another one); none is worth retrying.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Not a format we decode (WAV, AIFF, FLAC, Ogg Vorbis).
    #[error("{path} is not an audio file we can read (WAV, AIFF, FLAC or Ogg Vorbis)")]
    NotAudio { path: String },
    /// The file ends before the length its header declares.
    #[error("{path} is truncated: {got} of {expected} frames")]
    Truncated { path: String, expected: u64, got: u64 },
    /// The file holds no audio frames.
    #[error("{path} has no audio frames")]
    NoFrames { path: String },
    /// More channels than a sample may have.
    #[error("{path} has {channels} channels; samples must be mono or stereo")]
    TooManyChannels { path: String, channels: usize },
    /// The stream is damaged past the point a decoder can skip.
    #[error("{path} could not be decoded: {reason}")]
    Corrupt { path: String, reason: String },
}

/// What a decoded file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AudioInfo {
    /// Frames per second.
    pub sample_rate: u32,
    /// 1 or 2.
    pub channels: usize,
    /// Frames decoded.
    pub frames: u64,
}

/// A file decoded to one mono channel (the mean of its channels).
#[derive(Debug, Clone, PartialEq)]
pub struct MonoAudio {
    pub sample_rate: u32,
    /// The channel count of the file.
    pub channels: usize,
    pub samples: Vec<f32>,
}

/// Decodes `path`, calling `sink` with each block of interleaved frames
/// (`channels` values per frame) in order.
///
/// # Errors
/// A [`DecodeError`] naming the file; `sink` may have seen some blocks
/// before a truncation or corruption is found.
pub fn decode_blocks(path: &Path, mut sink: impl FnMut(&[f32], usize)) -> Result<AudioInfo, DecodeError> {
    let name = path.display().to_string();
    let not_audio = || DecodeError::NotAudio { path: name.clone() };
    let file = File::open(path).map_err(|source| DecodeError::Io { path: name.clone(), source })?;
    let stream = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let probed = symphonia::default::get_probe()
        .format(&hint, stream, &FormatOptions::default(), &MetadataOptions::default())
        .map_err(|_| not_audio())?;
    let mut format = probed.format;
    let track = format.tracks().iter().find(|t| t.codec_params.codec != CODEC_TYPE_NULL).ok_or_else(not_audio)?;
    let track_id = track.id;
    let params = track.codec_params.clone();
    let declared = params.n_frames;
    if let Some(ch) = params.channels.map(|c| c.count())
        && ch > MAX_CHANNELS
    {
        return Err(DecodeError::TooManyChannels { path: name, channels: ch });
    }
    let mut decoder =
        symphonia::default::get_codecs().make(&params, &DecoderOptions::default()).map_err(|_| not_audio())?;
    let mut info = AudioInfo { sample_rate: params.sample_rate.unwrap_or(0), channels: 0, frames: 0 };
    let mut buf: Option<(symphonia::core::audio::SignalSpec, u64, SampleBuffer<f32>)> = None;
    loop {
        let packet = match format.next_packet() {
            Ok(p) => p,
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(SymError::ResetRequired) => break,
            Err(SymError::IoError(source)) => return Err(DecodeError::Io { path: name, source }),
            Err(e) => return Err(DecodeError::Corrupt { path: name, reason: e.to_string() }),
        };
        if packet.track_id() != track_id {
            continue;
        }
        let decoded = match decoder.decode(&packet) {
            Ok(d) => d,
            // A damaged packet is skipped, as players do.
            Err(SymError::DecodeError(_)) => continue,
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(DecodeError::Corrupt { path: name, reason: e.to_string() }),
        };
        let spec = *decoded.spec();
        let channels = spec.channels.count();
        if channels > MAX_CHANNELS {
            return Err(DecodeError::TooManyChannels { path: name, channels });
        }
        if channels == 0 {
            continue;
        }
        info.channels = channels;
        info.sample_rate = spec.rate;
        let capacity = decoded.capacity() as u64;
        let sb = match &mut buf {
            Some((s, cap, b)) if *s == spec && *cap >= capacity => b,
            _ => &mut buf.insert((spec, capacity, SampleBuffer::new(capacity, spec))).2,
        };
        sb.copy_interleaved_ref(decoded);
        let samples = sb.samples();
        if samples.is_empty() {
            continue;
        }
        info.frames += (samples.len() / channels) as u64;
        sink(samples, channels);
    }
    if info.frames == 0 {
        return Err(DecodeError::NoFrames { path: name });
    }
    if let Some(expected) = declared
        && info.frames < expected
    {
        return Err(DecodeError::Truncated { path: name, expected, got: info.frames });
    }
    Ok(info)
}

/// Decodes `path` to a mono mix (the mean of its channels).
///
/// # Errors
/// As [`decode_blocks`].
pub fn decode_mono(path: &Path) -> Result<MonoAudio, DecodeError> {
    let mut samples = Vec::new();
    let info = decode_blocks(path, |block, channels| {
        if channels == 1 {
            samples.extend_from_slice(block);
        } else {
            let scale = 1.0 / channels as f32;
            samples.extend(block.chunks_exact(channels).map(|f| f.iter().sum::<f32>() * scale));
        }
    })?;
    Ok(MonoAudio { sample_rate: info.sample_rate, channels: info.channels, samples })
}
