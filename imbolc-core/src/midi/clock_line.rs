//! [`ClockLine`]: what the JACK MIDI output's process callback computes
//! each period, apart from JACK itself (so it is tested without a server).
//!
//! Each clock tick (24 per quarter note) is due at the wall time where the
//! engine's tempo line ([`TempoAnchor`]) reaches it, plus the user's
//! clock-out offset. A period covers wall times `[start, start + period)`
//! as [`super::frame_line::FrameLine`] has them (a straight line in
//! frames that late wake-ups do not move); a tick due inside goes out at
//! the frame where its time falls, so it is within half a frame of that
//! line rather than a whole period late. Start (or song position and
//! continue) goes out at the first tick's frame, stop and other messages
//! at the period's first frame.
//!
//! Nothing here allocates or blocks: it runs inside JACK's process
//! callback.

use imbolc_audio::engine::TempoAnchor;
use imbolc_types::TICKS_PER_QUARTER;

use super::timebase::{play_tick_at, wall_at};

/// Song ticks per MIDI clock tick.
pub const TICKS_PER_CLOCK: f64 = TICKS_PER_QUARTER as f64 / 24.0;
/// Song ticks per sixteenth note (a song-position-pointer step).
const TICKS_PER_SIXTEENTH: f64 = TICKS_PER_QUARTER as f64 / 4.0;
/// Clock-out offsets are clamped to ± this many seconds.
pub const MAX_OFFSET_SECS: f64 = 0.05;
/// A tick later than this is skipped rather than sent in a burst.
const MAX_LATE_SECS: f64 = 0.1;
/// At most this many ticks per period (a 1024-frame period at 48 kHz and
/// 300 BPM holds 3).
const MAX_TICKS_PER_PERIOD: usize = 32;

pub const CLOCK: u8 = 0xF8;
pub const START: u8 = 0xFA;
pub const CONTINUE: u8 = 0xFB;
pub const STOP: u8 = 0xFC;
pub const SONG_POSITION: u8 = 0xF2;

/// The transport as the clock follows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    pub playing: bool,
    pub anchor: Option<TempoAnchor>,
    /// Song tick where play started (sent as song position when not 0).
    pub song_start: f64,
}

impl Line {
    pub const STOPPED: Line = Line { playing: false, anchor: None, song_start: 0.0 };
}

/// One JACK period in wall time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Period {
    /// Wall time (Unix seconds) of the period's first frame.
    pub start: f64,
    /// Its length in seconds.
    pub secs: f64,
    /// Its length in frames.
    pub frames: u32,
}

impl Period {
    /// The frame offset where wall time `at` falls, rounded; `None` past
    /// the period's end, 0 for times before its start.
    fn frame_of(&self, at: f64) -> Option<u32> {
        let off = ((at - self.start) / self.secs * f64::from(self.frames)).round();
        if off >= f64::from(self.frames) { None } else { Some(off.max(0.0) as u32) }
    }
}

/// The clock's state between periods.
#[derive(Debug, Clone)]
pub struct ClockLine {
    line: Line,
    /// Index of the next clock tick not sent (play tick / [`TICKS_PER_CLOCK`]).
    next: i64,
    /// Start (or song position + continue) still to be sent.
    start_due: bool,
    /// Stop still to be sent.
    stop_due: bool,
    /// Seconds added to every tick's time.
    offset: f64,
}

impl Default for ClockLine {
    fn default() -> Self {
        ClockLine { line: Line::STOPPED, next: 0, start_due: false, stop_due: false, offset: 0.0 }
    }
}

impl ClockLine {
    /// Sets the clock-out offset (clamped to ±[`MAX_OFFSET_SECS`]).
    pub fn set_offset(&mut self, secs: f64) {
        self.offset = if secs.is_finite() { secs.clamp(-MAX_OFFSET_SECS, MAX_OFFSET_SECS) } else { 0.0 };
    }

    /// The transport changed; `now` is the wall time of the current period.
    pub fn follow(&mut self, new: Line, now: f64) {
        let was = self.line.playing;
        if was && !new.playing {
            self.stop_due = true;
            self.start_due = false;
        }
        // A tempo change keeps counting ticks of the same play-tick line
        // (play ticks never wrap), so none is sent twice or lost.
        if let (true, Some(anchor)) = (new.playing, new.anchor)
            && !was
        {
            // Play starts at play tick 0; if we hear of it late, from the
            // next tick not yet due.
            let now_tick = play_tick_at(&anchor, now - self.offset);
            self.next = if now_tick > TICKS_PER_CLOCK { (now_tick / TICKS_PER_CLOCK).ceil() as i64 } else { 0 };
            self.start_due = true;
            self.stop_due = false;
        }
        self.line = new;
    }

    /// Writes what is due in `period` through `write(frame, bytes)`, in
    /// frame order.
    pub fn run(&mut self, period: &Period, mut write: impl FnMut(u32, &[u8])) {
        if self.stop_due {
            self.stop_due = false;
            write(0, &[STOP]);
        }
        let (true, Some(anchor)) = (self.line.playing, self.line.anchor) else {
            return;
        };
        // Far behind (a stall, a line that jumped): skip to the present.
        let late = period.start - MAX_LATE_SECS - self.offset;
        if self.due(&anchor, self.next) < late {
            self.next = (play_tick_at(&anchor, period.start - self.offset) / TICKS_PER_CLOCK).ceil().max(0.0) as i64;
        }
        for _ in 0..MAX_TICKS_PER_PERIOD {
            let Some(frame) = period.frame_of(self.due(&anchor, self.next)) else {
                break;
            };
            if self.start_due {
                self.start_due = false;
                self.write_start(frame, &mut write);
            }
            write(frame, &[CLOCK]);
            self.next += 1;
        }
    }

    /// Wall time at which clock tick `index` goes out.
    fn due(&self, anchor: &TempoAnchor, index: i64) -> f64 {
        wall_at(anchor, index as f64 * TICKS_PER_CLOCK) + self.offset
    }

    /// Start from the top, or song position + continue from elsewhere.
    fn write_start(&self, frame: u32, write: &mut impl FnMut(u32, &[u8])) {
        let sixteenths = (self.line.song_start / TICKS_PER_SIXTEENTH).round().clamp(0.0, 16_383.0) as u16;
        if sixteenths == 0 {
            write(frame, &[START]);
        } else {
            write(frame, &[SONG_POSITION, (sixteenths & 0x7F) as u8, (sixteenths >> 7) as u8]);
            write(frame, &[CONTINUE]);
        }
    }
}

#[cfg(test)]
#[path = "clock_line_tests.rs"]
mod tests;
