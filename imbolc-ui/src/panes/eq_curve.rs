//! The response curve of a 12-band EQ, drawn under the editor while the
//! cursor is on an `eq12` effect: gain in dB over 20 Hz – 20 kHz on a log
//! axis, computed from the same biquad formulas scsynth runs
//! ([`imbolc_types::catalog::mix::eq12_response_db`]), so what is drawn is
//! what is heard.

use imbolc_types::Params;
use imbolc_types::catalog::mix::eq12_response_db;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::symbols::Marker;
use ratatui::widgets::canvas::{Canvas, Line as CanvasLine};
use ratatui::widgets::{Block, Widget};

/// The sample rate the curve is computed at (the engine's default).
const SAMPLE_RATE: f64 = 48_000.0;
/// The gain axis, ±dB.
const RANGE_DB: f64 = 24.0;
/// Rows the curve takes under the editor, borders included.
pub const HEIGHT: u16 = 11;

/// The EQ response widget for one `eq12` slot's parameters.
pub struct EqCurve<'a> {
    params: &'a Params,
    title: String,
}

impl<'a> EqCurve<'a> {
    pub fn new(params: &'a Params, title: String) -> Self {
        EqCurve { params, title }
    }

    /// The curve's points: x is log2(Hz / 20) / log2(1000), 0..=1; y is dB,
    /// clamped to the axis.
    fn points(&self, n: usize) -> Vec<(f64, f64)> {
        (0..n)
            .map(|i| {
                let x = i as f64 / (n.max(2) - 1) as f64;
                let hz = 20.0 * 1000f64.powf(x);
                (x, eq12_response_db(self.params, hz, SAMPLE_RATE).clamp(-RANGE_DB, RANGE_DB))
            })
            .collect()
    }
}

impl Widget for EqCurve<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        // Two braille dots per cell across: one point per dot.
        let points = self.points(usize::from(area.width.max(2)) * 2);
        Canvas::default()
            .block(Block::bordered().title(self.title.as_str()))
            .marker(Marker::Braille)
            .x_bounds([0.0, 1.0])
            .y_bounds([-RANGE_DB, RANGE_DB])
            .paint(|ctx| {
                ctx.draw(&CanvasLine { x1: 0.0, y1: 0.0, x2: 1.0, y2: 0.0, color: crate::theme::current().dim });
                // 100 Hz, 1 kHz and 10 kHz marks.
                for decade in [100.0f64, 1000.0, 10000.0] {
                    let x = (decade / 20.0).log10() / 3.0;
                    ctx.draw(&CanvasLine { x1: x, y1: -2.0, x2: x, y2: 2.0, color: crate::theme::current().dim });
                }
                ctx.layer();
                for pair in points.windows(2) {
                    let ((x1, y1), (x2, y2)) = (pair[0], pair[1]);
                    ctx.draw(&CanvasLine { x1, y1, x2, y2, color: crate::theme::current().accent });
                }
            })
            .render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use imbolc_types::catalog::mix::EQ12_PARAMS;
    use imbolc_types::instrument::default_params;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;

    fn draw(params: &Params) -> String {
        let mut term = Terminal::new(TestBackend::new(60, HEIGHT)).unwrap();
        term.draw(|f| f.render_widget(EqCurve::new(params, " EQ ±24 dB, 20 Hz – 20 kHz ".into()), f.area())).unwrap();
        let buf = term.backend().buffer().clone();
        (0..buf.area.height)
            .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_owned()).collect::<String>() + "\n")
            .collect()
    }

    #[test]
    fn the_curve_of_a_peak_and_a_low_cut_shelf() {
        let mut params = default_params(EQ12_PARAMS);
        params.insert("b6_freq".into(), 1000.0);
        params.insert("b6_gain".into(), 12.0);
        params.insert("b1_freq".into(), 100.0);
        params.insert("b1_gain".into(), -18.0);
        insta::assert_snapshot!(draw(&params));
    }

    #[test]
    fn a_flat_eq_draws_a_flat_line() {
        let params = default_params(EQ12_PARAMS);
        let points = EqCurve::new(&params, String::new()).points(50);
        assert!(points.iter().all(|(_, db)| db.abs() < 1e-6));
    }
}
