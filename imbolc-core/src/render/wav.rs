//! [`WavSink`]: a WAV file written a chunk at a time. `hound` makes the
//! header (so the bytes are exactly those it has always written: PCM
//! format for 16-bit, WAVE_FORMAT_EXTENSIBLE for 24-bit and float); the
//! samples are converted in bulk into one byte buffer and written with one
//! call per chunk (hound's per-sample writes were a quarter of the
//! mixdown's CPU), and the two lengths in the header are patched at the end.

use std::fs::File;
use std::io::{BufWriter, Cursor, Seek, SeekFrom, Write};

use super::dither::Tpdf;
use super::error::RenderError;
use super::options::SampleFormat;

/// Full scale of 16-bit and 24-bit integers.
pub const FULL_16: f32 = 32_767.0;
pub const FULL_24: f32 = 8_388_607.0;

/// An open WAV file: its header is written, data follows.
pub struct WavSink {
    out: BufWriter<File>,
    bits: SampleFormat,
    /// Bytes of the header, the data chunk's length field being its last 4.
    header_len: u64,
    data_bytes: u64,
    bytes: Vec<u8>,
}

fn io_err(e: std::io::Error) -> RenderError {
    RenderError::io("writing the WAV file")(e)
}

impl WavSink {
    /// Writes the header of a stereo file at `rate` in `bits`.
    ///
    /// # Errors
    /// [`RenderError::Wav`] or [`RenderError::Io`].
    pub fn new(mut out: BufWriter<File>, rate: u32, bits: SampleFormat) -> Result<WavSink, RenderError> {
        let (bits_per_sample, sample_format) = match bits {
            SampleFormat::Int16 => (16, hound::SampleFormat::Int),
            SampleFormat::Int24 => (24, hound::SampleFormat::Int),
            SampleFormat::Float32 => (32, hound::SampleFormat::Float),
        };
        let spec = hound::WavSpec { channels: 2, sample_rate: rate, bits_per_sample, sample_format };
        // hound's header of an empty file: lengths are patched in `finish`.
        let mut header = Cursor::new(Vec::new());
        hound::WavWriter::new(&mut header, spec)?.finalize()?;
        let header = header.into_inner();
        out.write_all(&header).map_err(io_err)?;
        Ok(WavSink { out, bits, header_len: header.len() as u64, data_bytes: 0, bytes: Vec::new() })
    }

    /// Appends interleaved stereo `samples`, dithered for integer formats.
    ///
    /// # Errors
    /// [`RenderError::Io`].
    pub fn write(&mut self, samples: &[f32], dither: &mut Tpdf) -> Result<(), RenderError> {
        let b = &mut self.bytes;
        b.clear();
        match self.bits {
            SampleFormat::Float32 => {
                b.reserve(samples.len() * 4);
                for &s in samples {
                    b.extend_from_slice(&s.to_le_bytes());
                }
            }
            SampleFormat::Int16 => {
                b.reserve(samples.len() * 2);
                for &s in samples {
                    b.extend_from_slice(&(dither.quantize(s, FULL_16) as i16).to_le_bytes());
                }
            }
            SampleFormat::Int24 => {
                b.reserve(samples.len() * 3);
                for &s in samples {
                    let v = dither.quantize(s, FULL_24).to_le_bytes();
                    b.extend_from_slice(&v[..3]);
                }
            }
        }
        self.out.write_all(b).map_err(io_err)?;
        self.data_bytes += b.len() as u64;
        Ok(())
    }

    /// Sets the RIFF and data lengths in the header and flushes the file.
    ///
    /// # Errors
    /// [`RenderError::Io`]; [`RenderError::Encode`] when the data passed
    /// WAV's 4 GiB limit.
    pub fn finish(mut self) -> Result<(), RenderError> {
        let too_long = || RenderError::Encode { format: "WAV", message: "over 4 GiB of samples".into() };
        let riff = u32::try_from(self.header_len - 8 + self.data_bytes).map_err(|_| too_long())?;
        let data = u32::try_from(self.data_bytes).map_err(|_| too_long())?;
        self.out.seek(SeekFrom::Start(4)).map_err(io_err)?;
        self.out.write_all(&riff.to_le_bytes()).map_err(io_err)?;
        self.out.seek(SeekFrom::Start(self.header_len - 4)).map_err(io_err)?;
        self.out.write_all(&data.to_le_bytes()).map_err(io_err)?;
        self.out.flush().map_err(io_err)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// The same samples through hound's per-sample writer: the bytes must match.
    fn hound_bytes(path: &std::path::Path, samples: &[f32], bits: SampleFormat, seed: u64) -> Vec<u8> {
        let (b, f) = match bits {
            SampleFormat::Int16 => (16, hound::SampleFormat::Int),
            SampleFormat::Int24 => (24, hound::SampleFormat::Int),
            SampleFormat::Float32 => (32, hound::SampleFormat::Float),
        };
        let spec = hound::WavSpec { channels: 2, sample_rate: 44_100, bits_per_sample: b, sample_format: f };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        let mut d = Tpdf::new(seed);
        for &s in samples {
            match bits {
                SampleFormat::Float32 => w.write_sample(s).unwrap(),
                SampleFormat::Int16 => w.write_sample(d.quantize(s, FULL_16) as i16).unwrap(),
                SampleFormat::Int24 => w.write_sample(d.quantize(s, FULL_24)).unwrap(),
            }
        }
        w.finalize().unwrap();
        std::fs::read(path).unwrap()
    }

    #[test]
    fn bulk_writing_gives_hounds_bytes_for_every_sample_format() {
        let dir = std::env::temp_dir().join(format!("imbolc-wav-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Past full scale both ways too, so clipping is compared.
        let samples: Vec<f32> = (0..20_000).map(|i| 1.3 * ((i as f32) * 0.0123).sin()).collect();
        for bits in [SampleFormat::Int16, SampleFormat::Int24, SampleFormat::Float32] {
            let path = dir.join("bulk.wav");
            let mut sink = WavSink::new(BufWriter::new(File::create(&path).unwrap()), 44_100, bits).unwrap();
            let mut d = Tpdf::new(99);
            for chunk in samples.chunks(3000) {
                sink.write(chunk, &mut d).unwrap();
            }
            sink.finish().unwrap();
            let ours = std::fs::read(&path).unwrap();
            assert!(ours == hound_bytes(&dir.join("hound.wav"), &samples, bits, 99), "{bits:?}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
