//! `imbolc`: a terminal digital audio workstation.
//!
//! - [`cli`]: command-line arguments.
//! - [`logging`]: logs go to a file; the terminal belongs to the UI.
//! - [`terminal`]: entering and leaving the full-screen mode, also on panic.
//! - [`commands`]: the one command table (names, help, default keys).
//! - [`keys`]: key chords and the keymap, with the user's `keys.toml`.
//! - [`app`]: the UI state around a `Session`; keys → commands → actions.
//! - [`state`]: the read-only view panes get.
//! - [`panes`]: one file per pane (instruments, editor, piano roll, mixer,
//!   server, help).
//! - [`modal`] and [`palette`]: dialogs and the fuzzy command palette.
//! - [`status`]: tab bar and status line.
//! - [`open`]: opening the project named on the command line.
//! - [`run`]: the terminal event loop.

mod app;
mod cli;
mod commands;
mod keys;
mod logging;
mod midi;
mod modal;
mod open;
mod palette;
mod panes;
mod run;
mod state;
mod status;
mod terminal;
#[cfg(test)]
mod tests;

use std::process::ExitCode;

use clap::Parser;
use imbolc_audio::engine::AudioHandle;
use imbolc_core::persist::BackgroundSaver;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    let _log_guard = logging::init();
    match run_app(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("imbolc: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_app(args: &cli::Args) -> std::io::Result<()> {
    // The audio thread boots scsynth in the background, so the UI is up at once.
    let config = imbolc_audio::engine::EngineConfig::new(args.server_config());
    let audio = AudioHandle::spawn(config).map_err(std::io::Error::other)?;
    let (keymap, key_message) = keys::Keymap::load_user();
    let respawn = || {
        let config = imbolc_audio::engine::EngineConfig::new(args.server_config());
        AudioHandle::spawn(config).map_err(std::io::Error::other)
    };
    let opened = open::open(args.project.as_deref(), audio, respawn)?;
    let saver = BackgroundSaver::spawn().map_err(std::io::Error::other)?;
    let mut app = app::App::new(opened.session, opened.path, keymap, Some(saver));
    for m in [opened.problem, key_message].into_iter().flatten() {
        app.error(m);
    }
    // The session's engine may be a respawned one: take its lane.
    let live = app.session_mut().audio_mut().live_sender();
    app.attach_midi(midi::MidiUi::start(live));
    if opened.recovery {
        app.offer_recovery();
    }
    let mut term = terminal::enter()?;
    let result = run::run(&mut app, &mut term);
    terminal::leave()?;
    // Dropping the app finishes pending saves, then stops scsynth and JACK
    // and waits for them: nothing is left running.
    drop(app);
    result
}
