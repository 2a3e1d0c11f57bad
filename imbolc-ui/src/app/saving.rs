//! Saving: `Ctrl-s` hands the project to the background saver (autosaves
//! go the same way, from [`App::tick`]), and a file's newer autosave copy
//! can be restored. Save-as and open are in [`super::files`].

use imbolc_core::persist::SaveJob;

use super::App;
use crate::audio::UiAudio;
use crate::modal::Modal;
use crate::status::Message;

impl<S: UiAudio> App<S> {
    pub(super) fn save(&mut self) {
        let Some(path) = self.path.clone() else {
            self.error("no file to save to: start imbolc with a file name (imbolc song.imbolc)");
            return;
        };
        if self.saving {
            self.inform("already saving");
            return;
        }
        if let Some(job) = self.session.save_job(Some(&path)) {
            self.saving = true;
            self.inform(format!("saving {}…", path.display()));
            self.submit(job);
            if self.message.as_ref().is_some_and(Message::is_error) {
                self.saving = false;
            }
        }
    }

    pub(super) fn submit(&mut self, job: SaveJob) {
        let result = match &self.saver {
            Some(saver) => saver.submit(job).map_err(|e| e.to_string()),
            None => Err("no saver thread".to_owned()),
        };
        if let Err(e) = result {
            self.quit_after_save = false;
            self.error(format!("cannot save: {e}"));
        }
    }

    /// Asks whether to restore the file's newer autosave copy.
    pub fn offer_recovery(&mut self) {
        if self.path.is_some() {
            self.modal = Some(Modal::Recovery);
        }
    }

    /// Replaces the project with the file's autosave copy. It counts as
    /// unsaved (the saved copy is still the one on disk) and cannot be
    /// undone past.
    pub(super) fn restore_recovery(&mut self) {
        let Some(path) = self.path.clone() else { return };
        match imbolc_core::persist::load_recovery(&path) {
            Ok((project, repairs)) => {
                self.session.replace_project(project);
                self.selected = self.session.project().instruments.keys().next().copied();
                self.clip = None;
                match repairs.summary() {
                    Some(fixed) => self.error(format!("restored the autosave copy, repaired: {fixed}")),
                    None => self.inform("restored the autosave copy (Ctrl-s keeps it)"),
                }
            }
            Err(e) => self.error(format!("cannot restore the autosave copy: {e}")),
        }
    }
}
