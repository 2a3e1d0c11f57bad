//! Project-wide settings: name, time signature and take folder (tempo is a parameter,
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
        Action::SetTakeFolder { folder } => {
            if folder.as_deref().is_some_and(|f| f.trim().is_empty()) {
                return Err(DispatchError::EmptyTakeFolder);
            }
            let old = std::mem::replace(&mut p.take_folder, folder);
            Ok(Applied::one(Action::SetTakeFolder { folder: old }, None, REDRAW))
        }
        Action::SetTimeSignature(sig) => {
            if !sig.is_valid() {
                return Err(DispatchError::InvalidTimeSignature);
            }
            let old = std::mem::replace(&mut p.time_signature, sig);
            Ok(Applied::one(Action::SetTimeSignature(old), Some(AudioDiff::TimeSignatureChanged(sig)), REDRAW))
        }
        // `super::apply` routes only this domain's actions here.
        _ => Ok(Applied::new(Redraw::NONE)),
    }
}
