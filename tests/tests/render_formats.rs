//! Rendering to FLAC, Ogg Vorbis and MP3 with a real `scsynth -N`, checked
//! with other programs' decoders: `flac` (Debian package `flac`), `oggdec`
//! and `vorbiscomment` (`vorbis-tools`) and `mpg123` (`mpg123`). A missing
//! program fails the test with the package to install.
//!
//! - A FLAC render decodes bit-identical to the WAV render of the same
//!   options (16 and 24 bits, master and stems, normalised and dithered).
//! - Ogg Vorbis and MP3 decode to the WAV's length and within 1 dB of its
//!   loudness (EBU R128).
//! - Every file carries the project's title and artist.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;

use imbolc_core::demo::demo_project;
use imbolc_core::render::{self, FileFormat, Normalize, RenderOptions, RenderSummary, SampleFormat};
use imbolc_types::Project;

const ARTIST: &str = "Brigid & the Fires";

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("imbolc-render-formats-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn project() -> Project {
    let mut p = demo_project();
    p.name = "Imbolc demo".into();
    p.artist = ARTIST.into();
    p
}

fn run(project: &Project, o: &RenderOptions) -> RenderSummary {
    render::render(project, o, &AtomicBool::new(false), &mut |_| {}).unwrap()
}

/// Runs `program` (from Debian package `package`), failing the test with
/// the package to install when it is missing; returns its stdout and stderr.
fn tool(program: &str, package: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| {
        panic!("cannot run {program} ({e}): install it with `apt-get install {package}` (make deps-test does)")
    });
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{program} {args:?} failed: {text}");
    text
}

/// Interleaved stereo samples of a WAV, as integers (or float bits).
fn wav_ints(path: &Path) -> (hound::WavSpec, Vec<i32>) {
    let mut r = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let spec = r.spec();
    (spec, r.samples::<i32>().map(Result::unwrap).collect())
}

/// Interleaved stereo samples of a WAV, as floats.
fn wav_floats(path: &Path) -> (u32, Vec<f32>) {
    let mut r = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let spec = r.spec();
    let samples = match spec.sample_format {
        hound::SampleFormat::Float => r.samples::<f32>().map(Result::unwrap).collect(),
        hound::SampleFormat::Int => {
            let scale = (1u64 << (spec.bits_per_sample - 1)) as f32;
            r.samples::<i32>().map(|s| s.unwrap() as f32 / scale).collect()
        }
    };
    (spec.sample_rate, samples)
}

fn lufs(rate: u32, samples: &[f32]) -> f64 {
    let mut m = ebur128::EbuR128::new(2, rate, ebur128::Mode::I).unwrap();
    m.add_frames_f32(samples).unwrap();
    m.loudness_global().unwrap()
}

#[test]
fn flac_decodes_bit_identical_to_the_wav_of_the_same_options_with_tags() {
    let dir = tempdir("flac");
    let p = project();
    for bits in [SampleFormat::Int16, SampleFormat::Int24] {
        let (wav_dir, flac_dir) = (dir.join(format!("wav{bits:?}")), dir.join(format!("flac{bits:?}")));
        let base =
            RenderOptions { stems: true, format: bits, normalize: Normalize::Peak(-1.0), ..RenderOptions::default() };
        let wav = run(&p, &RenderOptions { out_dir: wav_dir.clone(), ..base.clone() });
        let flac = run(&p, &RenderOptions { out_dir: flac_dir.clone(), file_format: FileFormat::Flac, ..base });
        assert_eq!(wav.files.len(), 5, "master and four stems");
        assert_eq!(flac.files.len(), wav.files.len());
        for (w, f) in wav.files.iter().zip(&flac.files) {
            assert_eq!(f.path.extension().unwrap(), "flac");
            assert_eq!(w.path.file_stem(), f.path.file_stem());
            let decoded = dir.join("decoded.wav");
            tool("flac", "flac", &["-d", "-f", "-s", "-o", decoded.to_str().unwrap(), f.path.to_str().unwrap()]);
            let (want_spec, want) = wav_ints(&w.path);
            let (got_spec, got) = wav_ints(&decoded);
            assert_eq!(got_spec.bits_per_sample, want_spec.bits_per_sample, "{bits:?}");
            assert_eq!(got_spec.sample_rate, want_spec.sample_rate);
            assert_eq!(got.len(), want.len(), "{}: same length", f.stem);
            assert!(got == want, "{} ({bits:?}): the FLAC decodes to the WAV's samples", f.stem);
            assert!(want.iter().any(|&s| s != 0), "{} is not silent", f.stem);
            let tags = tool("metaflac", "flac", &["--export-tags-to=-", f.path.to_str().unwrap()]);
            let title = if f.stem == "master" { "Imbolc demo".to_owned() } else { format!("Imbolc demo ({})", f.stem) };
            assert!(tags.contains(&format!("TITLE={title}\n")), "{tags}");
            assert!(tags.contains(&format!("ARTIST={ARTIST}\n")), "{tags}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn ogg_and_mp3_decode_to_the_wavs_length_and_loudness_with_tags() {
    let dir = tempdir("lossy");
    let p = project();
    let base = RenderOptions { format: SampleFormat::Float32, ..RenderOptions::default() };
    let wav = run(&p, &RenderOptions { out_dir: dir.join("wav"), ..base.clone() });
    let (rate, reference) = wav_floats(&wav.files[0].path);
    let want_lufs = lufs(rate, &reference);
    assert!(want_lufs > -40.0, "the demo sounds: {want_lufs:.1} LUFS");

    let ogg = run(&p, &RenderOptions { out_dir: dir.join("ogg"), file_format: FileFormat::Ogg, ..base.clone() });
    let ogg_path = ogg.files[0].path.clone();
    assert_eq!(ogg_path.file_name().unwrap(), "master.ogg");
    let decoded = dir.join("ogg.wav");
    tool("oggdec", "vorbis-tools", &["-Q", "-o", decoded.to_str().unwrap(), ogg_path.to_str().unwrap()]);
    let (ogg_rate, ogg_samples) = wav_floats(&decoded);
    assert_eq!(ogg_rate, rate);
    assert_eq!(ogg_samples.len(), reference.len(), "Ogg decodes to the WAV's length");
    let ogg_lufs = lufs(ogg_rate, &ogg_samples);
    assert!((ogg_lufs - want_lufs).abs() < 1.0, "Ogg {ogg_lufs:.2} LUFS, WAV {want_lufs:.2} LUFS");
    let comments = tool("vorbiscomment", "vorbis-tools", &["-l", ogg_path.to_str().unwrap()]);
    assert!(comments.contains("TITLE=Imbolc demo\n") && comments.contains(&format!("ARTIST={ARTIST}\n")), "{comments}");

    let mp3 = run(&p, &RenderOptions { out_dir: dir.join("mp3"), file_format: FileFormat::Mp3, ..base.clone() });
    let mp3_path = mp3.files[0].path.clone();
    assert_eq!(mp3_path.file_name().unwrap(), "master.mp3");
    let decoded = dir.join("mp3.wav");
    // Not quiet: mpg123 prints the ID3 tags it read.
    let log = tool("mpg123", "mpg123", &["-w", decoded.to_str().unwrap(), mp3_path.to_str().unwrap()]);
    assert!(log.contains("Imbolc demo") && log.contains(ARTIST), "mpg123 shows the tags: {log}");
    let (mp3_rate, mp3_samples) = wav_floats(&decoded);
    assert_eq!(mp3_rate, rate);
    assert_eq!(mp3_samples.len(), reference.len(), "MP3 decodes to the WAV's length (gapless info)");
    let mp3_lufs = lufs(mp3_rate, &mp3_samples);
    assert!((mp3_lufs - want_lufs).abs() < 1.0, "MP3 {mp3_lufs:.2} LUFS, WAV {want_lufs:.2} LUFS");

    // Variable bitrate (LAME -V 2): the same length and loudness.
    let vbr_opts = RenderOptions { out_dir: dir.join("vbr"), file_format: FileFormat::Mp3, mp3_vbr: Some(2), ..base };
    let vbr_path = run(&p, &vbr_opts).files[0].path.clone();
    let decoded = dir.join("vbr.wav");
    tool("mpg123", "mpg123", &["-q", "-w", decoded.to_str().unwrap(), vbr_path.to_str().unwrap()]);
    let (vbr_rate, vbr_samples) = wav_floats(&decoded);
    assert_eq!(vbr_samples.len(), reference.len(), "VBR MP3 decodes to the WAV's length");
    let vbr_lufs = lufs(vbr_rate, &vbr_samples);
    assert!((vbr_lufs - want_lufs).abs() < 1.0, "VBR MP3 {vbr_lufs:.2} LUFS, WAV {want_lufs:.2} LUFS");
    let size = |p: &Path| std::fs::metadata(p).unwrap().len();
    eprintln!(
        "demo master: WAV {want_lufs:.2} LUFS; Ogg q6 {ogg_lufs:.2} LUFS, {} bytes; MP3 320k {mp3_lufs:.2} LUFS, {} bytes; MP3 V2 {vbr_lufs:.2} LUFS, {} bytes",
        size(&ogg_path),
        size(&mp3_path),
        size(&vbr_path)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
