//! `imbolc import SONG.mid -o SONG.imbolc` and `imbolc export SONG.imbolc
//! -o SONG.mid`: Standard MIDI Files in and out without the terminal UI.
//! Exit codes: 0 done, 2 bad input (a broken MIDI file, a project that
//! does not open, a bad range, an existing output without `--force`),
//! 1 the output could not be written.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use imbolc_core::midi_file::{self, ExportOptions, ExportRange, MidiFileError};

/// Options of `imbolc import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The MIDI file (format 0 or 1).
    pub midi: PathBuf,
    /// The project file to write.
    #[arg(short, long)]
    pub out: PathBuf,
    /// Replace the project file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Options of `imbolc export`.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// The project file.
    pub song: PathBuf,
    /// The MIDI file to write (format 1).
    #[arg(short, long)]
    pub out: PathBuf,
    /// "whole", bars like "2-5", or "clip:ID" for one clip.
    #[arg(long, default_value = "whole")]
    pub range: String,
    /// Also write muted instruments.
    #[arg(long)]
    pub include_muted: bool,
    /// Replace the MIDI file if it exists.
    #[arg(long)]
    pub force: bool,
}

/// The exit code for an error: 1 when writing failed, else 2 (bad input).
fn code(e: &MidiFileError) -> u8 {
    match e {
        MidiFileError::Write { .. } | MidiFileError::Encode(_) | MidiFileError::Refused(_) => 1,
        _ => 2,
    }
}

fn finish(result: Result<String, MidiFileError>) -> ExitCode {
    match result {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("imbolc: {e}");
            ExitCode::from(code(&e))
        }
    }
}

/// Runs `imbolc import`.
pub fn import(args: &ImportArgs) -> ExitCode {
    finish(
        midi_file::import_file(&args.midi, &args.out, args.force)
            .map(|summary| format!("{summary}\nwrote {}", args.out.display())),
    )
}

/// Runs `imbolc export`.
pub fn export(args: &ExportArgs) -> ExitCode {
    let result = args.range.parse::<ExportRange>().and_then(|range| {
        let opts = ExportOptions { range, include_muted: args.include_muted };
        midi_file::export_file(&args.song, &args.out, &opts, args.force)
    });
    finish(result.map(|summary| format!("{summary}\nwrote {}", args.out.display())))
}

/// The render dialog's `m`: writes `project` (bars `first..=last`, or the
/// whole song when `first` is 0; muted instruments left out) as
/// `<project name>.mid` in `out_dir`. Returns the line to show.
///
/// # Errors
///
/// The message to show: the file exists without `force`, or the export
/// or the write failed.
pub fn export_from_dialog(
    project: &imbolc_types::Project,
    out_dir: &std::path::Path,
    first: u32,
    last: u32,
    force: bool,
) -> Result<String, String> {
    let stem: String = project
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ' ') { c } else { '_' })
        .collect();
    let stem = if stem.trim().is_empty() { "song".to_owned() } else { stem.trim().to_owned() };
    let path = out_dir.join(format!("{stem}.mid"));
    if !force && path.exists() {
        return Err(format!("{} exists (set Overwrite to yes)", path.display()));
    }
    std::fs::create_dir_all(out_dir).map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let range = if first == 0 { ExportRange::Whole } else { ExportRange::Bars { first, last: last.max(first) } };
    let opts = ExportOptions { range, include_muted: false };
    midi_file::write_midi(project, &path, &opts).map(|s| format!("{s}: {}", path.display())).map_err(|e| e.to_string())
}
