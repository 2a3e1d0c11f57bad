//! `F` in the instrument list: freeze the selected instrument (its chain
//! rendered with `scsynth -N` on a worker thread, so the UI goes on; the
//! status line says when it is done) or unfreeze it at once. Both are one
//! undo step.

use std::thread::JoinHandle;

use imbolc_core::freeze::{FreezeError, freeze_action, unfreeze_action};
use imbolc_types::{Action, InstrumentId};

use super::App;
use crate::audio::UiAudio;

/// A freeze render in progress.
#[derive(Debug)]
pub(crate) struct FreezeJob {
    name: String,
    handle: JoinHandle<Result<Action, FreezeError>>,
}

impl<S: UiAudio> App<S> {
    /// Freezes `instrument` (in the background), or unfreezes it.
    pub(super) fn toggle_freeze(&mut self, instrument: InstrumentId) {
        let Some(inst) = self.session.project().instruments.get(&instrument) else { return };
        if inst.def.frozen.is_some() {
            let name = inst.name.clone();
            if self.apply(unfreeze_action(instrument)) {
                self.inform(format!("{name} unfrozen: it synthesises again"));
            }
            return;
        }
        if self.freezing.is_some() {
            self.error("a freeze is already rendering");
            return;
        }
        let name = inst.name.clone();
        let project = self.session.project().clone();
        let spawned = std::thread::Builder::new()
            .name("imbolc-freeze".into())
            .spawn(move || freeze_action(&project, instrument, "scsynth".into()));
        match spawned {
            Ok(handle) => {
                self.inform(format!("freezing {name}: rendering…"));
                self.freezing = Some(FreezeJob { name, handle });
            }
            Err(e) => self.error(format!("freeze: {e}")),
        }
    }

    /// Applies a finished freeze render. True when it finished.
    pub(super) fn poll_freeze(&mut self) -> bool {
        if !self.freezing.as_ref().is_some_and(|j| j.handle.is_finished()) {
            return false;
        }
        let Some(job) = self.freezing.take() else { return false };
        match job.handle.join() {
            Ok(Ok(action)) => {
                if self.apply(action) {
                    self.inform(format!("{} frozen: it plays its render (F unfreezes)", job.name));
                }
            }
            Ok(Err(e)) => self.error(e.to_string()),
            Err(_) => self.error("freeze: the render thread failed"),
        }
        true
    }

    /// Whether a freeze is rendering (for tests).
    #[cfg(test)]
    pub fn freezing(&self) -> bool {
        self.freezing.is_some()
    }
}
