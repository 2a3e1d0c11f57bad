//! Who may make which edit: every [`Action`] kind is classified (an
//! exhaustive `match`, no wildcard: a new variant does not compile until it
//! is classified here) as an edit of one instrument, a project-wide edit,
//! or one anyone may make.
//!
//! The host keeps [`Rights`]: which collaborator owns which instrument and
//! who holds its grant for project-wide edits. A client's edit of an
//! instrument another collaborator owns is refused, and so is a
//! project-wide edit without the grant. The host itself may do anything.
//! Rights are session state, not project state: they are not saved.

use std::collections::{BTreeMap, BTreeSet};

use imbolc_types::{Action, ChainOwner, ClipId, InstrumentId, LaneId, ParamTarget, PlacementId, Project};
use serde::{Deserialize, Serialize};

use super::HOST_AUTHOR;

/// What an action edits, for rights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Notes, steps, automation, params, effects, mixer strip, clips,
    /// placements and launcher slots of one instrument.
    Instrument(InstrumentId),
    /// Tempo, time signature, key, buses, master, MIDI and pad maps, launcher
    /// settings, project name: needs the host's grant.
    Project,
    /// Anyone may (adding an instrument, duplicating one).
    Free,
}

/// The owner map and the grants, broadcast by the host to every client.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rights {
    pub owners: BTreeMap<InstrumentId, u32>,
    /// Clients that may make project-wide edits.
    pub granted: BTreeSet<u32>,
    /// Collaborators' names by author number.
    pub names: BTreeMap<u32, String>,
}

impl Rights {
    /// Who owns `instrument`, if anyone.
    pub fn owner(&self, instrument: InstrumentId) -> Option<u32> {
        self.owners.get(&instrument).copied()
    }

    /// The instruments `author` owns.
    pub fn owned_by(&self, author: u32) -> Vec<InstrumentId> {
        self.owners.iter().filter(|(_, a)| **a == author).map(|(i, _)| *i).collect()
    }

    /// A collaborator's name (`host` for the host).
    pub fn name(&self, author: u32) -> String {
        if author == HOST_AUTHOR {
            return "host".into();
        }
        self.names.get(&author).cloned().unwrap_or_else(|| format!("collaborator {author}"))
    }

    /// Whether `author` may make `action` on `project`; the refusal says why.
    ///
    /// # Errors
    ///
    /// The reason, for the sender only.
    pub fn check(&self, project: &Project, author: u32, action: &Action) -> Result<(), String> {
        if author == HOST_AUTHOR {
            return Ok(());
        }
        match scope(project, action) {
            Scope::Free => Ok(()),
            Scope::Project if self.granted.contains(&author) => Ok(()),
            Scope::Project => Err(format!("{}: a project-wide edit needs the host's grant", action.label())),
            Scope::Instrument(i) => match self.owner(i) {
                Some(owner) if owner != author => {
                    let name = project.instruments.get(&i).map_or_else(|| format!("{i:?}"), |x| x.name.clone());
                    Err(format!("{}: instrument \"{name}\" belongs to {}", action.label(), self.name(owner)))
                }
                _ => Ok(()),
            },
        }
    }
}

fn clip(p: &Project, clip: ClipId) -> Scope {
    p.clips.get(&clip).map_or(Scope::Free, |c| Scope::Instrument(c.instrument))
}

fn placement(p: &Project, placement: PlacementId) -> Scope {
    p.placements.get(&placement).map_or(Scope::Free, |pl| clip(p, pl.clip))
}

fn chain(owner: &ChainOwner) -> Scope {
    match owner {
        ChainOwner::Instrument(i) => Scope::Instrument(*i),
        ChainOwner::Bus(_) | ChainOwner::Master => Scope::Project,
    }
}

/// Whose parameter `target` is.
pub fn param(target: &ParamTarget) -> Scope {
    match target {
        ParamTarget::Source { instrument, .. }
        | ParamTarget::Envelope { instrument, .. }
        | ParamTarget::Filter { instrument, .. }
        | ParamTarget::Lfo { instrument, .. }
        | ParamTarget::Mixer { instrument, .. } => Scope::Instrument(*instrument),
        ParamTarget::Effect { owner, .. } => chain(owner),
        ParamTarget::BusMixer { .. }
        | ParamTarget::MasterLevel
        | ParamTarget::MasterLimiterCeiling
        | ParamTarget::Tempo => Scope::Project,
    }
}

fn lane(p: &Project, lane: LaneId) -> Scope {
    p.automation.get(&lane).map_or(Scope::Free, |l| param(&l.target))
}

/// What `action` edits in `project` (an id that does not exist is
/// [`Scope::Free`]: dispatch refuses it anyway).
pub fn scope(p: &Project, action: &Action) -> Scope {
    use Action as A;
    use Scope::{Free, Instrument, Project};
    match action {
        A::RenameProject { .. }
        | A::SetArtist { .. }
        | A::SetTimeSignature(_)
        | A::RestoreCheckpoint(_)
        | A::SetTakeFolder { .. }
        | A::SetCountIn { .. }
        | A::SetLaunchQuantize(_)
        | A::SetLauncherSeed { .. }
        | A::AddBus { .. }
        | A::RemoveBus { .. }
        | A::RestoreBus(_)
        | A::RenameBus { .. }
        | A::SetBusMute { .. }
        | A::SetMasterMute { .. }
        | A::SetMasterLimiter { .. }
        | A::MapMidiCc(_)
        | A::UnmapMidiCc { .. }
        | A::RestoreMidiMapping { .. }
        | A::SetPadMapping { .. } => Project,
        A::SetPitch { instrument, .. } => instrument.map_or(Project, Instrument),
        A::AddInstrument { .. }
        | A::AddCustomInstrument { .. }
        | A::AddAudioInput { .. }
        | A::AddAudioTrack { .. }
        | A::AddDrumKit { .. }
        | A::AddSampler { .. }
        | A::DuplicateInstrument { .. } => Free,
        A::SetTransforms { instrument, .. }
        | A::SetLayer { instrument, .. }
        | A::SetLauncherSlot { instrument, .. }
        | A::RemoveInstrument { instrument }
        | A::RenameInstrument { instrument, .. }
        | A::MoveInstrument { instrument, .. }
        | A::SetSource { instrument, .. }
        | A::SetFilter { instrument, .. }
        | A::SetFilterEnabled { instrument, .. }
        | A::SetLfo { instrument, .. }
        | A::SetVoiceSettings { instrument, .. }
        | A::SetAudioInput { instrument, .. }
        | A::SetMute { instrument, .. }
        | A::SetSolo { instrument, .. }
        | A::SetOutput { instrument, .. }
        | A::AddSend { instrument, .. }
        | A::RemoveSend { instrument, .. }
        | A::RestoreSend { instrument, .. }
        | A::AddClip { instrument, .. }
        | A::AddAudioClip { instrument, .. }
        | A::SetTrackInput { instrument, .. }
        | A::FreezeInstrument { instrument, .. }
        | A::SetFrozen { instrument, .. }
        | A::SetDrumPad { instrument, .. }
        | A::AddSamplerZone { instrument, .. }
        | A::SetSamplerZone { instrument, .. }
        | A::RemoveSamplerZone { instrument, .. }
        | A::SetDrumPads { instrument, .. }
        | A::AddDrumPattern { instrument, .. } => Instrument(*instrument),
        A::RestoreInstrument(r) => Instrument(r.instrument.id),
        A::SetParam { target, .. } | A::AddLane { target } => param(target),
        A::AddEffect { owner, .. }
        | A::RemoveEffect { owner, .. }
        | A::MoveEffect { owner, .. }
        | A::SetEffectEnabled { owner, .. }
        | A::SetEffectSync { owner, .. }
        | A::SetEffectKey { owner, .. }
        | A::SetEffectIr { owner, .. } => chain(owner),
        A::RestoreEffect(r) => chain(&r.owner),
        A::SetClipLaunchQuantize { clip: c, .. }
        | A::SetFollowAction { clip: c, .. }
        | A::RemoveClip { clip: c }
        | A::DuplicateClip { clip: c }
        | A::RenameClip { clip: c, .. }
        | A::SetClipLength { clip: c, .. }
        | A::SetClipLooping { clip: c, .. }
        | A::AddPlacement { clip: c, .. }
        | A::SetAudioRegion { clip: c, .. }
        | A::AddNote { clip: c, .. }
        | A::AddNotes { clip: c, .. }
        | A::RestoreNotes { clip: c, .. }
        | A::RemoveNotes { clip: c, .. }
        | A::MoveNotes { clip: c, .. }
        | A::ResizeNotes { clip: c, .. }
        | A::SetNoteVelocity { clip: c, .. }
        | A::ReplaceNotes { clip: c, .. }
        | A::SetDrumSteps { clip: c, .. }
        | A::ToggleDrumStep { clip: c, .. }
        | A::SetDrumPattern { clip: c, .. }
        | A::SetGenerator { clip: c, .. }
        | A::CaptureGenerator { clip: c } => clip(p, *c),
        A::RestoreGenerator(g) => clip(p, g.clip),
        A::RestoreClip(r) => Instrument(r.clip.instrument),
        A::RemovePlacement { placement: pl }
        | A::MovePlacement { placement: pl, .. }
        | A::ResizePlacement { placement: pl, .. }
        | A::SetAudioClipSpan { placement: pl, .. }
        | A::SplitAudioClip { placement: pl, .. } => placement(p, *pl),
        A::RestorePlacement(pl) => clip(p, pl.clip),
        A::RemoveLane { lane: l }
        | A::SetLaneEnabled { lane: l, .. }
        | A::SetAutomationPoint { lane: l, .. }
        | A::RemoveAutomationPoint { lane: l, .. }
        | A::SetAutomationCurve { lane: l, .. }
        | A::ReplaceAutomationPoints { lane: l, .. } => lane(p, *l),
        A::RestoreLane(l) => param(&l.target),
    }
}
