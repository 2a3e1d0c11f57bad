//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use imbolc_audio::server::ServerConfig;

use crate::config::Config;

/// A terminal digital audio workstation.
#[derive(Debug, Parser)]
#[command(name = "imbolc", version, about, args_conflicts_with_subcommands = true)]
pub struct Args {
    /// A subcommand (`imbolc demo …`, `imbolc render …`, `imbolc import …`, `imbolc export …`);
    /// without one, the TUI starts.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Project file to open (created when it does not exist).
    pub project: Option<PathBuf>,

    /// JACK server to use: "auto" (the running default one, else start one
    /// as the default server), "dummy" (a private server with no sound
    /// card), or a server name. Default: `audio.device` of config.toml,
    /// else "auto". Also after `host` and `join`.
    #[arg(long, global = true)]
    pub jack: Option<String>,

    /// Join the Ableton Link session on the network at start (tempo, bar
    /// phase and start/stop shared with other apps; `&` toggles it). Also
    /// after `host` and `join`.
    #[arg(long, global = true)]
    pub link: bool,

    /// Print where a TUI started now listens for control lines
    /// (docs/control-socket.md), and exit.
    #[arg(long)]
    pub socket_path: bool,
}

impl Args {
    /// The server settings these arguments and the user's config ask for.
    pub fn server_config(&self, config: &Config) -> ServerConfig {
        config.server_config(self.jack.as_deref())
    }
}

/// Commands that run without the terminal UI.
// Parsed once at start: the size of the render options does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the built-in demo song to a project file.
    Demo {
        /// Where to write it (e.g. demo.imbolc).
        path: PathBuf,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Render the master (and stems) to WAV, FLAC, Ogg Vorbis or MP3 files, faster than real time.
    Render(crate::render_cli::RenderArgs),
    /// Make a new project from a Standard MIDI File (format 0 or 1).
    Import(crate::midi_file_cli::ImportArgs),
    /// Write a project (the song, bars or one clip) as a MIDI file.
    Export(crate::midi_file_cli::ExportArgs),
    /// Run a script of commands (docs/commands.md) on a project; `-` reads standard input.
    Run(crate::script_cli::RunArgs),
    /// Read commands (docs/commands.md) line by line from standard input, answering in plain text.
    Repl(crate::script_cli::ReplArgs),
    /// Open a project in the TUI and let others join it (prints the join line).
    Host {
        /// The project file (created when it does not exist).
        project: PathBuf,
        /// TCP port to listen on (0: any free one).
        #[arg(long, default_value_t = 7878)]
        port: u16,
    },
    /// Open the TUI on a replica of a hosted project.
    Join {
        /// The host's `HOST:PORT`.
        address: String,
        /// The code the host printed.
        #[arg(long)]
        code: String,
    },
}

impl Command {
    /// Hosting or joining: these open the TUI.
    pub fn collab(&self) -> Option<(Option<PathBuf>, crate::collab::CollabStart)> {
        match self {
            Command::Host { project, port } => {
                Some((Some(project.clone()), crate::collab::CollabStart::Host { port: *port }))
            }
            Command::Join { address, code } => {
                Some((None, crate::collab::CollabStart::Join { address: address.clone(), code: code.clone() }))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_path_and_subcommands_both_parse() {
        let open = Args::try_parse_from(["imbolc", "song.imbolc", "--jack", "dummy"]).expect("parses");
        assert_eq!(open.project, Some(PathBuf::from("song.imbolc")));
        assert!(open.command.is_none());
        let demo = Args::try_parse_from(["imbolc", "demo", "d.imbolc", "--force"]).expect("parses");
        assert!(
            matches!(demo.command, Some(Command::Demo { ref path, force: true }) if path == &PathBuf::from("d.imbolc"))
        );
        assert!(Args::try_parse_from(["imbolc", "demo"]).is_err(), "demo needs a path");
        let host = Args::try_parse_from(["imbolc", "host", "s.imbolc", "--port", "9000"]).expect("parses");
        assert!(matches!(host.command, Some(Command::Host { port: 9000, .. })));
        let join = Args::try_parse_from(["imbolc", "join", "127.0.0.1:9000", "--code", "AB"]).expect("parses");
        assert!(matches!(join.command, Some(Command::Join { ref code, .. }) if code == "AB"));
        assert!(!join.link, "Link is off unless asked");
        for args in [
            &["imbolc", "--link"][..],
            &["imbolc", "host", "s.imbolc", "--link"],
            &["imbolc", "join", "h:1", "--code", "AB", "--link"],
        ] {
            assert!(Args::try_parse_from(args).expect("parses").link, "{args:?}");
        }
    }
}
