//! Running a [`Command`] on a session: names resolve against the
//! project, and each edit is one [`Action`] through the session (so it is
//! undoable like a key press).

use std::path::PathBuf;

use imbolc_types::{Action, ChainOwner, FilterDef, MixerParam, OutputTarget, ParamTarget, Project};

use super::parse::Command;
use super::{ScriptError, resolve, table};
use crate::session::{AudioSink, Session};

/// What a command asks of whoever runs the script beside editing.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Nothing more; the text is what to print (maybe empty).
    Say(String),
    /// Save the project (to this path, else the session's own).
    Save(Option<PathBuf>),
    /// Stop reading lines.
    Quit,
}

fn owner_name(p: &Project, owner: ChainOwner) -> String {
    match owner {
        ChainOwner::Instrument(i) => p.instruments.get(&i).map_or_else(String::new, |i| i.name.clone()),
        ChainOwner::Bus(b) => p.buses.get(&b).map_or_else(String::new, |b| b.name.clone()),
        ChainOwner::Master => "master".into(),
    }
}

/// Lists instruments (with clips) and buses, one per line.
pub fn list(p: &Project) -> String {
    let mut out = format!(
        "project {:?}, {} bpm, {}/{}\n",
        p.name, p.tempo, p.time_signature.numerator, p.time_signature.denominator
    );
    for inst in p.instruments.values() {
        let kind = if inst.def.drums.is_some() { "drum kit".to_owned() } else { inst.def.source.kind.id().to_owned() };
        let fx: Vec<&str> = inst.def.effects.iter().map(|e| e.kind.id()).collect();
        out.push_str(&format!("instrument {} ({kind}) effects [{}]\n", inst.name, fx.join(", ")));
        for clip in p.clips.values().filter(|c| c.instrument == inst.id) {
            let placed = p.placements.values().filter(|pl| pl.clip == clip.id).count();
            out.push_str(&format!(
                "  clip {}/{}: {} ticks, {} notes, placed {placed} times\n",
                inst.name,
                clip.name,
                clip.length,
                clip.notes.len()
            ));
        }
    }
    for bus in p.buses.values() {
        let fx: Vec<&str> = bus.effects.iter().map(|e| e.kind.id()).collect();
        out.push_str(&format!("bus {} effects [{}]\n", bus.name, fx.join(", ")));
    }
    out
}

/// The action a command stands for, with names resolved; `None` for
/// commands that edit nothing.
///
/// # Errors
/// [`ScriptError::Invalid`] when a name resolves to nothing.
pub fn action(p: &Project, command: &Command) -> Result<Option<Action>, ScriptError> {
    use resolve as r;
    let a = match command.clone() {
        Command::ProjectName(name) => Action::RenameProject { name },
        Command::ProjectArtist(artist) => Action::SetArtist { artist },
        Command::Tempo(value) => Action::SetParam { target: ParamTarget::Tempo, value },
        Command::Time(sig) => Action::SetTimeSignature(sig),
        Command::InstrumentAdd { source, name } => {
            Action::AddInstrument { source, name: name.unwrap_or_else(|| source.id().to_owned()) }
        }
        Command::InstrumentRemove(name) => Action::RemoveInstrument { instrument: r::instrument(p, &name)? },
        Command::InstrumentRename { instrument, name } => {
            Action::RenameInstrument { instrument: r::instrument(p, &instrument)?, name }
        }
        Command::KitAdd(name) => Action::AddDrumKit { name },
        Command::FilterSet { instrument, kind } => {
            Action::SetFilter { instrument: r::instrument(p, &instrument)?, filter: Some(FilterDef::new(kind)) }
        }
        Command::FilterOff(instrument) => {
            Action::SetFilter { instrument: r::instrument(p, &instrument)?, filter: None }
        }
        Command::EffectAdd { owner, kind, at } => Action::AddEffect { owner: r::owner(p, &owner)?, kind, index: at },
        Command::EffectRemove { owner, effect } => {
            let owner = r::owner(p, &owner)?;
            Action::RemoveEffect { owner, effect: r::effect(p, owner, &effect)? }
        }
        Command::EffectBypass { owner, effect, bypass } => {
            let owner = r::owner(p, &owner)?;
            Action::SetEffectEnabled { owner, effect: r::effect(p, owner, &effect)?, enabled: !bypass }
        }
        Command::ParamSet { param, value } => Action::SetParam { target: r::param(p, &param)?, value },
        Command::Mute { instrument, on } => Action::SetMute { instrument: r::instrument(p, &instrument)?, mute: on },
        Command::Solo { instrument, on } => Action::SetSolo { instrument: r::instrument(p, &instrument)?, solo: on },
        Command::BusAdd(name) => Action::AddBus { name },
        Command::BusRemove(bus) => Action::RemoveBus { bus: r::bus(p, &bus)? },
        Command::BusMute { bus, on } => Action::SetBusMute { bus: r::bus(p, &bus)?, mute: on },
        Command::SendAdd { instrument, bus, level } => {
            Action::AddSend { instrument: r::instrument(p, &instrument)?, bus: r::bus(p, &bus)?, level }
        }
        Command::SendRemove { instrument, bus } => {
            Action::RemoveSend { instrument: r::instrument(p, &instrument)?, bus: r::bus(p, &bus)? }
        }
        Command::Output { instrument, target } => {
            let output = if target == "master" { OutputTarget::Master } else { OutputTarget::Bus(r::bus(p, &target)?) };
            Action::SetOutput { instrument: r::instrument(p, &instrument)?, output }
        }
        Command::ClipAdd { instrument, name, length } => {
            Action::AddClip { instrument: r::instrument(p, &instrument)?, name, length }
        }
        Command::ClipLoop { clip, on } => Action::SetClipLooping { clip: r::clip(p, &clip)?, looping: on },
        Command::ClipLength { clip, length } => Action::SetClipLength { clip: r::clip(p, &clip)?, length },
        Command::ClipRemove(clip) => Action::RemoveClip { clip: r::clip(p, &clip)? },
        Command::Place { clip, start, length } => Action::AddPlacement { clip: r::clip(p, &clip)?, start, length },
        Command::NoteAdd { clip, note } => Action::AddNote { clip: r::clip(p, &clip)?, note },
        Command::PatternAdd { kit, name, steps, resolution } => {
            Action::AddDrumPattern { instrument: r::instrument(p, &kit)?, name, steps, resolution }
        }
        Command::PatternSet { clip, steps, resolution, swing } => {
            let id = r::clip(p, &clip)?;
            let pattern = p
                .clips
                .get(&id)
                .and_then(|c| c.drums.as_ref())
                .ok_or_else(|| ScriptError::Invalid(format!("{clip:?} is not a drum pattern")))?;
            Action::SetDrumPattern {
                clip: id,
                steps: steps.unwrap_or(pattern.steps),
                resolution: resolution.unwrap_or(pattern.resolution),
                swing: swing.unwrap_or(pattern.swing),
            }
        }
        Command::StepSet { clip, steps, pad, step } => {
            let (id, pad) = clip_pad(p, &clip, &pad)?;
            Action::SetDrumSteps { clip: id, steps: steps.iter().map(|&s| ((s, pad), Some(step))).collect() }
        }
        Command::StepClear { clip, steps, pad } => {
            let (id, pad) = clip_pad(p, &clip, &pad)?;
            Action::SetDrumSteps { clip: id, steps: steps.iter().map(|&s| ((s, pad), None)).collect() }
        }
        Command::LaneAdd(param) => Action::AddLane { target: r::param(p, &param)? },
        Command::PointSet { param, tick, value } => Action::SetAutomationPoint { lane: lane(p, &param)?, tick, value },
        Command::PointRemove { param, tick } => Action::RemoveAutomationPoint { lane: lane(p, &param)?, tick },
        Command::Undo
        | Command::Redo
        | Command::Save(_)
        | Command::List
        | Command::Checkpoint(_)
        | Command::Checkpoints
        | Command::Restore(_)
        | Command::Quit
        | Command::Help(_) => {
            return Ok(None);
        }
    };
    Ok(Some(a))
}

fn clip_pad(p: &Project, clip: &str, pad: &str) -> Result<(imbolc_types::ClipId, u8), ScriptError> {
    let id = resolve::clip(p, clip)?;
    let inst =
        p.clips.get(&id).map(|c| c.instrument).ok_or_else(|| ScriptError::Invalid(format!("no clip {clip:?}")))?;
    Ok((id, resolve::pad(p, inst, pad)?))
}

fn lane(p: &Project, param: &str) -> Result<imbolc_types::LaneId, ScriptError> {
    let target = resolve::param(p, param)?;
    p.automation
        .values()
        .find(|l| l.target == target)
        .map(|l| l.id)
        .ok_or_else(|| ScriptError::Invalid(format!("no automation lane for {param:?} (lane add {param})")))
}

/// Runs one command on `session`.
///
/// # Errors
/// [`ScriptError`] when a name resolves to nothing or dispatch refuses
/// the edit (the project is then unchanged).
pub fn run<S: AudioSink>(session: &mut Session<S>, command: &Command) -> Result<Effect, ScriptError> {
    let p = session.project();
    // `point set` adds the lane it needs, in the same undo step; the value
    // is checked first so a refused point adds no lane.
    if let Command::PointSet { param, tick, value } = command
        && lane(p, param).is_err()
    {
        let target = resolve::param(p, param)?;
        crate::dispatch::check_point(p, &target, *value)?;
        let lane = imbolc_types::LaneId(p.ids.lane);
        let point = Action::SetAutomationPoint { lane, tick: *tick, value: *value };
        session.dispatch_group("set automation point", vec![Action::AddLane { target }, point])?;
        return Ok(Effect::Say("set automation point".into()));
    }
    if let Some(action) = action(p, command)? {
        let label = action.label();
        session.dispatch(action)?;
        return Ok(Effect::Say(describe(session.project(), command, label)));
    }
    Ok(match command {
        Command::Undo => Effect::Say(match session.undo()? {
            Some(_) => "undone".into(),
            None => "nothing to undo".into(),
        }),
        Command::Redo => Effect::Say(match session.redo()? {
            Some(_) => "redone".into(),
            None => "nothing to redo".into(),
        }),
        Command::Save(path) => Effect::Save(path.clone()),
        Command::List => Effect::Say(list(session.project())),
        Command::Checkpoint(name) => Effect::Say(format!("checkpoint {:?}", session.checkpoint(name)?.name)),
        Command::Checkpoints => Effect::Say(crate::checkpoint::list(session.checkpoints(), session.project())),
        Command::Restore(name) => {
            session.restore_checkpoint(name).map_err(|e| match e {
                crate::session::RestoreError::Checkpoint(e) => ScriptError::Checkpoint(e),
                crate::session::RestoreError::Dispatch(e) => ScriptError::Dispatch(e),
            })?;
            Effect::Say(format!("restored {:?}", name.trim()))
        }
        Command::Quit => Effect::Quit,
        Command::Help(topic) => Effect::Say(table::help(topic)),
        _ => Effect::Say(String::new()),
    })
}

fn describe(p: &Project, command: &Command, label: &str) -> String {
    match command {
        Command::EffectAdd { owner, kind, .. } => {
            let owner = resolve::owner(p, owner).map(|o| owner_name(p, o)).unwrap_or_default();
            format!("added {} to {owner}", kind.id())
        }
        Command::ParamSet { param, .. } => {
            let value = resolve::param(p, param).ok().and_then(|t| current(p, &t));
            value.map_or_else(|| label.to_lowercase(), |v| format!("{param} = {v}"))
        }
        _ => label.to_lowercase(),
    }
}

/// The value a parameter holds now (mixer and tempo values; others as
/// stored).
fn current(p: &Project, target: &ParamTarget) -> Option<f32> {
    match target {
        ParamTarget::Tempo => Some(p.tempo),
        ParamTarget::Mixer { instrument, param: MixerParam::Level } => {
            p.instruments.get(instrument).map(|i| i.mixer.level)
        }
        ParamTarget::Source { instrument, param } => {
            p.instruments.get(instrument)?.def.source.params.get(param).copied()
        }
        ParamTarget::Filter { instrument, param } => {
            p.instruments.get(instrument)?.def.filter.as_ref()?.params.get(param).copied()
        }
        ParamTarget::Effect { owner, effect, param } => {
            p.chain(*owner)?.iter().find(|e| e.id == *effect)?.params.get(param).copied()
        }
        _ => None,
    }
}
