//! What host and client apply actions to.

use imbolc_types::{Action, Project};

use crate::{AudioSink, DispatchError, Session};

/// A project that actions are applied to: a bare [`Project`] (tests,
/// headless) or a [`Session`] (the TUI: audio diffs and redraws follow).
pub trait Replica {
    /// Applies one action with the pure `dispatch`; returns its inverse
    /// (the actions that take it back, in order).
    ///
    /// # Errors
    ///
    /// As [`crate::dispatch()`]; the project is then unchanged.
    fn apply(&mut self, action: Action) -> Result<Vec<Action>, DispatchError>;
    fn project(&self) -> &Project;
    /// Replaces the whole project (a snapshot from the host).
    fn replace(&mut self, project: Project);
}

impl Replica for Project {
    fn apply(&mut self, action: Action) -> Result<Vec<Action>, DispatchError> {
        crate::dispatch(self, action).map(|o| o.undo.map(|u| u.inverse).unwrap_or_default())
    }
    fn project(&self) -> &Project {
        self
    }
    fn replace(&mut self, project: Project) {
        *self = project;
    }
}

impl<S: AudioSink> Replica for Session<S> {
    fn apply(&mut self, action: Action) -> Result<Vec<Action>, DispatchError> {
        self.dispatch_inverse(action)
    }
    fn project(&self) -> &Project {
        Session::project(self)
    }
    fn replace(&mut self, project: Project) {
        self.replace_project(project);
    }
}
