//! The session with the background saver: a save runs on the saver thread,
//! its report clears the dirty flag, an edit made meanwhile keeps it set,
//! and an autosave writes a recovery copy that opening then reports.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] fns

mod common;

use std::time::Instant;

use common::temp_dir;
use imbolc_core::persist::{AUTOSAVE_INTERVAL, BackgroundSaver, SaveKind};
use imbolc_core::session::{NullSink, Session};
use imbolc_types::{Action, Note, ParamTarget, Project, SourceKind};

#[test]
fn background_save_then_recovery() {
    let dir = temp_dir("session");
    let path = dir.join("song.imbolc");
    let saver = BackgroundSaver::spawn().expect("saver");
    let mut s = Session::new(Project::new("song"), NullSink);
    s.dispatch(Action::AddInstrument { source: SourceKind::SAW, name: "lead".into() }).expect("edit");

    saver.submit(s.save_job(Some(&path)).expect("job")).expect("submit");
    let report = saver.wait_report().expect("report");
    assert_eq!(report.kind, SaveKind::Full);
    assert!(s.on_saved(report).is_none());
    assert!(!s.is_dirty());
    assert_eq!(s.path(), Some(path.as_path()));

    // An edit after the snapshot keeps the session dirty.
    let job = s.save_job(None).expect("job");
    let t = Instant::now();
    s.dispatch_at(Action::SetParam { target: ParamTarget::Tempo, value: 140.0 }, t).expect("edit");
    saver.submit(job).expect("submit");
    assert!(s.on_saved(saver.wait_report().expect("report")).is_none());
    assert!(s.is_dirty(), "the tempo change is not in that save");

    let job = s.autosave_job(t + AUTOSAVE_INTERVAL).expect("autosave due");
    saver.submit(job).expect("submit");
    assert!(s.on_saved(saver.wait_report().expect("report")).is_none());

    let (reopened, loaded) = Session::open(&path, NullSink).expect("open");
    assert_eq!(reopened.project().tempo, 120.0, "the saved copy opens");
    assert!(loaded.newer_recovery.is_some(), "and the newer recovery copy is offered");
    assert_eq!(imbolc_core::persist::load_recovery(&path).expect("recovery").0, *s.project());
}

/// A save job shares the clips' notes with the session instead of copying
/// them; an edit made while the job is out copies only the clip it
/// changes, and the job still saves the notes as they were.
#[test]
fn a_save_job_shares_notes_and_an_edit_copies_only_its_clip() {
    let mut s = Session::new(common::build_project(2, 0, 400), NullSink);
    let second = *s.project().instruments.keys().nth(1).expect("two instruments");
    s.dispatch(Action::AddClip { instrument: second, name: "b".into(), length: 1920 }).expect("clip");
    let other = *s.project().clips.keys().last().expect("the new clip");
    s.dispatch(Action::AddNote { clip: other, note: Note::new(64, 100, 0, 120) }).expect("note");

    let job = s.save_job(Some(&temp_dir("share").join("song.imbolc"))).expect("job");
    let shared = |s: &Session<NullSink>| {
        s.project()
            .clips
            .values()
            .zip(job.project.clips.values())
            .filter(|(a, b)| a.notes.shares_with(&b.notes))
            .count()
    };
    assert_eq!(shared(&s), 2, "every clip's notes are shared by the job");

    let clip = *s.project().clips.keys().next().expect("the 400-note clip");
    s.dispatch(Action::AddNote { clip, note: Note::new(60, 100, 0, 120) }).expect("edit");
    assert_eq!(shared(&s), 1, "only the edited clip was copied");
    assert_eq!(s.project().clips[&clip].notes.len(), 401);
    assert_eq!(job.project.clips[&clip].notes.len(), 400, "the job keeps the notes as they were");
}
