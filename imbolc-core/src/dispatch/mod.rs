//! `dispatch`: the one way a project changes. Pure: no I/O, no threads, no
//! clock. Each action is validated completely before anything is mutated,
//! so an error leaves the project exactly as it was.
//!
//! One file per domain: `project`, `instrument`, `param`, `effect`,
//! `mixer` (strips, sends, buses, master), `clip` (clips, placements),
//! `audio_clip` (audio tracks and clips), `launcher` (the clip launcher's slots), `layer` (layer links), `notes`, `automation` (lanes and MIDI mappings), `automation_takes`
//! (segment curves, recorded takes), `drums` (kits, pads, patterns, steps),
//! `generate` (generator clips), with `dependents` for what a removal
//! takes along.

mod audio_clip;
mod automation;
mod automation_takes;
mod clip;
mod dependents;
mod drums;
mod effect;
mod error;
mod freeze;
mod generate;
pub(crate) mod instrument;
mod keys;
mod launcher;
mod layer;
mod mixer;
mod notes;
pub(crate) mod param;
mod pitch;
mod project;
mod sampler;

pub use effect::CONVOLUTION;
pub use error::DispatchError;
pub use param::{param_range, param_value};

use imbolc_types::{Action, AudioDiff, Project};

use crate::undo::UndoEntry;

/// Whether `value` may be an automation point of `target` (the script
/// checks before it adds the lane a point needs).
pub(crate) use automation::check_point;

/// Which parts of the screen an action changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Redraw {
    pub instruments: bool,
    pub mixer: bool,
    pub notes: bool,
    pub arrangement: bool,
    pub automation: bool,
    /// Name, tempo, time signature, MIDI mappings.
    pub project: bool,
}

impl Redraw {
    /// Nothing.
    pub const NONE: Redraw = Redraw {
        instruments: false,
        mixer: false,
        notes: false,
        arrangement: false,
        automation: false,
        project: false,
    };
    /// Instrument list and editors (source, filter, effects).
    pub const INSTRUMENTS: Redraw = Redraw { instruments: true, ..Redraw::NONE };
    /// Mixer strips, buses, master.
    pub const MIXER: Redraw = Redraw { mixer: true, ..Redraw::NONE };
    /// Piano roll and drum steps.
    pub const NOTES: Redraw = Redraw { notes: true, ..Redraw::NONE };
    /// Arrangement timeline.
    pub const ARRANGEMENT: Redraw = Redraw { arrangement: true, ..Redraw::NONE };
    /// Automation lanes.
    pub const AUTOMATION: Redraw = Redraw { automation: true, ..Redraw::NONE };
    /// Title, transport (tempo, time signature), MIDI mappings.
    pub const PROJECT: Redraw = Redraw { project: true, ..Redraw::NONE };

    /// Everything (after undo of an unknown mix, or opening a project).
    pub const ALL: Redraw =
        Redraw { instruments: true, mixer: true, notes: true, arrangement: true, automation: true, project: true };

    /// Both sets of areas.
    pub fn union(self, other: Redraw) -> Redraw {
        Redraw {
            instruments: self.instruments || other.instruments,
            mixer: self.mixer || other.mixer,
            notes: self.notes || other.notes,
            arrangement: self.arrangement || other.arrangement,
            automation: self.automation || other.automation,
            project: self.project || other.project,
        }
    }
}

/// What one dispatched action did.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Facts for the audio thread, in the order they must be applied.
    pub diffs: Vec<AudioDiff>,
    /// How to take the action back (`None` only for actions that change
    /// nothing undoable; today every successful action has one).
    pub undo: Option<UndoEntry>,
    pub redraw: Redraw,
}

/// What a domain handler returns: diffs plus the inverse actions, to be
/// applied in order to undo it.
#[derive(Debug, Default)]
pub(crate) struct Applied {
    pub diffs: Vec<AudioDiff>,
    pub inverse: Vec<Action>,
    pub redraw: Redraw,
}

impl Applied {
    fn new(redraw: Redraw) -> Self {
        Applied { diffs: Vec::new(), inverse: Vec::new(), redraw }
    }

    fn one(inverse: Action, diff: Option<AudioDiff>, redraw: Redraw) -> Self {
        Applied { diffs: diff.into_iter().collect(), inverse: vec![inverse], redraw }
    }
}

/// Applies `action` to `project` and says what changed.
///
/// The undo entry holds the inverse actions, never a copy of the project:
/// its size is that of the edit.
///
/// # Errors
///
/// A [`DispatchError`] when the action names a missing id or carries a value
/// out of range; the project is then unchanged.
pub fn dispatch(project: &mut Project, action: Action) -> Result<Outcome, DispatchError> {
    let label = action.label();
    let coalesce = match &action {
        Action::SetParam { target, .. } => Some(target.clone()),
        _ => None,
    };
    let applied = apply(project, action)?;
    Ok(Outcome {
        diffs: applied.diffs,
        undo: Some(UndoEntry::new(label, applied.inverse, coalesce)),
        redraw: applied.redraw,
    })
}

/// Applies one action without building an undo entry (used by undo/redo).
pub(crate) fn apply(project: &mut Project, action: Action) -> Result<Applied, DispatchError> {
    use Action as A;
    if let Some(id) = freeze::frozen_target(project, &action) {
        return Err(DispatchError::Frozen(id));
    }
    match action {
        A::RenameProject { .. }
        | A::SetArtist { .. }
        | A::SetTimeSignature(_)
        | A::RestoreCheckpoint(_)
        | A::SetTakeFolder { .. }
        | A::SetCountIn { .. } => project::apply(project, action),
        A::SetLauncherSlot { .. }
        | A::SetLaunchQuantize(_)
        | A::SetFollowAction { .. }
        | A::SetLauncherSeed { .. }
        | A::SetPadMapping { .. }
        | A::SetClipLaunchQuantize { .. } => launcher::apply(project, action),
        A::SetPitch { instrument, pitch } => pitch::set_pitch(project, instrument, pitch),
        A::SetTransforms { instrument, transforms } => pitch::set_transforms(project, instrument, transforms),
        A::SetLayer { instrument, layer } => layer::set_layer(project, instrument, layer),
        A::AddInstrument { .. }
        | A::AddCustomInstrument { .. }
        | A::RemoveInstrument { .. }
        | A::RestoreInstrument(_)
        | A::RenameInstrument { .. }
        | A::DuplicateInstrument { .. }
        | A::MoveInstrument { .. }
        | A::SetSource { .. }
        | A::SetFilter { .. }
        | A::SetFilterEnabled { .. }
        | A::SetLfo { .. }
        | A::SetVoiceSettings { .. }
        | A::AddAudioInput { .. }
        | A::SetAudioInput { .. } => instrument::apply(project, action),
        A::SetParam { target, value } => param::set_param(project, target, value),
        A::AddEffect { .. }
        | A::RemoveEffect { .. }
        | A::RestoreEffect(_)
        | A::MoveEffect { .. }
        | A::SetEffectEnabled { .. }
        | A::SetEffectSync { .. }
        | A::SetEffectIr { .. } => effect::apply(project, action),
        A::SetEffectKey { owner, effect, key } => keys::set_key(project, owner, effect, key),
        A::SetMute { .. }
        | A::SetSolo { .. }
        | A::SetOutput { .. }
        | A::AddSend { .. }
        | A::RemoveSend { .. }
        | A::RestoreSend { .. }
        | A::AddBus { .. }
        | A::RemoveBus { .. }
        | A::RestoreBus(_)
        | A::RenameBus { .. }
        | A::SetBusMute { .. }
        | A::SetMasterMute { .. }
        | A::SetMasterLimiter { .. } => mixer::apply(project, action),
        A::AddClip { .. }
        | A::RemoveClip { .. }
        | A::RestoreClip(_)
        | A::DuplicateClip { .. }
        | A::RenameClip { .. }
        | A::SetClipLength { .. }
        | A::SetClipLooping { .. }
        | A::AddPlacement { .. }
        | A::RemovePlacement { .. }
        | A::RestorePlacement(_)
        | A::MovePlacement { .. }
        | A::ResizePlacement { .. } => clip::apply(project, action),
        A::AddAudioTrack { .. }
        | A::AddAudioClip { .. }
        | A::SetAudioRegion { .. }
        | A::SetTrackInput { .. }
        | A::SetAudioClipSpan { .. }
        | A::SplitAudioClip { .. } => audio_clip::apply(project, action),
        A::FreezeInstrument { .. } | A::SetFrozen { .. } => freeze::apply(project, action),
        A::AddNote { .. }
        | A::AddNotes { .. }
        | A::RestoreNotes { .. }
        | A::RemoveNotes { .. }
        | A::MoveNotes { .. }
        | A::ResizeNotes { .. }
        | A::SetNoteVelocity { .. }
        | A::ReplaceNotes { .. } => notes::apply(project, action),
        A::AddLane { .. }
        | A::RemoveLane { .. }
        | A::RestoreLane(_)
        | A::SetLaneEnabled { .. }
        | A::SetAutomationPoint { .. }
        | A::RemoveAutomationPoint { .. }
        | A::MapMidiCc(_)
        | A::UnmapMidiCc { .. }
        | A::RestoreMidiMapping { .. } => automation::apply(project, action),
        A::SetAutomationCurve { lane, tick, curve } => automation_takes::set_curve(project, lane, tick, curve),
        A::ReplaceAutomationPoints { lane, from, to, points, curves } => {
            automation_takes::replace_points(project, lane, (from, to), points, curves)
        }
        A::AddDrumKit { .. }
        | A::SetDrumPad { .. }
        | A::SetDrumPads { .. }
        | A::AddDrumPattern { .. }
        | A::SetDrumSteps { .. }
        | A::ToggleDrumStep { .. }
        | A::SetDrumPattern { .. } => drums::apply(project, action),
        A::SetGenerator { .. } | A::RestoreGenerator(_) | A::CaptureGenerator { .. } => {
            generate::apply(project, action)
        }
        A::AddSampler { .. } | A::AddSamplerZone { .. } | A::SetSamplerZone { .. } | A::RemoveSamplerZone { .. } => {
            sampler::apply(project, action)
        }
    }
}

/// Checks `index` is a valid insert position in a list of `len` items.
fn check_insert_index(index: usize, len: usize) -> Result<(), DispatchError> {
    if index > len { Err(DispatchError::BadIndex { index, len }) } else { Ok(()) }
}

/// Checks `value` is finite and within `min..=max`.
fn check_range(value: f32, (min, max): (f32, f32)) -> Result<(), DispatchError> {
    if !value.is_finite() {
        return Err(DispatchError::NotFinite);
    }
    if value < min || value > max {
        return Err(DispatchError::OutOfRange { value: value.into(), min: min.into(), max: max.into() });
    }
    Ok(())
}

#[cfg(test)]
mod audio_clip_tests;
#[cfg(test)]
mod filter_env_tests;
#[cfg(test)]
mod sync_tests;
#[cfg(test)]
mod tests;
