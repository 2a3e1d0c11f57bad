//! Generator clips: attach, change or detach a clip's generator, put one
//! back exactly (undo), and capture its notes into an ordinary clip.
//!
//! Design: the generator's output *is* the clip's notes. A parameter
//! change renders the generator again (a pure function of it, see
//! `imbolc_types::generate`) and replaces that clip's notes; a generated
//! note equal to one the clip already has keeps its id, so the
//! `NotesChanged` diff holds only the notes that differ. The scheduler
//! plays the clip like any other (arrangement, launcher, renders); it
//! never sees the generator. Hand edits of a generated clip's notes are
//! refused (`notes` checks [`check_not_generated`]).

use std::collections::{BTreeMap, HashMap};

use imbolc_types::generate::Generator;
use imbolc_types::{Action, AudioDiff, Clip, ClipId, GeneratedClip, Note, NoteDelta, NoteId, Project};

use super::{Applied, DispatchError, Redraw};

const R: Redraw = Redraw { arrangement: true, notes: true, ..Redraw::NONE };

/// Refuses a note edit of a generated clip.
pub(super) fn check_not_generated(p: &Project, clip: ClipId) -> Result<(), DispatchError> {
    if p.generators.contains_key(&clip) { Err(DispatchError::Generated(clip)) } else { Ok(()) }
}

/// Detaches the generator of a clip about to be removed; returns what
/// puts it back, to follow the clip's own restore in the inverse.
pub(super) fn take_generator(p: &mut Project, clip: ClipId) -> Option<Action> {
    let c = p.clips.get(&clip)?;
    p.generators.contains_key(&clip).then_some(())?;
    let back = Action::RestoreGenerator(Box::new(snapshot(p, c)));
    p.generators.remove(&clip);
    Some(back)
}

fn note_clip(p: &Project, id: ClipId) -> Result<&Clip, DispatchError> {
    let c = p.clips.get(&id).ok_or(DispatchError::NoSuchClip(id))?;
    if c.drums.is_some() || c.audio.is_some() {
        return Err(DispatchError::NotANoteClip(id));
    }
    Ok(c)
}

/// The clip as it is now, for an exact undo.
fn snapshot(p: &Project, c: &Clip) -> GeneratedClip {
    GeneratedClip {
        clip: c.id,
        generator: p.generators.get(&c.id).cloned(),
        length: c.length,
        looping: c.looping,
        notes: c.notes.iter().map(|(id, n)| (*id, *n)).collect(),
    }
}

pub(super) fn apply(p: &mut Project, action: Action) -> Result<Applied, DispatchError> {
    match action {
        Action::SetGenerator { clip, generator: Some(g) } => set(p, clip, *g),
        Action::SetGenerator { clip, generator: None } => {
            let c = note_clip(p, clip)?;
            if !p.generators.contains_key(&clip) {
                return Err(DispatchError::NoGenerator(clip));
            }
            let old = snapshot(p, c);
            p.generators.remove(&clip);
            Ok(Applied::one(Action::RestoreGenerator(Box::new(old)), None, R))
        }
        Action::RestoreGenerator(gc) => restore(p, *gc),
        Action::CaptureGenerator { clip } => capture(p, clip),
        // `super::apply` routes only this domain's actions here.
        _ => Ok(Applied::new(Redraw::NONE)),
    }
}

/// The diff and the clip's new notes when its notes become `new` (ids
/// given): only notes that differ are in the delta.
fn replace_notes(c: &mut Clip, new: BTreeMap<NoteId, Note>) -> NoteDelta {
    let removed = c.notes.keys().filter(|id| !new.contains_key(id)).copied().collect();
    let upserted = new.iter().filter(|(id, n)| c.notes.get(id) != Some(n)).map(|(id, n)| (*id, *n)).collect();
    c.notes = new.into();
    NoteDelta { upserted, removed }
}

fn set(p: &mut Project, clip: ClipId, g: Generator) -> Result<Applied, DispatchError> {
    g.check().map_err(DispatchError::InvalidGenerator)?;
    let c = note_clip(p, clip)?;
    let old = snapshot(p, c);
    let (length, rendered) = g.render();
    // Notes equal to one already there keep its id (the first unclaimed).
    let mut by_value: HashMap<Note, Vec<NoteId>> = HashMap::new();
    for (id, n) in c.notes.iter().rev() {
        by_value.entry(*n).or_default().push(*id);
    }
    let mut kept = Vec::with_capacity(rendered.len());
    let mut fresh = Vec::new();
    for n in rendered {
        match by_value.get_mut(&n).and_then(Vec::pop) {
            Some(id) => kept.push((id, n)),
            None => fresh.push(n),
        }
    }
    // Checked before any id is taken, so a refusal changes nothing.
    let fits = u32::try_from(fresh.len()).ok().and_then(|n| p.ids.note.checked_add(n)).is_some();
    if !fits {
        return Err(DispatchError::IdsExhausted("note"));
    }
    let mut new: BTreeMap<NoteId, Note> = kept.into_iter().collect();
    new.extend(fresh.into_iter().filter_map(|n| p.ids.next_note().map(|id| (id, n))));
    let c = p.clips.get_mut(&clip).ok_or(DispatchError::NoSuchClip(clip))?;
    let delta = replace_notes(c, new);
    let mut out = Applied::new(R);
    if c.length != length || !c.looping {
        c.length = length;
        c.looping = true;
        out.diffs.push(AudioDiff::ClipChanged { clip, length, looping: true });
    }
    if !delta.upserted.is_empty() || !delta.removed.is_empty() {
        out.diffs.push(AudioDiff::NotesChanged { clip, delta });
    }
    p.generators.insert(clip, g);
    out.inverse.push(Action::RestoreGenerator(Box::new(old)));
    Ok(out)
}

fn restore(p: &mut Project, gc: GeneratedClip) -> Result<Applied, DispatchError> {
    let c = note_clip(p, gc.clip)?;
    if gc.length == 0 || gc.notes.iter().any(|(_, n)| !n.is_valid()) {
        return Err(DispatchError::InvalidNote);
    }
    if let Some(g) = &gc.generator {
        g.check().map_err(DispatchError::InvalidGenerator)?;
    }
    let new: BTreeMap<NoteId, Note> = gc.notes.iter().copied().collect();
    if new.len() != gc.notes.len() {
        return Err(DispatchError::IdInUse("note listed twice".to_owned()));
    }
    let old = snapshot(p, c);
    let clip = gc.clip;
    let c = p.clips.get_mut(&clip).ok_or(DispatchError::NoSuchClip(clip))?;
    let delta = replace_notes(c, new);
    let mut out = Applied::new(R);
    if c.length != gc.length || c.looping != gc.looping {
        c.length = gc.length;
        c.looping = gc.looping;
        out.diffs.push(AudioDiff::ClipChanged { clip, length: gc.length, looping: gc.looping });
    }
    if !delta.upserted.is_empty() || !delta.removed.is_empty() {
        out.diffs.push(AudioDiff::NotesChanged { clip, delta });
    }
    match gc.generator {
        Some(g) => p.generators.insert(clip, g),
        None => p.generators.remove(&clip),
    };
    out.inverse.push(Action::RestoreGenerator(Box::new(old)));
    Ok(out)
}

fn capture(p: &mut Project, clip: ClipId) -> Result<Applied, DispatchError> {
    let c = note_clip(p, clip)?;
    if !p.generators.contains_key(&clip) {
        return Err(DispatchError::NoGenerator(clip));
    }
    let fits = u32::try_from(c.notes.len()).ok().and_then(|n| p.ids.note.checked_add(n)).is_some();
    if !fits {
        return Err(DispatchError::IdsExhausted("note"));
    }
    let source = c.clone();
    let id = p.ids.next_clip().ok_or(DispatchError::IdsExhausted("clip"))?;
    let notes = source.notes.values().filter_map(|n| p.ids.next_note().map(|nid| (nid, *n))).collect();
    let copy = Clip { id, name: format!("{} capture", source.name), notes, ..source };
    let diff = AudioDiff::ClipAdded { clip: Box::new(copy.clone()) };
    p.clips.insert(id, copy);
    Ok(Applied::one(Action::RemoveClip { clip: id }, Some(diff), R))
}
