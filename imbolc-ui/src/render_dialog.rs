//! The render dialog: the main render options (file format WAV, FLAC, Ogg
//! Vorbis or MP3 and its quality among them), a progress gauge while a
//! worker thread renders (the UI never waits on it), cancel, and the
//! summary table at the end.
//!
//! Keys: `j`/`k` pick a row, `h`/`l` change it, `Enter` renders, `m`
//! writes the song (or the bars picked) as a MIDI file instead; while
//! rendering `Esc` cancels (scsynth is killed, temporary files removed);
//! when done any key closes.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::thread::JoinHandle;

use crossterm::event::{KeyCode, KeyEvent};
use imbolc_core::render::{
    self, FileFormat, Normalize, Phase, RenderError, RenderOptions, RenderProgress, RenderRange, RenderSummary,
    SampleFormat, Tail,
};
use imbolc_types::{Project, Tick};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Gauge, Paragraph};

use crate::panes::cursor_style;

const TAILS: [Tail; 5] = [Tail::Secs(0.0), Tail::Secs(1.0), Tail::Secs(2.0), Tail::Secs(5.0), Tail::Auto { cap: 30.0 }];
const NORMALIZE: [Normalize; 4] =
    [Normalize::Off, Normalize::Peak(-1.0), Normalize::Lufs(-14.0), Normalize::Lufs(-23.0)];
/// WAV bit depths; FLAC has the first two.
const FORMATS: [SampleFormat; 3] = [SampleFormat::Int16, SampleFormat::Int24, SampleFormat::Float32];
/// Render length limits to pick from (the first is the default).
const MAX_LENGTHS: [f64; 4] = [render::DEFAULT_MAX_LENGTH, 8.0 * 3600.0, 24.0 * 3600.0, 72.0 * 3600.0];

/// The option rows, in order; the last is the render button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    Stems,
    FirstBar,
    LastBar,
    Rate,
    /// WAV, FLAC, Ogg Vorbis, MP3.
    FileFormat,
    /// Bit depth (WAV, FLAC), quality (Ogg) or bitrate (MP3).
    Quality,
    Tail,
    Normalize,
    Overwrite,
    MaxLength,
    Start,
}

const ROWS: [Row; 11] = [
    Row::Stems,
    Row::FirstBar,
    Row::LastBar,
    Row::Rate,
    Row::FileFormat,
    Row::Quality,
    Row::Tail,
    Row::Normalize,
    Row::Overwrite,
    Row::MaxLength,
    Row::Start,
];

/// A render running on its worker thread.
#[derive(Debug)]
struct Job {
    cancel: Arc<AtomicBool>,
    progress: Receiver<RenderProgress>,
    last: RenderProgress,
    handle: Option<JoinHandle<Result<RenderSummary, RenderError>>>,
}

/// Where the dialog is.
#[derive(Debug)]
enum Stage {
    Options,
    Running(Job),
    Done(Result<RenderSummary, String>),
    /// `m` wrote the song as a MIDI file (or could not).
    Exported(Result<String, String>),
}

/// What a key did to the dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogOutcome {
    Open,
    Close,
}

/// The render dialog's state.
#[derive(Debug)]
pub struct RenderDialog {
    out_dir: PathBuf,
    row: usize,
    stems: bool,
    /// The loop region playing in the TUI (song ticks), if one is set.
    loop_region: Option<(Tick, Tick)>,
    /// Render the loop region instead of bars or the whole song.
    use_loop: bool,
    /// 0 = whole song.
    first_bar: u32,
    last_bar: u32,
    rate: usize,
    /// Index in [`FileFormat::ALL`].
    file_format: usize,
    /// Index in [`FORMATS`] (WAV and FLAC).
    format: usize,
    /// Ogg Vorbis quality 0..=10.
    ogg_quality: u8,
    /// Index in [`render::MP3_BITRATES`].
    mp3_bitrate: usize,
    tail: usize,
    normalize: usize,
    force: bool,
    max_length: usize,
    stage: Stage,
}

impl RenderDialog {
    /// A dialog writing to `out_dir`, with the command line's defaults;
    /// `loop_region` (song ticks) can be picked as the range.
    pub fn new(out_dir: PathBuf, loop_region: Option<(Tick, Tick)>) -> Self {
        RenderDialog {
            out_dir,
            loop_region,
            use_loop: false,
            row: ROWS.len() - 1,
            stems: true,
            first_bar: 0,
            last_bar: 0,
            rate: 1,
            file_format: 0,
            format: 1,
            ogg_quality: render::DEFAULT_OGG_QUALITY,
            mp3_bitrate: render::MP3_BITRATES.len() - 1,
            tail: 2,
            normalize: 0,
            force: false,
            max_length: 0,
            stage: Stage::Options,
        }
    }

    /// The options the rows describe.
    pub fn options(&self) -> RenderOptions {
        let range = if let (true, Some((start, end))) = (self.use_loop, self.loop_region) {
            RenderRange::Ticks { start, end }
        } else if self.first_bar == 0 {
            RenderRange::Whole
        } else {
            RenderRange::Bars { first: self.first_bar, last: self.last_bar.max(self.first_bar) }
        };
        RenderOptions {
            out_dir: self.out_dir.clone(),
            stems: self.stems,
            range,
            rate: render::RATES[self.rate],
            file_format: FileFormat::ALL[self.file_format],
            format: FORMATS[self.format],
            ogg_quality: self.ogg_quality,
            mp3_bitrate: render::MP3_BITRATES[self.mp3_bitrate],
            tail: TAILS[self.tail],
            normalize: NORMALIZE[self.normalize],
            force: self.force,
            max_length: MAX_LENGTHS[self.max_length],
            ..RenderOptions::default()
        }
    }

    /// True while a render runs.
    #[cfg(test)]
    pub fn is_running(&self) -> bool {
        matches!(self.stage, Stage::Running(_))
    }

    /// Handles one key; `project` is what a render started now renders.
    pub fn key(&mut self, key: KeyEvent, project: &Project) -> DialogOutcome {
        match &mut self.stage {
            Stage::Running(job) => {
                if matches!(key.code, KeyCode::Esc | KeyCode::Char('c' | 'q')) {
                    job.cancel.store(true, Ordering::Relaxed);
                }
                DialogOutcome::Open
            }
            Stage::Done(_) | Stage::Exported(_) => DialogOutcome::Close,
            Stage::Options => match key.code {
                KeyCode::Esc | KeyCode::Char('q') => DialogOutcome::Close,
                KeyCode::Char('m') => {
                    // The loop region is not a bar range: it exports the whole song.
                    let (first, last) = if self.use_loop { (0, 0) } else { (self.first_bar, self.last_bar) };
                    let done =
                        crate::midi_file_cli::export_from_dialog(project, &self.out_dir, first, last, self.force);
                    self.stage = Stage::Exported(done);
                    DialogOutcome::Open
                }
                KeyCode::Char('j') | KeyCode::Down => {
                    self.row = (self.row + 1).min(ROWS.len() - 1);
                    DialogOutcome::Open
                }
                KeyCode::Char('k') | KeyCode::Up => {
                    self.row = self.row.saturating_sub(1);
                    DialogOutcome::Open
                }
                KeyCode::Char('h') | KeyCode::Left => {
                    self.change(false);
                    DialogOutcome::Open
                }
                KeyCode::Char('l') | KeyCode::Right => {
                    self.change(true);
                    DialogOutcome::Open
                }
                KeyCode::Enter if ROWS[self.row] == Row::Start => {
                    self.start(project.clone());
                    DialogOutcome::Open
                }
                KeyCode::Enter | KeyCode::Char(' ') => {
                    self.change(true);
                    DialogOutcome::Open
                }
                _ => DialogOutcome::Open,
            },
        }
    }

    fn change(&mut self, up: bool) {
        let step = |v: usize, n: usize| if up { (v + 1) % n } else { (v + n - 1) % n };
        match ROWS[self.row] {
            Row::Stems => self.stems = !self.stems,
            // Below "whole song" comes the loop region, when there is one.
            Row::FirstBar if self.use_loop => self.use_loop = !up,
            Row::FirstBar if !up && self.first_bar == 0 => self.use_loop = self.loop_region.is_some(),
            Row::FirstBar => self.first_bar = if up { self.first_bar + 1 } else { self.first_bar.saturating_sub(1) },
            Row::LastBar => self.last_bar = if up { self.last_bar + 1 } else { self.last_bar.saturating_sub(1) },
            Row::Rate => self.rate = step(self.rate, render::RATES.len()),
            Row::FileFormat => {
                self.file_format = step(self.file_format, FileFormat::ALL.len());
                // FLAC holds integers only.
                if FileFormat::ALL[self.file_format] == FileFormat::Flac
                    && FORMATS[self.format] == SampleFormat::Float32
                {
                    self.format = 1;
                }
            }
            Row::Quality => match FileFormat::ALL[self.file_format] {
                FileFormat::Wav => self.format = step(self.format, FORMATS.len()),
                FileFormat::Flac => self.format = step(self.format, 2),
                FileFormat::Ogg => {
                    let q = self.ogg_quality;
                    let (lo, hi) = (*render::OGG_QUALITIES.start(), *render::OGG_QUALITIES.end());
                    self.ogg_quality = if up { q.saturating_add(1).min(hi) } else { q.saturating_sub(1).max(lo) };
                }
                FileFormat::Mp3 => self.mp3_bitrate = step(self.mp3_bitrate, render::MP3_BITRATES.len()),
            },
            Row::Tail => self.tail = step(self.tail, TAILS.len()),
            Row::Normalize => self.normalize = step(self.normalize, NORMALIZE.len()),
            Row::Overwrite => self.force = !self.force,
            Row::MaxLength => self.max_length = step(self.max_length, MAX_LENGTHS.len()),
            Row::Start => {}
        }
        if self.first_bar > 0 && self.last_bar < self.first_bar {
            self.last_bar = self.first_bar;
        }
    }

    /// Starts the render on a worker thread.
    fn start(&mut self, project: Project) {
        let opts = self.options();
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, rx) = channel();
        let flag = Arc::clone(&cancel);
        let handle = std::thread::Builder::new().name("imbolc-render".into()).spawn(move || {
            render::render(&project, &opts, &flag, &mut |p| {
                let _ = tx.send(p);
            })
        });
        self.stage = match handle {
            Ok(h) => Stage::Running(Job {
                cancel,
                progress: rx,
                last: RenderProgress { phase: Phase::Rendering, fraction: 0.0 },
                handle: Some(h),
            }),
            Err(e) => Stage::Done(Err(format!("cannot start the render thread: {e}"))),
        };
    }

    /// Takes the worker's news; true when the dialog changed (redraw).
    pub fn poll(&mut self) -> bool {
        let Stage::Running(job) = &mut self.stage else { return false };
        let mut changed = false;
        while let Ok(p) = job.progress.try_recv() {
            job.last = p;
            changed = true;
        }
        if job.handle.as_ref().is_some_and(JoinHandle::is_finished) {
            let result = match job.handle.take().map(JoinHandle::join) {
                Some(Ok(r)) => r.map_err(|e| e.to_string()),
                _ => Err("the render thread stopped unexpectedly".into()),
            };
            if let Err(e) = &result {
                tracing::warn!("render: {e}");
            }
            self.stage = Stage::Done(result);
            changed = true;
        }
        changed
    }

    fn option_lines(&self) -> Vec<Line<'static>> {
        let range_bar = |b: u32| if b == 0 { "whole song".to_owned() } else { format!("bar {b}") };
        let opts = self.options();
        let value = |row: Row| -> String {
            match row {
                Row::Stems => if self.stems { "master + one per instrument" } else { "master only" }.into(),
                Row::FirstBar if self.use_loop => "the loop region".into(),
                Row::FirstBar => range_bar(self.first_bar),
                Row::LastBar if self.first_bar == 0 || self.use_loop => "-".into(),
                Row::LastBar => range_bar(self.last_bar),
                Row::Rate => format!("{} Hz", opts.rate),
                Row::FileFormat => opts.file_format.label().into(),
                Row::Quality => match opts.file_format {
                    FileFormat::Wav | FileFormat::Flac => match opts.format {
                        SampleFormat::Int16 => "16-bit (dithered)".into(),
                        SampleFormat::Int24 => "24-bit (dithered)".into(),
                        SampleFormat::Float32 => "32-bit float".into(),
                    },
                    FileFormat::Ogg => format!("quality {} of 10", opts.ogg_quality),
                    FileFormat::Mp3 => format!("{} kbit/s", opts.mp3_bitrate),
                },
                Row::Tail => match opts.tail {
                    Tail::Secs(s) => format!("{s} s"),
                    Tail::Auto { cap } => format!("auto: release + effect tails (max {cap} s)"),
                },
                Row::Normalize => match opts.normalize {
                    Normalize::Off => "off".into(),
                    Normalize::Peak(p) => format!("peak {p} dBFS"),
                    Normalize::Lufs(l) => format!("{l} LUFS"),
                },
                Row::Overwrite => if self.force { "yes" } else { "no" }.into(),
                Row::MaxLength => render::duration_text(opts.max_length),
                Row::Start => String::new(),
            }
        };
        let label = |row: Row| match row {
            Row::Stems => "Files",
            Row::FirstBar => "From",
            Row::LastBar => "To",
            Row::Rate => "Sample rate",
            Row::FileFormat => "Format",
            Row::Quality => "Quality",
            Row::Tail => "Tail",
            Row::Normalize => "Normalize",
            Row::Overwrite => "Overwrite",
            Row::MaxLength => "Max length",
            Row::Start => "[ Render ]",
        };
        ROWS.iter()
            .enumerate()
            .map(|(i, &row)| {
                let text = if row == Row::Start {
                    label(row).to_owned()
                } else {
                    format!("{:<12} {}", label(row), value(row))
                };
                let line = Line::from(text);
                if i == self.row { line.style(cursor_style()) } else { line }
            })
            .collect()
    }

    /// Draws the dialog centred over the panes.
    pub fn render(&self, frame: &mut Frame) {
        let area = frame.area();
        // The summary's table (with each file's waveform) is wider than
        // the options.
        let width = if matches!(self.stage, Stage::Done(Ok(_))) { 76 } else { 64 }.min(area.width);
        let height = 17.min(area.height);
        let rect = Rect { x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width, height };
        frame.render_widget(Clear, rect);
        let block = Block::bordered().title(format!(" Render to {} ", FileFormat::ALL[self.file_format].label()));
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
        frame.render_widget(Paragraph::new(format!("to {}", self.out_dir.display())), head);
        match &self.stage {
            Stage::Options => {
                let mut lines = self.option_lines();
                lines.push(Line::from(""));
                lines.push(Line::from("j/k: choose  h/l: change  Enter: render  m: MIDI  Esc: close"));
                frame.render_widget(Paragraph::new(lines), body);
            }
            Stage::Running(job) => {
                let [gauge, help] = Layout::vertical([Constraint::Length(3), Constraint::Min(1)]).areas(body);
                let label = match job.last.phase {
                    Phase::Rendering => "rendering",
                    Phase::Analysing => "analysing",
                    Phase::Writing => "writing",
                };
                let cancelling = job.cancel.load(Ordering::Relaxed);
                let g = Gauge::default()
                    .block(Block::bordered().title(if cancelling { " cancelling… " } else { " progress " }))
                    .ratio(job.last.fraction.clamp(0.0, 1.0))
                    .label(format!("{label} {:.0}%", job.last.fraction.clamp(0.0, 1.0) * 100.0));
                frame.render_widget(g, gauge);
                frame.render_widget(Paragraph::new("Esc: cancel"), help);
            }
            Stage::Done(Ok(summary)) => {
                let mut lines: Vec<Line> =
                    crate::render_cli::summary_table(summary).lines().map(|l| Line::from(l.to_owned())).collect();
                lines.push(Line::from("any key: close"));
                frame.render_widget(Paragraph::new(lines), body);
            }
            Stage::Exported(result) => {
                let (head, text) = match result {
                    Ok(t) => ("MIDI file written:", t),
                    Err(e) => ("MIDI export failed:", e),
                };
                let text = vec![Line::from(head), Line::from(text.clone()), Line::from("any key: close")];
                frame.render_widget(Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: true }), body);
            }
            Stage::Done(Err(e)) => {
                let text = vec![Line::from("render failed:"), Line::from(e.clone()), Line::from("any key: close")];
                frame.render_widget(Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: true }), body);
            }
        }
    }
}

impl Drop for RenderDialog {
    /// Closing the app mid-render cancels it and waits for the worker, so
    /// scsynth is killed and no temporary file is left behind.
    fn drop(&mut self) {
        if let Stage::Running(job) = &mut self.stage {
            job.cancel.store(true, Ordering::Relaxed);
            if let Some(h) = job.handle.take() {
                let _ = h.join();
            }
        }
    }
}

#[cfg(test)]
#[path = "render_dialog_tests.rs"]
mod tests;
