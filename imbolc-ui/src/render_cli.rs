//! `imbolc render SONG.imbolc --out DIR …`: renders with a progress bar,
//! prints a summary table, and exits 0 (done), 2 (bad input: the command
//! or the files named in it), 1 (the render failed), or 130 / 143 when
//! SIGINT / SIGTERM cancelled it (scsynth stopped, temporary files gone).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use clap::Args;
use imbolc_core::render::{
    self, FileFormat, Normalize, Phase, RenderError, RenderOptions, RenderProgress, RenderRange, RenderSummary,
    SampleFormat, Tail,
};
use indicatif::{ProgressBar, ProgressStyle};

/// Options of `imbolc render`.
#[derive(Debug, Clone, Args)]
pub struct RenderArgs {
    /// The project file to render.
    pub song: PathBuf,
    /// Folder for the files (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Also write one file per instrument.
    #[arg(long)]
    pub stems: bool,
    /// With --stems: also one file per aux bus.
    #[arg(long)]
    pub bus_stems: bool,
    /// Stems before level, pan and mute.
    #[arg(long)]
    pub pre_fader: bool,
    /// Stems include what their sends feed (one extra render per instrument).
    #[arg(long)]
    pub include_sends: bool,
    /// "whole", or bars like "1-8".
    #[arg(long, default_value = "whole")]
    pub range: String,
    /// Sample rate: 44100, 48000 or 96000.
    #[arg(long, default_value_t = 48_000)]
    pub rate: u32,
    /// File format: wav, flac, ogg (Vorbis) or mp3. (16, 24 and 32f, this
    /// option's values before --bits, still mean WAV at that depth.)
    #[arg(long, default_value = "wav")]
    pub format: String,
    /// WAV and FLAC sample format: 16, 24 or 32f (WAV only); integers are dithered.
    #[arg(long)]
    pub bits: Option<String>,
    /// Ogg Vorbis quality, 0 (about 64 kbit/s) to 10 (about 500 kbit/s); for
    /// mp3, variable bitrate at LAME's -V quality, 0 (best) to 9.
    #[arg(long)]
    pub quality: Option<String>,
    /// MP3 bitrate in kbit/s: 96, 128, 160, 192, 256 or 320 (constant bitrate).
    #[arg(long)]
    pub bitrate: Option<String>,
    /// Seconds after the range ("2s"), or "auto" (the longest voice release plus the declared
    /// tails of the effects on its way to the master, at most 30 s; "auto:10s" caps it).
    #[arg(long, default_value = "2s")]
    pub tail: String,
    /// "off", "peak" (-1 dBFS), "peak:-3", "lufs" (-14), "lufs:-23".
    #[arg(long, default_value = "off")]
    pub normalize: String,
    /// One normalisation gain for all files (stems keep summing to the master).
    #[arg(long)]
    pub joint: bool,
    /// File names: {project}, {stem}, {index}.
    #[arg(long, default_value = "{stem}")]
    pub pattern: String,
    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,
    /// Longest render allowed, tail included ("4h", "90m", "600s"); a
    /// longer one is refused with its length.
    #[arg(long, default_value = "4h")]
    pub max_length: String,
}

impl RenderArgs {
    /// The render options these arguments ask for.
    ///
    /// # Errors
    /// [`RenderError::BadOption`] for a value that does not parse.
    pub fn options(&self) -> Result<RenderOptions, RenderError> {
        // `--format 16|24|32f`: the WAV depth, as before there were formats.
        let (file_format, legacy_bits) = match self.format.parse::<SampleFormat>() {
            Ok(bits) => (FileFormat::Wav, Some(bits)),
            Err(_) => (self.format.parse::<FileFormat>()?, None),
        };
        let format = match (&self.bits, legacy_bits) {
            (Some(b), _) => b.parse::<SampleFormat>()?,
            (None, Some(b)) => b,
            (None, None) => SampleFormat::Int24,
        };
        let refuse = |option: &'static str, value: &str, hint: &str| RenderError::BadOption {
            option,
            value: value.to_owned(),
            hint: hint.to_owned(),
        };
        if self.bits.is_some() && !file_format.is_pcm() {
            let bits = self.bits.as_deref().unwrap_or_default();
            return Err(refuse("bits", bits, "--bits is for wav and flac; ogg takes --quality, mp3 --bitrate"));
        }
        let ogg_quality = match &self.quality {
            Some(q) if file_format == FileFormat::Ogg => render::parse_ogg_quality(q)?,
            Some(_) if file_format == FileFormat::Mp3 => render::DEFAULT_OGG_QUALITY,
            Some(q) => return Err(refuse("quality", q, "--quality is for ogg and mp3 (wav and flac take --bits)")),
            None => render::DEFAULT_OGG_QUALITY,
        };
        let mp3_vbr = match (&self.quality, &self.bitrate) {
            (Some(q), None) if file_format == FileFormat::Mp3 => Some(render::parse_mp3_vbr(q)?),
            (Some(q), Some(_)) if file_format == FileFormat::Mp3 => {
                return Err(refuse(
                    "quality",
                    q,
                    "give mp3 a --quality (variable) or a --bitrate (constant), not both",
                ));
            }
            _ => None,
        };
        let mp3_bitrate = match &self.bitrate {
            Some(b) if file_format == FileFormat::Mp3 => render::parse_mp3_bitrate(b)?,
            Some(b) => return Err(refuse("bitrate", b, "--bitrate is for mp3 (ogg takes --quality)")),
            None => render::DEFAULT_MP3_BITRATE,
        };
        Ok(RenderOptions {
            out_dir: self.out.clone(),
            stems: self.stems,
            bus_stems: self.bus_stems,
            pre_fader: self.pre_fader,
            include_sends: self.include_sends,
            range: self.range.parse::<RenderRange>()?,
            rate: self.rate,
            file_format,
            format,
            ogg_quality,
            mp3_bitrate,
            mp3_vbr,
            tail: self.tail.parse::<Tail>()?,
            normalize: self.normalize.parse::<Normalize>()?,
            joint: self.joint,
            pattern: self.pattern.clone(),
            force: self.force,
            max_length: render::parse_max_length(&self.max_length)?,
            ..RenderOptions::default()
        })
    }
}

/// SIGINT and SIGTERM raise the render's cancel flag instead of killing
/// the process, so the render stops itself (scsynth killed, temporary
/// files removed) and the exit code tells which signal it was.
struct Signals {
    cancel: Arc<AtomicBool>,
    which: Arc<AtomicUsize>,
}

impl Signals {
    fn catch() -> Self {
        let cancel = Arc::new(AtomicBool::new(false));
        let which = Arc::new(AtomicUsize::new(0));
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            let caught = signal_hook::flag::register(signal, Arc::clone(&cancel))
                .and_then(|_| signal_hook::flag::register_usize(signal, Arc::clone(&which), signal as usize));
            if let Err(e) = caught {
                tracing::warn!("cannot catch signal {signal}: {e}");
            }
        }
        Signals { cancel, which }
    }

    /// The shell's exit code for the signal that cancelled: 128 + its number.
    fn exit_code(&self) -> Option<u8> {
        match self.which.load(Ordering::Relaxed) {
            0 => None,
            n => u8::try_from(128 + n).ok(),
        }
    }
}

/// Runs `imbolc render`.
pub fn run(args: &RenderArgs) -> ExitCode {
    let signals = Signals::catch();
    match render_with_bar(args, &signals.cancel) {
        Ok(summary) => {
            print!("{}", summary_table(&summary));
            ExitCode::SUCCESS
        }
        Err(e) => {
            // After a signal, whatever stopped the render, the user stopped it.
            let (e, code) = match signals.exit_code() {
                Some(code) => (RenderError::Cancelled, code),
                None => {
                    let code = if e.is_bad_input() { 2 } else { 1 };
                    (e, code)
                }
            };
            tracing::error!("render failed: {e}");
            eprintln!("imbolc render: {e}");
            ExitCode::from(code)
        }
    }
}

fn render_with_bar(args: &RenderArgs, cancel: &AtomicBool) -> Result<RenderSummary, RenderError> {
    let opts = args.options()?;
    let bar = ProgressBar::new(1000);
    bar.set_style(
        ProgressStyle::with_template("{msg:10} [{bar:40}] {percent:>3}% {elapsed_precise}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let progress = &mut |p: RenderProgress| {
        bar.set_message(match p.phase {
            Phase::Rendering => "rendering",
            Phase::Analysing => "analysing",
            Phase::Writing => "writing",
        });
        bar.set_position((p.fraction.clamp(0.0, 1.0) * 1000.0) as u64);
    };
    let result = render::render_file(&args.song, &opts, cancel, progress, &mut |line| {
        bar.suspend(|| eprintln!("imbolc render: {line}"));
    });
    bar.finish_and_clear();
    result
}

/// The per-file table printed at the end (and in the render dialog):
/// length, peak dBFS, LUFS and a small waveform (each character one
/// sixteenth of the file, its height that part's peak, −60 to 0 dBFS).
pub fn summary_table(s: &RenderSummary) -> String {
    let name_w = s.files.iter().map(|f| display_name(f).len()).max().unwrap_or(4).max(4);
    let mut out = format!("{:<name_w$}  {:>9}  {:>9}  {:>6}  waveform\n", "file", "length s", "peak dBFS", "LUFS");
    for f in &s.files {
        out.push_str(&format!(
            "{:<name_w$}  {:>9.3}  {:>9}  {:>6}  {}\n",
            display_name(f),
            s.length_secs(),
            db(f.peak_dbfs),
            db(f.lufs),
            render::sketch_line(&f.sketch)
        ));
    }
    let speed = if s.wall_secs > 0.0 { s.length_secs() / s.wall_secs } else { 0.0 };
    out.push_str(&format!(
        "{} files, {} Hz, {} frames each; rendered in {:.2} s ({:.1}x real time)\n",
        s.files.len(),
        s.rate,
        s.frames,
        s.wall_secs,
        speed
    ));
    out
}

fn display_name(f: &render::RenderedFile) -> String {
    f.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| f.stem.clone())
}

fn db(v: f64) -> String {
    if v.is_finite() { format!("{v:.1}") } else { "-inf".into() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn render_is_a_subcommand_and_the_plain_form_still_opens_a_project() {
        let a = crate::cli::Args::try_parse_from(["imbolc", "song.imbolc", "--jack", "dummy"]).unwrap();
        assert!(a.command.is_none());
        assert_eq!(a.project, Some(PathBuf::from("song.imbolc")));
        let a = crate::cli::Args::try_parse_from([
            "imbolc",
            "render",
            "s.imbolc",
            "--out",
            "o",
            "--stems",
            "--rate",
            "96000",
            "--format",
            "16",
            "--tail",
            "auto",
            "--normalize",
            "lufs:-16",
            "--range",
            "2-3",
        ])
        .unwrap();
        let Some(crate::cli::Command::Render(r)) = a.command else { panic!("render expected") };
        let o = r.options().unwrap();
        assert!(o.stems);
        assert_eq!(o.rate, 96_000);
        assert_eq!(o.format, SampleFormat::Int16);
        assert_eq!(o.normalize, Normalize::Lufs(-16.0));
        assert_eq!(o.range, RenderRange::Bars { first: 2, last: 3 });
        assert!(matches!(o.tail, Tail::Auto { .. }));
        assert_eq!(o.file_format, FileFormat::Wav, "--format 16 still means a 16-bit WAV");
        let a = crate::cli::Args::try_parse_from(["imbolc", "render", "s.imbolc", "--out", "o", "--format", "ogg"])
            .unwrap();
        let Some(crate::cli::Command::Render(r)) = a.command else { panic!("render expected") };
        let o = r.options().unwrap();
        assert_eq!((o.file_format, o.ogg_quality), (FileFormat::Ogg, render::DEFAULT_OGG_QUALITY));
    }

    #[test]
    fn the_summary_lists_each_file() {
        let s = RenderSummary {
            files: vec![render::RenderedFile {
                stem: "master".into(),
                path: PathBuf::from("/x/master.wav"),
                peak_dbfs: -1.04,
                lufs: f64::NEG_INFINITY,
                sketch: vec![0.0, 0.0011, 0.01, 0.1, 0.5, 0.9, 1.0, 0.0],
            }],
            rate: 48_000,
            frames: 96_000,
            music_secs: 1.0,
            wall_secs: 0.5,
        };
        let t = summary_table(&s);
        assert!(t.contains("master.wav      2.000       -1.0    -inf   ▁▃▆███ \n"), "{t}");
        assert!(t.contains("4.0x real time"), "{t}");
    }
}
