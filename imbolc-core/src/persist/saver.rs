//! [`BackgroundSaver`]: saves on its own thread so the UI never waits on
//! the disk. Jobs go in over a channel; reports come back over another,
//! and the UI polls them each frame.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

use imbolc_types::Project;

use super::{PersistError, SaveInfo, save_recovery, save_with_checkpoints};

/// Which copy a job writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveKind {
    /// The saved project (File → Save).
    Full,
    /// The recovery copy (autosave).
    Recovery,
}

/// One save to perform. `generation` is echoed in the report so the caller
/// can tell whether edits happened after the snapshot was taken.
#[derive(Debug, Clone)]
pub struct SaveJob {
    pub path: PathBuf,
    pub project: Box<Project>,
    pub kind: SaveKind,
    pub generation: u64,
    /// Checkpoints a full save adds to the file if it lacks them.
    pub checkpoints: Vec<crate::checkpoint::Checkpoint>,
}

/// The result of one job.
#[derive(Debug)]
pub struct SaveReport {
    pub path: PathBuf,
    pub kind: SaveKind,
    pub generation: u64,
    pub result: Result<SaveInfo, PersistError>,
}

/// A saving thread. Dropping it finishes queued jobs, then joins it.
#[derive(Debug)]
pub struct BackgroundSaver {
    jobs: Option<Sender<SaveJob>>,
    reports: Receiver<SaveReport>,
    thread: Option<JoinHandle<()>>,
}

impl BackgroundSaver {
    /// Starts the thread.
    ///
    /// # Errors
    ///
    /// [`PersistError::Io`] if the OS cannot start a thread.
    pub fn spawn() -> Result<Self, PersistError> {
        let (job_tx, job_rx) = channel::<SaveJob>();
        let (report_tx, report_rx) = channel();
        let thread = std::thread::Builder::new()
            .name("imbolc-saver".into())
            .spawn(move || run(job_rx, report_tx))
            .map_err(|source| PersistError::Io { path: PathBuf::new(), source })?;
        Ok(BackgroundSaver { jobs: Some(job_tx), reports: report_rx, thread: Some(thread) })
    }

    /// Queues a job; returns at once.
    ///
    /// # Errors
    ///
    /// [`PersistError::SaverGone`] if the thread has stopped.
    pub fn submit(&self, job: SaveJob) -> Result<(), PersistError> {
        self.jobs.as_ref().ok_or(PersistError::SaverGone)?.send(job).map_err(|_| PersistError::SaverGone)
    }

    /// A finished job's report, if any, without waiting.
    pub fn try_report(&self) -> Option<SaveReport> {
        self.reports.try_recv().ok()
    }

    /// Waits for the next report (for tests and for saving on quit).
    ///
    /// # Errors
    ///
    /// [`PersistError::SaverGone`] if the thread has stopped.
    pub fn wait_report(&self) -> Result<SaveReport, PersistError> {
        self.reports.recv().map_err(|_| PersistError::SaverGone)
    }
}

impl Drop for BackgroundSaver {
    fn drop(&mut self) {
        self.jobs.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(jobs: Receiver<SaveJob>, reports: Sender<SaveReport>) {
    while let Ok(job) = jobs.recv() {
        let result = match job.kind {
            SaveKind::Full => save_with_checkpoints(&job.path, &job.project, &job.checkpoints),
            SaveKind::Recovery => save_recovery(&job.path, &job.project),
        };
        let report = SaveReport { path: job.path, kind: job.kind, generation: job.generation, result };
        if reports.send(report).is_err() {
            break;
        }
    }
}
