//! The soak's schedule of edits: the project it starts from and random
//! edits of it.

use super::*;

/// A random edit of `project`: most are valid, some name what is not there
/// (refused, so not part of the replay).
pub(super) fn random_action(project: &Project, rng: &mut Rng) -> Action {
    let instruments: Vec<InstrumentId> = project.instruments.keys().copied().collect();
    let clips: Vec<_> =
        project.clips.values().map(|c| (c.id, c.length, c.notes.keys().copied().collect::<Vec<_>>())).collect();
    let Some(&instrument) = rng.pick(&instruments) else {
        let source = SourceKind::ALL[rng.below(3)];
        return Action::AddInstrument { source, name: format!("i{}", rng.below(100)) };
    };
    let owner = if rng.below(4) == 0 { ChainOwner::Master } else { ChainOwner::Instrument(instrument) };
    match rng.below(16) {
        0 if instruments.len() < 6 => {
            Action::AddInstrument { source: SourceKind::ALL[rng.below(3)], name: format!("i{}", rng.below(100)) }
        }
        1 => Action::RemoveInstrument { instrument },
        2 => Action::SetParam {
            target: ParamTarget::Mixer { instrument, param: MixerParam::Level },
            value: rng.below(150) as f32 / 100.0,
        },
        3 => Action::SetParam {
            target: ParamTarget::Mixer { instrument, param: MixerParam::Pan },
            value: rng.below(201) as f32 / 100.0 - 1.0,
        },
        4 => Action::SetParam {
            target: ParamTarget::Envelope { instrument, stage: EnvelopeStage::Release },
            value: 0.01 + rng.below(50) as f32 / 100.0,
        },
        5 => Action::SetParam { target: ParamTarget::Tempo, value: 60.0 + rng.below(140) as f32 },
        6 => Action::AddEffect { owner, kind: EffectKind::ALL[rng.below(3)], index: None },
        7 | 8 => {
            let effects: Vec<_> = project.chain(owner).map(|c| c.iter().map(|e| e.id).collect()).unwrap_or_default();
            match rng.pick(&effects) {
                Some(&effect) if rng.below(2) == 0 => Action::RemoveEffect { owner, effect },
                Some(&effect) => Action::SetEffectEnabled { owner, effect, enabled: rng.below(2) == 0 },
                None => Action::AddEffect { owner, kind: EffectKind::ALL[rng.below(3)], index: Some(0) },
            }
        }
        9 => Action::SetMute { instrument, mute: rng.below(3) == 0 },
        10 => Action::AddClip { instrument, name: "c".into(), length: 480 * (1 + rng.below(8) as u32) },
        11 | 12 => match rng.pick(&clips) {
            Some((clip, length, _)) => {
                let notes = (0..1 + rng.below(6))
                    .map(|_| {
                        let start = rng.below(*length as usize) as u32;
                        Note::new(36 + rng.below(48) as u8, 1 + rng.below(127) as u8, start, 30 + rng.below(400) as u32)
                    })
                    .collect();
                Action::AddNotes { clip: *clip, notes }
            }
            None => Action::AddClip { instrument, name: "c".into(), length: 1920 },
        },
        13 => match rng.pick(&clips) {
            Some((clip, _, ids)) if !ids.is_empty() => {
                let notes = ids.iter().copied().filter(|_| rng.below(2) == 0).collect();
                Action::RemoveNotes { clip: *clip, notes }
            }
            Some((clip, _, _)) => Action::SetClipLooping { clip: *clip, looping: rng.below(2) == 0 },
            None => Action::RemoveInstrument { instrument: InstrumentId(9999) },
        },
        14 => match rng.pick(&clips) {
            Some((clip, _, _)) => {
                Action::AddPlacement { clip: *clip, start: 480 * rng.below(16) as u32, length: 1920 * 4 }
            }
            None => Action::SetClipLooping { clip: imbolc_types::ClipId(9999), looping: true },
        },
        _ => match rng.pick(&clips) {
            Some((clip, _, _)) => Action::SetClipLooping { clip: *clip, looping: rng.below(3) != 0 },
            None => Action::RemoveEffect { owner, effect: imbolc_types::EffectId(9999) },
        },
    }
}

pub(super) fn starting_actions(rng: &mut Rng) -> Vec<Action> {
    let clip = imbolc_types::ClipId(0);
    let notes = (0..8).map(|k| Note::new(48 + rng.below(24) as u8, 100, k * 240, 200)).collect();
    vec![
        Action::AddInstrument { source: SourceKind::ALL[rng.below(3)], name: "lead".into() },
        Action::AddInstrument { source: SourceKind::ALL[rng.below(3)], name: "pad".into() },
        Action::AddClip { instrument: InstrumentId(0), name: "loop".into(), length: 1920 },
        Action::AddNotes { clip, notes },
        Action::SetClipLooping { clip, looping: true },
        Action::AddPlacement { clip, start: 0, length: 1920 * 64 },
    ]
}
