//! Audio tracks and their clips (see `imbolc_types::audio_clip`). Moving,
//! trimming the end, duplicating and deleting an audio clip use the clip
//! and placement actions; this file adds what only audio clips have.

use imbolc_types::audio_clip::secs_per_tick;
use imbolc_types::{
    Action, AudioDiff, AudioRegion, Clip, ClipId, Instrument, InstrumentDef, Placement, Project, Tick, TrackInput,
};

use super::{Applied, DispatchError, Redraw};

/// The first input channel past those a track may record (64 inputs).
const MAX_INPUT_CHANNEL: u32 = 63;

const R: Redraw = Redraw { arrangement: true, ..Redraw::NONE };

fn audio_of(p: &Project, clip: ClipId) -> Result<&AudioRegion, DispatchError> {
    let c = p.clips.get(&clip).ok_or(DispatchError::NoSuchClip(clip))?;
    c.audio.as_ref().ok_or(DispatchError::NotAnAudioClip(clip))
}

fn check_region(region: &AudioRegion) -> Result<(), DispatchError> {
    if region.is_valid() { Ok(()) } else { Err(DispatchError::InvalidAudioRegion) }
}

fn check_span(start: Tick, length: Tick) -> Result<(), DispatchError> {
    if length == 0 || start.checked_add(length).is_none() { Err(DispatchError::InvalidLength) } else { Ok(()) }
}

pub(super) fn apply(p: &mut Project, action: Action) -> Result<Applied, DispatchError> {
    match action {
        Action::AddAudioTrack { name } => {
            let id = p.ids.next_instrument().ok_or(DispatchError::IdsExhausted("instrument"))?;
            let name = if name.is_empty() { format!("audio {id}") } else { name };
            let inst = Instrument { id, name, def: InstrumentDef::audio_track(), mixer: Default::default() };
            let after = p.instruments.last().map(|(k, _)| *k);
            let diff = AudioDiff::InstrumentAdded { instrument: Box::new(inst.clone()), after };
            p.instruments.insert(id, inst);
            Ok(Applied::one(Action::RemoveInstrument { instrument: id }, Some(diff), Redraw::ALL))
        }
        Action::AddAudioClip { instrument, region, start, length } => {
            check_span(start, length)?;
            check_region(&region)?;
            let inst = p.instruments.get(&instrument).ok_or(DispatchError::NoSuchInstrument(instrument))?;
            if !inst.def.audio_track {
                return Err(DispatchError::NotAnAudioTrack(instrument));
            }
            let (clip, placement) = new_clip(p, instrument, *region, start, length)?;
            let mut out = Applied::new(R);
            out.diffs.push(AudioDiff::ClipAdded { clip: Box::new(clip.clone()) });
            out.diffs.push(AudioDiff::PlacementAdded { placement });
            p.clips.insert(clip.id, clip.clone());
            p.placements.insert(placement.id, placement);
            out.inverse.push(Action::RemoveClip { clip: clip.id });
            Ok(out)
        }
        Action::SetTrackInput { instrument, input } => {
            let inst = p.instruments.get(&instrument).ok_or(DispatchError::NoSuchInstrument(instrument))?;
            if !inst.def.audio_track {
                return Err(DispatchError::NotAnAudioTrack(instrument));
            }
            match input {
                TrackInput::Hardware { channel } if channel >= MAX_INPUT_CHANNEL => {
                    return Err(DispatchError::InvalidTrackInput);
                }
                TrackInput::Bus(bus) if !p.buses.contains_key(&bus) => return Err(DispatchError::NoSuchBus(bus)),
                TrackInput::Instrument(id) if id == instrument => return Err(DispatchError::InvalidTrackInput),
                TrackInput::Instrument(id) if !p.instruments.contains_key(&id) => {
                    return Err(DispatchError::NoSuchInstrument(id));
                }
                _ => {}
            }
            let def = &mut p.instruments.get_mut(&instrument).ok_or(DispatchError::NoSuchInstrument(instrument))?.def;
            let old = std::mem::replace(&mut def.record_input, input);
            let redraw = Redraw { instruments: true, ..Redraw::NONE };
            Ok(Applied::one(Action::SetTrackInput { instrument, input: old }, None, redraw))
        }
        Action::SetAudioRegion { clip, region } => {
            check_region(&region)?;
            audio_of(p, clip)?;
            let c = p.clips.get_mut(&clip).ok_or(DispatchError::NoSuchClip(clip))?;
            let old = c.audio.replace((*region).clone()).ok_or(DispatchError::NotAnAudioClip(clip))?;
            Ok(Applied::one(
                Action::SetAudioRegion { clip, region: Box::new(old) },
                Some(AudioDiff::AudioRegionChanged { clip, region }),
                R,
            ))
        }
        Action::SetAudioClipSpan { placement, start, length, offset } => {
            check_span(start, length)?;
            let pl = *p.placements.get(&placement).ok_or(DispatchError::NoSuchPlacement(placement))?;
            let mut region = audio_of(p, pl.clip)?.clone();
            let old_offset = region.offset;
            region.offset = offset;
            check_region(&region)?;
            let new_pl = Placement { start, length, ..pl };
            let mut out = Applied::new(R);
            if new_pl != pl {
                p.placements.insert(placement, new_pl);
                out.diffs.push(AudioDiff::PlacementChanged { placement: new_pl });
            }
            if offset != old_offset {
                if let Some(c) = p.clips.get_mut(&pl.clip) {
                    c.audio = Some(region.clone());
                }
                out.diffs.push(AudioDiff::AudioRegionChanged { clip: pl.clip, region: Box::new(region) });
            }
            out.inverse.push(Action::SetAudioClipSpan {
                placement,
                start: pl.start,
                length: pl.length,
                offset: old_offset,
            });
            Ok(out)
        }
        Action::SplitAudioClip { placement, at } => {
            let pl = *p.placements.get(&placement).ok_or(DispatchError::NoSuchPlacement(placement))?;
            let end = pl.start.saturating_add(pl.length);
            if at <= pl.start || at >= end {
                return Err(DispatchError::SplitOutside);
            }
            let clip = p.clips.get(&pl.clip).ok_or(DispatchError::NoSuchClip(pl.clip))?;
            let mut region = audio_of(p, pl.clip)?.clone();
            let cut = at - pl.start;
            region.offset += f64::from(cut) * secs_per_tick(p.tempo);
            region.fade_in = 0.0;
            let length = clip.length.saturating_sub(cut).max(1);
            let (instrument, name) = (clip.instrument, clip.name.clone());
            let (mut new, new_pl) = new_clip(p, instrument, region, at, end - at)?;
            new.length = length;
            new.name = format!("{name} (2)");
            let mut out = Applied::new(R);
            let cut_pl = Placement { length: cut, ..pl };
            p.placements.insert(placement, cut_pl);
            out.diffs.push(AudioDiff::PlacementChanged { placement: cut_pl });
            out.diffs.push(AudioDiff::ClipAdded { clip: Box::new(new.clone()) });
            out.diffs.push(AudioDiff::PlacementAdded { placement: new_pl });
            out.inverse.push(Action::RemoveClip { clip: new.id });
            out.inverse.push(Action::ResizePlacement { placement, length: pl.length });
            p.clips.insert(new.id, new);
            p.placements.insert(new_pl.id, new_pl);
            Ok(out)
        }
        // `super::apply` routes only this domain's actions here.
        _ => Ok(Applied::new(Redraw::NONE)),
    }
}

/// A new audio clip of `length` ticks with one placement at `start`
/// (ids allocated, nothing inserted).
pub(super) fn new_clip(
    p: &mut Project,
    instrument: imbolc_types::InstrumentId,
    region: AudioRegion,
    start: Tick,
    length: Tick,
) -> Result<(Clip, Placement), DispatchError> {
    let id = p.ids.next_clip().ok_or(DispatchError::IdsExhausted("clip"))?;
    let pid = p.ids.next_placement().ok_or(DispatchError::IdsExhausted("placement"))?;
    let name = region.sample.name.clone();
    let clip = Clip {
        id,
        name,
        instrument,
        length,
        looping: false,
        notes: Default::default(),
        drums: None,
        audio: Some(region),
    };
    Ok((clip, Placement { id: pid, clip: id, start, length }))
}
