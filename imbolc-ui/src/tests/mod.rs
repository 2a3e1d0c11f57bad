//! Tests of the UI without a terminal: key sequences driven through
//! [`crate::app::App`] on a `NullSink` session, snapshots of every pane on
//! ratatui's `TestBackend`, and checks of the command table and keymap.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod artist;
mod audio_input;
mod audio_tracks;
mod browse;
mod bus_effects;
mod checkpoints;
mod collab;
mod commands;
mod compose;
mod compose_play;
mod composing;
mod control_socket;
mod custom_defs;
mod docs_keys;
mod drums;
mod editor_voices;
mod fixture;
mod frictions;
mod generators;
mod layers;
mod link;
mod loops;
mod midi_files;
mod midi_map;
mod mix_keys;
mod open_repaired;
mod probability;
mod reach;
mod sampler;
mod session;
mod slicer;
mod snapshots;
mod takes;
mod tempo_sync;
mod themes;
mod track_takes;
mod views;
