//! Helpers for sampler instruments that need the file system or analysis,
//! kept out of the pure [`crate::dispatch`]: a file is checked and
//! imported into the store, and its pitch estimated, *before* the action
//! is built, so a missing or unfit file is an error the UI shows, never a
//! silent zone.

use std::path::Path;

use imbolc_types::sampler::SamplerZone;
use imbolc_types::{Action, InstrumentId, PadSound, Project, SampleRef};

use crate::analysis::{DecodeError, Slices, decode_mono, estimate_pitch};
use crate::store::{ImportError, import_sample};

/// First key of a sampler made from slices (C3; C4 = 60).
pub const FIRST_SLICE_KEY: u8 = 48;
/// Root key of a zone whose pitch cannot be estimated (C4).
pub const DEFAULT_ROOT: u8 = 60;

/// Why a sampler helper failed (nothing changed).
#[derive(Debug, thiserror::Error)]
pub enum SamplerError {
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Decode(#[from] DecodeError),
    #[error("no clear pitch in {0}")]
    NoPitch(String),
    #[error("instrument {instrument} has no zone {index}")]
    NoSuchZone { instrument: InstrumentId, index: usize },
    #[error("no pad {pad} with a sample on instrument {instrument}")]
    NoSamplePad { instrument: InstrumentId, pad: u8 },
    #[error("there are no slices to map")]
    NoSlices,
}

/// The root key of a sample from its pitch (YIN), if it has a clear one.
///
/// # Errors
/// [`DecodeError`] when the file does not decode.
pub fn estimate_root(path: &Path) -> Result<Option<(u8, f64)>, DecodeError> {
    let audio = decode_mono(path)?;
    // The steady middle of the sample (up to two seconds) tells its pitch.
    let n = audio.samples.len();
    let len = n.min(audio.sample_rate as usize * 2);
    let from = (n - len) / 2;
    let slice = audio.samples.get(from..from + len).unwrap_or(&audio.samples);
    Ok(estimate_pitch(slice, audio.sample_rate).map(|p| (p.root_key(), p.hz)))
}

/// A zone playing all of the file at `path` on every key, its root key
/// estimated from its pitch ([`DEFAULT_ROOT`] when it has none), once the
/// file is checked and imported into the store.
///
/// # Errors
/// [`ImportError`] when the file is missing or unfit.
pub fn zone_from_file(path: &Path) -> Result<SamplerZone, SamplerError> {
    let sample = import_sample(path)?;
    let root = estimate_root(path).ok().flatten().map_or(DEFAULT_ROOT, |(k, _)| k);
    Ok(SamplerZone::new(sample, root))
}

/// The action adding a sampler playing the file at `path` (named after it).
///
/// # Errors
/// As [`zone_from_file`].
pub fn new_sampler_action(path: &Path) -> Result<Action, SamplerError> {
    let zone = zone_from_file(path)?;
    let name = path.file_stem().map_or_else(|| "sampler".to_owned(), |s| s.to_string_lossy().into_owned());
    Ok(Action::AddSampler { name, zones: vec![zone], env: None })
}

/// The action setting zone `index`'s root key from its sample's pitch;
/// also the key and the pitch in Hz, for the status line.
///
/// # Errors
/// [`SamplerError::NoSuchZone`]; [`SamplerError::NoPitch`] when the
/// sample has no clear pitch; a decode error of its cache file.
pub fn estimate_root_action(
    project: &Project,
    instrument: InstrumentId,
    index: usize,
) -> Result<(Action, u8, f64), SamplerError> {
    let zone = project
        .instruments
        .get(&instrument)
        .and_then(|i| i.def.sampler.as_ref())
        .and_then(|s| s.zones.get(index))
        .ok_or(SamplerError::NoSuchZone { instrument, index })?;
    let path = imbolc_audio::sample_cache::path_of(&zone.sample);
    let (root, hz) = estimate_root(&path)?.ok_or_else(|| SamplerError::NoPitch(zone.sample.name.clone()))?;
    let zone = SamplerZone { root, ..zone.clone() };
    Ok((Action::SetSamplerZone { instrument, index, zone }, root, hz))
}

/// The action adding a sampler with one zone per slice of pad `pad`'s
/// sample, on consecutive keys from [`FIRST_SLICE_KEY`] (each zone's root
/// is its key, so every slice plays at its own pitch), and the zone count.
///
/// # Errors
/// [`SamplerError::NoSamplePad`]; [`SamplerError::NoSlices`]; an import
/// error of an old project's path pad.
pub fn slices_sampler_action(
    project: &Project,
    instrument: InstrumentId,
    pad: u8,
    slices: &Slices,
) -> Result<(Action, usize), SamplerError> {
    let no_pad = || SamplerError::NoSamplePad { instrument, pad };
    let def = project
        .instruments
        .get(&instrument)
        .and_then(|i| i.def.drums.as_ref())
        .and_then(|k| k.pads.get(usize::from(pad)))
        .ok_or_else(no_pad)?;
    let sample: SampleRef = match &def.sound {
        PadSound::Stored(s) => s.clone(),
        PadSound::Sample { path } => import_sample(Path::new(path))?,
        PadSound::Voice(_) => return Err(no_pad()),
    };
    let zones: Vec<SamplerZone> = slices
        .regions()
        .into_iter()
        .filter(|(s, e)| s < e && *e <= sample.frames)
        .take(usize::from(127 - FIRST_SLICE_KEY) + 1)
        .enumerate()
        .filter_map(|(n, (start, end))| {
            let key = FIRST_SLICE_KEY.checked_add(u8::try_from(n).ok()?)?;
            let mut z = SamplerZone::new(sample.clone(), key);
            (z.lo_key, z.hi_key, z.start, z.end) = (key, key, start, end);
            z.one_shot = true;
            Some(z)
        })
        .collect();
    if zones.is_empty() {
        return Err(SamplerError::NoSlices);
    }
    let count = zones.len();
    let name = format!("{} slices", def.name.split_once(" #").map_or(def.name.as_str(), |(b, _)| b));
    Ok((Action::AddSampler { name, zones, env: None }, count))
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use imbolc_types::{DrumPad, InstrumentId};

    use super::*;
    use crate::dispatch;

    fn sine_wav(path: &Path, hz: f64) {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 48_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(path, spec).unwrap();
        for i in 0..24_000 {
            let t = f64::from(i) / 48_000.0;
            w.write_sample(((std::f64::consts::TAU * hz * t).sin() * 12_000.0) as i16).unwrap();
        }
        w.finalize().unwrap();
    }

    #[test]
    fn a_new_sampler_gets_its_root_from_pitch_and_slices_map_to_keys_from_c3() {
        let dir = std::env::temp_dir().join(format!("imbolc-sampler-core-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        crate::test_cache();
        let file = dir.join("a3.wav");
        sine_wav(&file, 220.0);

        let mut p = Project::new("s");
        dispatch(&mut p, new_sampler_action(&file).unwrap()).unwrap();
        let id = *p.instruments.keys().next().unwrap();
        let zones = &p.instruments[&id].def.sampler.as_ref().unwrap().zones;
        assert_eq!(zones[0].root, 57, "220 Hz is A3");

        // `r` after a wrong root puts it back.
        let wrong = SamplerZone { root: 40, ..zones[0].clone() };
        dispatch(&mut p, Action::SetSamplerZone { instrument: id, index: 0, zone: wrong }).unwrap();
        let (action, root, hz) = estimate_root_action(&p, id, 0).unwrap();
        assert_eq!(root, 57);
        assert!((hz - 220.0).abs() < 1.0);
        dispatch(&mut p, action).unwrap();
        assert!(estimate_root_action(&p, id, 3).is_err());

        dispatch(&mut p, Action::AddDrumKit { name: String::new() }).unwrap();
        let kit = InstrumentId(1);
        let def = DrumPad {
            name: "loop".into(),
            sound: PadSound::Sample { path: file.display().to_string() },
            level: 1.0,
            pitch: 0.0,
            region: None,
            loop_beats: None,
        };
        dispatch(&mut p, Action::SetDrumPad { instrument: kit, pad: 0, def }).unwrap();
        let (action, n) = slices_sampler_action(&p, kit, 0, &Slices::equal(24_000, 4)).unwrap();
        assert_eq!(n, 4);
        dispatch(&mut p, action).unwrap();
        let s = p.instruments.values().last().unwrap().def.sampler.as_ref().unwrap();
        let keys: Vec<(u8, u64, u64)> = s.zones.iter().map(|z| (z.lo_key, z.start, z.end)).collect();
        assert_eq!(keys, [(48, 0, 6_000), (49, 6_000, 12_000), (50, 12_000, 18_000), (51, 18_000, 24_000)]);
        assert!(slices_sampler_action(&p, kit, 5, &Slices::equal(24_000, 4)).is_err(), "pad 6 is a drum voice");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
