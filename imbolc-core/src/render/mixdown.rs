//! From scsynth's multichannel output to stereo files: one streaming pass
//! that sums each file's channel pairs, applies its gain, measures it (peak,
//! last audible frame, EBU R128 loudness) and, when asked, writes it
//! (dithered for integer formats). Memory stays at one chunk per file.
//!
//! scsynth writes headerless 32-bit float (`raw`): no 4 GiB WAV limit on
//! many-channel renders, and reading it is a plain byte conversion.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::dither::Tpdf;
use super::error::RenderError;
use super::options::SampleFormat;

/// Frames handled per step.
const CHUNK: usize = 4096;

/// One NRT output: a raw float file with `channels` interleaved channels.
#[derive(Debug, Clone)]
pub struct RawInput {
    pub path: PathBuf,
    pub channels: u32,
}

/// One file to produce: the sum of channel pairs (input index, first channel).
#[derive(Debug, Clone)]
pub struct FileSpec {
    pub sources: Vec<(usize, u32)>,
    pub gain: f32,
    /// Where to write (None: measure only).
    pub write_to: Option<PathBuf>,
}

/// What one pass measured of one file (after its gain).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    /// Sample peak, linear.
    pub peak: f64,
    /// Last frame above the silence threshold (None: all silent).
    pub last_loud: Option<u64>,
    /// Integrated loudness in LUFS (−inf when silent); None when not measured.
    pub lufs: Option<f64>,
}

/// Settings of one pass.
#[derive(Debug, Clone, Copy)]
pub struct Pass {
    pub frames: u64,
    pub rate: u32,
    pub format: SampleFormat,
    /// Linear level counting as silence.
    pub silence: f64,
    pub loudness: bool,
}

/// Runs one pass over `files` (all of `pass.frames`, zero-padded past the
/// end of an input), calling `progress` with 0..=1.
///
/// # Errors
/// [`RenderError::Io`]/[`RenderError::Wav`] on read or write failures,
/// [`RenderError::Cancelled`] when `cancel` is set.
pub fn run_pass(
    inputs: &[RawInput],
    files: &[FileSpec],
    pass: Pass,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(f64),
) -> Result<Vec<Measured>, RenderError> {
    let mut readers = inputs
        .iter()
        .map(|i| {
            File::open(&i.path)
                .map(|f| (BufReader::with_capacity(1 << 20, f), i.channels as usize))
                .map_err(RenderError::io("reading the render output"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut outs = files.iter().map(|f| FileState::new(f, pass)).collect::<Result<Vec<_>, _>>()?;
    let mut bytes = Vec::new();
    let mut decoded: Vec<Vec<f32>> = inputs.iter().map(|_| Vec::new()).collect();
    let mut stereo = vec![0.0f32; CHUNK * 2];
    let mut done = 0u64;
    while done < pass.frames {
        if cancel.load(Ordering::Relaxed) {
            return Err(RenderError::Cancelled);
        }
        let n = (pass.frames - done).min(CHUNK as u64) as usize;
        for ((reader, channels), buf) in readers.iter_mut().zip(decoded.iter_mut()) {
            read_chunk(reader, *channels, n, &mut bytes, buf)?;
        }
        for (state, spec) in outs.iter_mut().zip(files) {
            let out = &mut stereo[..n * 2];
            out.fill(0.0);
            for &(input, ch) in &spec.sources {
                let (Some(buf), Some((_, channels))) = (decoded.get(input), readers.get(input)) else { continue };
                let ch = ch as usize;
                for (frame, o) in out.chunks_exact_mut(2).enumerate() {
                    let base = frame * channels + ch;
                    o[0] += buf.get(base).copied().unwrap_or(0.0);
                    o[1] += buf.get(base + 1).copied().unwrap_or(0.0);
                }
            }
            if spec.gain != 1.0 {
                out.iter_mut().for_each(|s| *s *= spec.gain);
            }
            state.take(out, done, pass)?;
        }
        done += n as u64;
        progress(done as f64 / pass.frames.max(1) as f64);
    }
    outs.into_iter().map(FileState::finish).collect()
}

/// Reads `frames` frames of `channels` f32 (zeros past the end).
fn read_chunk(
    reader: &mut impl Read,
    channels: usize,
    frames: usize,
    bytes: &mut Vec<u8>,
    out: &mut Vec<f32>,
) -> Result<(), RenderError> {
    let want = frames * channels * 4;
    bytes.clear();
    bytes.resize(want, 0);
    let mut got = 0;
    while got < want {
        match reader.read(&mut bytes[got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(RenderError::io("reading the render output")(e)),
        }
    }
    bytes[got..].fill(0);
    out.clear();
    out.extend(bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])));
    Ok(())
}

/// One file being measured and maybe written.
struct FileState {
    peak: f64,
    last_loud: Option<u64>,
    meter: Option<ebur128::EbuR128>,
    writer: Option<hound::WavWriter<BufWriter<File>>>,
    dither: Tpdf,
}

impl FileState {
    fn new(spec: &FileSpec, pass: Pass) -> Result<Self, RenderError> {
        let meter = if pass.loudness { ebur128::EbuR128::new(2, pass.rate, ebur128::Mode::I).ok() } else { None };
        let writer = match &spec.write_to {
            Some(path) => Some(create_wav(path, pass.rate, pass.format)?),
            None => None,
        };
        Ok(FileState { peak: 0.0, last_loud: None, meter, writer, dither: Tpdf::new(seed(&spec.write_to)) })
    }

    fn take(&mut self, interleaved: &[f32], first_frame: u64, pass: Pass) -> Result<(), RenderError> {
        for (i, frame) in interleaved.chunks_exact(2).enumerate() {
            let a = f64::from(frame[0].abs().max(frame[1].abs()));
            if a > self.peak {
                self.peak = a;
            }
            if a > pass.silence {
                self.last_loud = Some(first_frame + i as u64);
            }
        }
        if let Some(m) = &mut self.meter {
            let _ = m.add_frames_f32(interleaved);
        }
        if let Some(w) = &mut self.writer {
            match pass.format {
                SampleFormat::Float32 => {
                    for &s in interleaved {
                        w.write_sample(s)?;
                    }
                }
                SampleFormat::Int16 => {
                    let mut w16 = w.get_i16_writer(interleaved.len() as u32);
                    for &s in interleaved {
                        w16.write_sample(self.dither.quantize(s, 32_767.0) as i16);
                    }
                    w16.flush()?;
                }
                SampleFormat::Int24 => {
                    for &s in interleaved {
                        w.write_sample(self.dither.quantize(s, 8_388_607.0))?;
                    }
                }
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<Measured, RenderError> {
        if let Some(w) = self.writer {
            w.finalize()?;
        }
        let lufs = self.meter.map(|m| m.loudness_global().unwrap_or(f64::NEG_INFINITY));
        Ok(Measured { peak: self.peak, last_loud: self.last_loud, lufs })
    }
}

fn create_wav(path: &Path, rate: u32, format: SampleFormat) -> Result<hound::WavWriter<BufWriter<File>>, RenderError> {
    let (bits, sample_format) = match format {
        SampleFormat::Int16 => (16, hound::SampleFormat::Int),
        SampleFormat::Int24 => (24, hound::SampleFormat::Int),
        SampleFormat::Float32 => (32, hound::SampleFormat::Float),
    };
    let spec = hound::WavSpec { channels: 2, sample_rate: rate, bits_per_sample: bits, sample_format };
    let file = File::create(path).map_err(RenderError::io(format!("creating {}", path.display())))?;
    Ok(hound::WavWriter::new(BufWriter::with_capacity(1 << 20, file), spec)?)
}

/// A dither seed per file, so renders are reproducible.
fn seed(path: &Option<PathBuf>) -> u64 {
    path.as_ref().map_or(1, |p| {
        p.to_string_lossy()
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
    })
}
