//! A waveform drawn with braille characters: each cell is 2 × 4 dots, so a
//! cell column shows two overview peaks and a row four levels. Slice
//! markers colour their cell column (a `│` where no dot is lit); the cursor
//! column is reversed.

use imbolc_core::analysis::Peak;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

use super::cursor_style;

/// Dot columns per cell.
pub const DOTS_X: u16 = 2;
const DOTS_Y: u16 = 4;
/// First braille character (no dots).
const BRAILLE: u32 = 0x2800;
/// Bit of the dot at (column, row) within a cell.
const BITS: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];

/// The widget: `peaks` has one peak per dot column (`2 × width`); markers
/// and cursor are cell columns.
#[derive(Debug, Clone, Copy)]
pub struct Waveform<'a> {
    pub peaks: &'a [Peak],
    pub markers: &'a [u16],
    pub cursor: Option<u16>,
}

/// The dot row (0 at the top) of a value in -1..=1 for `rows` dot rows.
fn dot_row(v: f32, rows: u16) -> u16 {
    let span = f32::from(rows.saturating_sub(1));
    ((1.0 - v.clamp(-1.0, 1.0)) / 2.0 * span).round() as u16
}

impl Widget for Waveform<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let rows = area.height * DOTS_Y;
        for cx in 0..area.width {
            let mut cells = vec![0u8; usize::from(area.height)];
            for dx in 0..DOTS_X {
                let Some(peak) = self.peaks.get(usize::from(cx * DOTS_X + dx)) else { continue };
                if peak.min > peak.max {
                    continue;
                }
                let (lo, hi) = peak.range();
                let (top, bottom) = (dot_row(hi, rows), dot_row(lo, rows));
                for r in top..=bottom {
                    if let Some(cell) = cells.get_mut(usize::from(r / DOTS_Y)) {
                        *cell |= BITS[usize::from(dx)][usize::from(r % DOTS_Y)];
                    }
                }
            }
            let marker = self.markers.contains(&cx);
            let mut style = if marker {
                Style::default().fg(crate::theme::current().warn)
            } else {
                Style::default().fg(crate::theme::current().accent)
            };
            if self.cursor == Some(cx) {
                style = style.patch(cursor_style());
            }
            for (cy, bits) in cells.iter().enumerate() {
                let ch = if *bits == 0 && marker {
                    '│'
                } else {
                    char::from_u32(BRAILLE + u32::from(*bits)).unwrap_or(' ')
                };
                let (x, y) = (area.x + cx, area.y + cy as u16);
                if let Some(cell) = buf.cell_mut((x, y)) {
                    cell.set_char(ch).set_style(style);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peak(lo: f32, hi: f32) -> Peak {
        Peak { min: (lo * 32767.0) as i16, max: (hi * 32767.0) as i16 }
    }

    #[test]
    fn full_scale_fills_the_column_and_silence_is_a_centre_line() {
        let peaks = [peak(-1.0, 1.0), peak(-1.0, 1.0), peak(0.0, 0.0), peak(0.0, 0.0)];
        let area = Rect::new(0, 0, 3, 2);
        let mut buf = Buffer::empty(area);
        Waveform { peaks: &peaks, markers: &[2], cursor: None }.render(area, &mut buf);
        let text: Vec<String> =
            (0..2).map(|y| (0..3).map(|x| buf[(x, y)].symbol().to_owned()).collect::<String>()).collect();
        // Column 0: every dot; column 1: the middle dot row of 8 rounds to
        // row 4 (top of the lower cell); column 2: a marker over nothing.
        assert_eq!(text, vec!["⣿⠀│".to_owned(), "⣿⠉│".to_owned()]);
    }
}
