//! The sample store (issue 14): importing checks the file and refuses bad
//! input with a clear error, changing nothing; saves store each sample
//! once (de-duplicated, seen in the file size) and a save after a small
//! edit leaves the sample bytes untouched (seen page by page); old
//! projects' path pads are imported on open; a project opens with the
//! source files and the cache gone.
//!
//! Every test here uses one cache directory of this binary (the cache is
//! content-addressed, so sharing it is what real use does).
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Once;

use common::temp_dir;
use imbolc_audio::sample_cache;
use imbolc_core::dispatch;
use imbolc_core::drums::sample_pad_action;
use imbolc_core::persist::{self, RepairKind};
use imbolc_core::store::{ImportError, MAX_SAMPLE_BYTES, import_sample};
use imbolc_types::{Action, InstrumentId, Note, PadSound, Project};

fn cache() {
    static INIT: Once = Once::new();
    INIT.call_once(|| sample_cache::set_cache_dir(Some(temp_dir("store-cache"))));
}

/// `frames` frames of a 16-bit WAV at `rate`, `channels` channels (a
/// sine whose frequency depends on `seed`, so files differ).
fn wav(path: &Path, channels: u16, rate: u32, frames: u32, seed: u32) {
    let spec =
        hound::WavSpec { channels, sample_rate: rate, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let f = 100.0 + f64::from(seed);
    for i in 0..frames {
        let v = (f64::from(i) * f * std::f64::consts::TAU / f64::from(rate)).sin() * 0.5;
        for _ in 0..channels {
            w.write_sample((v * 32767.0) as i16).unwrap();
        }
    }
    w.finalize().unwrap();
}

fn kit_project() -> Project {
    let mut p = Project::new("store");
    dispatch(&mut p, Action::AddDrumKit { name: String::new() }).unwrap();
    p
}

const KIT: InstrumentId = InstrumentId(0);

fn assign(p: &mut Project, pad: u8, file: &Path) {
    let action = sample_pad_action(KIT, pad, file).expect("a good sample imports");
    dispatch(p, action).unwrap();
}

fn pad_sound(p: &Project, pad: usize) -> PadSound {
    p.instruments[&KIT].def.drums.as_ref().unwrap().pads[pad].sound.clone()
}

/// Tries to put `file` on pad 0 of a saved project: the error, after
/// checking the project and its file are unchanged.
fn refused(file: &Path) -> ImportError {
    cache();
    let dir = temp_dir("refused");
    let project_path = dir.join("p.imbolc");
    let project = kit_project();
    persist::save(&project_path, &project).unwrap();
    let before = std::fs::read(&project_path).unwrap();
    let err = sample_pad_action(KIT, 0, file).expect_err("must be refused");
    assert_eq!(std::fs::read(&project_path).unwrap(), before, "project file unchanged");
    assert_eq!(persist::load(&project_path).unwrap().project, project);
    let msg = err.to_string();
    assert!(msg.contains(&file.display().to_string()), "the message names the file: {msg}");
    eprintln!("refused: {msg}");
    err
}

#[test]
fn bad_input_is_refused_with_a_clear_message() {
    let dir = temp_dir("bad-input");

    let text = dir.join("notes.wav");
    std::fs::write(&text, "this is not audio at all, just text").unwrap();
    assert!(matches!(refused(&text), ImportError::UnknownFormat { .. }));

    let good = dir.join("good.wav");
    wav(&good, 1, 48_000, 48_000, 1);
    let bytes = std::fs::read(&good).unwrap();
    let cut = dir.join("cut.wav");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let err = refused(&cut);
    assert!(matches!(err, ImportError::Truncated { expected: 48_000, .. }), "{err}");
    let cut_header = dir.join("cut-header.wav");
    std::fs::write(&cut_header, &bytes[..20]).unwrap();
    let err = refused(&cut_header);
    assert!(matches!(err, ImportError::Damaged { .. } | ImportError::Truncated { .. }), "{err}");

    let empty = dir.join("empty.wav");
    wav(&empty, 2, 48_000, 0, 1);
    assert!(matches!(refused(&empty), ImportError::Empty { .. }));

    let six = dir.join("six.wav");
    wav(&six, 6, 48_000, 100, 1);
    assert!(matches!(refused(&six), ImportError::Channels { channels: 6, .. }));

    // Sparse: 2 GB long, refused from its size before any of it is read.
    let huge = dir.join("huge.wav");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(2 << 30).unwrap();
    let err = refused(&huge);
    assert!(matches!(err, ImportError::TooLarge { size, limit, .. } if size == 2 << 30 && limit == MAX_SAMPLE_BYTES));

    let missing = dir.join("missing.wav");
    assert!(matches!(refused(&missing), ImportError::Unreadable { .. }));

    assert!(matches!(refused(&dir), ImportError::NotAFile { .. }));
}

/// 192 kHz is accepted: the sampler scales its rate by the buffer's
/// (`BufRateScale`), so it plays at pitch on any server rate.
#[test]
fn a_192_khz_file_is_accepted_with_its_rate() {
    cache();
    let dir = temp_dir("hi-rate");
    let file = dir.join("hi.wav");
    wav(&file, 2, 192_000, 19_200, 2);
    let sample = import_sample(&file).unwrap();
    assert_eq!((sample.sample_rate, sample.channels, sample.frames), (192_000, 2, 19_200));
    assert!((sample.seconds() - 0.1).abs() < 1e-9);
}

#[test]
fn aiff_imports() {
    cache();
    let dir = temp_dir("aiff");
    let file = dir.join("a.aiff");
    // 4 frames of 16-bit mono at 44.1 kHz.
    let mut b = Vec::new();
    b.extend_from_slice(b"FORM");
    b.extend_from_slice(&(4 + 26 + 16 + 8u32).to_be_bytes());
    b.extend_from_slice(b"AIFFCOMM");
    b.extend_from_slice(&18u32.to_be_bytes());
    b.extend_from_slice(&1u16.to_be_bytes());
    b.extend_from_slice(&4u32.to_be_bytes());
    b.extend_from_slice(&16u16.to_be_bytes());
    b.extend_from_slice(&[0x40, 0x0E, 0xAC, 0x44, 0, 0, 0, 0, 0, 0]);
    b.extend_from_slice(b"SSND");
    b.extend_from_slice(&(8 + 8u32).to_be_bytes());
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(&[0, 1, 0, 2, 0, 3, 0, 4]);
    std::fs::write(&file, b).unwrap();
    let s = import_sample(&file).unwrap();
    assert_eq!((s.format.extension(), s.channels, s.sample_rate, s.frames), ("aiff", 1, 44_100, 4));
}

/// Two pads on one file store it once: the file grows by one copy.
#[test]
fn one_file_on_two_pads_is_stored_once() {
    cache();
    let dir = temp_dir("dedup");
    let file = dir.join("kick.wav");
    wav(&file, 1, 48_000, 240_000, 3); // 480 KB
    let sample_bytes = std::fs::metadata(&file).unwrap().len();
    let size = |p: &Project, name: &str| persist::save(&dir.join(name), p).unwrap().bytes;
    let mut p = kit_project();
    let none = size(&p, "none.imbolc");
    assign(&mut p, 0, &file);
    let one = size(&p, "one.imbolc");
    assign(&mut p, 1, &file);
    let two = size(&p, "two.imbolc");
    eprintln!("sample {sample_bytes} B; project with none {none} B, one pad {one} B, two pads {two} B");
    assert!(one - none >= sample_bytes - sample_bytes / 20, "one copy stored");
    assert!(one - none < sample_bytes + sample_bytes / 20, "about one copy");
    assert!(two - one < sample_bytes / 20, "the second pad adds no copy ({} B)", two - one);
    let stored: i64 = rusqlite::Connection::open(dir.join("two.imbolc"))
        .unwrap()
        .query_row("SELECT count(*) FROM sample", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, 1);
    // Removing both pads' sample deletes it from the file on the next save.
    for pad in [0, 1] {
        let def = imbolc_types::DrumPad::voice(imbolc_types::DrumVoice::Kick);
        dispatch(&mut p, Action::SetDrumPad { instrument: KIT, pad, def }).unwrap();
    }
    let after = size(&p, "two.imbolc");
    assert!(after < one - sample_bytes / 2, "unused sample deleted and its pages given back: {after} B");
}

/// Differing 4 KiB pages between two versions of a file.
fn changed_pages(a: &[u8], b: &[u8]) -> usize {
    let pages = a.len().max(b.len()).div_ceil(4096);
    (0..pages).filter(|i| a.get(i * 4096..(i + 1) * 4096) != b.get(i * 4096..(i + 1) * 4096)).count()
}

/// A one-note edit saved over a project with 8 MB of samples rewrites the
/// project row and a few pages, never the sample rows: their rowids stay
/// and the pages holding their bytes are byte-identical.
#[test]
fn a_small_edit_does_not_rewrite_the_samples() {
    cache();
    let dir = temp_dir("no-rewrite");
    let mut p = common::build_project(2, 1, 200);
    dispatch(&mut p, Action::AddDrumKit { name: String::new() }).unwrap();
    let kit = *p.instruments.last().unwrap().0;
    for pad in 0..4u8 {
        let file = dir.join(format!("s{pad}.wav"));
        wav(&file, 2, 48_000, 500_000, 10 + u32::from(pad)); // 2 MB each
        let action = sample_pad_action(kit, pad, &file).unwrap();
        dispatch(&mut p, action).unwrap();
    }
    let path = dir.join("big.imbolc");
    persist::save(&path, &p).unwrap();
    let rowids = |path: &Path| -> Vec<(i64, String)> {
        let c = rusqlite::Connection::open(path).unwrap();
        let mut st = c.prepare("SELECT rowid, hash FROM sample ORDER BY rowid").unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    let before_rows = rowids(&path);
    let before = std::fs::read(&path).unwrap();
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&path).unwrap());

    let clip = *p.clips.keys().next().unwrap();
    dispatch(&mut p, Action::AddNotes { clip, notes: vec![Note::new(60, 100, 0, 120)] }).unwrap();
    persist::save(&path, &p).unwrap();
    let after = std::fs::read(&path).unwrap();
    let changed = changed_pages(&before, &after);
    let total = after.len() / 4096;
    eprintln!("one-note edit: {changed} of {total} pages changed");
    assert_eq!(rowids(&path), before_rows, "sample rows kept");
    assert!(changed < total / 20, "{changed} of {total} pages changed: samples rewritten?");
    #[cfg(unix)]
    assert_eq!(inode, std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&path).unwrap()), "updated in place");
    assert_eq!(persist::load(&path).unwrap().project, p);
    // A recovery save in place keeps them too, and so does the next full save.
    persist::save_recovery(&path, &p).unwrap();
    persist::save(&path, &p).unwrap();
    assert_eq!(rowids(&path), before_rows);
}

/// Saved, sources deleted, cache emptied (a fresh cache directory): the
/// project opens and its samples are back in the cache, byte-exact.
#[test]
fn a_project_opens_without_its_source_files_or_cache() {
    cache();
    let dir = temp_dir("self-contained");
    let file = dir.join("snare.wav");
    wav(&file, 2, 44_100, 30_000, 5);
    let original = std::fs::read(&file).unwrap();
    let mut p = kit_project();
    assign(&mut p, 2, &file);
    let path = dir.join("sc.imbolc");
    persist::save(&path, &p).unwrap();
    std::fs::remove_file(&file).unwrap();
    let PadSound::Stored(sample) = pad_sound(&p, 2) else { panic!("stored") };
    std::fs::remove_file(sample_cache::path_of(&sample)).unwrap();
    let loaded = persist::load(&path).unwrap();
    assert!(loaded.repairs.is_empty(), "{:?}", loaded.repairs);
    assert_eq!(loaded.project, p);
    assert_eq!(std::fs::read(sample_cache::path_of(&sample)).unwrap(), original, "rematerialised");
    // A damaged cache file is replaced from the project file.
    std::fs::write(sample_cache::path_of(&sample), b"garbage").unwrap();
    persist::load(&path).unwrap();
    assert_eq!(std::fs::read(sample_cache::path_of(&sample)).unwrap(), original, "repaired from the store");
}

/// An old project's path pad: imported on open when the file is there
/// (a repair says so), reported and kept (marked missing, silent) when not.
#[test]
fn old_path_pads_are_imported_or_reported_missing() {
    cache();
    let dir = temp_dir("legacy");
    let file = dir.join("clap.wav");
    wav(&file, 1, 48_000, 4_800, 7);
    let gone: PathBuf = dir.join("gone.wav");
    let mut p = kit_project();
    let pads = &mut p.instruments.get_mut(&KIT).unwrap().def.drums.as_mut().unwrap().pads;
    pads[0].sound = PadSound::Sample { path: file.display().to_string() };
    pads[1].sound = PadSound::Sample { path: gone.display().to_string() };
    let path = dir.join("old.imbolc");
    persist::save(&path, &p).unwrap();
    let loaded = persist::load(&path).unwrap();
    let kinds: Vec<RepairKind> = loaded.repairs.details().iter().map(|r| r.kind).collect();
    assert!(kinds.contains(&RepairKind::ImportedSample), "{:?}", loaded.repairs);
    assert!(kinds.contains(&RepairKind::SilentSample), "{:?}", loaded.repairs);
    let missing = loaded.repairs.details().iter().find(|r| r.kind == RepairKind::SilentSample).unwrap();
    assert!(missing.detail.contains("gone.wav"), "{missing:?}");
    let line = loaded.repairs.line().unwrap();
    assert!(line.contains("gone.wav") && line.contains("imported"), "the status line names it: {line}");
    eprintln!("{line}");
    assert!(matches!(pad_sound(&loaded.project, 0), PadSound::Stored(s) if s.frames == 4_800));
    assert_eq!(pad_sound(&loaded.project, 1), PadSound::Sample { path: gone.display().to_string() });
}

/// A convolution effect's impulse response is a stored sample: setting it
/// is one undo step, and the project file keeps it (it opens with the
/// source file and the cache gone). A non-convolution effect refuses one.
#[test]
fn a_convolution_ir_is_kept_with_the_project() {
    use imbolc_core::drums::effect_ir_action;
    use imbolc_types::catalog::EffectKind;
    use imbolc_types::{ChainOwner, EffectId};
    cache();
    let dir = temp_dir("convolution-ir");
    let file = dir.join("hall.wav");
    wav(&file, 2, 48_000, 9_000, 11);
    let mut p = Project::new("ir");
    let owner = ChainOwner::Master;
    let kind = |id| EffectKind::from_id(id).unwrap();
    dispatch(&mut p, Action::AddEffect { owner, kind: kind("convolution"), index: None }).unwrap();
    dispatch(&mut p, Action::AddEffect { owner, kind: kind("delay"), index: None }).unwrap();
    let (conv, delay): (EffectId, EffectId) = (p.master_effects[0].id, p.master_effects[1].id);
    let refused = dispatch(&mut p, effect_ir_action(owner, delay, &file).unwrap());
    assert!(refused.is_err(), "a delay takes no IR");

    let out = dispatch(&mut p, effect_ir_action(owner, conv, &file).unwrap()).unwrap();
    let ir = p.master_effects[0].ir.clone().expect("the IR is set");
    assert_eq!((ir.name.as_str(), ir.channels, ir.frames), ("hall.wav", 2, 9_000));
    let undo = out.undo.expect("one undo step");
    assert_eq!(undo.inverse.len(), 1);

    let path = dir.join("ir.imbolc");
    persist::save(&path, &p).unwrap();
    std::fs::remove_file(&file).unwrap();
    std::fs::remove_file(sample_cache::path_of(&ir)).unwrap();
    let loaded = persist::load(&path).unwrap();
    assert!(loaded.repairs.is_empty(), "{:?}", loaded.repairs);
    assert_eq!(loaded.project, p, "the IR reference comes back");
    assert!(sample_cache::is_cached(&ir), "its bytes come back from the project file");

    for action in undo.inverse {
        dispatch(&mut p, action).unwrap();
    }
    assert_eq!(p.master_effects[0].ir, None, "undo goes back to the built-in IR");
}
