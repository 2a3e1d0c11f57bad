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
    // Boot scsynth in the background first, so the UI is up at once.
    let (supervisor, status) = imbolc_audio::supervisor::Supervisor::spawn(args.server_config())?;
    let mut term = terminal::enter()?;
    let result = app::App::new(args.project.clone(), status).run(&mut term);
    terminal::leave()?;
    supervisor.shutdown();
    result
}
