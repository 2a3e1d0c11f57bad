//! [`RenderError`]: bad input (the user can fix the command) versus a render
//! that failed (the machine or scsynth did).

use std::path::PathBuf;

use crate::persist::PersistError;

/// Why a render did not produce its files. Whatever the error, no file of
/// the render is left half-written: temporary files are removed and
/// existing files are untouched.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The project file could not be opened (missing, corrupt, newer):
    /// check the path.
    #[error("cannot open project {path}: {source}")]
    Project {
        path: PathBuf,
        #[source]
        source: PersistError,
    },
    /// An option value is out of range: fix the option.
    #[error("bad --{option} value {value:?}: {hint}")]
    BadOption { option: &'static str, value: String, hint: String },
    /// The output folder cannot be created or written: choose another.
    #[error("cannot write to {path}: {source}")]
    Unwritable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Target files exist: pass --force to replace them, or choose another folder.
    #[error("{} already exists (use --force to overwrite)", .0.display())]
    Exists(PathBuf),
    /// The range holds no music (empty song, or bars past its end).
    #[error("nothing to render: {0}")]
    Empty(String),
    /// The render would last longer than the limit: render a range, or
    /// raise the limit (`--max-length`, or the dialog's "Max length").
    #[error(
        "the render would last {}{}, longer than the {} limit (raise it: --max-length, or Max length in the render dialog)",
        if *.exact { "" } else { "at least " },
        super::options::duration_text(*.secs),
        super::options::duration_text(*.limit)
    )]
    TooLong { secs: f64, limit: f64, exact: bool },
    /// Not enough free space for the render's output: free some or choose
    /// another folder.
    #[error(
        "not enough space in {}: the render needs about {}, {} are free",
        .dir.display(),
        super::options::bytes_text(*.needed),
        super::options::bytes_text(*.free)
    )]
    NoSpace { dir: PathBuf, needed: u64, free: u64 },
    /// scsynth is not installed or not on PATH: install it.
    #[error("scsynth not found ({program}); install it with: apt-get install supercollider-server")]
    ScsynthMissing { program: String },
    /// scsynth ran but failed; the message holds its last lines.
    #[error("scsynth failed ({status}): {log}")]
    Scsynth { status: String, log: String },
    /// The render was cancelled; nothing was written.
    #[error("render cancelled")]
    Cancelled,
    /// Reading scsynth's output or writing a file failed (disk full…).
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// An encoder (FLAC, Ogg Vorbis, MP3) refused the samples or failed;
    /// nothing is left under the final name.
    #[error("{format} encoding failed: {message}")]
    Encode { format: &'static str, message: String },
    /// scsynth's output could not be read as WAV.
    #[error("unreadable render output: {0}")]
    Wav(#[from] hound::Error),
}

impl RenderError {
    /// True when the user's input is at fault (exit code 2 on the command
    /// line); false when the render itself failed (exit code 1).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            RenderError::Project { .. }
                | RenderError::BadOption { .. }
                | RenderError::Unwritable { .. }
                | RenderError::Exists(_)
                | RenderError::Empty(_)
                | RenderError::TooLong { .. }
        )
    }

    pub(super) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> RenderError {
        let context = context.into();
        move |source| RenderError::Io { context, source }
    }
}
