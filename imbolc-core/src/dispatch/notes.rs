//! Notes of a clip, many at once: add, remove, restore, move, resize,
//! velocity, replace. Every multi-note edit is checked whole before any
//! note changes, and emits one `NotesChanged` with just those notes.

use std::collections::BTreeSet;

use imbolc_types::{Action, AudioDiff, Clip, ClipId, Note, NoteDelta, NoteId, Project};

use super::{Applied, DispatchError, Redraw};

const R: Redraw = Redraw::NOTES;

fn clip_mut(p: &mut Project, id: ClipId) -> Result<&mut Clip, DispatchError> {
    p.clips.get_mut(&id).ok_or(DispatchError::NoSuchClip(id))
}

fn check_note(n: &Note) -> Result<(), DispatchError> {
    if n.is_valid() { Ok(()) } else { Err(DispatchError::InvalidNote) }
}

/// Checks the ids are present and listed once.
fn check_ids(c: &Clip, ids: impl IntoIterator<Item = NoteId>) -> Result<(), DispatchError> {
    let mut seen = BTreeSet::new();
    let mut any = false;
    for id in ids {
        any = true;
        if !c.notes.contains_key(&id) {
            return Err(DispatchError::NoSuchNote { clip: c.id, note: id });
        }
        if !seen.insert(id) {
            return Err(DispatchError::DuplicateNote(id));
        }
    }
    if any { Ok(()) } else { Err(DispatchError::Empty) }
}

fn changed(clip: ClipId, upserted: Vec<(NoteId, Note)>, removed: Vec<NoteId>) -> Option<AudioDiff> {
    Some(AudioDiff::NotesChanged { clip, delta: NoteDelta { upserted, removed } })
}

/// Computes new values for `ids` with `f`, checks them all, then writes
/// them; the inverse is `ReplaceNotes` with the old values.
fn edit(
    p: &mut Project,
    clip: ClipId,
    ids: Vec<NoteId>,
    f: impl Fn(&Note) -> Option<Note>,
) -> Result<Applied, DispatchError> {
    let c = clip_mut(p, clip)?;
    check_ids(c, ids.iter().copied())?;
    let mut new = Vec::with_capacity(ids.len());
    let mut old = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(n) = c.notes.get(&id) else { return Err(DispatchError::NoSuchNote { clip, note: id }) };
        let updated = f(n).filter(Note::is_valid).ok_or(DispatchError::InvalidNote)?;
        old.push((id, *n));
        new.push((id, updated));
    }
    for (id, n) in &new {
        c.notes.insert(*id, *n);
    }
    Ok(Applied::one(Action::ReplaceNotes { clip, notes: old }, changed(clip, new, Vec::new()), R))
}

/// The clip a note action edits.
fn target(action: &Action) -> Option<ClipId> {
    match action {
        Action::AddNote { clip, .. }
        | Action::AddNotes { clip, .. }
        | Action::RestoreNotes { clip, .. }
        | Action::RemoveNotes { clip, .. }
        | Action::MoveNotes { clip, .. }
        | Action::ResizeNotes { clip, .. }
        | Action::SetNoteVelocity { clip, .. }
        | Action::ReplaceNotes { clip, .. } => Some(*clip),
        _ => None,
    }
}

pub(super) fn apply(p: &mut Project, action: Action) -> Result<Applied, DispatchError> {
    if let Some(clip) = target(&action) {
        super::generate::check_not_generated(p, clip)?;
    }
    match action {
        Action::AddNote { clip, note } => {
            check_note(&note)?;
            if !p.clips.contains_key(&clip) {
                return Err(DispatchError::NoSuchClip(clip));
            }
            let id = p.ids.next_note().ok_or(DispatchError::IdsExhausted("note"))?;
            clip_mut(p, clip)?.notes.insert(id, note);
            Ok(Applied::one(Action::RemoveNotes { clip, notes: vec![id] }, changed(clip, vec![(id, note)], vec![]), R))
        }
        Action::AddNotes { clip, notes } => {
            if notes.is_empty() {
                return Err(DispatchError::Empty);
            }
            notes.iter().try_for_each(check_note)?;
            if !p.clips.contains_key(&clip) {
                return Err(DispatchError::NoSuchClip(clip));
            }
            // Checked before any id is taken, so a refusal changes nothing.
            let fits = u32::try_from(notes.len()).ok().and_then(|n| p.ids.note.checked_add(n)).is_some();
            if !fits {
                return Err(DispatchError::IdsExhausted("note"));
            }
            let with_ids: Vec<_> = notes.into_iter().filter_map(|n| p.ids.next_note().map(|id| (id, n))).collect();
            let c = clip_mut(p, clip)?;
            c.notes.extend(with_ids.iter().copied());
            let ids = with_ids.iter().map(|(id, _)| *id).collect();
            Ok(Applied::one(Action::RemoveNotes { clip, notes: ids }, changed(clip, with_ids, vec![]), R))
        }
        Action::RestoreNotes { clip, notes } => {
            if notes.is_empty() {
                return Err(DispatchError::Empty);
            }
            let c = clip_mut(p, clip)?;
            let mut seen = BTreeSet::new();
            for (id, n) in &notes {
                check_note(n)?;
                if c.notes.contains_key(id) || !seen.insert(*id) {
                    return Err(DispatchError::IdInUse(format!("note {id}")));
                }
            }
            c.notes.extend(notes.iter().copied());
            let ids = notes.iter().map(|(id, _)| *id).collect();
            Ok(Applied::one(Action::RemoveNotes { clip, notes: ids }, changed(clip, notes, vec![]), R))
        }
        Action::RemoveNotes { clip, notes } => {
            let c = clip_mut(p, clip)?;
            check_ids(c, notes.iter().copied())?;
            let removed: Vec<_> = notes.iter().filter_map(|id| c.notes.remove(id).map(|n| (*id, n))).collect();
            Ok(Applied::one(Action::RestoreNotes { clip, notes: removed }, changed(clip, vec![], notes), R))
        }
        Action::MoveNotes { clip, notes, ticks, semitones } => edit(p, clip, notes, |n| {
            let start = u32::try_from(i64::from(n.start).checked_add(ticks)?).ok()?;
            let pitch = u8::try_from(i16::from(n.pitch).checked_add(semitones)?).ok()?;
            Some(Note { start, pitch, ..*n })
        }),
        Action::ResizeNotes { clip, notes, ticks } => edit(p, clip, notes, |n| {
            let length = u32::try_from(i64::from(n.length).checked_add(ticks)?).ok()?;
            Some(Note { length, ..*n })
        }),
        Action::SetNoteVelocity { clip, notes, velocity } => edit(p, clip, notes, |n| Some(Note { velocity, ..*n })),
        Action::ReplaceNotes { clip, notes } => {
            let c = clip_mut(p, clip)?;
            check_ids(c, notes.iter().map(|(id, _)| *id))?;
            notes.iter().try_for_each(|(_, n)| check_note(n))?;
            let old: Vec<_> = notes.iter().filter_map(|(id, _)| c.notes.get(id).map(|n| (*id, *n))).collect();
            c.notes.extend(notes.iter().copied());
            Ok(Applied::one(Action::ReplaceNotes { clip, notes: old }, changed(clip, notes, vec![]), R))
        }
        // `super::apply` routes only this domain's actions here.
        _ => Ok(Applied::new(Redraw::NONE)),
    }
}
