//! The metronome: a click on every beat of the time signature (accented on
//! each bar's first beat), and the count-in, bars of clicks played before
//! the song actually starts.
//!
//! Count-in: play ticks `[0, count_in_end)` belong to the count-in; the
//! cursor's origin is at `count_in_end`, so no note or automation falls
//! there and the song position stays at the start. Count-in beats are
//! counted from the first play tick; song beats from song tick 0 with the
//! current time signature (a signature change re-bars the whole song).

use imbolc_types::{TICKS_PER_QUARTER, TimeSignature};

use super::tempo::TempoMap;
use super::transport::Cursor;

/// Count-in lengths offered, in bars.
pub const COUNT_IN_BARS: [u8; 3] = [0, 1, 2];

/// One click at an exact clock time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClickEvent {
    /// Clock seconds (see [`super::Clock`]).
    pub time: f64,
    /// The first beat of a bar.
    pub accent: bool,
    /// Part of the count-in (before the song starts).
    pub count_in: bool,
}

/// Ticks per beat of `ts` (a quarter at x/4, an eighth at x/8).
pub fn beat_ticks(ts: TimeSignature) -> u64 {
    let denominator = u64::from(ts.denominator.max(1));
    (u64::from(TICKS_PER_QUARTER) * 4 / denominator).max(1)
}

/// Ticks per bar of `ts`.
pub fn bar_ticks(ts: TimeSignature) -> u64 {
    beat_ticks(ts) * u64::from(ts.numerator.max(1))
}

/// What one window needs to place clicks.
#[derive(Debug, Clone, Copy)]
pub struct ClickWindow<'a> {
    pub cursor: &'a Cursor,
    pub tempo: &'a TempoMap,
    pub time_signature: TimeSignature,
    /// First play tick of the song (after the count-in).
    pub count_in_end: u64,
    /// Whether the song part clicks too (the count-in always does).
    pub metronome: bool,
}

impl ClickWindow<'_> {
    /// Appends the clicks of play ticks `[lo, hi)`, in time order.
    pub fn clicks(&self, lo: u64, hi: u64, out: &mut Vec<ClickEvent>) {
        let (beat, bar) = (beat_ticks(self.time_signature), bar_ticks(self.time_signature));
        let mut t = lo.div_ceil(beat) * beat;
        while t < hi.min(self.count_in_end) {
            out.push(ClickEvent { time: self.tempo.time_of(t), accent: t % bar == 0, count_in: true });
            t += beat;
        }
        if !self.metronome {
            return;
        }
        self.cursor.pieces(lo.max(self.count_in_end), hi, |piece| {
            let mut song = piece.song_lo.div_ceil(beat) * beat;
            while song < piece.song_hi {
                let play = piece.play + (song - piece.song_lo);
                out.push(ClickEvent { time: self.tempo.time_of(play), accent: song % bar == 0, count_in: false });
                song += beat;
            }
        });
    }
}

#[cfg(test)]
#[path = "metronome_tests.rs"]
mod tests;
