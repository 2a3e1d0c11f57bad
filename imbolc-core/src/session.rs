//! [`Session`]: the runtime around one open project. It owns the project,
//! the undo history, the file path and dirty state, and an [`AudioSink`];
//! every edit, undo and redo forwards its diffs to the sink. The real sink
//! is the audio thread's handle in `imbolc-audio`; tests use
//! [`RecordingSink`].

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use imbolc_types::{Action, AudioDiff, Project};

use crate::dispatch::{DispatchError, Redraw, dispatch};
use crate::persist::{AUTOSAVE_INTERVAL, AutosaveTimer, Loaded, PersistError, SaveJob, SaveKind, SaveReport, load};
use crate::record::AutomationRecorder;
use crate::tap_tempo::TapTempo;
use crate::undo::UndoHistory;

#[path = "session_checkpoint.rs"]
mod checkpoint;
#[path = "session_record.rs"]
mod record;

pub use checkpoint::RestoreError;

/// Where diffs go. Implemented by the audio thread's handle; `send` must
/// not block (it queues).
pub trait AudioSink {
    fn send(&self, diffs: Vec<AudioDiff>);
}

/// The audio thread. A send fails only when the audio thread has ended;
/// the edit stays in the project (nothing is lost) and the failure is logged.
impl AudioSink for imbolc_audio::engine::AudioHandle {
    fn send(&self, diffs: Vec<AudioDiff>) {
        if let Err(e) = self.send_diffs(diffs) {
            tracing::error!("audio thread did not take diffs: {e}");
        }
    }
}

/// A sink that drops everything (no audio, e.g. the command line).
#[derive(Debug, Clone, Copy, Default)]
pub struct NullSink;

impl AudioSink for NullSink {
    fn send(&self, _diffs: Vec<AudioDiff>) {}
}

/// A sink that records every diff, for tests. Clones share the record.
#[derive(Debug, Clone, Default)]
pub struct RecordingSink {
    log: Arc<Mutex<Vec<AudioDiff>>>,
}

impl RecordingSink {
    /// Takes the diffs received so far.
    pub fn take(&self) -> Vec<AudioDiff> {
        self.log.lock().map(|mut l| std::mem::take(&mut *l)).unwrap_or_default()
    }
}

impl AudioSink for RecordingSink {
    fn send(&self, diffs: Vec<AudioDiff>) {
        if let Ok(mut l) = self.log.lock() {
            l.extend(diffs);
        }
    }
}

/// One open project.
#[derive(Debug)]
pub struct Session<S: AudioSink> {
    project: Project,
    history: UndoHistory,
    path: Option<PathBuf>,
    /// Changed since the last full save. Undo and redo recompute it from
    /// the history's position: back at the saved state is clean.
    dirty: bool,
    /// The history state the saved file holds (`None`: no state does, e.g.
    /// after restoring a recovery copy).
    saved_state: Option<u64>,
    /// Changes applied but not yet in the history (an automation take
    /// under way): no history state describes the project until the take
    /// is written.
    outside_history: bool,
    /// Generation and history state of the last full-save job, so its
    /// report can mark that state as saved.
    save_snapshot: Option<(u64, Option<u64>)>,
    /// Changed since the last recovery copy.
    unrecovered: bool,
    /// Bumped on every change; a save report for an older generation
    /// leaves the session dirty.
    generation: u64,
    saved_generation: u64,
    autosave: AutosaveTimer,
    sink: S,
    /// Automation takes under way (see `session_record`).
    recorder: AutomationRecorder,
    /// Recent taps of tap tempo.
    taps: TapTempo,
    /// Named checkpoints, oldest first (see `session_checkpoint`).
    checkpoints: Vec<crate::checkpoint::Checkpoint>,
    /// How many of `checkpoints` the file holds (they are only added).
    saved_checkpoints: usize,
    /// `checkpoints.len()` when the last full-save job was made.
    job_checkpoints: usize,
}

impl<S: AudioSink> Session<S> {
    /// A session on `project` (not yet saved anywhere); sends the whole
    /// scene to the sink once.
    pub fn new(project: Project, sink: S) -> Self {
        sink.send(vec![AudioDiff::SceneLoaded(Box::new(project.audio_scene()))]);
        let history = UndoHistory::default();
        Session {
            project,
            saved_state: Some(history.state()),
            outside_history: false,
            save_snapshot: None,
            history,
            path: None,
            dirty: false,
            unrecovered: false,
            generation: 0,
            saved_generation: 0,
            autosave: AutosaveTimer::new(AUTOSAVE_INTERVAL, Instant::now()),
            sink,
            recorder: AutomationRecorder::default(),
            taps: TapTempo::default(),
            checkpoints: Vec::new(),
            saved_checkpoints: 0,
            job_checkpoints: 0,
        }
    }

    /// Opens a file. The [`Loaded`] returned tells whether a newer recovery
    /// copy exists (offer it with [`crate::persist::load_recovery`] and
    /// [`Session::replace_project`]).
    ///
    /// # Errors
    ///
    /// As [`crate::persist::load`].
    pub fn open(path: &Path, sink: S) -> Result<(Self, Loaded), PersistError> {
        let loaded = load(path)?;
        let mut s = Session::new(loaded.project.clone(), sink);
        s.path = Some(path.to_owned());
        s.set_checkpoints(loaded.checkpoints.clone());
        Ok((s, loaded))
    }

    pub fn project(&self) -> &Project {
        &self.project
    }

    /// The audio sink, e.g. to read the audio thread's meters.
    pub fn audio_mut(&mut self) -> &mut S {
        &mut self.sink
    }

    pub fn history(&self) -> &UndoHistory {
        &self.history
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn is_dirty(&self) -> bool {
        self.dirty || self.checkpoints.len() != self.saved_checkpoints
    }

    /// Applies an action now.
    ///
    /// # Errors
    ///
    /// As [`dispatch`]; nothing changes and nothing is sent.
    pub fn dispatch(&mut self, action: Action) -> Result<Redraw, DispatchError> {
        self.dispatch_at(action, Instant::now())
    }

    /// Applies an action at time `now` (coalescing of parameter gestures
    /// uses it).
    ///
    /// # Errors
    ///
    /// As [`dispatch`].
    pub fn dispatch_at(&mut self, action: Action, now: Instant) -> Result<Redraw, DispatchError> {
        let outcome = dispatch(&mut self.project, action)?;
        if let Some(entry) = outcome.undo {
            self.history.push(entry, now);
        }
        self.changed(outcome.diffs);
        Ok(outcome.redraw)
    }

    /// Applies an action now, like [`Session::dispatch`], and returns its
    /// inverse (a collaboration client keeps its own history of them).
    ///
    /// # Errors
    ///
    /// As [`dispatch`].
    pub fn dispatch_inverse(&mut self, action: Action) -> Result<Vec<Action>, DispatchError> {
        let outcome = dispatch(&mut self.project, action)?;
        let inverse = outcome.undo.as_ref().map(|u| u.inverse.clone()).unwrap_or_default();
        if let Some(entry) = outcome.undo {
            self.history.push(entry, Instant::now());
        }
        self.changed(outcome.diffs);
        Ok(inverse)
    }

    /// Applies an action that is not an edit of the user's (a tempo another
    /// app set through Ableton Link): no undo step, so a peer dragging its
    /// tempo does not fill the history; the project is still marked changed.
    ///
    /// # Errors
    ///
    /// As [`dispatch`].
    pub fn dispatch_unrecorded(&mut self, action: Action) -> Result<Redraw, DispatchError> {
        let outcome = dispatch(&mut self.project, action)?;
        self.changed(outcome.diffs);
        self.outside_history = true;
        Ok(outcome.redraw)
    }

    /// A tap of tap tempo at `now`: from the second tap on, sets the tempo
    /// to the average of the recent intervals (a `SetParam(Tempo)`, so a
    /// run of taps is one undo step). `Ok(None)` when the tap only starts
    /// a measurement.
    ///
    /// # Errors
    ///
    /// As [`dispatch`] (never expected: the tempo is clamped to its range).
    pub fn tap_tempo(&mut self, now: Instant) -> Result<Option<Redraw>, DispatchError> {
        let Some(bpm) = self.tap(now) else { return Ok(None) };
        let target = imbolc_types::ParamTarget::Tempo;
        self.dispatch_at(Action::SetParam { target, value: bpm }, now).map(Some)
    }

    /// Records a tap of tap tempo without setting anything: the tempo
    /// measured once there are two taps (see [`TapTempo::tap`]).
    pub fn tap(&mut self, now: Instant) -> Option<f32> {
        self.taps.tap(now)
    }

    /// Applies several actions as one undo step named `label` (a recorded
    /// take: remove what it replaces, add its notes). All or nothing: if
    /// one is refused, those already applied are taken back and the error
    /// is returned.
    ///
    /// # Errors
    ///
    /// The first action's [`DispatchError`].
    pub fn dispatch_group(&mut self, label: &'static str, actions: Vec<Action>) -> Result<Redraw, DispatchError> {
        let mut inverses: Vec<Vec<Action>> = Vec::new();
        let mut diffs = Vec::new();
        let mut redraw = Redraw::NONE;
        for action in actions {
            match dispatch(&mut self.project, action) {
                Ok(outcome) => {
                    inverses.extend(outcome.undo.map(|u| u.inverse));
                    diffs.extend(outcome.diffs);
                    redraw = redraw.union(outcome.redraw);
                }
                Err(e) => {
                    for inverse in inverses.into_iter().rev().flatten() {
                        match dispatch(&mut self.project, inverse) {
                            Ok(outcome) => diffs.extend(outcome.diffs),
                            Err(e) => tracing::error!("could not roll back a partial group: {e}"),
                        }
                    }
                    if !diffs.is_empty() {
                        self.sink.send(diffs);
                    }
                    return Err(e);
                }
            }
        }
        // Undo runs the inverse actions in order: the last edit's first.
        let inverse: Vec<Action> = inverses.into_iter().rev().flatten().collect();
        self.history.push(crate::undo::UndoEntry::new(label, inverse, None), Instant::now());
        self.changed(diffs);
        Ok(redraw)
    }

    /// Where the undo history is now: pass it to [`Session::join_since`].
    pub fn undo_mark(&self) -> u64 {
        self.history.state()
    }

    /// Makes the edits dispatched since `mark` one undo step named `label`.
    pub fn join_since(&mut self, mark: u64, label: &'static str) {
        self.history.join_since(mark, label);
    }

    /// What [`Session::undo`] would take back ("add note"), so the screen
    /// can say what it did.
    pub fn undo_label(&self) -> Option<&'static str> {
        self.history.undo_label()
    }

    /// What [`Session::redo`] would apply again.
    pub fn redo_label(&self) -> Option<&'static str> {
        self.history.redo_label()
    }

    /// Takes back the last edit; `Ok(None)` when there is none.
    ///
    /// # Errors
    ///
    /// As [`UndoHistory::undo`].
    pub fn undo(&mut self) -> Result<Option<Redraw>, DispatchError> {
        let Some(r) = self.history.undo(&mut self.project)? else { return Ok(None) };
        self.changed(r.diffs);
        self.dirty = !self.at_saved_state();
        Ok(Some(r.redraw))
    }

    /// Re-applies the last undone edit; `Ok(None)` when there is none.
    ///
    /// # Errors
    ///
    /// As [`UndoHistory::redo`].
    pub fn redo(&mut self) -> Result<Option<Redraw>, DispatchError> {
        let Some(r) = self.history.redo(&mut self.project)? else { return Ok(None) };
        self.changed(r.diffs);
        self.dirty = !self.at_saved_state();
        Ok(Some(r.redraw))
    }

    /// Replaces the whole project (e.g. with its recovery copy): one
    /// `SceneLoaded`, history cleared, marked dirty.
    pub fn replace_project(&mut self, project: Project) {
        self.project = project;
        self.history.clear();
        self.outside_history = false;
        self.saved_state = None;
        self.changed(vec![AudioDiff::SceneLoaded(Box::new(self.project.audio_scene()))]);
    }

    /// Whether the project is exactly what the saved file holds, by the
    /// history's position.
    fn at_saved_state(&self) -> bool {
        !self.outside_history && self.saved_state == Some(self.history.state())
    }

    fn changed(&mut self, diffs: Vec<AudioDiff>) {
        self.dirty = true;
        self.unrecovered = true;
        self.generation += 1;
        if !diffs.is_empty() {
            self.sink.send(diffs);
        }
    }

    /// A job saving the project to `path` (or the current path). The
    /// project is cloned here, on the caller's thread; the write happens on
    /// the saver thread.
    pub fn save_job(&mut self, path: Option<&Path>) -> Option<SaveJob> {
        let path = path.map(Path::to_owned).or_else(|| self.path.clone())?;
        let state = (!self.outside_history).then(|| self.history.state());
        self.save_snapshot = Some((self.generation, state));
        self.job_checkpoints = self.checkpoints.len();
        Some(SaveJob {
            path,
            project: Box::new(self.project.clone()),
            kind: SaveKind::Full,
            generation: self.generation,
            checkpoints: self.checkpoints.clone(),
        })
    }

    /// A recovery job when one is due at `now` (30 s since the last one and
    /// changes not yet in a recovery copy) and the session has a path.
    pub fn autosave_job(&mut self, now: Instant) -> Option<SaveJob> {
        let path = self.path.clone()?;
        if !self.autosave.take_due(now, self.unrecovered && self.dirty) {
            return None;
        }
        self.unrecovered = false;
        Some(SaveJob {
            path,
            project: Box::new(self.project.clone()),
            kind: SaveKind::Recovery,
            generation: self.generation,
            checkpoints: Vec::new(),
        })
    }

    /// Takes note of a finished save. A successful full save sets the path
    /// and clears the dirty flag unless edits came after the snapshot.
    /// Returns the report's error, if any, for the status line.
    pub fn on_saved(&mut self, report: SaveReport) -> Option<PersistError> {
        match report.result {
            Ok(_) if report.kind == SaveKind::Full => {
                self.path = Some(report.path);
                self.saved_generation = report.generation;
                self.saved_checkpoints = self.job_checkpoints;
                self.saved_state = match self.save_snapshot.take() {
                    Some((generation, state)) if generation == report.generation => state,
                    _ => None,
                };
                if report.generation == self.generation {
                    self.dirty = false;
                    self.unrecovered = false;
                }
                None
            }
            Ok(_) => None,
            Err(e) => {
                if report.kind == SaveKind::Recovery {
                    self.unrecovered = true;
                }
                Some(e)
            }
        }
    }

    /// The generation of the last successful full save.
    pub fn saved_generation(&self) -> u64 {
        self.saved_generation
    }

    /// How often a changed project writes its recovery copy (`None`:
    /// never), e.g. from the user's config; counts from now.
    pub fn set_autosave_interval(&mut self, interval: Option<std::time::Duration>) {
        self.autosave = AutosaveTimer::new(interval.unwrap_or(std::time::Duration::MAX), Instant::now());
    }

    /// Sets the file autosave and `save_job(None)` write to, e.g. for a
    /// new project named on the command line, before its first save.
    pub fn set_path(&mut self, path: Option<PathBuf>) {
        self.path = path;
    }

    /// Replaces the project with one just read from `path`: one
    /// `SceneLoaded`, history cleared, clean (it is what the file holds).
    /// Its checkpoints are set with [`Session::set_checkpoints`].
    pub fn open_project(&mut self, project: Project, path: PathBuf) {
        self.replace_project(project);
        self.set_checkpoints(Vec::new());
        self.path = Some(path);
        self.dirty = false;
        self.unrecovered = false;
        self.saved_generation = self.generation;
        self.saved_state = Some(self.history.state());
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use imbolc_types::{ChainOwner, EffectKind};

    use super::*;

    #[test]
    fn diffs_of_edits_undo_and_redo_reach_the_sink() {
        let sink = RecordingSink::default();
        let mut s = Session::new(Project::new("s"), sink.clone());
        assert!(matches!(&sink.take()[..], [AudioDiff::SceneLoaded(_)]));
        s.dispatch(Action::AddEffect { owner: ChainOwner::Master, kind: EffectKind::DELAY, index: None }).expect("add");
        assert!(matches!(&sink.take()[..], [AudioDiff::EffectAdded { .. }]));
        assert!(s.is_dirty());
        s.undo().expect("undo");
        assert!(matches!(&sink.take()[..], [AudioDiff::EffectRemoved { .. }]));
        s.redo().expect("redo");
        assert!(matches!(&sink.take()[..], [AudioDiff::EffectAdded { .. }]));
        assert!(s.dispatch(Action::UnmapMidiCc { channel: 0, cc: 0 }).is_err());
        assert!(sink.take().is_empty(), "a refused action sends nothing");
    }

    #[test]
    fn tapping_sets_the_tempo_as_one_undo_step() {
        let sink = RecordingSink::default();
        let mut s = Session::new(Project::new("s"), sink.clone());
        sink.take();
        let t = Instant::now();
        assert_eq!(s.tap_tempo(t).expect("tap"), None);
        for k in 1..4 {
            s.tap_tempo(t + Duration::from_millis(400 * k)).expect("tap");
        }
        assert_eq!(s.project().tempo, 150.0);
        let diffs = sink.take();
        assert_eq!(diffs.len(), 3);
        assert!(
            matches!(diffs[2], AudioDiff::ParamSet { target: imbolc_types::ParamTarget::Tempo, value } if value == 150.0)
        );
        assert_eq!(s.history().len(), 1);
        s.undo().expect("undo");
        assert_eq!(s.project().tempo, imbolc_types::project::DEFAULT_TEMPO);
    }

    #[test]
    fn autosave_is_due_every_interval_only_with_changes() {
        let mut s = Session::new(Project::new("s"), NullSink);
        let t = Instant::now();
        s.path = Some(PathBuf::from("/nonexistent/x.imbolc"));
        assert!(s.autosave_job(t + AUTOSAVE_INTERVAL).is_none(), "nothing changed");
        s.dispatch_at(Action::SetMasterMute { mute: true }, t).expect("edit");
        assert!(s.autosave_job(t + Duration::from_secs(1)).is_none(), "not yet 30 s");
        let job = s.autosave_job(t + AUTOSAVE_INTERVAL * 2).expect("due");
        assert_eq!(job.kind, SaveKind::Recovery);
        assert!(s.autosave_job(t + AUTOSAVE_INTERVAL * 4).is_none(), "no change since the last copy");
    }

    #[test]
    fn a_path_set_before_the_first_save_gets_autosaves_and_an_opened_project_is_clean() {
        let mut s = Session::new(Project::new("s"), NullSink);
        let t = Instant::now();
        s.dispatch_at(Action::SetMasterMute { mute: true }, t).expect("edit");
        assert!(s.autosave_job(t + AUTOSAVE_INTERVAL * 2).is_none(), "no path, no autosave");
        s.set_path(Some(PathBuf::from("/nonexistent/new.imbolc")));
        let job = s.autosave_job(t + AUTOSAVE_INTERVAL * 3).expect("due");
        assert_eq!(job.path, PathBuf::from("/nonexistent/new.imbolc"));

        s.open_project(Project::new("other"), PathBuf::from("/nonexistent/other.imbolc"));
        assert!(!s.is_dirty());
        assert_eq!(s.project().name, "other");
        assert_eq!(s.path(), Some(Path::new("/nonexistent/other.imbolc")));
        assert!(!s.history().can_undo(), "history starts over");
    }

    #[test]
    fn undo_back_to_the_saved_state_is_clean_and_a_merged_gesture_is_not() {
        let mut s = Session::new(Project::new("s"), NullSink);
        s.set_path(Some(PathBuf::from("/nonexistent/s.imbolc")));
        let t = Instant::now();
        let saved = |s: &mut Session<NullSink>| {
            let job = s.save_job(None).expect("a path");
            let info = crate::persist::SaveInfo { path: job.path.clone(), bytes: 0, updated_ms: 0 };
            s.on_saved(SaveReport { path: job.path, kind: job.kind, generation: job.generation, result: Ok(info) });
        };
        s.dispatch_at(Action::SetMasterMute { mute: true }, t).expect("edit");
        saved(&mut s);
        assert!(!s.is_dirty());
        s.dispatch_at(Action::SetMasterMute { mute: false }, t).expect("edit");
        assert!(s.is_dirty());
        s.undo().expect("undo");
        assert!(!s.is_dirty(), "back at the saved state");
        s.redo().expect("redo");
        assert!(s.is_dirty());
        s.undo().expect("undo");
        s.undo().expect("undo past the save");
        assert!(s.is_dirty());
        s.redo().expect("redo");
        assert!(!s.is_dirty(), "forward to the saved state");

        // A knob gesture saved half way, then continued: one undo step,
        // which leads to neither end of the gesture being the saved one.
        let level = |v| Action::SetParam { target: imbolc_types::ParamTarget::MasterLevel, value: v };
        s.dispatch_at(level(0.5), t).expect("edit");
        saved(&mut s);
        s.dispatch_at(level(0.4), t + Duration::from_millis(100)).expect("merged");
        assert!(s.is_dirty());
        s.undo().expect("undo");
        assert!(s.is_dirty(), "the gesture's start is not what was saved");
        s.redo().expect("redo");
        assert!(s.is_dirty(), "nor its end");
    }
}
