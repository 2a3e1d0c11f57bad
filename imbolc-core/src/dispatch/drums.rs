//! Drum kits and drum patterns: add a kit, edit its pads, add a pattern,
//! set or toggle steps, change step count, resolution and swing.
//!
//! Invariants kept here: a kit has exactly [`PAD_COUNT`] pads; a pattern's
//! clip `length` equals [`DrumPattern::length_ticks`]; steps name a pad
//! below [`PAD_COUNT`] and a step below [`MAX_STEPS`]. Every edit emits a
//! diff the size of the edit (one pad, the steps touched, three numbers).

use imbolc_types::drums::{MAX_STEPS, PAD_COUNT};
use imbolc_types::{
    Action, AudioDiff, Clip, ClipId, DrumPad, DrumPattern, DrumStep, Instrument, InstrumentDef, InstrumentId, Project,
    StepDelta, StepKey, StepResolution,
};

use super::{Applied, DispatchError, Redraw};

const R_KIT: Redraw = Redraw { instruments: true, mixer: true, arrangement: true, automation: true, ..Redraw::NONE };
const R_PAD: Redraw = Redraw::INSTRUMENTS;
const R_STEPS: Redraw = Redraw::NOTES;
const R_PATTERN: Redraw = Redraw { arrangement: true, notes: true, ..Redraw::NONE };

/// The kit of a drum-kit instrument.
fn kit_instrument(p: &mut Project, id: InstrumentId) -> Result<&mut Instrument, DispatchError> {
    let inst = p.instruments.get_mut(&id).ok_or(DispatchError::NoSuchInstrument(id))?;
    if inst.def.drums.is_none() {
        return Err(DispatchError::NotADrumKit(id));
    }
    Ok(inst)
}

/// The clip of a drum pattern and its pattern.
fn pattern_clip(p: &mut Project, id: ClipId) -> Result<&mut Clip, DispatchError> {
    let clip = p.clips.get_mut(&id).ok_or(DispatchError::NoSuchClip(id))?;
    if clip.drums.is_none() {
        return Err(DispatchError::NotADrumPattern(id));
    }
    Ok(clip)
}

fn check_key(key: StepKey) -> Result<(), DispatchError> {
    if key.0 >= MAX_STEPS || usize::from(key.1) >= PAD_COUNT {
        return Err(DispatchError::NoSuchStep { step: key.0, pad: key.1 });
    }
    Ok(())
}

pub(super) fn apply(p: &mut Project, action: Action) -> Result<Applied, DispatchError> {
    match action {
        Action::AddDrumKit { name } => {
            let id = p.ids.next_instrument().ok_or(DispatchError::IdsExhausted("instrument"))?;
            let name = if name.is_empty() { format!("drums {id}") } else { name };
            let inst = Instrument { id, name, def: InstrumentDef::drum_kit(), mixer: Default::default() };
            let after = p.instruments.last().map(|(k, _)| *k);
            let diff = AudioDiff::InstrumentAdded { instrument: Box::new(inst.clone()), after };
            p.instruments.insert(id, inst);
            Ok(Applied::one(Action::RemoveInstrument { instrument: id }, Some(diff), R_KIT))
        }
        Action::SetDrumPad { instrument, pad, def } => set_pad(p, instrument, pad, def),
        Action::SetDrumPads { instrument, pads } => set_pads(p, instrument, pads),
        Action::AddDrumPattern { instrument, name, steps, resolution } => {
            if !DrumPattern::settings_valid(steps, 0.0) {
                return Err(DispatchError::InvalidPattern);
            }
            kit_instrument(p, instrument)?;
            let id = p.ids.next_clip().ok_or(DispatchError::IdsExhausted("clip"))?;
            let name = if name.is_empty() { format!("pattern {id}") } else { name };
            let pattern = DrumPattern::new(steps, resolution);
            let clip = Clip {
                id,
                name,
                instrument,
                length: pattern.length_ticks(),
                looping: true,
                notes: Default::default(),
                drums: Some(pattern),
                audio: None,
            };
            let diff = AudioDiff::ClipAdded { clip: Box::new(clip.clone()) };
            p.clips.insert(id, clip);
            Ok(Applied::one(Action::RemoveClip { clip: id }, Some(diff), R_PATTERN))
        }
        Action::SetDrumSteps { clip, steps } => set_steps(p, clip, steps),
        Action::ToggleDrumStep { clip, key } => {
            check_key(key)?;
            let c = pattern_clip(p, clip)?;
            let current = c.drums.as_ref().and_then(|d| d.hits.get(&key));
            let new = if current.is_some() { None } else { Some(DrumStep::default()) };
            set_steps(p, clip, vec![(key, new)])
        }
        Action::SetDrumPattern { clip, steps, resolution, swing } => set_pattern(p, clip, steps, resolution, swing),
        // `super::apply` routes only this domain's actions here.
        _ => Ok(Applied::new(Redraw::NONE)),
    }
}

fn set_pad(p: &mut Project, instrument: InstrumentId, pad: u8, def: DrumPad) -> Result<Applied, DispatchError> {
    if !def.is_valid() {
        return Err(DispatchError::InvalidPad);
    }
    if def.sample().is_some_and(str::is_empty) {
        return Err(DispatchError::InvalidPad);
    }
    // The hash names the cache file: anything but 64 hex digits is refused.
    if def.stored().is_some_and(|s| !imbolc_types::SampleRef::is_valid_hash(&s.hash)) {
        return Err(DispatchError::InvalidPad);
    }
    let inst = kit_instrument(p, instrument)?;
    let slot = inst
        .def
        .drums
        .as_mut()
        .and_then(|k| k.pads.get_mut(usize::from(pad)))
        .ok_or(DispatchError::NoSuchPad { instrument, pad })?;
    let old = std::mem::replace(slot, def.clone());
    Ok(Applied::one(
        Action::SetDrumPad { instrument, pad, def: old },
        Some(AudioDiff::DrumPadChanged { instrument, pad, def }),
        R_PAD,
    ))
}

/// Several pads at once: all are checked before any changes; one diff per
/// pad that actually changes, and one inverse restoring them all.
fn set_pads(p: &mut Project, instrument: InstrumentId, pads: Vec<(u8, DrumPad)>) -> Result<Applied, DispatchError> {
    if pads.is_empty() {
        return Err(DispatchError::Empty);
    }
    let mut seen = [false; PAD_COUNT];
    for (pad, def) in &pads {
        let slot = seen.get_mut(usize::from(*pad)).ok_or(DispatchError::NoSuchPad { instrument, pad: *pad })?;
        if std::mem::replace(slot, true) || !def.is_valid() || def.sample().is_some_and(str::is_empty) {
            return Err(DispatchError::InvalidPad);
        }
    }
    let inst = kit_instrument(p, instrument)?;
    let kit = inst.def.drums.as_mut().ok_or(DispatchError::NotADrumKit(instrument))?;
    let mut old = Vec::with_capacity(pads.len());
    let mut diffs = Vec::new();
    for (pad, def) in pads {
        let Some(slot) = kit.pads.get_mut(usize::from(pad)) else { continue };
        if *slot != def {
            diffs.push(AudioDiff::DrumPadChanged { instrument, pad, def: def.clone() });
        }
        old.push((pad, std::mem::replace(slot, def)));
    }
    Ok(Applied { diffs, inverse: vec![Action::SetDrumPads { instrument, pads: old }], redraw: R_PAD })
}

fn set_steps(p: &mut Project, clip: ClipId, steps: Vec<(StepKey, Option<DrumStep>)>) -> Result<Applied, DispatchError> {
    if steps.is_empty() {
        return Err(DispatchError::Empty);
    }
    let mut seen = std::collections::BTreeSet::new();
    for (key, step) in &steps {
        check_key(*key)?;
        if !seen.insert(*key) {
            return Err(DispatchError::DuplicateStep { step: key.0, pad: key.1 });
        }
        if step.is_some_and(|s| !s.is_valid()) {
            return Err(DispatchError::InvalidStep);
        }
    }
    let c = pattern_clip(p, clip)?;
    let Some(pattern) = c.drums.as_mut() else { return Err(DispatchError::NotADrumPattern(clip)) };
    let mut delta = StepDelta::default();
    let mut inverse = Vec::with_capacity(steps.len());
    for (key, step) in steps {
        let old = match step {
            Some(s) => {
                delta.set.push((key, s));
                pattern.hits.insert(key, s)
            }
            None => {
                delta.cleared.push(key);
                pattern.hits.remove(&key)
            }
        };
        inverse.push((key, old));
    }
    Ok(Applied::one(
        Action::SetDrumSteps { clip, steps: inverse },
        Some(AudioDiff::DrumStepsChanged { clip, delta }),
        R_STEPS,
    ))
}

fn set_pattern(
    p: &mut Project,
    clip: ClipId,
    steps: u8,
    resolution: StepResolution,
    swing: f32,
) -> Result<Applied, DispatchError> {
    if !DrumPattern::settings_valid(steps, swing) {
        return Err(DispatchError::InvalidPattern);
    }
    let c = pattern_clip(p, clip)?;
    let Some(pattern) = c.drums.as_mut() else { return Err(DispatchError::NotADrumPattern(clip)) };
    let old =
        Action::SetDrumPattern { clip, steps: pattern.steps, resolution: pattern.resolution, swing: pattern.swing };
    pattern.steps = steps;
    pattern.resolution = resolution;
    pattern.swing = swing;
    let length = pattern.length_ticks();
    let mut diffs = vec![AudioDiff::DrumPatternChanged { clip, steps, resolution, swing }];
    if length != c.length {
        c.length = length;
        diffs.push(AudioDiff::ClipChanged { clip, length, looping: c.looping });
    }
    Ok(Applied { diffs, inverse: vec![old], redraw: R_PATTERN })
}

#[cfg(test)]
#[path = "drums_tests.rs"]
mod tests;
