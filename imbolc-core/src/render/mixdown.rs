//! From scsynth's multichannel output to stereo files: one streaming pass
//! that sums each file's channel pairs, applies its gain, measures it (peak,
//! last audible frame, EBU R128 loudness) and, when asked, writes it
//! (dithered for integer formats). Memory stays at one chunk per file.
//!
//! scsynth writes headerless 32-bit float (`raw`): no 4 GiB WAV limit on
//! many-channel renders, reading it is a plain byte conversion, and it can
//! be read while scsynth is still writing it (the file only ever grows by
//! whole bytes of final data), so a pass can run alongside the render.

use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::dither::Tpdf;
use super::encode::{Encoding, Sink, Tags};
use super::error::RenderError;

/// Frames handled per step.
const CHUNK: usize = 4096;
/// How long a pass that has caught up with scsynth waits before reading again.
const CATCH_UP_WAIT: Duration = Duration::from_millis(5);

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
    /// The dither's seed: from the final file name (see [`dither_seed`]),
    /// not from `write_to`, a temporary name that differs on every render.
    pub dither_seed: u64,
    /// Title and artist for the file's tags.
    pub tags: Tags,
}

/// Columns of a file's waveform sketch (see [`Measured::sketch`]).
pub const SKETCH_COLUMNS: usize = 16;

/// What one pass measured of one file (after its gain).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    /// Sample peak of each of [`SKETCH_COLUMNS`] equal spans of the file,
    /// linear: the summary's small waveform.
    pub sketch: [f32; SKETCH_COLUMNS],
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
    pub encoding: Encoding,
    /// Linear level counting as silence.
    pub silence: f64,
    pub loudness: bool,
}

/// Runs one pass over `files` (all of `pass.frames`, zero-padded past the
/// end of an input), calling `progress` with 0..=1.
///
/// With `growing`, the inputs are still being written while that flag is
/// true: the pass waits for them to exist and to grow instead of taking
/// their end as the end.
///
/// # Errors
/// [`RenderError::Io`]/[`RenderError::Wav`] on read or write failures,
/// [`RenderError::Cancelled`] when `cancel` is set.
pub fn run_pass(
    inputs: &[RawInput],
    files: &[FileSpec],
    pass: Pass,
    growing: Option<&AtomicBool>,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(f64),
) -> Result<Vec<Measured>, RenderError> {
    let still_growing = || growing.is_some_and(|g| g.load(Ordering::Acquire));
    let mut readers = inputs
        .iter()
        .map(|i| {
            while !i.path.exists() && still_growing() && !cancel.load(Ordering::Relaxed) {
                std::thread::sleep(CATCH_UP_WAIT);
            }
            // Unbuffered: a chunk is read in one call of ~0.5 MiB straight
            // into its byte buffer (a BufReader only added a copy).
            File::open(&i.path).map(|f| (f, i.channels as usize)).map_err(RenderError::io("reading the render output"))
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
            read_chunk(reader, *channels, n, &mut bytes, buf, &still_growing, cancel)?;
        }
        for (state, spec) in outs.iter_mut().zip(files) {
            let out = &mut stereo[..n * 2];
            out.fill(0.0);
            for &(input, ch) in &spec.sources {
                let (Some(buf), Some((_, channels))) = (decoded.get(input), readers.get(input)) else { continue };
                let ch = ch as usize;
                if ch + 1 >= *channels {
                    continue;
                }
                for (o, frame) in out.chunks_exact_mut(2).zip(buf.chunks_exact(*channels)) {
                    o[0] += frame[ch];
                    o[1] += frame[ch + 1];
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

/// Reads `frames` frames of `channels` f32: zeros past the end, or, while
/// `growing()` holds, waits for the rest.
fn read_chunk(
    reader: &mut impl Read,
    channels: usize,
    frames: usize,
    bytes: &mut Vec<u8>,
    out: &mut Vec<f32>,
    growing: &dyn Fn() -> bool,
    cancel: &AtomicBool,
) -> Result<(), RenderError> {
    let want = frames * channels * 4;
    bytes.clear();
    bytes.resize(want, 0);
    let mut got = 0;
    while got < want {
        match reader.read(&mut bytes[got..]) {
            Ok(0) if growing() => {
                if cancel.load(Ordering::Relaxed) {
                    return Err(RenderError::Cancelled);
                }
                std::thread::sleep(CATCH_UP_WAIT);
            }
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
    sketch: [f32; SKETCH_COLUMNS],
    last_loud: Option<u64>,
    meter: Option<ebur128::EbuR128>,
    writer: Option<Sink>,
    dither: Tpdf,
}

impl FileState {
    fn new(spec: &FileSpec, pass: Pass) -> Result<Self, RenderError> {
        let meter = if pass.loudness { ebur128::EbuR128::new(2, pass.rate, ebur128::Mode::I).ok() } else { None };
        let writer = match &spec.write_to {
            Some(path) => {
                Some(Sink::create(path, pass.rate, pass.frames, pass.encoding, &spec.tags, spec.dither_seed)?)
            }
            None => None,
        };
        Ok(FileState {
            peak: 0.0,
            sketch: [0.0; SKETCH_COLUMNS],
            last_loud: None,
            meter,
            writer,
            dither: Tpdf::new(spec.dither_seed),
        })
    }

    fn take(&mut self, interleaved: &[f32], first_frame: u64, pass: Pass) -> Result<(), RenderError> {
        self.peak = self.peak.max(f64::from(peak_of(interleaved)));
        sketch_into(&mut self.sketch, interleaved, first_frame, pass.frames);
        let silence = pass.silence as f32;
        if let Some(i) = interleaved.chunks_exact(2).rposition(|f| f[0].abs() > silence || f[1].abs() > silence) {
            self.last_loud = Some(first_frame + i as u64);
        }
        if let Some(m) = &mut self.meter {
            let _ = m.add_frames_f32(interleaved);
        }
        if let Some(w) = &mut self.writer {
            w.write(interleaved, &mut self.dither, pass.encoding.bits)?;
        }
        Ok(())
    }

    fn finish(self) -> Result<Measured, RenderError> {
        if let Some(w) = self.writer {
            w.finish()?;
        }
        let lufs = self.meter.map(|m| m.loudness_global().unwrap_or(f64::NEG_INFINITY));
        Ok(Measured { sketch: self.sketch, peak: self.peak, last_loud: self.last_loud, lufs })
    }
}

/// Adds the stereo frames `interleaved`, starting at frame `first_frame`
/// of a file of `total` frames, to the peaks of its sketch's columns.
fn sketch_into(sketch: &mut [f32; SKETCH_COLUMNS], interleaved: &[f32], first_frame: u64, total: u64) {
    let (columns, total) = (SKETCH_COLUMNS as u64, total.max(1));
    let mut frame = first_frame;
    let mut rest = interleaved;
    while rest.len() >= 2 {
        let column = (frame * columns / total).min(columns - 1);
        // The first frame of the next column (the last column takes the rest).
        let next = if column == columns - 1 { u64::MAX } else { ((column + 1) * total).div_ceil(columns) };
        let n = usize::try_from(next.saturating_sub(frame).max(1)).unwrap_or(usize::MAX).min(rest.len() / 2);
        let (head, tail) = rest.split_at(n * 2);
        let slot = &mut sketch[column as usize];
        *slot = slot.max(peak_of(head));
        rest = tail;
        frame += n as u64;
    }
}

/// The largest absolute sample (NaN ignored), in eight independent lanes:
/// one running maximum is a chain of dependent compares, eight let the CPU
/// overlap them. A maximum does not depend on the order, so the result is
/// exactly that of one lane.
fn peak_of(samples: &[f32]) -> f32 {
    let step = |m: f32, s: f32| if s.abs() > m { s.abs() } else { m };
    let mut lanes = [0.0f32; 8];
    let mut blocks = samples.chunks_exact(8);
    for block in &mut blocks {
        for (m, &s) in lanes.iter_mut().zip(block) {
            *m = step(*m, s);
        }
    }
    let rest = blocks.remainder().iter().fold(0.0f32, |m, &s| step(m, s));
    lanes.iter().fold(rest, |m, &l| step(m, l))
}

/// A dither seed per file name (not its folder, nor its extension), so a
/// render is the same file, byte for byte, wherever and however often it
/// is written, and a FLAC holds the samples of the WAV of the same name.
pub fn dither_seed(file_name: &str) -> u64 {
    let stem = std::path::Path::new(file_name).file_stem().and_then(|s| s.to_str()).unwrap_or(file_name);
    stem.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::io::Write;

    use super::*;
    use crate::render::options::{DEFAULT_MP3_BITRATE, DEFAULT_OGG_QUALITY, FileFormat, SampleFormat};

    #[test]
    fn the_sketch_holds_the_peak_of_each_equal_span() {
        let mut sketch = [0.0; SKETCH_COLUMNS];
        // 160 frames, 10 per column; fed in uneven pieces.
        let frames: Vec<f32> = (0..160).flat_map(|f| [(f / 10) as f32 / 100.0, 0.0]).collect();
        for (i, piece) in frames.chunks(2 * 7).enumerate() {
            sketch_into(&mut sketch, piece, i as u64 * 7, 160);
        }
        let want: Vec<f32> = (0..SKETCH_COLUMNS).map(|c| c as f32 / 100.0).collect();
        assert_eq!(sketch.to_vec(), want);
        let mut short = [0.0; SKETCH_COLUMNS];
        sketch_into(&mut short, &[0.5, -0.75, 0.25, 0.0], 0, 2);
        assert_eq!((short[0], short[8], short[1]), (0.75, 0.25, 0.0), "fewer frames than columns");
    }

    const CHANNELS: u32 = 4;
    const FRAMES: u64 = 20_000;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("imbolc-mixdown-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Four channels of a slow ramp, each channel scaled differently.
    fn raw_bytes() -> Vec<u8> {
        (0..FRAMES)
            .flat_map(|i| (0..CHANNELS).map(move |c| (i as f32 / FRAMES as f32) * 0.2 * (c + 1) as f32))
            .flat_map(f32::to_le_bytes)
            .collect()
    }

    fn pass() -> Pass {
        // Float: the dither seed comes from the file name, which differs.
        let encoding = Encoding {
            file: FileFormat::Wav,
            bits: SampleFormat::Float32,
            ogg_quality: DEFAULT_OGG_QUALITY,
            mp3_bitrate: DEFAULT_MP3_BITRATE,
            mp3_vbr: None,
        };
        Pass { frames: FRAMES, rate: 48_000, encoding, silence: 1e-4, loudness: true }
    }

    #[test]
    fn a_pass_alongside_the_writer_gets_what_a_pass_after_it_gets() {
        let dir = temp_dir("alongside");
        let input = RawInput { path: dir.join("out.raw"), channels: CHANNELS };
        let spec = |name: &str| FileSpec {
            sources: vec![(0, 2)],
            gain: 1.0,
            write_to: Some(dir.join(name)),
            dither_seed: dither_seed(name),
            tags: Tags::default(),
        };
        let data = raw_bytes();
        let growing = AtomicBool::new(true);
        let cancel = AtomicBool::new(false);
        let alongside = std::thread::scope(|s| {
            s.spawn(|| {
                // Created late, written in pieces that split frames.
                std::thread::sleep(Duration::from_millis(30));
                let mut f = File::create(&input.path).unwrap();
                for piece in data.chunks(3001) {
                    f.write_all(piece).unwrap();
                    std::thread::sleep(Duration::from_micros(200));
                }
                growing.store(false, Ordering::Release);
            });
            run_pass(std::slice::from_ref(&input), &[spec("a.wav")], pass(), Some(&growing), &cancel, &mut |_| {})
        })
        .unwrap();
        let after =
            run_pass(std::slice::from_ref(&input), &[spec("b.wav")], pass(), None, &cancel, &mut |_| {}).unwrap();
        assert_eq!(alongside, after);
        assert!((alongside[0].peak - 0.8).abs() < 1e-3, "channels 2-3: {alongside:?}");
        let (a, b) = (std::fs::read(dir.join("a.wav")).unwrap(), std::fs::read(dir.join("b.wav")).unwrap());
        assert!(a == b, "the files differ");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_lane_peak_is_the_plain_peak() {
        let plain = |v: &[f32]| v.iter().fold(0.0f32, |m, s| if s.abs() > m { s.abs() } else { m });
        let mut v: Vec<f32> = (0..1003).map(|i| ((i * 7919) % 1000) as f32 / 1000.0 - 0.5).collect();
        assert_eq!(peak_of(&v), plain(&v));
        v[1001] = -3.0;
        v[17] = f32::NAN;
        assert_eq!(peak_of(&v), 3.0);
        assert_eq!(peak_of(&v[..5]), plain(&v[..5]));
        assert_eq!(peak_of(&[]), 0.0);
    }

    #[test]
    fn cancel_stops_a_pass_waiting_for_more_input() {
        let dir = temp_dir("cancel");
        let input = RawInput { path: dir.join("out.raw"), channels: CHANNELS };
        std::fs::write(&input.path, &raw_bytes()[..1000]).unwrap();
        let growing = AtomicBool::new(true);
        let cancel = AtomicBool::new(false);
        let files =
            [FileSpec { sources: vec![(0, 0)], gain: 1.0, write_to: None, dither_seed: 1, tags: Tags::default() }];
        let result = std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(Duration::from_millis(50));
                cancel.store(true, Ordering::Relaxed);
            });
            run_pass(std::slice::from_ref(&input), &files, pass(), Some(&growing), &cancel, &mut |_| {})
        });
        assert!(matches!(result, Err(RenderError::Cancelled)), "{result:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
