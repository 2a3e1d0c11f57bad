//! `imbolc`: a terminal digital audio workstation.
//!
//! - [`cli`]: command-line arguments.
//! - [`logging`]: logs go to a file; the terminal belongs to the UI.
//! - [`terminal`]: entering and leaving the full-screen mode, also on panic.
//! - [`app`]: the event loop and what it draws.

mod app;
mod cli;
mod logging;
mod terminal;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    let _log_guard = logging::init();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("imbolc: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &cli::Args) -> std::io::Result<()> {
    // The audio thread boots scsynth in the background, so the UI is up at once.
    let config = imbolc_audio::engine::EngineConfig::new(args.server_config());
    let audio = imbolc_audio::engine::AudioHandle::spawn(config).map_err(std::io::Error::other)?;
    let mut term = terminal::enter()?;
    let mut app = app::App::new(args.project.clone(), audio);
    let result = app.run(&mut term);
    terminal::leave()?;
    // Stops scsynth and JACK and waits for them: nothing is left running.
    app.into_audio().shutdown();
    result
}
