//! [`Notes`]: a clip's notes, shared between copies of the project until
//! one of them changes.
//!
//! A background save, a checkpoint and the audio thread's scene each take
//! a copy of the project; with the notes behind an `Arc` that copy costs a
//! reference count per clip instead of a copy of every note. Changing a
//! clip's notes goes through [`DerefMut`], which copies that clip's notes
//! first only while another copy still shares them (a save in flight or a
//! checkpoint), so nothing else is ever copied.

use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use crate::ids::NoteId;
use crate::notes::Note;

/// A clip's notes by id (read as a `BTreeMap` through `Deref`).
#[derive(Debug, Clone, Default)]
pub struct Notes(Arc<BTreeMap<NoteId, Note>>);

impl Notes {
    /// The notes as an owned map (copied only if shared).
    pub fn into_map(self) -> BTreeMap<NoteId, Note> {
        Arc::unwrap_or_clone(self.0)
    }

    /// Whether both share one map (a copy nobody has changed since).
    pub fn shares_with(&self, other: &Notes) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Deref for Notes {
    type Target = BTreeMap<NoteId, Note>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for Notes {
    fn deref_mut(&mut self) -> &mut Self::Target {
        Arc::make_mut(&mut self.0)
    }
}

impl PartialEq for Notes {
    fn eq(&self, other: &Self) -> bool {
        self.shares_with(other) || self.0 == other.0
    }
}

impl From<BTreeMap<NoteId, Note>> for Notes {
    fn from(map: BTreeMap<NoteId, Note>) -> Self {
        Notes(Arc::new(map))
    }
}

impl<const N: usize> From<[(NoteId, Note); N]> for Notes {
    fn from(notes: [(NoteId, Note); N]) -> Self {
        notes.into_iter().collect()
    }
}

impl<'a> IntoIterator for &'a Notes {
    type Item = (&'a NoteId, &'a Note);
    type IntoIter = std::collections::btree_map::Iter<'a, NoteId, Note>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl FromIterator<(NoteId, Note)> for Notes {
    fn from_iter<I: IntoIterator<Item = (NoteId, Note)>>(iter: I) -> Self {
        Notes(Arc::new(iter.into_iter().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_shares_until_one_side_changes_and_then_only_that_side_changes() {
        let mut a: Notes = [(NoteId(1), Note::new(60, 100, 0, 120))].into_iter().collect();
        let b = a.clone();
        assert!(a.shares_with(&b));
        a.insert(NoteId(2), Note::new(62, 100, 120, 120));
        assert!(!a.shares_with(&b));
        assert_eq!((a.len(), b.len()), (2, 1));
        // Unshared: changing again changes in place.
        let before = Arc::as_ptr(&a.0);
        a.remove(&NoteId(1));
        assert_eq!(Arc::as_ptr(&a.0), before);
    }
}
