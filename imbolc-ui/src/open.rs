//! Opening the project named on the command line: an existing file is
//! loaded; a missing one becomes a new project saved there on Ctrl-s; a
//! file that cannot be read is reported and never written, because the app
//! is then given no path to save to.

use std::path::{Path, PathBuf};

use imbolc_core::{AudioSink, Session};

use crate::config::Config;

/// What the app starts with.
#[derive(Debug)]
pub struct Opened<S: AudioSink> {
    pub session: Session<S>,
    /// Where Ctrl-s saves; `None` for no file or an unreadable one.
    pub path: Option<PathBuf>,
    /// A problem for the status line.
    pub problem: Option<String>,
    /// The file holds an autosave copy newer than the saved project; the
    /// app offers it (see `App::offer_recovery`).
    pub recovery: bool,
}

/// The first thing a new user sees when starting `imbolc` with no file:
/// the built-in demo song, so play sounds at once. It has no file yet:
/// `S` (save as) keeps a copy.
pub fn demo<S: AudioSink>(sink: S) -> Opened<S> {
    Opened {
        session: Session::new(imbolc_core::demo::demo_project(), sink),
        path: None,
        problem: None,
        recovery: false,
    }
}

/// Opens `path` (if any) with `sink`. `respawn` makes a new sink in the
/// one case the first is lost: the file changed between the check and the
/// open, which consumed the sink.
///
/// # Errors
/// Only when `respawn` is needed and fails.
pub fn open<S: AudioSink>(
    path: Option<&Path>,
    sink: S,
    respawn: impl FnOnce() -> std::io::Result<S>,
) -> std::io::Result<Opened<S>> {
    open_with(path, sink, respawn, &Config::default())
}

/// [`open`], a new project taking the tempo and key of `config`.
///
/// # Errors
/// As [`open`].
pub fn open_with<S: AudioSink>(
    path: Option<&Path>,
    sink: S,
    respawn: impl FnOnce() -> std::io::Result<S>,
    config: &Config,
) -> std::io::Result<Opened<S>> {
    let fresh = |name: String, sink: S, path: Option<PathBuf>, problem: Option<String>| Opened {
        session: Session::new(config.new_project(name), sink),
        path,
        problem,
        recovery: false,
    };
    let Some(path) = path else { return Ok(fresh("untitled".to_owned(), sink, None, None)) };
    let name = path.file_stem().map_or_else(|| "untitled".to_owned(), |s| s.to_string_lossy().into_owned());
    if !path.exists() {
        // Autosave needs the path before the first save.
        let mut opened = fresh(name, sink, Some(path.to_owned()), None);
        opened.session.set_path(Some(path.to_owned()));
        return Ok(opened);
    }
    let refused = |e: &dyn std::fmt::Display| format!("cannot open {}: {e} (file left untouched)", path.display());
    // Checked first because `Session::open` consumes the sink.
    if let Err(e) = imbolc_core::persist::load(path) {
        return Ok(fresh(name, sink, None, Some(refused(&e))));
    }
    match Session::open(path, sink) {
        Ok((session, loaded)) => Ok(Opened {
            session,
            path: Some(path.to_owned()),
            problem: loaded
                .repairs
                .line()
                .into_iter()
                .chain(loaded.damaged_checkpoints.first().cloned())
                .reduce(|a, b| format!("{a}; {b}")),
            recovery: loaded.newer_recovery.is_some(),
        }),
        Err(e) => Ok(fresh(name, respawn()?, None, Some(refused(&e)))),
    }
}
