//! Project state, dispatch, undo/redo, persistence and the session runtime
//! that connects them to the audio thread.
//!
//! - [`analysis`]: samples decoded for display and slicing: waveform
//!   overview, onset detection, slice markers, root-pitch estimation.
//! - [`audio_track`]: audio clip edits as keys make them (import at a
//!   tick, trim, fade, gain), each one action.
//! - [`capture`]: a clip launcher performance captured into the
//!   arrangement (one undo step).
//! - [`collab`]: playing together: a host orders every edit and
//!   broadcasts the applied actions to clients (encrypted, bounded).
//! - [`checkpoint`]: named states of the project, their change summaries,
//!   restored as one undoable edit.
//! - [`mod@dispatch`]: [`dispatch()`]`(&mut Project, Action)`, pure, one file per
//!   domain; returns the `AudioDiff`s, the undo entry and what to redraw.
//! - [`freeze`]: render an instrument's chain into the sample store and
//!   play it in place (one undo step; unfreeze restores it).
//! - [`undo`]: inverse-based undo entries and the bounded, coalescing
//!   [`undo::UndoHistory`].
//! - [`session`]: [`session::Session`], the runtime owning project, history,
//!   path, dirty flag and the [`session::AudioSink`] diffs go to.
//! - [`record`]: automation recording (takes per target, thinning); the
//!   session writes a take into its lane as one undo step.
//! - [`tap_tempo`]: the tempo from taps on a key ([`tap_tempo::TapTempo`]);
//!   `Session::tap_tempo` turns a tap into a `SetParam(Tempo)`.
//! - [`demo`]: the built-in demo song ([`demo::demo_project`]) and
//!   `imbolc demo PATH`.
//! - [`drums`]: pad edits that need a checked sample file.
//! - [`slicing`]: slices of a pad's sample assigned to pads (one undo step).
//! - [`persist`]: `*.imbolc` files (SQLite + MessagePack): open, save,
//!   recovery copies, migrations and a background saver thread.
//! - [`render`]: rendering to WAV (master and stems) with `scsynth -N`.
//! - [`sampler`]: sampler zones from files, root keys from pitch, slices
//!   mapped to keys.
//! - [`scala`]: Scala `.scl` scales and `.kbm` mappings parsed into a
//!   tuning stored in the project.
//! - [`sfz`]: SFZ import: an `.sfz` file and its samples become a sampler.
//! - [`store`]: the sample store: importing a sample file (checked with
//!   symphonia) into the project by content hash.
//! - [`sources`]: an opened project's sources brought in line with this
//!   build's catalog (new parameters, broken custom SynthDefs).
//! - [`midi`]: live MIDI input (midir), routing to the audio thread's
//!   realtime lane, MIDI learn, recording, clock in and out.
//! - [`midi_file`]: Standard MIDI Files: import (a new project or one
//!   undo step) and export (song, bars or a clip).

pub mod analysis;
pub mod audio_track;
pub mod capture;
#[cfg(test)]
mod capture_tests;
pub mod checkpoint;
pub mod collab;
pub mod demo;
pub mod dispatch;
pub mod drums;
pub mod freeze;
pub mod midi;
pub mod midi_file;
pub mod persist;
pub mod record;
pub mod render;
pub mod sampler;
pub mod scala;
pub mod script;
pub mod session;
pub mod sfz;
pub mod slicing;
pub mod sources;
pub mod store;
pub mod take_clips;
pub mod tap_tempo;
pub mod undo;

pub use dispatch::{DispatchError, Outcome, Redraw, dispatch};
pub use session::{AudioSink, Session};
pub use undo::{UndoEntry, UndoHistory};

/// One sample cache folder for every test of this crate that imports a
/// sample, so none writes to the user's cache (the setting is
/// process-wide and tests run in parallel, so they share it).
#[cfg(test)]
pub(crate) fn test_cache() {
    let dir = std::env::temp_dir().join(format!("imbolc-core-test-cache-{}", std::process::id()));
    imbolc_audio::sample_cache::set_cache_dir(Some(dir));
}
