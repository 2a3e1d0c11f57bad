//! The clip launcher's project state: which clip is in which slot, and the
//! launch quantization. Neither reaches the audio thread as a diff: the UI
//! sends launches (runtime, not undone) naming the clips themselves.

use imbolc_types::launcher::MAX_SCENES;
use imbolc_types::{Action, PadTarget, Project};

use super::{Applied, DispatchError, Redraw};

const REDRAW: Redraw = Redraw::ARRANGEMENT;

pub(super) fn apply(p: &mut Project, action: Action) -> Result<Applied, DispatchError> {
    match action {
        Action::SetLauncherSlot { instrument, scene, clip } => {
            if !p.instruments.contains_key(&instrument) {
                return Err(DispatchError::NoSuchInstrument(instrument));
            }
            if scene >= MAX_SCENES {
                return Err(DispatchError::NoSuchScene(scene));
            }
            if let Some(id) = clip {
                let c = p.clips.get(&id).ok_or(DispatchError::NoSuchClip(id))?;
                if c.instrument != instrument {
                    return Err(DispatchError::ClipNotOfInstrument { clip: id, instrument });
                }
            }
            let old = p.launcher.set(instrument, scene, clip);
            Ok(Applied::one(Action::SetLauncherSlot { instrument, scene, clip: old }, None, REDRAW))
        }
        Action::SetLaunchQuantize(q) => {
            let old = std::mem::replace(&mut p.launcher.quantize, q);
            Ok(Applied::one(Action::SetLaunchQuantize(old), None, REDRAW))
        }
        Action::SetFollowAction { clip, follow } => {
            if !p.clips.contains_key(&clip) {
                return Err(DispatchError::NoSuchClip(clip));
            }
            if follow.is_some_and(|f| !f.is_valid()) {
                return Err(DispatchError::InvalidFollowAction);
            }
            let old = match follow {
                Some(f) => p.launcher.follow.insert(clip, f),
                None => p.launcher.follow.remove(&clip),
            };
            Ok(Applied::one(Action::SetFollowAction { clip, follow: old }, None, REDRAW))
        }
        Action::SetClipLaunchQuantize { clip, quantize } => {
            if !p.clips.contains_key(&clip) {
                return Err(DispatchError::NoSuchClip(clip));
            }
            let old = match quantize {
                Some(q) => p.launcher.clip_quantize.insert(clip, q),
                None => p.launcher.clip_quantize.remove(&clip),
            };
            Ok(Applied::one(Action::SetClipLaunchQuantize { clip, quantize: old }, None, REDRAW))
        }
        Action::SetLauncherSeed { seed } => {
            let old = std::mem::replace(&mut p.launcher.seed, seed);
            Ok(Applied::one(Action::SetLauncherSeed { seed: old }, None, REDRAW))
        }
        Action::SetPadMapping { channel, control, target } => {
            if channel > 15 {
                return Err(DispatchError::InvalidPadChannel(channel));
            }
            if let Some(t) = target {
                check_pad(p, t)?;
            }
            let old = p.launcher.set_pad(channel, control, target);
            Ok(Applied::one(Action::SetPadMapping { channel, control, target: old }, None, REDRAW))
        }
        // `super::apply` routes only this domain's actions here.
        _ => Ok(Applied::new(Redraw::NONE)),
    }
}

/// A pad may name only instruments that exist and scenes the launcher has.
fn check_pad(p: &Project, target: PadTarget) -> Result<(), DispatchError> {
    let (instrument, scene) = match target {
        PadTarget::Slot { instrument, scene } => (Some(instrument), Some(scene)),
        PadTarget::Scene(scene) => (None, Some(scene)),
        PadTarget::StopColumn(instrument) => (Some(instrument), None),
        PadTarget::StopAll => (None, None),
    };
    if let Some(i) = instrument.filter(|i| !p.instruments.contains_key(i)) {
        return Err(DispatchError::NoSuchInstrument(i));
    }
    match scene {
        Some(s) if s >= MAX_SCENES => Err(DispatchError::NoSuchScene(s)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use imbolc_types::LaunchQuantize;

    use crate::demo::demo_project;
    use crate::dispatch::dispatch;

    use super::*;

    fn undo(p: &mut Project, out: crate::dispatch::Outcome) {
        for a in out.undo.map(|u| u.inverse).unwrap_or_default() {
            apply(p, a).unwrap();
        }
    }

    #[test]
    fn a_slot_takes_a_clip_of_its_instrument_and_undo_empties_it() {
        let mut p = demo_project();
        let (clip, inst) = p.clips.values().map(|c| (c.id, c.instrument)).next().unwrap();
        let before = p.clone();
        let out = dispatch(&mut p, Action::SetLauncherSlot { instrument: inst, scene: 2, clip: Some(clip) }).unwrap();
        assert_eq!(p.launcher.clip_at(inst, 2), Some(clip));
        assert!(out.diffs.is_empty());
        undo(&mut p, out);
        assert_eq!(p, before);
    }

    #[test]
    fn a_clip_of_another_instrument_or_a_far_scene_is_refused() {
        let mut p = demo_project();
        let (clip, inst) = p.clips.values().map(|c| (c.id, c.instrument)).next().unwrap();
        let other = p.instruments.keys().copied().find(|i| *i != inst).unwrap();
        let before = p.clone();
        assert_eq!(
            dispatch(&mut p, Action::SetLauncherSlot { instrument: other, scene: 0, clip: Some(clip) }),
            Err(DispatchError::ClipNotOfInstrument { clip, instrument: other })
        );
        assert_eq!(
            dispatch(&mut p, Action::SetLauncherSlot { instrument: inst, scene: MAX_SCENES, clip: Some(clip) }),
            Err(DispatchError::NoSuchScene(MAX_SCENES))
        );
        assert_eq!(p, before);
    }

    #[test]
    fn a_follow_action_is_checked_and_undone() {
        let mut p = demo_project();
        let clip = *p.clips.keys().next().unwrap();
        let bad = imbolc_types::FollowAction { after_loops: 0, ..Default::default() };
        assert_eq!(
            dispatch(&mut p, Action::SetFollowAction { clip, follow: Some(bad) }),
            Err(DispatchError::InvalidFollowAction)
        );
        let before = p.clone();
        let follow = imbolc_types::FollowAction::default();
        let out = dispatch(&mut p, Action::SetFollowAction { clip, follow: Some(follow) }).unwrap();
        assert_eq!(p.launcher.follow.get(&clip), Some(&follow));
        undo(&mut p, out);
        assert_eq!(p, before);
    }

    #[test]
    fn a_clips_own_quantization_is_checked_and_undone() {
        let mut p = demo_project();
        let clip = *p.clips.keys().next().unwrap();
        let before = p.clone();
        let q = Some(LaunchQuantize::Quarter);
        let out = dispatch(&mut p, Action::SetClipLaunchQuantize { clip, quantize: q }).unwrap();
        assert_eq!(p.launcher.quantize_of(clip), LaunchQuantize::Quarter);
        undo(&mut p, out);
        assert_eq!(p, before);
        let missing = imbolc_types::ClipId(u32::MAX);
        assert_eq!(
            dispatch(&mut p, Action::SetClipLaunchQuantize { clip: missing, quantize: q }),
            Err(DispatchError::NoSuchClip(missing))
        );
    }

    #[test]
    fn the_seed_is_saved_and_undone() {
        let mut p = demo_project();
        let out = dispatch(&mut p, Action::SetLauncherSeed { seed: 99 }).unwrap();
        assert_eq!(p.launcher.seed, 99);
        undo(&mut p, out);
        assert_eq!(p.launcher.seed, 0);
    }

    #[test]
    fn quantize_is_saved_and_undone() {
        let mut p = demo_project();
        let out = dispatch(&mut p, Action::SetLaunchQuantize(LaunchQuantize::Bars4)).unwrap();
        assert_eq!(p.launcher.quantize, LaunchQuantize::Bars4);
        undo(&mut p, out);
        assert_eq!(p.launcher.quantize, LaunchQuantize::Bar);
    }

    #[test]
    fn a_learned_pad_is_checked_saved_and_undone() {
        use imbolc_types::PadControl;
        let mut p = demo_project();
        let inst = *p.instruments.keys().next().unwrap();
        let before = p.clone();
        let slot = PadTarget::Slot { instrument: inst, scene: 1 };
        let out =
            dispatch(&mut p, Action::SetPadMapping { channel: 0, control: PadControl::Note(40), target: Some(slot) })
                .unwrap();
        assert_eq!(p.launcher.pad(0, PadControl::Note(40)), Some(slot));
        let bytes = rmp_serde::to_vec_named(&p).unwrap();
        let back: Project = rmp_serde::from_slice(&bytes).unwrap();
        assert_eq!(back.launcher.pads, p.launcher.pads);
        undo(&mut p, out);
        assert_eq!(p, before);
        let gone = imbolc_types::InstrumentId(u32::MAX);
        let bad = Some(PadTarget::StopColumn(gone));
        assert_eq!(
            dispatch(&mut p, Action::SetPadMapping { channel: 0, control: PadControl::Cc(20), target: bad }),
            Err(DispatchError::NoSuchInstrument(gone))
        );
        let bad = Some(PadTarget::StopAll);
        assert!(
            dispatch(&mut p, Action::SetPadMapping { channel: 16, control: PadControl::Cc(20), target: bad }).is_err()
        );
    }
}
