//! Slices of a pad's sample assigned to pads: slice `n` goes to pad `n`,
//! each new pad playing the same sound limited to its slice's region. One
//! [`Action::SetDrumPads`], so the whole assignment is one undo step and
//! its diff names only the pads that change.

use imbolc_types::drums::PAD_COUNT;
use imbolc_types::{Action, DrumPad, InstrumentId, Project};

use crate::analysis::Slices;

/// Why slices could not be assigned (nothing changed; the user picks
/// another pad or makes slices first).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SliceError {
    /// The instrument is gone or is not a drum kit, or has no such pad.
    #[error("no pad {pad} on a drum kit {instrument}")]
    NoSuchPad { instrument: InstrumentId, pad: u8 },
    /// The pad plays a built-in voice, which has no frames to slice.
    #[error("pad {pad} holds no sample")]
    NotASample { pad: u8 },
    /// No slice is longer than zero frames.
    #[error("there are no slices to assign")]
    NoSlices,
}

/// The action giving pads `0..` the slices of `source`'s sample (at most
/// [`PAD_COUNT`]; further slices are left out). Each pad takes the source
/// pad's sound, level and tune, the slice as its region, and the name
/// `<source name> <n>`, and plays it as a one-shot (a loop pad's beats
/// are the whole loop's, not a slice's); and the count of slices assigned.
///
/// # Errors
/// [`SliceError`] when the pad is missing or holds no sample, or there
/// are no slices.
pub fn assign_slices_action(
    project: &Project,
    instrument: InstrumentId,
    source: u8,
    slices: &Slices,
) -> Result<(Action, usize), SliceError> {
    let no_pad = SliceError::NoSuchPad { instrument, pad: source };
    let kit = project.instruments.get(&instrument).and_then(|i| i.def.drums.as_ref()).ok_or(no_pad.clone())?;
    let pad = kit.pads.get(usize::from(source)).ok_or(no_pad)?;
    if pad.sample().is_none() && pad.stored().is_none() {
        return Err(SliceError::NotASample { pad: source });
    }
    let base = pad.name.split_once(" #").map_or(pad.name.as_str(), |(b, _)| b).to_owned();
    let pads: Vec<(u8, DrumPad)> = slices
        .regions()
        .into_iter()
        .filter(|(s, e)| s < e)
        .take(PAD_COUNT)
        .enumerate()
        .filter_map(|(n, region)| {
            let def =
                DrumPad { name: format!("{base} #{}", n + 1), region: Some(region), loop_beats: None, ..pad.clone() };
            Some((u8::try_from(n).ok()?, def))
        })
        .collect();
    if pads.is_empty() {
        return Err(SliceError::NoSlices);
    }
    let count = pads.len();
    Ok((Action::SetDrumPads { instrument, pads }, count))
}

#[cfg(test)]
mod tests {
    use imbolc_types::PadSound;

    use super::*;
    use crate::UndoHistory;
    use crate::dispatch;

    const KIT: InstrumentId = InstrumentId(0);

    fn kit_with_sample() -> Project {
        let mut p = Project::new("s");
        dispatch(&mut p, Action::AddDrumKit { name: String::new() }).expect("kit");
        let def = DrumPad {
            name: "loop".into(),
            sound: PadSound::Sample { path: "/tmp/loop.wav".into() },
            level: 0.8,
            pitch: 0.0,
            region: None,
            loop_beats: Some(8.0),
        };
        dispatch(&mut p, Action::SetDrumPad { instrument: KIT, pad: 2, def }).expect("pad");
        p
    }

    #[test]
    fn slices_go_to_pads_in_order_and_undo_in_one_step() {
        let mut p = kit_with_sample();
        let before = p.clone();
        let (action, n) = assign_slices_action(&p, KIT, 2, &Slices::equal(4000, 4)).expect("action");
        assert_eq!(n, 4);
        let out = dispatch(&mut p, action).expect("applies");
        assert_eq!(out.diffs.len(), 4, "one diff per pad changed");
        let pads = &p.instruments[&KIT].def.drums.as_ref().expect("kit").pads;
        let regions: Vec<_> = pads.iter().take(5).map(|d| d.region).collect();
        assert_eq!(regions, vec![Some((0, 1000)), Some((1000, 2000)), Some((2000, 3000)), Some((3000, 4000)), None]);
        assert_eq!(pads[3].name, "loop #4");
        assert!(pads[..4].iter().all(|d| d.sample() == Some("/tmp/loop.wav") && d.level == 0.8));
        assert!(pads[..4].iter().all(|d| d.loop_beats.is_none()), "slices of a loop play as one-shots");

        let mut history = UndoHistory::new(100, 1 << 20);
        history.push(out.undo.expect("undo entry"), std::time::Instant::now());
        history.undo(&mut p).expect("undo applies").expect("one step");
        assert_eq!(p, before);
        assert!(!history.can_undo());
    }

    #[test]
    fn more_than_sixteen_slices_fill_the_kit_and_voices_refuse() {
        let p = kit_with_sample();
        let (action, n) = assign_slices_action(&p, KIT, 2, &Slices::equal(32_000, 32)).expect("action");
        assert_eq!(n, PAD_COUNT);
        assert!(matches!(action, Action::SetDrumPads { ref pads, .. } if pads.len() == PAD_COUNT));
        assert_eq!(assign_slices_action(&p, KIT, 0, &Slices::equal(100, 4)), Err(SliceError::NotASample { pad: 0 }));
        assert!(assign_slices_action(&p, KIT, 16, &Slices::equal(100, 4)).is_err());
    }

    #[test]
    fn a_stored_sample_slices_like_a_file() {
        let mut p = kit_with_sample();
        let sample = imbolc_types::SampleRef {
            hash: "a".repeat(64),
            name: "loop.wav".into(),
            format: imbolc_types::SampleFormat::Wav,
            channels: 1,
            sample_rate: 48_000,
            frames: 4000,
            bytes: 8044,
        };
        let def = DrumPad {
            name: "loop".into(),
            sound: PadSound::Stored(sample.clone()),
            level: 1.0,
            pitch: 0.0,
            region: None,
            loop_beats: None,
        };
        dispatch(&mut p, Action::SetDrumPad { instrument: KIT, pad: 2, def }).expect("pad");
        let (action, n) = assign_slices_action(&p, KIT, 2, &Slices::equal(4000, 4)).expect("action");
        assert_eq!(n, 4);
        dispatch(&mut p, action).expect("applies");
        let pads = &p.instruments[&KIT].def.drums.as_ref().expect("kit").pads;
        assert!(pads[..4].iter().all(|d| d.stored() == Some(&sample)), "each slice plays the stored sample");
    }
}
