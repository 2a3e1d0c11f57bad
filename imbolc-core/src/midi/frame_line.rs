//! [`FrameLine`]: the wall time of JACK's frames, as a straight line in
//! frames that moves only slowly.
//!
//! The clock ticks are placed in the frame domain: tick `n` is due at a
//! wall time on the engine's tempo line, and the line here turns that
//! time into an exact (fractional) frame. What the line is fitted to are
//! the wall times at which the process callback woke up. A wake-up is
//! never early, only late: by a few µs on a quiet machine, by
//! milliseconds when a kernel without preemption finishes someone else's
//! system call first. So the line follows the *floor* of the wake-ups,
//! one minimum per [`WINDOW_SECS`], never a single wake-up, and a late
//! wake-up moves no tick.
//!
//! When the driver loses time (the dummy driver, woken too late, counts
//! on from where it woke up; a sound card does the same after an xrun)
//! the frames stop while the wall clock goes on, and the floor rises by
//! the time lost. Beyond [`STEP_SECS`] the line steps with it, once every
//! wake-up for [`CONFIRM_SECS`] ([`CONFIRM_PERIODS`] at least) has been
//! that late: the ticks stay on the tempo line, as scsynth's notes do (it
//! re-anchors its own clock after an xrun), and in frames they jump by
//! the time lost, once. Smaller differences (losses below the step, the
//! floor's wander) are slewed away at most [`MAX_SLEW`] (4 ppm, 4 µs a
//! second), which keeps a 30 s run within 0.04 ms of a straight line; a
//! lag piled up from them steps the line only past [`PILED_UP_SECS`].
//!
//! Nothing here allocates or blocks: it runs inside JACK's process
//! callback.

use super::clock_line::Period;

/// Span of each floor measurement once locked.
pub const WINDOW_SECS: f64 = 1.0;
/// Span of each floor while locking, and how many: the rate is the mean
/// rise of the floor from one to the next, leaving out rises more than
/// [`ACQUIRE_JUMP_SECS`] from the median one (time the driver lost in
/// between); the phase is that of the last floor. 5 s in all.
const ACQUIRE_SECS: f64 = 0.25;
const ACQUIRE_WINDOWS: usize = 20;
const ACQUIRE_JUMP_SECS: f64 = 30e-6;
/// Largest slope change the phase correction makes (a fraction of the
/// rate): 4 ppm keeps a 30 s run within 0.04 ms of a straight line.
pub const MAX_SLEW: f64 = 4e-6;
/// A phase error is made up over about this many seconds (within
/// [`MAX_SLEW`]).
const CATCH_SECS: f64 = 10.0;
/// The rate's integrator: time constant, and its largest change per
/// window (so that the slope bends slowly).
const RATE_SECS: f64 = 30.0;
const MAX_RATE_STEP: f64 = 1e-7;
/// A rate further than this from the nominal one is not believed.
const MAX_RATE: f64 = 1e-3;
/// Lost time beyond this steps the line, once every period for
/// [`CONFIRM_SECS`] has woken up at least this much later than it (a
/// wake-up is rarely that late four times in a row without the driver
/// having lost time).
pub const STEP_SECS: f64 = 0.000_3;
/// Span of the floor a new loss is measured from.
const RECENT_SECS: f64 = 0.05;
/// Lag piled up from losses under [`STEP_SECS`] beyond which the line
/// steps rather than slews (20 ms would take 80 minutes at 4 ppm).
pub const PILED_UP_SECS: f64 = 0.02;
/// How long the wake-ups must stay that late, and in how many periods at
/// least, before the line steps: a late wake-up or two is not lost time.
pub const CONFIRM_SECS: f64 = 0.01;
pub const CONFIRM_PERIODS: u32 = 4;

/// See the module documentation.
#[derive(Debug, Clone, Copy, Default)]
pub struct FrameLine {
    state: Option<State>,
}

#[derive(Debug, Clone, Copy)]
struct State {
    /// The last period's first frame, counted on past JACK's u32 wraps.
    frame: i64,
    raw: u32,
    /// The line: `wall(f) = wall0 + (f - frame0) × secs_per_frame`.
    frame0: i64,
    wall0: f64,
    secs_per_frame: f64,
    /// Nominal seconds per frame (1 / sample rate).
    nominal: f64,
    /// Rate correction (a fraction of the nominal rate) and phase slew.
    rate: f64,
    /// Windows measured so far (up to [`ACQUIRE_WINDOWS`]) and their
    /// floors: frame and wall time.
    windows: usize,
    floors: [(i64, f64); ACQUIRE_WINDOWS],
    /// The current window: frames in it, lowest residual and where.
    window_frames: i64,
    floor: f64,
    floor_at: (i64, f64),
    /// Periods in a row later than the line by [`STEP_SECS`]: their
    /// frames and their least residual.
    late_run: u32,
    late_frames: i64,
    late_floor: f64,
    /// The floor over the last [`RECENT_SECS`] (and the one being
    /// measured): a new loss is lateness beyond where the wake-ups were
    /// just before it, whatever lag is still being slewed away.
    recent: f64,
    recent_min: f64,
    recent_frames: i64,
    /// `recent` when the current run of late wake-ups began.
    late_ref: f64,
}

impl State {
    fn new(frame: u32, measured: f64, nominal: f64) -> State {
        State {
            frame: i64::from(frame),
            raw: frame,
            frame0: i64::from(frame),
            wall0: measured,
            secs_per_frame: nominal,
            nominal,
            rate: 0.0,
            windows: 0,
            floors: [(0, 0.0); ACQUIRE_WINDOWS],
            window_frames: 0,
            floor: f64::MAX,
            floor_at: (i64::from(frame), measured),
            late_run: 0,
            late_frames: 0,
            late_floor: f64::MAX,
            recent: 0.0,
            recent_min: f64::MAX,
            recent_frames: 0,
            late_ref: 0.0,
        }
    }

    /// Counts a period woken up `residual` after the line; steps the line
    /// once the lost time is confirmed.
    fn lost_time(&mut self, residual: f64, df: i64) {
        let reference = if self.late_run == 0 { self.recent } else { self.late_ref };
        let excess = residual - reference;
        self.recent_min = self.recent_min.min(residual);
        self.recent_frames += df;
        if self.recent_frames as f64 * self.secs_per_frame >= RECENT_SECS {
            self.recent = self.recent_min;
            self.recent_min = f64::MAX;
            self.recent_frames = 0;
        }
        if excess <= STEP_SECS || self.windows < ACQUIRE_WINDOWS {
            self.late_run = 0;
            self.late_frames = 0;
            self.late_floor = f64::MAX;
            return;
        }
        if self.late_run == 0 {
            self.late_ref = reference;
        }
        self.late_run += 1;
        self.late_frames += df;
        self.late_floor = self.late_floor.min(excess);
        if self.late_run >= CONFIRM_PERIODS && self.late_frames as f64 * self.secs_per_frame >= CONFIRM_SECS {
            let frame = self.frame;
            self.bend(frame, self.secs_per_frame);
            self.wall0 += self.late_floor;
            self.window_frames = 0;
            self.floor = f64::MAX;
            // Where the wake-ups were before the loss is where they are
            // now on the moved line.
            self.recent = self.late_ref;
            self.recent_min = f64::MAX;
            self.recent_frames = 0;
            self.late_run = 0;
            self.late_frames = 0;
            self.late_floor = f64::MAX;
        }
    }

    fn wall(&self, frame: i64) -> f64 {
        self.wall0 + (frame - self.frame0) as f64 * self.secs_per_frame
    }

    /// Moves the line's origin to `frame` (keeping it where it is) and
    /// gives it a new slope from there.
    fn bend(&mut self, frame: i64, secs_per_frame: f64) {
        self.wall0 = self.wall(frame);
        self.frame0 = frame;
        self.secs_per_frame = secs_per_frame;
    }

    /// One window's floor: during acquisition the line is put through the
    /// floors; after it, phase and rate follow them slowly.
    fn close_window(&mut self) {
        let (at, floor) = (self.floor_at, self.floor);
        self.window_frames = 0;
        self.floor = f64::MAX;
        if self.windows < ACQUIRE_WINDOWS {
            self.floors[self.windows] = at;
            self.windows += 1;
            let slope = if self.windows == ACQUIRE_WINDOWS { self.acquired_slope() } else { self.nominal };
            self.rate = slope / self.nominal - 1.0;
            self.frame0 = at.0;
            self.wall0 = at.1;
            self.secs_per_frame = slope;
            return;
        }
        // The floor's distance from the line: positive when the line runs
        // early (frames were lost), negative when it runs late.
        let slew = (floor / CATCH_SECS).clamp(-MAX_SLEW, MAX_SLEW);
        // The rate integrates only an error the slew can make up (not the
        // lag after lost frames, which would wind it up).
        if slew.abs() < MAX_SLEW {
            let step = floor * WINDOW_SECS / (RATE_SECS * RATE_SECS);
            self.rate = (self.rate + step.clamp(-MAX_RATE_STEP, MAX_RATE_STEP)).clamp(-MAX_RATE, MAX_RATE);
        }
        self.bend(self.frame, self.nominal * (1.0 + self.rate + slew));
    }
}

impl State {
    /// The slope through the acquisition floors, within [`MAX_RATE`] of the
    /// nominal one.
    fn acquired_slope(&self) -> f64 {
        // Each floor's rise over the nominal line, per frame.
        let mut rises = [(0.0, 0.0); ACQUIRE_WINDOWS - 1];
        for (rise, w) in rises.iter_mut().zip(self.floors.windows(2)) {
            let df = (w[1].0 - w[0].0) as f64;
            *rise = (w[1].1 - w[0].1 - df * self.nominal, df);
        }
        let mut per_frame = [0.0; ACQUIRE_WINDOWS - 1];
        for (p, (rise, df)) in per_frame.iter_mut().zip(&rises) {
            *p = if *df > 0.0 { rise / df } else { 0.0 };
        }
        per_frame.sort_unstable_by(f64::total_cmp);
        let median = per_frame[per_frame.len() / 2];
        let (mut sum, mut frames) = (0.0, 0.0);
        for (rise, df) in rises {
            if df > 0.0 && (rise - median * df).abs() < ACQUIRE_JUMP_SECS {
                sum += rise;
                frames += df;
            }
        }
        let drift = if frames > 0.0 { sum / frames } else { median };
        (self.nominal + drift).clamp(self.nominal * (1.0 - MAX_RATE), self.nominal * (1.0 + MAX_RATE))
    }
}

impl FrameLine {
    /// Feeds one period: its first frame, its length, the wall time the
    /// callback woke up at, the sample rate. Returns the period in wall
    /// time as the line has it.
    pub fn period(&mut self, frame: u32, frames: u32, measured: f64, rate: f64) -> Period {
        let nominal = 1.0 / rate.max(1.0);
        let state = match &mut self.state {
            Some(s) if (s.nominal - nominal).abs() < nominal * 1e-9 => s,
            s => s.insert(State::new(frame, measured, nominal)),
        };
        // Signed: a callback that reads the same cycle again (or an older
        // one) moves nothing.
        let df = i64::from(frame.wrapping_sub(state.raw) as i32);
        let at = state.frame + df;
        if df > 0 {
            state.frame = at;
            state.raw = frame;
            state.window_frames += df;
        }
        let residual = measured - state.wall(at);
        if df > 0 {
            state.lost_time(residual, df);
        }
        let residual = measured - state.wall(at);
        if residual < state.floor {
            state.floor = residual;
            state.floor_at = (at, measured);
        }
        let window = if state.windows < ACQUIRE_WINDOWS { ACQUIRE_SECS } else { WINDOW_SECS };
        if state.window_frames as f64 * state.secs_per_frame >= window {
            // The floor is where the frames are. Ahead of it after a whole
            // window (the wall clock set back, a step too far) the line
            // steps back at once; behind it (losses too small to step for,
            // piled up) only past [`PILED_UP_SECS`], else it is slewed.
            let off = state.floor > PILED_UP_SECS || state.floor < -STEP_SECS;
            if off && state.windows >= ACQUIRE_WINDOWS {
                let (frame, floor) = (state.frame, state.floor);
                state.bend(frame, state.secs_per_frame);
                state.wall0 += floor;
                state.window_frames = 0;
                state.floor = f64::MAX;
                state.recent -= floor;
            } else {
                state.close_window();
            }
        }
        Period { start: state.wall(at), secs: state.secs_per_frame * f64::from(frames), frames }
    }

    /// True once the line has its phase and rate (a few seconds).
    pub fn locked(&self) -> bool {
        self.state.is_some_and(|s| s.windows >= ACQUIRE_WINDOWS)
    }
}

#[cfg(test)]
#[path = "frame_line_tests.rs"]
mod tests;
