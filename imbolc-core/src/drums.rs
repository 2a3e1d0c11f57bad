//! Helpers for drum pads that need the file system, kept out of the pure
//! [`crate::dispatch`]: a sample file is checked and imported into the
//! sample store ([`crate::store`]) *before* the action that points a pad at
//! it is built, so a missing or unfit file is an error the UI shows in its
//! status line, never a silent pad.

use std::path::Path;

use imbolc_types::{Action, ChainOwner, DrumPad, EffectId, InstrumentId, PadSound};

use crate::store::{ImportError, import_sample};

/// The action that makes `pad` of `instrument` play the sample at `path`
/// (named after the file, unity level, untuned), once the file is checked
/// and imported into the store.
///
/// # Errors
/// [`ImportError`] when the file is missing, not audio scsynth reads,
/// damaged, empty, or neither mono nor stereo; nothing is built.
pub fn sample_pad_action(instrument: InstrumentId, pad: u8, path: &Path) -> Result<Action, ImportError> {
    let sample = import_sample(path)?;
    let name = path.file_stem().map_or_else(|| "sample".to_owned(), |s| s.to_string_lossy().into_owned());
    let def = DrumPad { name, sound: PadSound::Stored(sample), level: 1.0, pitch: 0.0, region: None, loop_beats: None };
    Ok(Action::SetDrumPad { instrument, pad, def })
}

/// The action that makes convolution effect `effect` of `owner` convolve
/// with the impulse response in `path`, once the file is checked and
/// imported into the store (one undo step; the saved project keeps it).
///
/// # Errors
/// [`ImportError`] as for [`sample_pad_action`]; nothing is built.
pub fn effect_ir_action(owner: ChainOwner, effect: EffectId, path: &Path) -> Result<Action, ImportError> {
    let ir = import_sample(path)?;
    Ok(Action::SetEffectIr { owner, effect, ir: Some(ir) })
}

#[cfg(test)]
mod tests {
    use imbolc_types::Project;

    use super::*;
    use crate::dispatch;

    #[test]
    fn a_missing_file_is_an_error_naming_it_and_changes_nothing() {
        let mut p = Project::new("d");
        dispatch(&mut p, Action::AddDrumKit { name: String::new() }).expect("kit");
        let err = sample_pad_action(InstrumentId(0), 3, Path::new("/no/such/snare.wav")).expect_err("missing");
        assert!(err.to_string().contains("/no/such/snare.wav"), "{err}");
    }

    #[test]
    fn a_good_file_becomes_a_pad_edit() {
        crate::test_cache();
        let dir = std::env::temp_dir().join(format!("imbolc-pad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("clap.wav");
        let mut wav = Vec::new();
        wav.extend_from_slice(
            b"RIFF\x2c\0\0\0WAVEfmt \x10\0\0\0\x01\0\x02\0\x80\xbb\0\0\0\xee\x02\0\x04\0\x10\0data\x08\0\0\0",
        );
        wav.extend_from_slice(&[1, 0, 2, 0, 3, 0, 4, 0]);
        std::fs::write(&path, wav).expect("write");
        let mut p = Project::new("d");
        dispatch(&mut p, Action::AddDrumKit { name: String::new() }).expect("kit");
        let action = sample_pad_action(InstrumentId(0), 3, &path).expect("stereo WAV");
        dispatch(&mut p, action).expect("applies");
        let pad = &p.instruments[&InstrumentId(0)].def.drums.as_ref().expect("kit").pads[3];
        let stored = pad.stored().expect("a stored sample");
        assert_eq!((pad.name.as_str(), stored.channels, stored.frames), ("clap", 2, 2));
        assert!(imbolc_audio::sample_cache::is_cached(stored), "the bytes are in the cache");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
