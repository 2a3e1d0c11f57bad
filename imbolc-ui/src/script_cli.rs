//! `imbolc run SONG.imbolc SCRIPT` and `imbolc repl SONG.imbolc`: the
//! script language (`imbolc_core::script`, `docs/commands.md`) without
//! the screen. `run` stops at the first error with its line number, exit
//! code 2, and writes nothing; it writes the project only when the whole
//! script ran and said `save`. `repl` reads lines from standard input and
//! answers in plain text, one line per result, no redraws.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use imbolc_core::persist::{PersistError, save_with_checkpoints};
use imbolc_core::script::{self, Effect, LineError};
use imbolc_core::session::{NullSink, Session};
use imbolc_types::Project;

/// Options of `imbolc run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// The project file (created by the script's `save` when it does not exist).
    pub song: PathBuf,
    /// The script file, or `-` for standard input.
    pub script: String,
}

/// Options of `imbolc repl`.
#[derive(Debug, Clone, Args)]
pub struct ReplArgs {
    /// The project file (created by `save` when it does not exist).
    pub song: PathBuf,
}

/// Why `imbolc run` failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The project or the script could not be read (exit 2).
    #[error("{0}")]
    Input(String),
    /// A line failed (exit 2); nothing was written.
    #[error("{script}:{0}", script = .1)]
    Line(LineError, String),
    /// Writing the project failed (exit 1).
    #[error(transparent)]
    Write(#[from] PersistError),
}

/// A session on `song`: the file's project, or a new one named after it.
///
/// # Errors
/// [`RunError::Input`] when the file exists and does not open.
pub fn open(song: &Path) -> Result<Session<NullSink>, RunError> {
    if song.exists() {
        let (mut session, _) = Session::open(song, NullSink)
            .map_err(|e| RunError::Input(format!("cannot open {}: {e}", song.display())))?;
        session.set_path(Some(song.to_owned()));
        return Ok(session);
    }
    let name = song.file_stem().map_or_else(|| "untitled".to_owned(), |s| s.to_string_lossy().into_owned());
    let mut session = Session::new(Project::new(name), NullSink);
    session.set_path(Some(song.to_owned()));
    Ok(session)
}

/// Runs `text` (named `script` in messages) on `song`, printing what each
/// line says to `out`; writes the saves it asked for only when every line
/// ran. Returns how many files were written.
///
/// # Errors
/// As [`RunError`]; on a line error the project file is untouched.
pub fn run_text(song: &Path, script: &str, text: &str, out: &mut dyn Write) -> Result<usize, RunError> {
    let mut session = open(song)?;
    let saves = script::run_script(&mut session, text, &mut |s| {
        let _ = writeln!(out, "{}", s.trim_end());
    })
    .map_err(|e| RunError::Line(e, script.to_owned()))?;
    for (path, project, checkpoints) in &saves {
        save_with_checkpoints(path.as_deref().unwrap_or(song), project, checkpoints)?;
    }
    Ok(saves.len())
}

/// Runs `imbolc run`.
pub fn run(args: &RunArgs) -> ExitCode {
    let text = if args.script == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map(|_| s)
    } else {
        std::fs::read_to_string(&args.script)
    };
    let result = text
        .map_err(|e| RunError::Input(format!("cannot read {}: {e}", args.script)))
        .and_then(|text| run_text(&args.song, &args.script, &text, &mut std::io::stdout()));
    match result {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => {
            println!("saved {}", args.song.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("imbolc: {e}");
            ExitCode::from(if matches!(e, RunError::Write(_)) { 1 } else { 2 })
        }
    }
}

/// Reads lines from `input` and runs each on `session`, answering on
/// `out`: what a line says, `error: …` for a line that failed (the
/// session goes on), `saved PATH` when it saved.
///
/// # Errors
/// Only when `input` or `out` fails.
pub fn repl(
    session: &mut Session<NullSink>,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    prompt: bool,
) -> std::io::Result<()> {
    writeln!(out, "imbolc repl: type help for the commands, quit to leave")?;
    let mut line = String::new();
    loop {
        if prompt {
            write!(out, "> ")?;
            out.flush()?;
        }
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(());
        }
        match script::run_line(session, &line) {
            Ok(Effect::Say(text)) => {
                if !text.is_empty() {
                    writeln!(out, "{}", text.trim_end())?;
                }
            }
            Ok(Effect::Save(path)) => {
                let target = path.or_else(|| session.path().map(Path::to_owned));
                match target {
                    Some(p) => match save_with_checkpoints(&p, session.project(), session.checkpoints()) {
                        Ok(_) => writeln!(out, "saved {}", p.display())?,
                        Err(e) => writeln!(out, "error: {e}")?,
                    },
                    None => writeln!(out, "error: no file to save to")?,
                }
            }
            Ok(Effect::Quit) => return Ok(()),
            Err(e) => writeln!(out, "error: {e}")?,
        }
    }
}

/// Runs `imbolc repl`.
pub fn repl_main(args: &ReplArgs) -> ExitCode {
    let mut session = match open(&args.song) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("imbolc: {e}");
            return ExitCode::from(2);
        }
    };
    let stdin = std::io::stdin();
    let prompt = stdin.is_terminal();
    match repl(&mut session, &mut stdin.lock(), &mut std::io::stdout(), prompt) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("imbolc: {e}");
            ExitCode::FAILURE
        }
    }
}
