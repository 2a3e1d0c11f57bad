//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use imbolc_audio::server::{JackMode, ServerConfig};

/// A terminal digital audio workstation.
#[derive(Debug, Parser)]
#[command(name = "imbolc", version, about, args_conflicts_with_subcommands = true)]
pub struct Args {
    /// A subcommand (`imbolc render …`); without one, the TUI starts.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Project file to open (created when it does not exist).
    pub project: Option<PathBuf>,

    /// JACK server to use: "auto" (the running one, else start one),
    /// "dummy" (a private server with no sound card), or a server name.
    #[arg(long, default_value = "auto")]
    pub jack: String,
}

impl Args {
    /// The server settings these arguments ask for.
    pub fn server_config(&self) -> ServerConfig {
        let jack = match self.jack.as_str() {
            "auto" => JackMode::Auto,
            "dummy" => JackMode::Dummy,
            name => JackMode::Existing(name.to_owned()),
        };
        ServerConfig { jack, ..ServerConfig::default() }
    }
}

/// What `imbolc` does instead of starting the TUI.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render the master (and stems) to WAV files, faster than real time.
    Render(crate::render_cli::RenderArgs),
}
