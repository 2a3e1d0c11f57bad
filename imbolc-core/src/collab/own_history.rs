//! A client's own undo history: the edits it authored that the host
//! applied, with their inverses. Undo sends the inverse to the host like
//! any edit; an entry goes stale when someone else edits what it touched
//! (the same instrument, or the project-wide settings), and undoing it is
//! then refused rather than overwriting their edit.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use imbolc_types::{Action, ParamTarget};

use super::rights::Scope;

/// Entries kept; older ones are forgotten.
const KEEP: usize = 100;

/// Parameter edits this close together are one drag.
const DRAG_GAP: Duration = Duration::from_secs(1);

#[derive(Debug, Clone)]
struct Entry {
    /// What takes the edit back, in order.
    inverse: Vec<Action>,
    /// What the edit and its inverse touch.
    scopes: Vec<Scope>,
    /// Why it no longer applies (who changed the same thing since).
    stale: Option<String>,
    /// A drag of one parameter merges into one entry (edits of it less
    /// than [`DRAG_GAP`] apart).
    coalesce: Option<(ParamTarget, Instant)>,
}

/// Which stack an undo or redo in flight returns to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dir {
    Undo,
    Redo,
}

#[derive(Debug)]
struct InFlight {
    dir: Dir,
    waiting: BTreeSet<u64>,
    /// Inverses of the applied parts (they become the opposite entry).
    collected: Vec<Vec<Action>>,
    scopes: Vec<Scope>,
}

/// See the module docs.
#[derive(Debug, Default)]
pub(super) struct OwnHistory {
    undo: Vec<Entry>,
    redo: Vec<Entry>,
    flight: Option<InFlight>,
}

fn touches(a: Scope, b: Scope) -> bool {
    match (a, b) {
        (Scope::Instrument(x), Scope::Instrument(y)) => x == y,
        (Scope::Project, Scope::Project) => true,
        _ => false,
    }
}

fn push(stack: &mut Vec<Entry>, entry: Entry) {
    stack.push(entry);
    if stack.len() > KEEP {
        stack.remove(0);
    }
}

impl OwnHistory {
    pub(super) fn can(&self, dir: Dir) -> bool {
        match dir {
            Dir::Undo => !self.undo.is_empty(),
            Dir::Redo => !self.redo.is_empty(),
        }
    }

    /// Takes the next undo (or redo) to send, or says why not.
    pub(super) fn take(&mut self, dir: Dir) -> Result<Vec<Action>, String> {
        if self.flight.is_some() {
            return Err("the last undo is still on its way to the host".into());
        }
        let (stack, what) = match dir {
            Dir::Undo => (&mut self.undo, "undo"),
            Dir::Redo => (&mut self.redo, "redo"),
        };
        let Some(entry) = stack.last() else { return Err(format!("nothing to {what}")) };
        if let Some(why) = &entry.stale {
            let why = format!("cannot {what}: it no longer applies ({why})");
            stack.pop();
            return Err(why);
        }
        let entry = stack.pop().ok_or_else(|| format!("nothing to {what}"))?;
        Ok(entry.inverse)
    }

    /// The acts carrying a taken undo (or redo) were sent.
    pub(super) fn sent(&mut self, dir: Dir, acts: BTreeSet<u64>) {
        self.flight = Some(InFlight { dir, waiting: acts, collected: Vec::new(), scopes: Vec::new() });
    }

    /// The host applied this client's act `act`, whose inverse is `inverse`.
    pub(super) fn own(&mut self, act: u64, action: &Action, before: Scope, inverse: Vec<Action>, after: Vec<Scope>) {
        if let Some(f) = &mut self.flight
            && f.waiting.remove(&act)
        {
            f.collected.push(inverse);
            f.scopes.push(before);
            f.scopes.extend(after);
            if f.waiting.is_empty()
                && let Some(f) = self.flight.take()
            {
                let inverse = f.collected.into_iter().rev().flatten().collect();
                let entry = Entry { inverse, scopes: f.scopes, stale: None, coalesce: None };
                match f.dir {
                    Dir::Undo => push(&mut self.redo, entry),
                    Dir::Redo => push(&mut self.undo, entry),
                }
            }
            return;
        }
        self.redo.clear();
        let now = Instant::now();
        let coalesce = match action {
            Action::SetParam { target, .. } => Some((target.clone(), now)),
            _ => None,
        };
        if let Some(top) = self.undo.last_mut()
            && let (Some((t, at)), Some((target, _))) = (&mut top.coalesce, &coalesce)
            && t == target
            && now.duration_since(*at) < DRAG_GAP
            && top.stale.is_none()
        {
            *at = now;
            return;
        }
        let mut scopes = vec![before];
        scopes.extend(after);
        push(&mut self.undo, Entry { inverse, scopes, stale: None, coalesce });
    }

    /// The host refused act `act`: an undo or redo in flight is dropped.
    pub(super) fn refused(&mut self, act: u64) {
        if self.flight.as_ref().is_some_and(|f| f.waiting.contains(&act)) {
            self.flight = None;
        }
    }

    /// Someone else's edit touching `scope` was applied: entries that
    /// touch the same thing go stale.
    pub(super) fn foreign(&mut self, scope: Scope, who: &str) {
        if scope == Scope::Free {
            return;
        }
        for e in self.undo.iter_mut().chain(self.redo.iter_mut()) {
            if e.stale.is_none() && e.scopes.iter().any(|s| touches(*s, scope)) {
                let what = match scope {
                    Scope::Instrument(_) => "the same instrument",
                    _ => "the project-wide settings",
                };
                e.stale = Some(format!("{who} changed {what} since"));
            }
        }
    }
}
