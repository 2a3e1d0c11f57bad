//! The slicing pane: a drum pad's sample as a braille waveform with slice
//! markers and a cursor, zoom and scroll. Slices come from equal division
//! (4/8/16/32) or onset detection (with a sensitivity), markers are added,
//! moved and deleted by key, and `a` gives slice `n` to pad `n` as one
//! undoable edit.
//!
//! The app decodes the file when the pane opens ([`Slicing::open`]); the
//! markers live here, in the pane's view state, until they are assigned.

use std::cell::Cell;
use std::path::Path;

use imbolc_core::analysis::{
    DEFAULT_SENSITIVITY, DIVISIONS, DecodeError, MonoAudio, Overview, Slices, decode_mono, detect_onsets,
};
use imbolc_types::InstrumentId;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph};

use super::waveform::{DOTS_X, Waveform};
use super::{Intent, State};
use crate::commands::{CommandId, PaneKind};

/// Sensitivity change per key press.
const SENSITIVITY_STEP: f32 = 0.1;

/// A sample open for slicing.
#[derive(Debug)]
pub struct Slicing {
    pub instrument: InstrumentId,
    pub pad: u8,
    /// The file's name, for the title.
    pub name: String,
    audio: MonoAudio,
    overview: Overview,
    pub slices: Slices,
    pub sensitivity: f32,
    /// Index into [`DIVISIONS`] of the next equal division.
    next_division: usize,
    /// Cursor position in frames.
    pub cursor: u64,
    /// Frames per dot column; `None` fits the whole sample.
    zoom: Option<u64>,
    /// First frame shown (follows the cursor; only rendering knows the width).
    view_start: Cell<u64>,
    /// Dot columns of the last render.
    dots: Cell<u64>,
}

impl Slicing {
    /// Decodes the sample at `path` of `pad`.
    ///
    /// # Errors
    /// The [`DecodeError`] of a missing, truncated or unfit file.
    pub fn open(instrument: InstrumentId, pad: u8, path: &Path) -> Result<Slicing, DecodeError> {
        let audio = decode_mono(path)?;
        let overview = Overview::from_mono(&audio.samples, audio.sample_rate);
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        Ok(Slicing::new(instrument, pad, name, audio, overview))
    }

    fn new(instrument: InstrumentId, pad: u8, name: String, audio: MonoAudio, overview: Overview) -> Slicing {
        let frames = audio.samples.len() as u64;
        Slicing {
            instrument,
            pad,
            name,
            audio,
            overview,
            slices: Slices::new(frames),
            sensitivity: DEFAULT_SENSITIVITY,
            next_division: 0,
            cursor: 0,
            zoom: None,
            view_start: Cell::new(0),
            dots: Cell::new(160),
        }
    }

    /// Frames in the sample.
    pub fn frames(&self) -> u64 {
        self.slices.frames()
    }

    /// Frames per dot column at the current zoom for `dots` columns.
    fn frames_per_dot(&self, dots: u64) -> u64 {
        let fit = self.frames().div_ceil(dots.max(1)).max(1);
        self.zoom.map_or(fit, |z| z.min(fit)).max(1)
    }

    fn detect(&mut self) -> usize {
        let onsets = detect_onsets(&self.audio.samples, self.audio.sample_rate, self.sensitivity);
        self.slices = Slices::from_markers(self.frames(), onsets);
        self.slices.markers().len()
    }

    fn seconds(&self, frame: u64) -> f64 {
        frame as f64 / f64::from(self.audio.sample_rate.max(1))
    }
}

/// The pane: nothing until a pad is opened.
#[derive(Debug, Default)]
pub struct SlicerPane {
    pub slicing: Option<Slicing>,
}

impl SlicerPane {
    pub fn handle(&mut self, cmd: CommandId, state: &State) -> Option<Intent> {
        let Some(s) = self.slicing.as_mut() else {
            return Some(Intent::Message("Nothing to slice: press c on a sample pad in the drum pane".to_owned()));
        };
        let step = s.frames_per_dot(s.dots.get()) * u64::from(DOTS_X);
        let last = s.frames().saturating_sub(1);
        match cmd {
            CommandId::Left => s.cursor = s.cursor.saturating_sub(step),
            CommandId::Right => s.cursor = (s.cursor + step).min(last),
            CommandId::SliceZoomIn => s.zoom = Some((s.frames_per_dot(s.dots.get()) / 2).max(1)),
            CommandId::SliceZoomOut => {
                let next = s.frames_per_dot(s.dots.get()).saturating_mul(2);
                s.zoom = (next < s.frames().div_ceil(s.dots.get().max(1))).then_some(next);
            }
            CommandId::SliceDivide => {
                let n = DIVISIONS[s.next_division % DIVISIONS.len()];
                s.next_division = (s.next_division + 1) % DIVISIONS.len();
                s.slices = Slices::equal(s.frames(), n);
                return Some(Intent::Message(format!("{n} equal slices")));
            }
            CommandId::SliceOnsets => {
                let n = s.detect();
                return Some(Intent::Message(format!("{n} slices at onsets (sensitivity {:.1})", s.sensitivity)));
            }
            CommandId::SliceSensitivityUp | CommandId::SliceSensitivityDown => {
                let d = if cmd == CommandId::SliceSensitivityUp { SENSITIVITY_STEP } else { -SENSITIVITY_STEP };
                s.sensitivity = ((s.sensitivity + d).clamp(0.0, 1.0) * 10.0).round() / 10.0;
                let n = s.detect();
                return Some(Intent::Message(format!("{n} slices at onsets (sensitivity {:.1})", s.sensitivity)));
            }
            // The guard adds the marker; only a refusal needs an answer.
            CommandId::SliceMarkerAdd if !s.slices.add(s.cursor) => {
                return Some(Intent::Message("A marker is already here".to_owned()));
            }
            CommandId::SliceMarkerDelete => {
                let i = s.slices.nearest(s.cursor)?;
                if !s.slices.remove(i) {
                    return Some(Intent::Message("The first marker stays at the start".to_owned()));
                }
            }
            CommandId::SliceMarkerMove => {
                let i = s.slices.nearest(s.cursor)?;
                match s.slices.move_to(i, s.cursor) {
                    Some(at) => s.cursor = at,
                    None => return Some(Intent::Message("The first marker stays at the start".to_owned())),
                }
            }
            CommandId::SliceMarkerNext => {
                s.cursor = s.slices.markers().iter().copied().find(|m| *m > s.cursor).unwrap_or(s.cursor);
            }
            CommandId::SliceMarkerPrev => {
                s.cursor = s.slices.markers().iter().rev().copied().find(|m| *m < s.cursor).unwrap_or(s.cursor);
            }
            CommandId::SliceAssign => {
                return Some(
                    match imbolc_core::slicing::assign_slices_action(state.project, s.instrument, s.pad, &s.slices) {
                        Ok((action, _)) => Intent::Dispatch(action),
                        Err(e) => Intent::Message(e.to_string()),
                    },
                );
            }
            CommandId::SliceSampler => {
                return Some(
                    match imbolc_core::sampler::slices_sampler_action(state.project, s.instrument, s.pad, &s.slices) {
                        Ok((action, _)) => Intent::Dispatch(action),
                        Err(e) => Intent::Message(e.to_string()),
                    },
                );
            }
            CommandId::SliceClose => return Some(Intent::Show(PaneKind::Drums)),
            _ => {}
        }
        None
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, _state: &State) {
        let Some(s) = &self.slicing else {
            let block = Block::bordered().title(" Slicer ");
            let inner = block.inner(area);
            frame.render_widget(block, area);
            let text = "Nothing to slice: press c on a sample pad in the drum pane.";
            frame.render_widget(Paragraph::new(text), inner);
            return;
        };
        let title = format!(
            " Slicer · pad {} · {} · {} slices · sensitivity {:.1} ",
            s.pad + 1,
            s.name,
            s.slices.markers().len(),
            s.sensitivity
        );
        let block = Block::bordered().title(title);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [wave, info] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
        let dots = u64::from(wave.width) * u64::from(DOTS_X);
        s.dots.set(dots.max(1));
        let per_dot = s.frames_per_dot(dots);
        let per_cell = per_dot * u64::from(DOTS_X);
        let span = per_dot * dots;
        // Keep the cursor in view, moving the view as little as possible.
        let mut start = s.view_start.get().min(s.frames().saturating_sub(span.min(s.frames())));
        if s.cursor < start {
            start = s.cursor - s.cursor % per_cell;
        } else if s.cursor >= start + span {
            start = (s.cursor + per_cell).saturating_sub(span);
            start -= start % per_cell;
        }
        s.view_start.set(start);
        let peaks = s.overview.peaks(start, start + span, usize::try_from(dots).unwrap_or(0));
        let column = |frame: u64| u16::try_from((frame - start) / per_cell).ok();
        let markers: Vec<u16> = s
            .slices
            .markers()
            .iter()
            .filter(|m| (start..start + span).contains(*m))
            .filter_map(|m| column(*m))
            .collect();
        let cursor = (start..start + span).contains(&s.cursor).then(|| column(s.cursor)).flatten();
        frame.render_widget(Waveform { peaks: &peaks, markers: &markers, cursor }, wave);
        let slice = s.slices.markers().iter().filter(|m| **m <= s.cursor).count();
        let text = format!(
            "{:.3} s · slice {slice} · {:.3}–{:.3} s shown · {} frames per column",
            s.seconds(s.cursor),
            s.seconds(start),
            s.seconds((start + span).min(s.frames())),
            per_cell
        );
        frame.render_widget(Line::styled(text, Style::default().fg(crate::theme::current().muted)), info);
    }
}

#[cfg(test)]
impl Slicing {
    /// A slicing of samples in memory (UI tests without files).
    pub fn from_samples(instrument: InstrumentId, pad: u8, samples: Vec<f32>, sample_rate: u32) -> Slicing {
        let overview = Overview::from_mono(&samples, sample_rate);
        let audio = MonoAudio { sample_rate, channels: 1, samples };
        Slicing::new(instrument, pad, "test.wav".to_owned(), audio, overview)
    }
}
