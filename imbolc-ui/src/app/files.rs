//! Save-as and open. A file is read on a loader thread so the UI keeps
//! drawing (the status line says what is loading); the app takes the
//! result on a later tick. Opening over unsaved changes asks first.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use imbolc_audio::engine::TransportCmd;
use imbolc_audio::scheduler::PlayMode;
use imbolc_core::persist::{Loaded, PersistError, load};

use super::App;
use crate::audio::UiAudio;
use crate::complete::EXTENSION;
use crate::modal::{Modal, PathPurpose};

/// A file being read on a loader thread.
#[derive(Debug)]
pub struct Loading {
    path: PathBuf,
    result: Receiver<Result<Loaded, PersistError>>,
}

/// `song` → `song.imbolc`; other names are kept.
fn with_extension(text: &str) -> PathBuf {
    let path = PathBuf::from(text);
    if path.extension().is_none() { path.with_extension(EXTENSION) } else { path }
}

impl<S: UiAudio> App<S> {
    /// Opens the path prompt, starting from the current file's folder.
    pub(super) fn ask_path(&mut self, purpose: PathPurpose) {
        let text = self
            .path
            .as_ref()
            .and_then(|p| p.parent())
            .map(|d| format!("{}/", d.display()))
            .filter(|d| d != "/")
            .unwrap_or_default();
        self.modal = Some(Modal::Path { purpose, text });
    }

    pub(super) fn on_path(&mut self, purpose: PathPurpose, text: &str) {
        if purpose == PathPurpose::ImportMidi {
            self.import_midi(&PathBuf::from(text));
            return;
        }
        if purpose == PathPurpose::TakeFolder {
            return self.set_take_folder(text);
        }
        let path = with_extension(text);
        match purpose {
            PathPurpose::SaveAs => {
                if self.saving {
                    self.inform("already saving");
                    return;
                }
                // The session takes the new path when the save succeeds.
                if let Some(job) = self.session.save_job(Some(&path)) {
                    self.saving = true;
                    self.inform(format!("saving {}…", path.display()));
                    self.submit(job);
                    if self.message.as_ref().is_some_and(crate::status::Message::is_error) {
                        self.saving = false;
                    }
                }
            }
            PathPurpose::Open if self.session.is_dirty() => self.modal = Some(Modal::ConfirmOpen(path)),
            PathPurpose::Open => self.start_loading(path),
            PathPurpose::ImportMidi | PathPurpose::TakeFolder => {}
        }
    }

    /// Adds the MIDI file at `path` to the project as one undo step; the
    /// summary (or what is wrong with the file) goes to the status line.
    pub(super) fn import_midi(&mut self, path: &std::path::Path) {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => return self.error(format!("cannot read {}: {e}", path.display())),
        };
        match imbolc_core::midi_file::import_into(&mut self.session, &bytes) {
            Ok(summary) => {
                self.after_edit();
                self.inform(summary.to_string());
            }
            Err(e) => self.error(format!("{}: {e}", path.display())),
        }
    }

    /// Opens `path` without asking, read on a loader thread (the file
    /// named on the command line). Until it is read, nothing is saved
    /// anywhere; a file that cannot be read is never written.
    pub fn open_in_background(&mut self, path: PathBuf) {
        self.start_loading(path);
    }

    /// Reads `path` on a loader thread.
    pub(super) fn start_loading(&mut self, path: PathBuf) {
        let (tx, rx) = channel();
        let reading = path.clone();
        let spawned = std::thread::Builder::new().name("imbolc-load".into()).spawn(move || {
            let _ = tx.send(load(&reading));
        });
        match spawned {
            Ok(_) => {
                self.inform(format!("opening {}…", path.display()));
                self.loading = Some(Loading { path, result: rx });
            }
            Err(e) => self.error(format!("cannot open {}: {e}", path.display())),
        }
    }

    /// Whether a file is being read.
    pub fn is_loading(&self) -> bool {
        self.loading.is_some()
    }

    /// Takes a finished load; true when the screen must be redrawn.
    pub(super) fn poll_loading(&mut self) -> bool {
        let Some(loading) = &self.loading else { return false };
        let result = match loading.result.try_recv() {
            Ok(r) => r,
            Err(TryRecvError::Empty) => return false,
            Err(TryRecvError::Disconnected) => {
                let path = loading.path.display().to_string();
                self.loading = None;
                self.error(format!("cannot open {path}: the loader stopped"));
                return true;
            }
        };
        let path = loading.path.clone();
        self.loading = None;
        match result {
            Ok(loaded) => {
                // The new project starts stopped, without a loop, in song mode.
                for cmd in [TransportCmd::Stop, TransportCmd::SetLoop(None), TransportCmd::SetMode(PlayMode::Song)] {
                    if let Err(e) = self.session.audio_mut().transport(cmd) {
                        tracing::warn!("transport reset on open: {e}");
                    }
                }
                self.session.open_project(loaded.project, path.clone());
                self.session.set_checkpoints(loaded.checkpoints);
                self.path = Some(path.clone());
                self.selected = self.session.project().instruments.keys().next().copied();
                self.clip = None;
                self.panes = super::Panes::default();
                self.transport = crate::transport::TransportView::default();
                // Repairs and broken custom defs are shown as a warning; every fix is in the log.
                let warnings: Vec<String> = loaded
                    .repairs
                    .line()
                    .into_iter()
                    .chain(broken_note(self.session.project()))
                    .chain(loaded.damaged_checkpoints)
                    .collect();
                if warnings.is_empty() {
                    self.inform(format!("opened {}", path.display()));
                } else {
                    self.error(warnings.join("; "));
                }
                if loaded.newer_recovery.is_some() {
                    self.offer_recovery();
                }
            }
            Err(e) => self.error(format!("cannot open {}: {e} (file left untouched)", path.display())),
        }
        true
    }
}

/// The status line's note on instruments whose SynthDef cannot play (they
/// stay in the project, silent, marked broken in the lists).
pub(super) fn broken_note(project: &imbolc_types::Project) -> Option<String> {
    let broken: Vec<(&str, &str)> = project
        .instruments
        .values()
        .filter_map(|i| Some((i.name.as_str(), i.def.source.custom.as_ref()?.broken.as_deref()?)))
        .collect();
    let (name, why) = broken.first()?;
    let more = if broken.len() > 1 { format!(" ({} instruments in all)", broken.len()) } else { String::new() };
    Some(format!("instrument {name} is silent, its SynthDef is broken: {why}{more}"))
}
