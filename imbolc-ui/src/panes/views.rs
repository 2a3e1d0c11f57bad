//! The views of sound (`V`): an oscilloscope, a spectrum analyser and a
//! loudness meter of one target, drawn from the engine's latest
//! [`ViewFrame`]. The target follows the selected instrument until the
//! user picks the master (`m`) or an aux bus (`b`); `i` follows the
//! selection again.
//!
//! - The scope: the last 2048 frames (left and right averaged) as braille
//!   min/max columns, scaled to the nearest power of two above its peak.
//! - The spectrum: 64 log-spaced bands, 20 Hz to 20 kHz, 0 to −96 dBFS,
//!   as bars in eighths of a cell, with each band's held peak as a `▔`.
//! - The loudness: EBU R128 momentary, short-term and integrated LUFS and
//!   the true peak since the view opened (`z` starts them afresh).

use imbolc_audio::views::{BANDS, ViewFrame};
use imbolc_core::analysis::Peak;
use imbolc_types::BusId;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Widget};

use super::waveform::{DOTS_X, Waveform};

/// The spectrum's lowest level shown (dBFS).
pub const SPECTRUM_FLOOR_DB: f32 = -96.0;
/// Partial bar heights, one to seven eighths of a cell.
const EIGHTHS: [char; 8] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇'];
/// Frequencies labelled under the spectrum.
const TICKS: [(f64, &str); 9] = [
    (50.0, "50"),
    (100.0, "100"),
    (200.0, "200"),
    (500.0, "500"),
    (1e3, "1k"),
    (2e3, "2k"),
    (5e3, "5k"),
    (1e4, "10k"),
    (2e4, "20k"),
];
/// Frames the scope draws: the latest 1024 (21 ms at 48 kHz), so a
/// kilohertz sine shows as waves rather than a band.
const SCOPE_SHOWN: usize = 1024;
/// Width of the loudness column.
const NUMBERS_WIDTH: u16 = 26;

/// What the views watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Follow {
    /// The selected instrument (the master when there is none).
    #[default]
    Selected,
    Master,
    Bus(BusId),
}

/// The pane's own state: what it follows.
#[derive(Debug, Clone, Copy, Default)]
pub struct ViewsPane {
    pub follow: Follow,
}

/// Draws the views of `view` (watching `label`) into `area`.
pub fn render(frame: &mut Frame, area: Rect, view: &ViewFrame, label: &str) {
    frame.render_widget(Views { view, label }, area);
}

/// The whole pane as a widget (benchmarks and snapshots draw it alone).
#[derive(Debug, Clone, Copy)]
pub struct Views<'a> {
    pub view: &'a ViewFrame,
    pub label: &'a str,
}

impl Widget for Views<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let title = match self.view.target {
            Some(_) => format!(" Views: {} ", self.label),
            None => format!(" Views: {} (waiting for the server) ", self.label),
        };
        let block = Block::bordered().title(title);
        let inner = block.inner(area);
        block.render(area, buf);
        let [graphs, numbers] =
            Layout::horizontal([Constraint::Min(10), Constraint::Length(NUMBERS_WIDTH)]).areas(inner);
        let scope_rows = (graphs.height * 2 / 5).max(2);
        let [scope_title, scope, spectrum_title, spectrum, axis] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(scope_rows),
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(graphs);
        let scale = scope_scale(self.view);
        let dim = Style::default().fg(crate::theme::current().muted);
        let shown = SCOPE_SHOWN.min(self.view.scope.len());
        let edge = (20.0 * scale.log10()).round();
        Line::styled(format!("scope, last {} ms, edges at {edge} dBFS", shown * 1000 / rate(self.view)), dim)
            .render(scope_title, buf);
        let peaks = scope_peaks(self.view, usize::from(scope.width * DOTS_X), scale);
        Waveform { peaks: &peaks, markers: &[], cursor: None }.render(scope, buf);
        Line::styled(format!("spectrum 20 Hz-20 kHz, 0 to {SPECTRUM_FLOOR_DB} dBFS, peaks held 1 s"), dim)
            .render(spectrum_title, buf);
        spectrum_bars(self.view, spectrum, buf);
        Line::styled(axis_text(axis.width), dim).render(axis, buf);
        Paragraph::new(number_lines(self.view)).render(numbers, buf);
    }
}

fn rate(view: &ViewFrame) -> usize {
    usize::try_from(view.sample_rate).unwrap_or(48_000).max(1)
}

/// The scope's full scale: the smallest power of two (down to 1/64) at or
/// above its peak, so a quiet signal still fills the view.
fn scope_scale(view: &ViewFrame) -> f32 {
    let peak = view.scope.iter().flat_map(|f| f.iter()).fold(0.0f32, |m, s| m.max(s.abs()));
    let mut scale = 1.0f32;
    while scale > 1.0 / 64.0 && peak <= scale / 2.0 {
        scale /= 2.0;
    }
    scale
}

/// Min and max of the averaged channels per dot column, scaled, over the
/// latest [`SCOPE_SHOWN`] frames.
fn scope_peaks(view: &ViewFrame, columns: usize, scale: f32) -> Vec<Peak> {
    let shown = &view.scope[view.scope.len().saturating_sub(SCOPE_SHOWN)..];
    let frames = shown.len();
    let columns = columns.max(1);
    let q = |v: f32| ((v / scale).clamp(-1.0, 1.0) * 32767.0) as i16;
    (0..columns)
        .map(|c| {
            let a = c * frames / columns;
            let b = ((c + 1) * frames / columns).max(a + 1);
            let mut p = Peak { min: i16::MAX, max: i16::MIN };
            for f in shown.get(a..b.min(frames)).unwrap_or(&[]) {
                let v = q(0.5 * (f[0] + f[1]));
                p.min = p.min.min(v);
                p.max = p.max.max(v);
            }
            p
        })
        .collect()
}

/// Eighths of `rows` cells a level fills.
fn eighths(db: f32, rows: u16) -> u32 {
    let frac = ((db - SPECTRUM_FLOOR_DB) / -SPECTRUM_FLOOR_DB).clamp(0.0, 1.0);
    (frac * f32::from(rows) * 8.0).round() as u32
}

fn spectrum_bars(view: &ViewFrame, area: Rect, buf: &mut Buffer) {
    let theme = crate::theme::current();
    let (bar, held) = (Style::default().fg(theme.accent), Style::default().fg(theme.warn));
    let bands = &view.spectrum.bands;
    let peaks = &view.spectrum.peaks;
    for x in 0..area.width {
        let band = usize::from(x) * BANDS / usize::from(area.width.max(1));
        let (Some(level), Some(peak)) = (bands.get(band), peaks.get(band)) else { continue };
        let filled = eighths(*level, area.height);
        let peak_row = eighths(*peak, area.height).saturating_sub(1) / 8;
        for r in 0..area.height {
            // r counts rows from the bottom.
            let below = u32::from(r) * 8;
            let ch = if filled >= below + 8 {
                '█'
            } else if filled > below {
                EIGHTHS[(filled - below) as usize]
            } else {
                ' '
            };
            let (ch, style) = if ch == ' ' && u32::from(r) == peak_row && *peak > SPECTRUM_FLOOR_DB {
                ('▔', held)
            } else {
                (ch, bar)
            };
            if let Some(cell) = buf.cell_mut((area.x + x, area.y + area.height - 1 - r)) {
                cell.set_char(ch).set_style(style);
            }
        }
    }
}

/// The frequency axis: each tick's label starts at its column, if it fits.
fn axis_text(width: u16) -> String {
    let w = usize::from(width);
    let mut row = vec![' '; w];
    for (hz, label) in TICKS {
        let x = ((hz / 20.0).log10() / 3.0 * w as f64).round() as usize;
        let end = x + label.len();
        if end <= w && row[x.saturating_sub(1)..end].iter().all(|c| *c == ' ') {
            for (i, ch) in label.chars().enumerate() {
                row[x + i] = ch;
            }
        }
    }
    row.into_iter().collect()
}

/// A level with one decimal, or `-inf`.
fn level(v: f64) -> String {
    if v.is_finite() { format!("{v:6.1}") } else { "  -inf".to_owned() }
}

fn number_lines(view: &ViewFrame) -> Vec<Line<'static>> {
    let l = view.loudness;
    let bin = view.spectrum.peak_bin();
    let top = view.spectrum.bins.get(bin).copied().unwrap_or(SPECTRUM_FLOOR_DB);
    let peak_hz = if top > SPECTRUM_FLOOR_DB { format!("{:6.0} Hz", view.bin_hz(bin)) } else { "     - Hz".to_owned() };
    vec![
        Line::raw(" Loudness, EBU R128"),
        Line::raw(format!(" momentary  {} LUFS", level(l.momentary))),
        Line::raw(format!(" short-term {} LUFS", level(l.short_term))),
        Line::raw(format!(" integrated {} LUFS", level(l.integrated))),
        Line::raw(format!(" true peak  {} dBTP", level(l.true_peak))),
        Line::raw(""),
        Line::raw(format!(" scope peak {} dBFS", level(view.scope_peak_dbfs()))),
        Line::raw(format!(" loudest       {peak_hz}")),
        Line::raw(""),
        Line::raw(format!(" updates {} lost {}", view.updates, view.gaps)),
    ]
}

#[cfg(test)]
mod tests {
    use imbolc_audio::views::{Analyser, ViewInput};
    use imbolc_types::ChainOwner;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;

    /// A frame of a 0.25 sine at 1 kHz (in both channels) on the master,
    /// from the real analyser.
    pub(crate) fn sine_frame() -> ViewFrame {
        let mut a = Analyser::default();
        a.input(ViewInput::Open { target: ChainOwner::Master, buf: 36, rate: 48_000 });
        for chunk in 0..120u32 {
            let values = (0..1024u32)
                .flat_map(|i| {
                    let t = f64::from(chunk * 1024 + i) / 48_000.0;
                    let v = (0.25 * (std::f64::consts::TAU * 1000.0 * t).sin()) as f32;
                    [v, v]
                })
                .collect();
            a.input(ViewInput::Values { buf: 36, start: (chunk % 8) * 2048, values });
        }
        a.frame().clone()
    }

    pub(crate) fn draw(view: &ViewFrame, width: u16, height: u16) -> String {
        let mut term = Terminal::new(TestBackend::new(width, height)).unwrap();
        term.draw(|f| render(f, f.area(), view, "master")).unwrap();
        let buf = term.backend().buffer().clone();
        (0..buf.area.height)
            .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_owned()).collect::<String>() + "\n")
            .collect()
    }

    #[test]
    fn a_sine_on_the_master() {
        insta::assert_snapshot!(draw(&sine_frame(), 100, 24));
    }

    #[test]
    fn the_loudest_band_has_the_tallest_bar_and_silence_none() {
        let text = draw(&sine_frame(), 100, 24);
        assert!(text.contains("integrated  -12.0 LUFS"), "{text}");
        assert!(text.contains("scope peak  -12.0 dBFS"), "{text}");
        assert!(text.contains("   996 Hz"), "{text}");
        let silent = draw(&ViewFrame::default(), 100, 24);
        assert!(silent.contains("waiting for the server") && !silent.contains('█'), "{silent}");
        assert!(silent.contains("momentary    -inf LUFS"), "{silent}");
    }

    #[test]
    fn scope_scale_fits_the_peak_in_powers_of_two() {
        let mut v = ViewFrame::default();
        assert_eq!(scope_scale(&v), 1.0 / 64.0, "silence: the finest scale");
        v.scope[0] = [0.3, -0.1];
        assert_eq!(scope_scale(&v), 0.5);
        v.scope[1] = [1.5, 0.0];
        assert_eq!(scope_scale(&v), 1.0);
        assert_eq!(axis_text(30).trim_end(), "    50 100    500   2k  5k 10k", "labels that fit");
    }
}
