//! Key, scale and tuning of the project or of one instrument
//! (`Action::SetPitch`), and an instrument's note transforms
//! (`Action::SetTransforms`). One diff, `AudioDiff::PitchChanged`, carries the
//! new settings; the audio thread retunes the notes that start after it.

use imbolc_types::transform::NoteTransforms;
use imbolc_types::{Action, AudioDiff, InstrumentId, PitchSettings, Project};

use super::{Applied, DispatchError, Redraw};

pub(super) fn set_pitch(
    p: &mut Project,
    instrument: Option<InstrumentId>,
    pitch: Option<PitchSettings>,
) -> Result<Applied, DispatchError> {
    if pitch.as_ref().is_some_and(|s| !s.is_valid()) {
        return Err(DispatchError::InvalidPitch);
    }
    let diff = AudioDiff::PitchChanged { instrument, pitch: pitch.clone() };
    match instrument {
        None => {
            let new = pitch.ok_or(DispatchError::InvalidPitch)?;
            let old = std::mem::replace(&mut p.pitch, new);
            Ok(Applied::one(Action::SetPitch { instrument: None, pitch: Some(old) }, Some(diff), Redraw::ALL))
        }
        Some(id) => {
            let inst = p.instruments.get_mut(&id).ok_or(DispatchError::NoSuchInstrument(id))?;
            let old = std::mem::replace(&mut inst.def.pitch, pitch);
            Ok(Applied::one(Action::SetPitch { instrument: Some(id), pitch: old }, Some(diff), Redraw::ALL))
        }
    }
}

/// An instrument's arpeggiator and groove (`Action::SetTransforms`).
pub(super) fn set_transforms(
    p: &mut Project,
    instrument: InstrumentId,
    transforms: NoteTransforms,
) -> Result<Applied, DispatchError> {
    if !transforms.is_valid() {
        return Err(DispatchError::InvalidTransforms);
    }
    let inst = p.instruments.get_mut(&instrument).ok_or(DispatchError::NoSuchInstrument(instrument))?;
    let diff = AudioDiff::TransformsChanged { instrument, transforms: transforms.clone() };
    let old = std::mem::replace(&mut inst.def.transforms, transforms);
    Ok(Applied::one(Action::SetTransforms { instrument, transforms: old }, Some(diff), Redraw::INSTRUMENTS))
}

#[cfg(test)]
mod tests {
    use imbolc_types::{Key, Scale, SourceKind, TuningSystem};

    use super::*;
    use crate::dispatch::{apply, dispatch};

    #[test]
    fn project_and_instrument_pitch_are_set_undone_and_checked() {
        let mut p = Project::new("pitch");
        dispatch(&mut p, Action::AddInstrument { source: SourceKind::SINE, name: "a".into() }).unwrap();
        let id = *p.instruments.keys().next().unwrap();
        let before = p.clone();
        let d = PitchSettings { key: Key::new(2, Scale::Dorian), tuning: TuningSystem::Just5, a4: 432.0, lock: true };
        let a = set_pitch(&mut p, None, Some(d.clone())).unwrap();
        assert_eq!(p.pitch, d);
        assert_eq!(p.pitch_of(id), &d);
        let own = PitchSettings { tuning: TuningSystem::Pythagorean, ..PitchSettings::default() };
        let b = set_pitch(&mut p, Some(id), Some(own.clone())).unwrap();
        assert_eq!(p.pitch_of(id), &own);
        assert!(matches!(
            set_pitch(&mut p, None, Some(PitchSettings { a4: 1000.0, ..PitchSettings::default() })),
            Err(DispatchError::InvalidPitch)
        ));
        assert!(matches!(set_pitch(&mut p, None, None), Err(DispatchError::InvalidPitch)));
        for inv in b.inverse.into_iter().chain(a.inverse) {
            apply(&mut p, inv).unwrap();
        }
        assert_eq!(p, before);
    }

    #[test]
    fn pitch_settings_save_and_load_and_old_files_get_the_default() {
        let mut p = Project::new("pitch");
        p.pitch = PitchSettings { key: Key::new(9, Scale::Minor), tuning: TuningSystem::Just7, a4: 442.0, lock: false };
        let blob = crate::persist::format::encode(&p).unwrap();
        let back = crate::persist::format::decode(crate::persist::format::FORMAT_VERSION, &blob).unwrap();
        assert_eq!(back.pitch, p.pitch);
        let old_blob = rmp_serde::to_vec_named(&std::collections::BTreeMap::from([("name", "old")])).unwrap();
        let old = crate::persist::format::decode(crate::persist::format::FORMAT_VERSION, &old_blob).unwrap();
        assert_eq!(old.pitch, PitchSettings::default());
    }
}
