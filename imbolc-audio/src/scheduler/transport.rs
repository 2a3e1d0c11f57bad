//! Transport settings and the mapping from play ticks to song ticks.
//!
//! *Play ticks* count up from the moment play starts and never wrap; the
//! tempo map converts them to clock seconds. *Song ticks* are positions on
//! the arrangement (or in the looped clip) and jump back at a loop end. A
//! [`Cursor`] maps one to the other from an origin, so loop wraps are
//! arithmetic (no state to step) and a seek or a loop change is a new origin.

use imbolc_types::{ClipId, Tick};

/// What plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlayMode {
    /// The placements of the arrangement (song mode).
    #[default]
    Song,
    /// One clip, looped over its length whatever its `looping` flag
    /// (pattern mode). The loop region does not apply.
    Pattern(ClipId),
}

/// A loop region on the arrangement, `[start, end)` in song ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoopRegion {
    pub start: Tick,
    pub end: Tick,
}

impl LoopRegion {
    /// A region, or `None` when it would be empty.
    pub fn new(start: Tick, end: Tick) -> Option<Self> {
        (start < end).then_some(LoopRegion { start, end })
    }
}

/// How song ticks repeat after the origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrap {
    /// No repetition.
    Linear,
    /// Play to `end`, then repeat `[start, end)` forever. Only used while
    /// the origin is before `end`: a playhead past a loop does not jump
    /// back (as in most DAWs).
    Loop { start: u64, end: u64 },
}

/// A stretch of consecutive song ticks reached by consecutive play ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// Play tick of `song_lo`.
    pub play: u64,
    pub song_lo: u64,
    pub song_hi: u64,
    /// Where the current pass ends (a loop end, or `u64::MAX`): notes are
    /// cut there, so none sounds across a wrap.
    pub pass_end: u64,
}

/// Play tick → song tick from an origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub origin_play: u64,
    pub origin_song: u64,
    pub wrap: Wrap,
}

impl Cursor {
    /// A cursor at `song` from play tick `play`. `wrap` is dropped when
    /// `song` is already at or past its end (callers fold pattern positions
    /// into the clip first).
    pub fn new(play: u64, song: u64, wrap: Wrap) -> Self {
        let wrap = match wrap {
            Wrap::Loop { start, end } if start < end && song < end => wrap,
            _ => Wrap::Linear,
        };
        Cursor { origin_play: play, origin_song: song, wrap }
    }

    /// Song tick at play tick `play` (≥ the origin) and the end of its pass.
    pub fn locate(&self, play: u64) -> (u64, u64) {
        let rel = play.saturating_sub(self.origin_play);
        match self.wrap {
            Wrap::Linear => (self.origin_song.saturating_add(rel), u64::MAX),
            Wrap::Loop { start, end } => {
                let first = end - self.origin_song;
                if rel < first { (self.origin_song + rel, end) } else { (start + (rel - first) % (end - start), end) }
            }
        }
    }

    /// Calls `visit` for the pieces covering play ticks `[lo, hi)`, in order.
    pub fn pieces(&self, lo: u64, hi: u64, mut visit: impl FnMut(Piece)) {
        let mut play = lo.max(self.origin_play);
        while play < hi {
            let (song, pass_end) = self.locate(play);
            let span = (hi - play).min(pass_end.saturating_sub(song));
            if span == 0 {
                return;
            }
            visit(Piece { play, song_lo: song, song_hi: song + span, pass_end });
            play += span;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loop_plays_to_its_end_then_repeats() {
        let c = Cursor::new(0, 90, Wrap::Loop { start: 40, end: 100 });
        let mut got = Vec::new();
        c.pieces(0, 150, |p| got.push((p.play, p.song_lo, p.song_hi)));
        assert_eq!(got, vec![(0, 90, 100), (10, 40, 100), (70, 40, 100), (130, 40, 60)]);
        assert_eq!(c.locate(10), (40, 100));
    }

    #[test]
    fn a_playhead_past_the_loop_runs_on() {
        let c = Cursor::new(5, 200, Wrap::Loop { start: 40, end: 100 });
        assert_eq!(c.wrap, Wrap::Linear);
        assert_eq!(c.locate(15), (210, u64::MAX));
    }
}
