//! The mixdown keeps every output byte: the demo song (`imbolc demo`: 3
//! instruments with effects, a drum kit, a reverb bus fed by sends,
//! automation, 8 bars), master + instrument and bus stems, rendered with a
//! real `scsynth -N` to 16-bit, 24-bit and 32-bit float WAV (and normalised
//! to LUFS and to peak, where the measured loudness and peak decide the
//! gain), is compared file by file with `tests/fixtures/render_identity.txt`:
//! a 64-bit FNV-1a hash of each file's bytes and the exact bits of the
//! loudness and peak the summary reports.
//!
//! The fixture was written by the mixdown as it was before it was made
//! cheaper (issue 18 point 1), so this is a before/after comparison.
//! scsynth's NRT output of this song is bit-stable from run to run
//! (measured: the same bytes in repeated renders), so the whole render is
//! compared, not only the mixdown stage; a different scsynth build may
//! compute other floats, in which case the hashes must be regenerated from a
//! commit whose mixdown is trusted:
//! `IMBOLC_UPDATE_FIXTURES=1 cargo test -p imbolc-tests --test render_identity`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use imbolc_core::demo::demo_project;
use imbolc_core::render::{self, Normalize, RenderOptions, SampleFormat};

const FIXTURE: &str = "fixtures/render_identity.txt";

fn fnv64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("imbolc-render-identity-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// One line per file: case, file name, hash of its bytes, loudness and peak bits.
fn render_case(name: &str, format: SampleFormat, normalize: Normalize, joint: bool) -> String {
    let dir = tempdir(name);
    let o = RenderOptions {
        out_dir: dir.clone(),
        stems: true,
        bus_stems: true,
        format,
        normalize,
        joint,
        ..RenderOptions::default()
    };
    let s = render::render(&demo_project(), &o, &AtomicBool::new(false), &mut |_| {})
        .unwrap_or_else(|e| panic!("{name}: {e} (scsynth comes from the Debian package supercollider-server)"));
    let mut out = String::new();
    for f in &s.files {
        let bytes = std::fs::read(&f.path).unwrap();
        let file = f.path.file_name().unwrap().to_string_lossy();
        writeln!(
            out,
            "{name} {file} {:016x} lufs {:016x} peak {:016x}",
            fnv64(&bytes),
            f.lufs.to_bits(),
            f.peak_dbfs.to_bits()
        )
        .unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
    out
}

#[test]
fn the_mixdown_writes_the_same_bytes_and_measures_the_same_loudness_as_before() {
    let cases = [
        ("int16", SampleFormat::Int16, Normalize::Off, false),
        ("int24", SampleFormat::Int24, Normalize::Off, false),
        ("float32", SampleFormat::Float32, Normalize::Off, false),
        ("int24-lufs-joint", SampleFormat::Int24, Normalize::Lufs(-16.0), true),
        ("int16-peak", SampleFormat::Int16, Normalize::Peak(-1.0), false),
    ];
    let now: String = cases.iter().map(|&(n, f, norm, joint)| render_case(n, f, norm, joint)).collect();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
    if std::env::var_os("IMBOLC_UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, &now).unwrap();
    }
    let before = std::fs::read_to_string(&path).unwrap();
    let differ: Vec<String> = before
        .lines()
        .zip(now.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("  before: {a}\n  now:    {b}"))
        .collect();
    assert!(
        differ.is_empty() && before.lines().count() == now.lines().count(),
        "the render differs from {FIXTURE}:\n{}\n(files now: {})",
        differ.join("\n"),
        now.lines().count()
    );
}
