//! The script language: every edit as a line of text with typed
//! arguments (`instrument add saw --name bass`, `note add bass C4 1.1 1/8`).
//! One table ([`table::SCRIPT_COMMANDS`]) gives each command's help and
//! feeds `docs/commands.md`; one parser ([`parse::parse`]) reads lines for
//! `imbolc run`, `imbolc repl` and anything else that drives a session
//! without the screen. Each edit goes through [`Session::dispatch`], so it
//! is one undoable action.

use std::path::PathBuf;

use imbolc_types::Project;

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::dispatch::DispatchError;
use crate::persist::PersistError;
use crate::session::{AudioSink, Session};

pub mod exec;
pub mod lex;
pub mod parse;
pub mod resolve;
pub mod table;

pub use exec::Effect;
pub use parse::Command;
pub use table::{SCRIPT_COMMANDS, markdown};

/// Why a line did not run.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    /// A word that is not what the command takes, or a name that matches
    /// nothing.
    #[error("{0}")]
    Invalid(String),
    /// The edit was refused.
    #[error(transparent)]
    Dispatch(#[from] DispatchError),
    /// A checkpoint could not be made or restored.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// Saving failed.
    #[error(transparent)]
    Persist(#[from] PersistError),
}

/// A script's first error, with its line number (from 1).
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {error}")]
pub struct LineError {
    pub line: usize,
    pub error: ScriptError,
}

/// Parses and runs one line on `session`.
///
/// # Errors
/// As [`parse::parse`] and [`exec::run`]; the project is unchanged then.
pub fn run_line<S: AudioSink>(session: &mut Session<S>, line: &str) -> Result<Effect, ScriptError> {
    let words = lex::words(line)?;
    match parse::parse(&words, session.project().time_signature)? {
        Some(command) => exec::run(session, &command),
        None => Ok(Effect::Say(String::new())),
    }
}

/// A state of the project a script asked to save, where (`None`: the
/// session's own file), and the checkpoints to store with it.
pub type SaveRequest = (Option<PathBuf>, Project, Vec<Checkpoint>);

/// Runs every line of `text` on `session`, passing what each says to
/// `say`, and stops at the first error. Saving is left to the caller: the
/// states the script asked to save come back in order, so a caller can
/// write nothing when a later line fails.
///
/// # Errors
/// The first [`LineError`]; lines before it have run.
pub fn run_script<S: AudioSink>(
    session: &mut Session<S>,
    text: &str,
    say: &mut dyn FnMut(&str),
) -> Result<Vec<SaveRequest>, LineError> {
    let mut saves = Vec::new();
    for (i, line) in text.lines().enumerate() {
        match run_line(session, line).map_err(|error| LineError { line: i + 1, error })? {
            Effect::Say(text) if !text.is_empty() => say(&text),
            Effect::Say(_) => {}
            Effect::Save(path) => {
                saves.push((path, session.project().clone(), session.checkpoints().to_vec()));
            }
            Effect::Quit => break,
        }
    }
    Ok(saves)
}

#[cfg(test)]
mod tests;
