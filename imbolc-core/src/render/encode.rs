//! The file a mixdown pass writes: WAV, FLAC, Ogg Vorbis or MP3, fed the
//! same final stereo samples (after gain) chunk by chunk.
//!
//! WAV and FLAC get the same dithered integers (same dither seed), so a
//! FLAC decodes bit-identical to the WAV of the same options. Ogg Vorbis
//! and MP3 encode the float samples (a lossy encoder is its own
//! quantiser). Title and artist go in each format's own tags: Vorbis
//! comments (FLAC, Ogg), ID3v2 (MP3). Memory stays at one chunk.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::num::{NonZeroU8, NonZeroU32};
use std::path::Path;

use super::dither::Tpdf;
use super::error::RenderError;
use super::options::{FileFormat, SampleFormat};
use super::wav::{FULL_16, FULL_24, WavSink};

/// Title and artist written into a file's tags (empty: left out).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags {
    pub title: String,
    pub artist: String,
}

impl Tags {
    /// Tags from any text: control characters (a NUL would cut a C
    /// encoder's string) become spaces, ends are trimmed.
    pub fn new(title: &str, artist: &str) -> Tags {
        let clean =
            |s: &str| s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_owned();
        Tags { title: clean(title), artist: clean(artist) }
    }
}

/// How a file is encoded (copied into every pass).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoding {
    pub file: FileFormat,
    /// WAV and FLAC sample format.
    pub bits: SampleFormat,
    /// Ogg Vorbis quality 0..=10.
    pub ogg_quality: u8,
    /// MP3 bitrate, kbit/s.
    pub mp3_bitrate: u16,
    /// MP3 variable bitrate at this LAME `-V` quality instead (0..=9).
    pub mp3_vbr: Option<u8>,
}

/// An open output file.
pub enum Sink {
    Wav(WavSink),
    Flac { writer: Box<flac_codec::encode::FlacSampleWriter<BufWriter<File>>>, ints: Vec<i32> },
    Ogg { encoder: Box<vorbis_rs::VorbisEncoder<BufWriter<File>>>, planar: [Vec<f32>; 2] },
    Mp3(Box<Mp3Sink>),
}

/// An MP3 being written: the ID3v2 tag first, then LAME's frames; the
/// first frame is LAME's placeholder for its info tag (length and encoder
/// delay, so decoders give back the exact length), filled in at the end.
pub struct Mp3Sink {
    encoder: mp3lame_encoder::Encoder,
    file: BufWriter<File>,
    /// Where the audio (and the info tag) starts: after the ID3v2 tag.
    audio_start: u64,
    buf: Vec<u8>,
}

fn encode_err(format: &'static str) -> impl Fn(&dyn std::fmt::Display) -> RenderError {
    move |e| RenderError::Encode { format, message: e.to_string() }
}

impl Sink {
    /// Creates `path` for `frames` stereo frames at `rate`.
    ///
    /// # Errors
    /// [`RenderError::Io`] when the file cannot be created,
    /// [`RenderError::Encode`] when the encoder refuses the settings.
    pub fn create(
        path: &Path,
        rate: u32,
        frames: u64,
        encoding: Encoding,
        tags: &Tags,
        serial: u64,
    ) -> Result<Sink, RenderError> {
        let file = File::create(path).map_err(RenderError::io(format!("creating {}", path.display())))?;
        let out = BufWriter::with_capacity(1 << 20, file);
        match encoding.file {
            FileFormat::Wav => Ok(Sink::Wav(WavSink::new(out, rate, encoding.bits)?)),
            FileFormat::Flac => {
                let err = encode_err("FLAC");
                let bits = if encoding.bits == SampleFormat::Int16 { 16 } else { 24 };
                let mut options = flac_codec::encode::Options::default();
                for (field, value) in tag_fields(tags) {
                    options = options.tag(field, value);
                }
                let total = (frames > 0).then_some(frames * 2);
                let writer = flac_codec::encode::FlacSampleWriter::new(out, options, rate, bits, 2, total)
                    .map_err(|e| err(&e))?;
                Ok(Sink::Flac { writer: Box::new(writer), ints: Vec::new() })
            }
            FileFormat::Ogg => {
                let err = encode_err("Ogg Vorbis");
                let rate = NonZeroU32::new(rate).ok_or_else(|| err(&"sample rate 0"))?;
                let stereo = NonZeroU8::new(2).ok_or_else(|| err(&"no channels"))?;
                // A serial from the file name: the same render is the same bytes.
                let serial = (serial & 0x7fff_ffff) as i32;
                let mut builder = vorbis_rs::VorbisEncoderBuilder::new_with_serial(rate, stereo, out, serial);
                builder.bitrate_management_strategy(vorbis_rs::VorbisBitrateManagementStrategy::QualityVbr {
                    target_quality: f32::from(encoding.ogg_quality) / 10.0,
                });
                builder.comment_tags(tag_fields(tags)).map_err(|e| err(&e))?;
                let encoder = builder.build().map_err(|e| err(&e))?;
                Ok(Sink::Ogg { encoder: Box::new(encoder), planar: [Vec::new(), Vec::new()] })
            }
            FileFormat::Mp3 => Ok(Sink::Mp3(Box::new(Mp3Sink::new(out, rate, encoding, tags)?))),
        }
    }

    /// Writes interleaved stereo `samples`, dithering them for integer
    /// WAV and FLAC.
    ///
    /// # Errors
    /// [`RenderError::Wav`], [`RenderError::Io`] or [`RenderError::Encode`].
    pub fn write(&mut self, samples: &[f32], dither: &mut Tpdf, bits: SampleFormat) -> Result<(), RenderError> {
        match self {
            Sink::Wav(w) => w.write(samples, dither)?,
            Sink::Flac { writer, ints } => {
                let full = if bits == SampleFormat::Int16 { FULL_16 } else { FULL_24 };
                ints.clear();
                ints.extend(samples.iter().map(|&s| dither.quantize(s, full)));
                writer.write(ints).map_err(|e| encode_err("FLAC")(&e))?;
            }
            Sink::Ogg { encoder, planar } => {
                let [l, r] = planar;
                l.clear();
                r.clear();
                for frame in samples.chunks_exact(2) {
                    l.push(frame[0]);
                    r.push(frame[1]);
                }
                encoder.encode_audio_block([&l[..], &r[..]]).map_err(|e| encode_err("Ogg Vorbis")(&e))?;
            }
            Sink::Mp3(m) => m.write(samples)?,
        }
        Ok(())
    }

    /// Completes the file (headers, lengths, checksums) and flushes it.
    ///
    /// # Errors
    /// As [`Sink::write`].
    pub fn finish(self) -> Result<(), RenderError> {
        match self {
            Sink::Wav(w) => w.finish()?,
            Sink::Flac { writer, .. } => writer.finalize().map_err(|e| encode_err("FLAC")(&e))?,
            Sink::Ogg { encoder, .. } => {
                let mut out = encoder.finish().map_err(|e| encode_err("Ogg Vorbis")(&e))?;
                out.flush().map_err(RenderError::io("writing the Ogg Vorbis file"))?;
            }
            Sink::Mp3(m) => m.finish()?,
        }
        Ok(())
    }
}

/// Vorbis comment fields of `tags` (the empty ones left out).
fn tag_fields(tags: &Tags) -> Vec<(&'static str, String)> {
    [("TITLE", &tags.title), ("ARTIST", &tags.artist)]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, v.clone()))
        .collect()
}

impl Mp3Sink {
    fn new(mut file: BufWriter<File>, rate: u32, encoding: Encoding, tags: &Tags) -> Result<Mp3Sink, RenderError> {
        use mp3lame_encoder::{Bitrate, Builder, Mode, Quality, VbrMode};
        let err = encode_err("MP3");
        let bitrate = match encoding.mp3_bitrate {
            96 => Bitrate::Kbps96,
            128 => Bitrate::Kbps128,
            160 => Bitrate::Kbps160,
            192 => Bitrate::Kbps192,
            256 => Bitrate::Kbps256,
            320 => Bitrate::Kbps320,
            other => return Err(err(&format!("unsupported bitrate {other} kbit/s"))),
        };
        let mut b = Builder::new().ok_or_else(|| err(&"LAME could not start"))?;
        b.set_sample_rate(rate).map_err(|e| err(&e))?;
        b.set_num_channels(2).map_err(|e| err(&e))?;
        b.set_mode(Mode::JointStereo).map_err(|e| err(&e))?;
        match encoding.mp3_vbr {
            None => {
                b.set_vbr_mode(VbrMode::Off).map_err(|e| err(&e))?;
                b.set_brate(bitrate).map_err(|e| err(&e))?;
            }
            Some(v) => {
                let levels = [
                    Quality::Best,
                    Quality::SecondBest,
                    Quality::NearBest,
                    Quality::VeryNice,
                    Quality::Nice,
                    Quality::Good,
                    Quality::Decent,
                    Quality::Ok,
                    Quality::SecondWorst,
                    Quality::Worst,
                ];
                let level = *levels.get(usize::from(v)).ok_or_else(|| err(&format!("VBR quality {v} (0 to 9)")))?;
                b.set_vbr_mode(VbrMode::Mtrh).map_err(|e| err(&e))?;
                b.set_vbr_quality(level).map_err(|e| err(&e))?;
            }
        }
        b.set_quality(Quality::Good).map_err(|e| err(&e))?;
        b.set_to_write_vbr_tag(true).map_err(|e| err(&e))?;
        let encoder = b.build().map_err(|e| err(&e))?;

        let mut tag = id3::Tag::new();
        if !tags.title.is_empty() {
            id3::TagLike::set_title(&mut tag, tags.title.clone());
        }
        if !tags.artist.is_empty() {
            id3::TagLike::set_artist(&mut tag, tags.artist.clone());
        }
        if !tags.title.is_empty() || !tags.artist.is_empty() {
            tag.write_to(&mut file, id3::Version::Id3v24).map_err(|e| err(&e))?;
        }
        let audio_start = file.stream_position().map_err(RenderError::io("writing the MP3 file"))?;
        Ok(Mp3Sink { encoder, file, audio_start, buf: Vec::new() })
    }

    fn write(&mut self, samples: &[f32]) -> Result<(), RenderError> {
        self.buf.clear();
        self.buf.reserve(mp3lame_encoder::max_required_buffer_size(samples.len() / 2));
        self.encoder
            .encode_to_vec(mp3lame_encoder::InterleavedPcm(samples), &mut self.buf)
            .map_err(|e| encode_err("MP3")(&e))?;
        self.file.write_all(&self.buf).map_err(RenderError::io("writing the MP3 file"))
    }

    fn finish(mut self) -> Result<(), RenderError> {
        let io = || RenderError::io("writing the MP3 file");
        self.buf.clear();
        self.buf.reserve(7200);
        self.encoder.flush_to_vec::<mp3lame_encoder::FlushGap>(&mut self.buf).map_err(|e| encode_err("MP3")(&e))?;
        self.file.write_all(&self.buf).map_err(io())?;
        // The info tag replaces LAME's placeholder frame at the start.
        let mut info = Vec::with_capacity(self.encoder.lame_tag_size());
        if self.encoder.lame_tag_encode_to_vec(&mut info).is_some() {
            self.file.seek(SeekFrom::Start(self.audio_start)).map_err(io())?;
            self.file.write_all(&info).map_err(io())?;
        }
        self.file.flush().map_err(io())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::path::PathBuf;

    use super::*;
    use crate::analysis::decode::decode_blocks;
    use crate::render::options::{DEFAULT_MP3_BITRATE, DEFAULT_OGG_QUALITY};

    const RATE: u32 = 48_000;
    const FRAMES: usize = 12_000;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("imbolc-encode-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A stereo 440 Hz / 660 Hz tone at −6 dBFS.
    fn tone() -> Vec<f32> {
        (0..FRAMES)
            .flat_map(|i| {
                let t = i as f32 / RATE as f32;
                [0.5 * (std::f32::consts::TAU * 440.0 * t).sin(), 0.5 * (std::f32::consts::TAU * 660.0 * t).sin()]
            })
            .collect()
    }

    fn encoding(file: FileFormat, bits: SampleFormat) -> Encoding {
        Encoding { file, bits, ogg_quality: DEFAULT_OGG_QUALITY, mp3_bitrate: DEFAULT_MP3_BITRATE, mp3_vbr: None }
    }

    /// Writes the tone in chunks of 1000 frames, as a pass does.
    fn write(path: &Path, enc: Encoding, tags: &Tags) {
        let mut sink = Sink::create(path, RATE, FRAMES as u64, enc, tags, 7).unwrap();
        let mut dither = Tpdf::new(7);
        for chunk in tone().chunks(2000) {
            sink.write(chunk, &mut dither, enc.bits).unwrap();
        }
        sink.finish().unwrap();
    }

    fn decoded(path: &Path) -> Vec<f32> {
        let mut all = Vec::new();
        let info = decode_blocks(path, |block, _| all.extend_from_slice(block)).unwrap();
        assert_eq!((info.sample_rate, info.channels), (RATE, 2));
        all
    }

    fn tags() -> Tags {
        Tags { title: "Song (bass)".into(), artist: "Léa".into() }
    }

    #[test]
    fn flac_holds_the_dithered_integers_of_the_wav() {
        let dir = temp_dir("flac");
        for bits in [SampleFormat::Int16, SampleFormat::Int24] {
            write(&dir.join("a.wav"), encoding(FileFormat::Wav, bits), &Tags::default());
            write(&dir.join("a.flac"), encoding(FileFormat::Flac, bits), &tags());
            let wav = decoded(&dir.join("a.wav"));
            let flac = decoded(&dir.join("a.flac"));
            assert_eq!(flac.len(), FRAMES * 2);
            assert!(flac == wav, "{bits:?}: same samples");
            let reader = flac_codec::decode::FlacSampleReader::open(dir.join("a.flac")).unwrap();
            let comments = format!("{:?}", reader.metadata());
            assert!(comments.contains("TITLE=Song (bass)") && comments.contains("ARTIST=Léa"), "{comments}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn ogg_and_mp3_keep_the_length_level_and_tags() {
        let dir = temp_dir("lossy");
        let rms = |s: &[f32]| (s.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>() / s.len() as f64).sqrt();
        let want = rms(&tone());
        let ogg = dir.join("a.ogg");
        write(&ogg, encoding(FileFormat::Ogg, SampleFormat::Int24), &tags());
        let bytes = std::fs::read(&ogg).unwrap();
        // The last page's granule position is the length decoders trim to
        // (symphonia 0.5 does not trim, oggdec does: see tests/render_formats).
        let last_page = bytes.windows(4).rposition(|w| w == b"OggS").unwrap();
        let granule = u64::from_le_bytes(bytes[last_page + 6..last_page + 14].try_into().unwrap());
        assert_eq!(granule, FRAMES as u64, "Ogg keeps the exact length");
        let samples = decoded(&ogg);
        let db = 20.0 * (rms(&samples[..FRAMES * 2]) / want).log10();
        assert!(db.abs() < 0.5, "Ogg level {db:.2} dB off");
        let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        assert!(has(b"TITLE=Song (bass)") && has("ARTIST=Léa".as_bytes()), "Vorbis comments");

        let mp3 = dir.join("a.mp3");
        write(&mp3, encoding(FileFormat::Mp3, SampleFormat::Int24), &tags());
        let tag = id3::Tag::read_from_path(&mp3).unwrap();
        assert_eq!((id3::TagLike::title(&tag), id3::TagLike::artist(&tag)), (Some("Song (bass)"), Some("Léa")));
        let bytes = std::fs::read(&mp3).unwrap();
        assert!(bytes.windows(4).any(|w| w == b"Info"), "LAME's info tag (length, encoder delay) is filled in");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn control_characters_in_tags_become_spaces() {
        let t = Tags::new("a\0b\n", " \tLéa\u{7}x ");
        assert_eq!((t.title.as_str(), t.artist.as_str()), ("a b", "Léa x"));
        let dir = temp_dir("nul");
        for file in [FileFormat::Flac, FileFormat::Ogg, FileFormat::Mp3] {
            write(&dir.join(format!("a.{}", file.extension())), encoding(file, SampleFormat::Int16), &t);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_encoder_refusing_its_settings_is_a_typed_error() {
        let dir = temp_dir("refused");
        let enc = Encoding { mp3_bitrate: 100, ..encoding(FileFormat::Mp3, SampleFormat::Int24) };
        let err = Sink::create(&dir.join("a.mp3"), RATE, 10, enc, &Tags::default(), 1).err().unwrap();
        assert!(matches!(err, RenderError::Encode { format: "MP3", .. }), "{err}");
        let enc = Encoding { mp3_vbr: Some(12), ..encoding(FileFormat::Mp3, SampleFormat::Int24) };
        let err = Sink::create(&dir.join("b.mp3"), RATE, 10, enc, &Tags::default(), 1).err().unwrap();
        assert!(matches!(err, RenderError::Encode { format: "MP3", .. }), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
