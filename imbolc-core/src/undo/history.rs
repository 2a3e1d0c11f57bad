//! [`UndoHistory`]: the undo and redo stacks, bounded by entry count and by
//! bytes, with coalescing of continuous parameter gestures.
//!
//! Time is passed in (`now`), never read here, so coalescing is testable
//! and the history stays pure.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use imbolc_types::{Action, AudioDiff, Project};

use super::UndoEntry;
use crate::dispatch::{DispatchError, Redraw, apply};

/// Default number of undo steps kept.
pub const DEFAULT_MAX_ENTRIES: usize = 500;
/// Default bound on the bytes held by both stacks (16 MiB): only large
/// removals (an instrument with 100 000 notes) come near it.
pub const DEFAULT_MAX_BYTES: usize = 16 << 20;
/// `SetParam` edits of one target closer together than this merge into one
/// undo step. The window slides: a knob held for ten seconds is one step.
pub const COALESCE_WINDOW: Duration = Duration::from_millis(500);

/// What an undo or redo did, for the audio thread and the screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Replayed {
    pub label: &'static str,
    pub diffs: Vec<AudioDiff>,
    pub redraw: Redraw,
}

/// Undo and redo stacks.
///
/// Invariants: the total of [`UndoEntry::approx_bytes`] over both stacks is
/// `bytes`; after a push, `undo.len() <= max_entries` and `bytes <=
/// max_bytes` unless a single entry alone is larger (it is kept, so the
/// last edit can always be undone).
#[derive(Debug, Clone)]
pub struct UndoHistory {
    undo: VecDeque<UndoEntry>,
    redo: Vec<UndoEntry>,
    max_entries: usize,
    max_bytes: usize,
    bytes: usize,
    /// Whether the top undo entry may still absorb a `SetParam`; closed by
    /// undo and redo so a new gesture after them starts a new step.
    open: bool,
    /// The state with nothing left to undo (see [`UndoHistory::state`]).
    base: u64,
    /// The next unused state number.
    next_state: u64,
}

impl Default for UndoHistory {
    fn default() -> Self {
        UndoHistory::new(DEFAULT_MAX_ENTRIES, DEFAULT_MAX_BYTES)
    }
}

impl UndoHistory {
    /// A history keeping at most `max_entries` steps and about `max_bytes`.
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        UndoHistory {
            undo: VecDeque::new(),
            redo: Vec::new(),
            max_entries: max_entries.max(1),
            max_bytes,
            bytes: 0,
            open: false,
            base: 0,
            next_state: 1,
        }
    }

    /// A number naming the project state the history is at: the same
    /// number means the same content, so the session derives its dirty
    /// mark from it (undo back to the saved state is clean). Each edit,
    /// and each gesture merged into the top step, makes a new state;
    /// undo and redo move between the states already made.
    pub fn state(&self) -> u64 {
        self.undo.back().map_or(self.base, |e| e.state)
    }

    fn fresh_state(&mut self) -> u64 {
        let s = self.next_state;
        self.next_state += 1;
        s
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Number of undo steps.
    pub fn len(&self) -> usize {
        self.undo.len()
    }

    pub fn is_empty(&self) -> bool {
        self.undo.is_empty()
    }

    /// Approximate bytes held by both stacks.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The label of the step `undo` would take back.
    pub fn undo_label(&self) -> Option<&'static str> {
        self.undo.back().map(|e| e.label)
    }

    /// The label of the step `redo` would apply again.
    pub fn redo_label(&self) -> Option<&'static str> {
        self.redo.last().map(|e| e.label)
    }

    /// Records a new edit made at `now`; clears redo. A `SetParam` on the
    /// same target as the top entry within [`COALESCE_WINDOW`] merges into
    /// it (the top keeps the value from before the gesture).
    pub fn push(&mut self, mut entry: UndoEntry, now: Instant) {
        self.drop_redo();
        if self.open
            && entry.coalesce.is_some()
            && let Some(top) = self.undo.back_mut()
            && top.coalesce == entry.coalesce
            && top.at.is_some_and(|t| now.saturating_duration_since(t) <= COALESCE_WINDOW)
        {
            top.at = Some(now);
            // The step now leads somewhere new.
            top.state = self.next_state;
            self.next_state += 1;
            return;
        }
        entry.at = Some(now);
        entry.state = self.fresh_state();
        self.bytes += entry.approx_bytes();
        self.undo.push_back(entry);
        self.open = true;
        while self.undo.len() > self.max_entries || (self.bytes > self.max_bytes && self.undo.len() > 1) {
            if let Some(old) = self.undo.pop_front() {
                self.bytes = self.bytes.saturating_sub(old.approx_bytes());
                // Undoing everything now stops at the state this step made.
                self.base = old.state;
            }
        }
    }

    /// Joins the steps made after state `mark` (see [`UndoHistory::state`])
    /// into one step named `label`, so several edits that make one gesture
    /// (a first note: its clip, its placement, the note) undo together.
    /// Nothing changes when fewer than two steps were made since.
    pub fn join_since(&mut self, mark: u64, label: &'static str) {
        let count = self.undo.iter().rev().take_while(|e| e.state > mark).count();
        if count < 2 {
            return;
        }
        let joined: Vec<UndoEntry> = self.undo.split_off(self.undo.len() - count).into();
        let bytes: usize = joined.iter().map(UndoEntry::approx_bytes).sum();
        let last = joined.last().map(|e| (e.at, e.state));
        // The last edit is taken back first.
        let inverse = joined.into_iter().rev().flat_map(|e| e.inverse).collect();
        let mut entry = UndoEntry::new(label, inverse, None);
        (entry.at, entry.state) = last.unwrap_or((None, mark));
        self.bytes = self.bytes.saturating_sub(bytes) + entry.approx_bytes();
        self.undo.push_back(entry);
        self.open = false;
    }

    fn drop_redo(&mut self) {
        for e in self.redo.drain(..) {
            self.bytes = self.bytes.saturating_sub(e.approx_bytes());
        }
    }

    /// Takes back the last edit. `Ok(None)` when there is nothing to undo.
    ///
    /// # Errors
    ///
    /// A [`DispatchError`] if the inverse no longer applies (the project was
    /// changed behind the history's back); the project is then rolled back
    /// to how it was and the entry is kept.
    pub fn undo(&mut self, project: &mut Project) -> Result<Option<Replayed>, DispatchError> {
        let Some(entry) = self.undo.pop_back() else { return Ok(None) };
        self.open = false;
        match replay(project, &entry) {
            Ok((replayed, back)) => {
                self.bytes = self.bytes.saturating_sub(entry.approx_bytes()) + back.approx_bytes();
                self.redo.push(back);
                Ok(Some(replayed))
            }
            Err(e) => {
                self.undo.push_back(entry);
                Err(e)
            }
        }
    }

    /// Re-applies the last undone edit. `Ok(None)` when there is none.
    ///
    /// # Errors
    ///
    /// As [`UndoHistory::undo`].
    pub fn redo(&mut self, project: &mut Project) -> Result<Option<Replayed>, DispatchError> {
        let Some(entry) = self.redo.pop() else { return Ok(None) };
        self.open = false;
        match replay(project, &entry) {
            Ok((replayed, back)) => {
                self.bytes = self.bytes.saturating_sub(entry.approx_bytes()) + back.approx_bytes();
                self.undo.push_back(back);
                Ok(Some(replayed))
            }
            Err(e) => {
                self.redo.push(entry);
                Err(e)
            }
        }
    }

    /// The actions [`UndoHistory::undo`] would apply, in order (a host
    /// broadcasts them to its collaborators).
    pub fn undo_actions(&self) -> Option<&[Action]> {
        self.undo.back().map(|e| e.inverse.as_slice())
    }

    /// The actions [`UndoHistory::redo`] would apply, in order.
    pub fn redo_actions(&self) -> Option<&[Action]> {
        self.redo.last().map(|e| e.inverse.as_slice())
    }

    /// Forgets everything (after opening another project): the project
    /// is then in a state of its own.
    pub fn clear(&mut self) {
        self.undo.clear();
        self.redo.clear();
        self.bytes = 0;
        self.open = false;
        self.base = self.fresh_state();
    }
}

/// Applies `entry`'s inverse actions and returns what they did plus the
/// entry that takes them back again. On error, what was applied is taken
/// back, so the project is unchanged. Inverses restore things under their
/// old ids and never allocate, so the id counters are left as they are.
fn replay(project: &mut Project, entry: &UndoEntry) -> Result<(Replayed, UndoEntry), DispatchError> {
    let mut diffs = Vec::new();
    let mut redraw = Redraw::NONE;
    let mut back: Vec<Vec<Action>> = Vec::with_capacity(entry.inverse.len());
    for action in entry.inverse.iter().cloned() {
        match apply(project, action) {
            Ok(applied) => {
                diffs.extend(applied.diffs);
                redraw = redraw.union(applied.redraw);
                back.push(applied.inverse);
            }
            Err(e) => {
                for inverse in back.into_iter().rev().flatten() {
                    // Best effort: these inverses were produced just now
                    // from the current state, so they apply.
                    let _ = apply(project, inverse);
                }
                return Err(e);
            }
        }
    }
    let inverse = back.into_iter().rev().flatten().collect();
    let reverse = UndoEntry { label: entry.label, inverse, coalesce: None, at: entry.at, state: entry.state };
    Ok((Replayed { label: entry.label, diffs, redraw }, reverse))
}
