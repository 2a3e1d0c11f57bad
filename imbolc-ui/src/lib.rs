//! The `imbolc` binary's library: everything but `main`, so benches and
//! tests can drive the app and render panes.
//!
//! - [`cli`]: command-line arguments.
//! - [`logging`]: logs go to a file; the terminal belongs to the UI.
//! - [`terminal`]: entering and leaving the full-screen mode, also on panic.
//! - [`commands`]: the one command table (names, help, default keys).
//! - [`command_id`]: the command names that table describes.
//! - [`pane_kind`]: the panes, their tab order and titles.
//! - [`keys`]: key chords and the keymap, with the user's `keys.toml`.
//! - [`keys_doc`]: `docs/keys.md`, generated from the command table.
//! - [`audio`]: transport and live voices, besides diffs.
//! - [`app`]: the UI state around a `Session`; keys → commands → actions.
//! - [`state`]: the read-only view panes get.
//! - [`panes`]: one file per pane (instruments, editor, piano roll, mixer,
//!   server, help).
//! - [`browser`]: the sample browser (folders, audio files, preview).
//! - [`modal`], [`picker`] and [`palette`]: dialogs, the sound picker and the
//!   fuzzy command palette.
//! - [`status`]: tab bar and status line.
//! - [`open`]: opening the project named on the command line.
//! - [`complete`]: `Tab` completion of project paths in the file prompts.
//! - [`run`]: the terminal event loop.
//! - [`midi`]: live MIDI in the UI: controllers, learn, recording, clock.
//! - [`transport`]: play state, loop region and positions as bar.beat.
//! - [`typing`]: musical typing, the keyboard as a piano.
//! - [`render_cli`]: `imbolc render`: progress bar, summary, exit codes.
//! - [`midi_file_cli`]: `imbolc import` / `imbolc export` (MIDI files).
//! - [`render_dialog`]: the render dialog (worker thread, gauge, cancel).
//! - [`checkpoint_dialog`]: naming a checkpoint and the checkpoint list.
//! - [`collab`]: `imbolc host` / `imbolc join`: edits routed through the
//!   host (docs/collaboration.md).
//! - [`config`]: `config.toml`, the user's defaults (tempo, key, autosave,
//!   audio device and buffer, MIDI auto-connect).

pub mod app;
pub mod audio;
pub mod browser;
pub mod checkpoint_dialog;
pub mod cli;
pub mod collab;
pub mod command_id;
pub mod commands;
mod commands_play;
pub mod complete;
pub mod config;
pub mod control;
pub mod generate_text;
pub mod keys;
pub mod keys_doc;
pub mod layer_text;
pub mod logging;
pub mod midi;
pub mod midi_file_cli;
pub mod modal;
pub mod open;
pub mod palette;
pub mod pane_kind;
pub mod panes;
pub mod picker;
pub mod pitch_text;
pub mod render_cli;
pub mod render_dialog;
pub mod run;
pub mod script_cli;
pub mod state;
pub mod status;
pub mod terminal;
#[cfg(test)]
mod tests;
pub mod theme;
pub mod transform_text;
pub mod transport;
pub mod typing;
pub mod user_defs;
