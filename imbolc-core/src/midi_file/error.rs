//! [`MidiFileError`]: why a MIDI file could not be imported or a project
//! exported. Nothing is changed when one is returned.

use std::path::PathBuf;

use imbolc_types::ClipId;

use crate::DispatchError;
use crate::persist::PersistError;

/// A MIDI file import or export that could not be done. The project (and
/// any file on disk) is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum MidiFileError {
    /// The file could not be read (missing, no permission): check the path.
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The output file could not be written: check the folder and space.
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The output exists and replacing it was not asked for (`--force`).
    #[error("{0} exists (use --force to replace it)")]
    Exists(PathBuf),
    /// The bytes are not a Standard MIDI File, or a chunk or event in it is
    /// broken (truncated file, a chunk longer than the file, running status
    /// with no status byte before it, ...). `track` is 1-based when the
    /// damage is inside a track.
    #[error("not a valid MIDI file{}: {reason}", track.map(|t| format!(" (track {t})")).unwrap_or_default())]
    Malformed { track: Option<usize>, reason: String },
    /// Format 2 (independent sequences) has no single timeline to import.
    #[error("MIDI file format 2 (independent sequences) is not supported; only formats 0 and 1 are")]
    Format2,
    /// SMPTE (frames per second) timing instead of ticks per quarter note.
    #[error("MIDI files timed in SMPTE frames ({fps} fps) are not supported; only ticks per quarter note are")]
    SmpteTiming { fps: u8 },
    /// A division of zero ticks per quarter note.
    #[error("the MIDI file's resolution is 0 ticks per quarter note")]
    ZeroResolution,
    /// More parts (track and channel pairs with notes) than one import takes.
    #[error("the MIDI file has {found} parts with notes; at most {max} can be imported")]
    TooManyParts { found: usize, max: usize },
    /// An event lies past the end of Imbolc's timeline (huge delta times).
    #[error("track {track} reaches past the end of the timeline (an event at quarter note {quarter})")]
    TooLong { track: usize, quarter: u64 },
    /// The project refused an edit the import needed (a bug, or ids used up).
    #[error("the project refused the import: {0}")]
    Refused(#[from] DispatchError),
    /// The project file could not be opened or saved.
    #[error(transparent)]
    Persist(#[from] PersistError),
    /// An export range that is empty or backwards (`5-2`, `0-3`).
    #[error("bad export range {0:?}: give whole, FIRST-LAST bars (from 1) or clip:ID")]
    BadRange(String),
    /// `clip:ID` names no clip of the project.
    #[error("the project has no clip {0}")]
    NoSuchClip(ClipId),
    /// midly could not encode the file (more than 65,535 tracks, an event
    /// of 256 MB): a limit of the format.
    #[error("cannot encode the MIDI file: {0}")]
    Encode(String),
}
