//! Project-wide settings: name, artist, time signature and take folder (tempo is a parameter,
//! see [`super::param`]).

use imbolc_types::{Action, AudioDiff, Project};

use super::{Applied, DispatchError, Redraw};

const REDRAW: Redraw = Redraw::PROJECT;

pub(super) fn apply(p: &mut Project, action: Action) -> Result<Applied, DispatchError> {
    match action {
        Action::RenameProject { name } => {
            let old = std::mem::replace(&mut p.name, name);
            Ok(Applied::one(Action::RenameProject { name: old }, None, REDRAW))
        }
        Action::SetArtist { artist } => {
            let old = std::mem::replace(&mut p.artist, artist);
            Ok(Applied::one(Action::SetArtist { artist: old }, None, REDRAW))
        }
        Action::SetTakeFolder { folder } => {
            if folder.as_deref().is_some_and(|f| f.trim().is_empty()) {
                return Err(DispatchError::EmptyTakeFolder);
            }
            let old = std::mem::replace(&mut p.take_folder, folder);
            Ok(Applied::one(Action::SetTakeFolder { folder: old }, None, REDRAW))
        }
        Action::SetCountIn { bars } => {
            if bars > 2 {
                return Err(DispatchError::InvalidCountIn);
            }
            let old = std::mem::replace(&mut p.count_in_bars, bars);
            Ok(Applied::one(Action::SetCountIn { bars: old }, None, REDRAW))
        }
        Action::SetTimeSignature(sig) => {
            if !sig.is_valid() {
                return Err(DispatchError::InvalidTimeSignature);
            }
            let old = std::mem::replace(&mut p.time_signature, sig);
            Ok(Applied::one(Action::SetTimeSignature(old), Some(AudioDiff::TimeSignatureChanged(sig)), REDRAW))
        }
        Action::RestoreCheckpoint(state) => Ok(restore_checkpoint(p, *state)),
        // `super::apply` routes only this domain's actions here.
        _ => Ok(Applied::new(Redraw::NONE)),
    }
}

/// Puts `state` in place of the project; the id counters keep the larger
/// of both values, so an id handed out since the checkpoint is never
/// handed out again (projects compare equal whatever their counters).
fn restore_checkpoint(p: &mut Project, mut state: Project) -> Applied {
    let (a, b) = (&mut state.ids, &p.ids);
    a.instrument = a.instrument.max(b.instrument);
    a.effect = a.effect.max(b.effect);
    a.bus = a.bus.max(b.bus);
    a.clip = a.clip.max(b.clip);
    a.note = a.note.max(b.note);
    a.lane = a.lane.max(b.lane);
    a.placement = a.placement.max(b.placement);
    let old = std::mem::replace(p, state);
    let scene = AudioDiff::SceneLoaded(Box::new(p.audio_scene()));
    Applied::one(Action::RestoreCheckpoint(Box::new(old)), Some(scene), Redraw::ALL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_take_folder_is_set_undone_and_saved_and_an_empty_one_is_refused() {
        let mut p = Project::new("takes");
        let applied = apply(&mut p, Action::SetTakeFolder { folder: Some("/music/takes".into()) }).unwrap();
        assert_eq!(p.take_folder.as_deref(), Some("/music/takes"));
        let before = p.clone();
        assert!(matches!(
            apply(&mut p, Action::SetTakeFolder { folder: Some("  ".into()) }),
            Err(DispatchError::EmptyTakeFolder)
        ));
        assert_eq!(p, before, "a refused folder changes nothing");
        for inverse in applied.inverse {
            apply(&mut p, inverse).unwrap();
        }
        assert_eq!(p.take_folder, None, "undo gives the default back");

        let dir = std::env::temp_dir().join(format!("imbolc-take-folder-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.imbolc");
        crate::persist::save(&path, &before).unwrap();
        assert_eq!(crate::persist::load(&path).unwrap().project.take_folder.as_deref(), Some("/music/takes"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
