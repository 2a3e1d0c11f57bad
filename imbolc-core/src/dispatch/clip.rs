//! Clips and their placements on the arrangement.

use imbolc_types::{Action, AudioDiff, Clip, ClipId, Placement, PlacementId, Project, RemovedClip, Tick};

use super::{Applied, DispatchError, Redraw};

const R: Redraw = Redraw { arrangement: true, notes: true, ..Redraw::NONE };

fn clip_mut(p: &mut Project, id: ClipId) -> Result<&mut Clip, DispatchError> {
    p.clips.get_mut(&id).ok_or(DispatchError::NoSuchClip(id))
}

fn placement_mut(p: &mut Project, id: PlacementId) -> Result<&mut Placement, DispatchError> {
    p.placements.get_mut(&id).ok_or(DispatchError::NoSuchPlacement(id))
}

fn check_span(start: Tick, length: Tick) -> Result<(), DispatchError> {
    if length == 0 || start.checked_add(length).is_none() { Err(DispatchError::InvalidLength) } else { Ok(()) }
}

fn clip_changed(c: &Clip) -> Option<AudioDiff> {
    Some(AudioDiff::ClipChanged { clip: c.id, length: c.length, looping: c.looping })
}

/// The copy's name: a default name (`clip 3`, `pattern 3`) becomes the
/// default for the copy's id; another gets the first free number
/// (`fill` → `fill 2`, `fill 2` → `fill 3`).
fn copy_name(p: &Project, name: &str, source: ClipId, copy: ClipId) -> String {
    for kind in ["clip", "pattern"] {
        if name == format!("{kind} {source}") {
            return format!("{kind} {copy}");
        }
    }
    let base = match name.rsplit_once(' ') {
        Some((base, n)) if n.parse::<u32>().is_ok() => base,
        _ => name,
    };
    (2u32..)
        .map(|n| format!("{base} {n}"))
        .find(|candidate| !p.clips.values().any(|c| &c.name == candidate))
        .unwrap_or_else(|| base.to_owned())
}

pub(super) fn apply(p: &mut Project, action: Action) -> Result<Applied, DispatchError> {
    match action {
        Action::AddClip { instrument, name, length } => {
            check_span(0, length)?;
            if !p.instruments.contains_key(&instrument) {
                return Err(DispatchError::NoSuchInstrument(instrument));
            }
            let id = p.ids.next_clip().ok_or(DispatchError::IdsExhausted("clip"))?;
            let name = if name.is_empty() { format!("clip {id}") } else { name };
            let clip = Clip {
                id,
                name,
                instrument,
                length,
                looping: false,
                notes: Default::default(),
                drums: None,
                audio: None,
            };
            let diff = AudioDiff::ClipAdded { clip: Box::new(clip.clone()) };
            p.clips.insert(id, clip);
            Ok(Applied::one(Action::RemoveClip { clip: id }, Some(diff), R))
        }
        Action::RemoveClip { clip } => {
            if !p.clips.contains_key(&clip) {
                return Err(DispatchError::NoSuchClip(clip));
            }
            let mut out = Applied::new(R);
            let generator = super::generate::take_generator(p, clip);
            let ids: Vec<_> = p.placements.values().filter(|pl| pl.clip == clip).map(|pl| pl.id).collect();
            let mut placements = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(pl) = p.placements.remove(&id) {
                    out.diffs.push(AudioDiff::PlacementRemoved { placement: id });
                    placements.push(pl);
                }
            }
            let Some(removed) = p.clips.remove(&clip) else {
                return Err(DispatchError::NoSuchClip(clip));
            };
            out.diffs.push(AudioDiff::ClipRemoved { clip });
            out.inverse.push(Action::RestoreClip(Box::new(RemovedClip { clip: removed, placements })));
            out.inverse.extend(generator);
            Ok(out)
        }
        Action::RestoreClip(r) => {
            let RemovedClip { clip, placements } = *r;
            if p.clips.contains_key(&clip.id) {
                return Err(DispatchError::IdInUse(format!("clip {}", clip.id)));
            }
            if !p.instruments.contains_key(&clip.instrument) {
                return Err(DispatchError::NoSuchInstrument(clip.instrument));
            }
            if let Some(pl) = placements.iter().find(|pl| p.placements.contains_key(&pl.id) || pl.clip != clip.id) {
                return Err(DispatchError::IdInUse(format!("placement {}", pl.id)));
            }
            let id = clip.id;
            let mut out = Applied::new(R);
            out.diffs.push(AudioDiff::ClipAdded { clip: Box::new(clip.clone()) });
            p.clips.insert(id, clip);
            for pl in placements {
                out.diffs.push(AudioDiff::PlacementAdded { placement: pl });
                p.placements.insert(pl.id, pl);
            }
            out.inverse.push(Action::RemoveClip { clip: id });
            Ok(out)
        }
        Action::DuplicateClip { clip } => {
            let source = p.clips.get(&clip).ok_or(DispatchError::NoSuchClip(clip))?;
            let id = p.ids.next_clip().ok_or(DispatchError::IdsExhausted("clip"))?;
            let copy = Clip { id, name: copy_name(p, &source.name, clip, id), ..source.clone() };
            let diff = AudioDiff::ClipAdded { clip: Box::new(copy.clone()) };
            p.clips.insert(id, copy);
            Ok(Applied::one(Action::RemoveClip { clip: id }, Some(diff), R))
        }
        Action::RenameClip { clip, name } => {
            let old = std::mem::replace(&mut clip_mut(p, clip)?.name, name);
            Ok(Applied::one(Action::RenameClip { clip, name: old }, None, R))
        }
        Action::SetClipLength { clip, length } => {
            check_span(0, length)?;
            let c = clip_mut(p, clip)?;
            if c.drums.is_some() {
                return Err(DispatchError::DrumClipLength);
            }
            let old = std::mem::replace(&mut c.length, length);
            Ok(Applied::one(Action::SetClipLength { clip, length: old }, clip_changed(c), R))
        }
        Action::SetClipLooping { clip, looping } => {
            let c = clip_mut(p, clip)?;
            let old = std::mem::replace(&mut c.looping, looping);
            Ok(Applied::one(Action::SetClipLooping { clip, looping: old }, clip_changed(c), R))
        }
        Action::AddPlacement { clip, start, length } => {
            check_span(start, length)?;
            if !p.clips.contains_key(&clip) {
                return Err(DispatchError::NoSuchClip(clip));
            }
            let id = p.ids.next_placement().ok_or(DispatchError::IdsExhausted("placement"))?;
            let placement = Placement { id, clip, start, length };
            p.placements.insert(placement.id, placement);
            Ok(Applied::one(
                Action::RemovePlacement { placement: placement.id },
                Some(AudioDiff::PlacementAdded { placement }),
                R,
            ))
        }
        Action::RemovePlacement { placement } => {
            let removed = p.placements.remove(&placement).ok_or(DispatchError::NoSuchPlacement(placement))?;
            Ok(Applied::one(Action::RestorePlacement(removed), Some(AudioDiff::PlacementRemoved { placement }), R))
        }
        Action::RestorePlacement(placement) => {
            check_span(placement.start, placement.length)?;
            if p.placements.contains_key(&placement.id) {
                return Err(DispatchError::IdInUse(format!("placement {}", placement.id)));
            }
            if !p.clips.contains_key(&placement.clip) {
                return Err(DispatchError::NoSuchClip(placement.clip));
            }
            p.placements.insert(placement.id, placement);
            Ok(Applied::one(
                Action::RemovePlacement { placement: placement.id },
                Some(AudioDiff::PlacementAdded { placement }),
                R,
            ))
        }
        Action::MovePlacement { placement, start } => {
            let pl = placement_mut(p, placement)?;
            check_span(start, pl.length)?;
            let old = std::mem::replace(&mut pl.start, start);
            let diff = AudioDiff::PlacementChanged { placement: *pl };
            Ok(Applied::one(Action::MovePlacement { placement, start: old }, Some(diff), R))
        }
        Action::ResizePlacement { placement, length } => {
            let pl = placement_mut(p, placement)?;
            check_span(pl.start, length)?;
            let old = std::mem::replace(&mut pl.length, length);
            let diff = AudioDiff::PlacementChanged { placement: *pl };
            Ok(Applied::one(Action::ResizePlacement { placement, length: old }, Some(diff), R))
        }
        // `super::apply` routes only this domain's actions here.
        _ => Ok(Applied::new(Redraw::NONE)),
    }
}
