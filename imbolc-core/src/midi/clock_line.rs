//! [`ClockLine`]: what the JACK MIDI output's process callback computes
//! each period, apart from JACK itself (so it is tested without a server).
//!
//! Each clock tick (24 per quarter note) is due at the wall time where the
//! engine's tempo line ([`TempoAnchor`]) reaches it, plus the user's
//! clock-out offset. A period covers wall times `[start, start + period)`
//! (JACK's `cycle_times`, moved from JACK's clock to the wall clock by a
//! smoothed offset between the two); a tick due inside goes out at the
//! frame where its time falls, so its jitter is that of JACK's time
//! estimate rather than a whole period. Start (or song position and
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

/// Wall clock minus JACK's clock, smoothed over periods: JACK's times are
/// µs of its own (monotonic) clock, the tempo line is in wall time.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClockOffset {
    est: Option<f64>,
    /// Samples in a row far from the estimate.
    strikes: u32,
}

/// A sample within this of the estimate is averaged in; further off, it is
/// ignored unless [`STEP_STRIKES`] in a row agree (a clock step).
const OFFSET_NOISE_SECS: f64 = 0.000_2;
const STEP_STRIKES: u32 = 16;

impl ClockOffset {
    /// A sample: wall time read just before (`wall_before`) and after
    /// (`wall_after`) JACK's time `jack_secs`. Returns the estimate.
    pub fn sample(&mut self, wall_before: f64, jack_secs: f64, wall_after: f64) -> Option<f64> {
        // A read interrupted in between says little.
        if wall_after - wall_before < 50e-6 {
            let s = (wall_before + wall_after) / 2.0 - jack_secs;
            self.est = Some(match self.est {
                Some(e) if (s - e).abs() < OFFSET_NOISE_SECS => {
                    self.strikes = 0;
                    e + (s - e) * 0.02
                }
                Some(e) if self.strikes < STEP_STRIKES => {
                    self.strikes += 1;
                    e
                }
                // A clock step (settimeofday): follow it.
                _ => {
                    self.strikes = 0;
                    s
                }
            });
        }
        self.est
    }
}

/// Widest and narrowest bandwidth (Hz) of [`FrameClock`]'s loop.
const BW_START: f64 = 2.0;
const BW_END: f64 = 0.02;
/// [`STEP_STRIKES`] periods in a row further than this from the
/// prediction restart the loop (a clock step, a server restart).
const RESYNC_SECS: f64 = 0.02;
/// Once locked, one period's error counts at most this much (a late
/// wake-up of a loaded machine is noise, not a change of rate).
const LOCKED_ERROR_SECS: f64 = 0.000_2;
/// Seconds after which the loop counts as locked.
const LOCK_SECS: f64 = 2.0;

/// Wall time of each period's first frame, filtered: JACK's cycle times
/// follow the moments the driver woke up, which on a loaded machine are
/// late by up to milliseconds, while the frames themselves run at a
/// steady rate. A second-order delay-locked loop (as in JACK itself, with
/// a far narrower bandwidth that starts wide to lock quickly) fits
/// `wall = start + (frame - frame0) × secs_per_frame` through them.
#[derive(Debug, Clone, Copy, Default)]
pub struct FrameClock {
    state: Option<Loop>,
}

#[derive(Debug, Clone, Copy)]
struct Loop {
    /// The last period's first frame, its wall time, its length in frames.
    frame: u32,
    wall: f64,
    frames: u32,
    secs_per_frame: f64,
    /// Seconds since the loop began locking.
    elapsed: f64,
    /// Periods in a row far from the prediction.
    strikes: u32,
}

impl FrameClock {
    /// Feeds one period (first frame, length, its measured wall time) and
    /// returns the filtered period.
    pub fn period(&mut self, frame: u32, frames: u32, measured: f64, rate: f64) -> Period {
        let nominal = 1.0 / rate.max(1.0);
        let next = match self.state {
            None => Loop { frame, wall: measured, frames, secs_per_frame: nominal, elapsed: 0.0, strikes: 0 },
            // The driver lost periods and counts anew from where it woke
            // up (JACK's frame counter jumps, and its time for the first
            // frame after the jump is where the new count starts): the
            // phase is taken as measured, the rate is kept.
            Some(l) if frame.wrapping_sub(l.frame) as i32 > l.frames as i32 => {
                // Pull in quickly from there: the measured time is JACK's
                // first estimate after its own restart.
                Loop { frame, wall: measured, frames, strikes: 0, elapsed: l.elapsed.min(1.0), ..l }
            }
            Some(l) => l.advance(frame, frames, measured, nominal),
        };
        self.state = Some(next);
        Period { start: next.wall, secs: next.secs_per_frame * f64::from(frames), frames }
    }
}

impl Loop {
    fn advance(self, frame: u32, frames: u32, measured: f64, nominal: f64) -> Loop {
        // Signed: a callback that reads the same cycle's times twice (or
        // an older one) moves nothing.
        let df = f64::from(frame.wrapping_sub(self.frame) as i32);
        let predicted = self.wall + df * self.secs_per_frame;
        if df <= 0.0 {
            return Loop { frame, wall: predicted, frames, ..self };
        }
        let e = measured - predicted;
        if e.abs() > RESYNC_SECS {
            if self.strikes >= STEP_STRIKES {
                return Loop { frame, wall: measured, frames, secs_per_frame: nominal, elapsed: 0.0, strikes: 0 };
            }
            return Loop { frame, wall: predicted, frames, strikes: self.strikes + 1, ..self };
        }
        let dt = df * self.secs_per_frame;
        let bw = (BW_START / (1.0 + self.elapsed).powi(2)).max(BW_END);
        let omega = 2.0 * std::f64::consts::PI * bw * dt;
        let (b, c) = ((std::f64::consts::SQRT_2 * omega).min(1.0), omega * omega);
        let e = if self.elapsed > LOCK_SECS { e.clamp(-LOCKED_ERROR_SECS, LOCKED_ERROR_SECS) } else { e };
        Loop {
            frame,
            wall: predicted + b * e,
            frames,
            secs_per_frame: self.secs_per_frame + c * e / df,
            elapsed: self.elapsed + dt,
            strikes: 0,
        }
    }
}

#[cfg(test)]
#[path = "clock_line_tests.rs"]
mod tests;
