//! Named checkpoints of a [`Session`]: made from the project as it is,
//! kept with the session (and written by its next full save), and
//! restored as one undoable edit.

use std::time::{SystemTime, UNIX_EPOCH};

use imbolc_types::Action;

use super::{AudioSink, Session};
use crate::checkpoint::{Checkpoint, CheckpointError, check_name};
use crate::dispatch::{DispatchError, Redraw};

/// Why a restore did not happen; the project is unchanged.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    #[error(transparent)]
    Dispatch(#[from] DispatchError),
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl<S: AudioSink> Session<S> {
    /// Names the project's current state. The session counts as changed
    /// until a full save writes the checkpoint into the file.
    ///
    /// # Errors
    ///
    /// [`CheckpointError::EmptyName`] or [`CheckpointError::Exists`].
    pub fn checkpoint(&mut self, name: &str) -> Result<&Checkpoint, CheckpointError> {
        self.checkpoint_at(name, now_ms())
    }

    /// [`Session::checkpoint`] at a given time (Unix milliseconds).
    ///
    /// # Errors
    ///
    /// As [`Session::checkpoint`].
    pub fn checkpoint_at(&mut self, name: &str, created_ms: i64) -> Result<&Checkpoint, CheckpointError> {
        let name = check_name(&self.checkpoints, name)?;
        self.checkpoints.push(Checkpoint::new(name, self.project.clone(), created_ms));
        let last = self.checkpoints.len() - 1;
        Ok(&self.checkpoints[last])
    }

    /// The checkpoints, oldest first.
    pub fn checkpoints(&self) -> &[Checkpoint] {
        &self.checkpoints
    }

    /// Replaces the checkpoint list with the one a file holds (after
    /// opening it); they count as saved.
    pub fn set_checkpoints(&mut self, checkpoints: Vec<Checkpoint>) {
        self.saved_checkpoints = checkpoints.len();
        self.checkpoints = checkpoints;
    }

    /// Puts the project back to the checkpoint named `name`, as one undo
    /// step ("restore checkpoint"): undo gives back the project from
    /// before.
    ///
    /// # Errors
    ///
    /// [`CheckpointError::Unknown`], or a [`DispatchError`] (not expected).
    pub fn restore_checkpoint(&mut self, name: &str) -> Result<Redraw, RestoreError> {
        let name = name.trim();
        let cp = self
            .checkpoints
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| CheckpointError::Unknown(name.to_owned()))?;
        let state = Box::new(cp.project.as_ref().clone());
        Ok(self.dispatch(Action::RestoreCheckpoint(state))?)
    }
}
