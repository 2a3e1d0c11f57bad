//! Carrying out what the checkpoint dialogs ask: make a checkpoint of the
//! project as it is, or restore one as a single undoable edit.

use imbolc_types::Action;

use super::App;
use crate::audio::UiAudio;
use crate::checkpoint_dialog::CheckpointOutcome;

impl<S: UiAudio> App<S> {
    pub(super) fn on_checkpoint(&mut self, outcome: CheckpointOutcome) {
        match outcome {
            CheckpointOutcome::Open => {}
            CheckpointOutcome::Close => self.checkpoints = None,
            CheckpointOutcome::Create(name) => {
                self.checkpoints = None;
                match self.session.checkpoint(&name) {
                    Ok(cp) => {
                        let text = format!("checkpoint {:?} (Ctrl-s stores it in the file; @ lists them)", cp.name);
                        self.inform(text);
                    }
                    Err(e) => self.error(format!("no checkpoint made: {e}")),
                }
            }
            CheckpointOutcome::Restore(name) => {
                self.checkpoints = None;
                let Some(cp) = self.session.checkpoints().iter().find(|c| c.name == name) else {
                    return self.error(format!("no checkpoint named {name:?}"));
                };
                let state = Box::new(cp.project.as_ref().clone());
                if self.apply(Action::RestoreCheckpoint(state)) {
                    if self.clip.is_some_and(|c| !self.session.project().clips.contains_key(&c)) {
                        self.clip = None;
                    }
                    self.inform(format!("restored {name:?} (u undoes it)"));
                }
            }
        }
    }
}
