//! [`Clock`]: the scheduler's time base, a monotonic clock anchored to wall
//! time.
//!
//! Why both: timetags must be wall-clock NTP (scsynth compares them with its
//! own wall clock), but reading `SystemTime` for every note would let a
//! clock step land in the middle of a phrase. So every instant is an anchor
//! (the wall time at one moment) plus a monotonic offset. The scheduler
//! works purely in those offsets (seconds as `f64`), which also makes it
//! testable without a clock at all.
//!
//! The anchor is read again ([`Clock::reanchor`]) when nothing is in flight
//! (a server start, a stop) and whenever the wall clock is seen to have
//! stepped away from it ([`Clock::wall_step`]: NTP, suspend and resume, a
//! user setting the time). Re-anchoring keeps the monotonic offsets, so
//! every time already computed stays valid; only later timetags move.

use std::time::{Instant, SystemTime};

use crate::backend::Timetag;

/// 2^32, the scale of a timetag's fraction.
const FRACTION_SCALE: f64 = 4_294_967_296.0;

/// Monotonic seconds since an anchor, convertible to NTP timetags.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    start: Instant,
    /// The anchor as NTP fixed point: seconds << 32 | fraction.
    anchor_ntp: u64,
    /// A virtual clock's current time (rendering): when set, [`Clock::now`]
    /// returns it instead of reading the monotonic clock.
    fixed: Option<f64>,
}

impl Clock {
    /// A clock anchored now.
    pub fn new() -> Self {
        Clock::anchored(Instant::now(), Timetag::from_system_time(SystemTime::now()))
    }

    /// A clock whose zero is `start`, which happened at wall time `wall`
    /// (tests use a fixed `wall` to get reproducible timetags).
    pub fn anchored(start: Instant, wall: Timetag) -> Self {
        Clock { start, anchor_ntp: (u64::from(wall.seconds) << 32) | u64::from(wall.fraction), fixed: None }
    }

    /// A virtual clock standing at `secs`, whose timetags are seconds from
    /// zero (an NRT score's time base). It moves only by [`Clock::set_virtual`],
    /// so a render runs the live code path as fast as the machine allows.
    pub fn virtual_at(secs: f64) -> Self {
        Clock { start: Instant::now(), anchor_ntp: 0, fixed: Some(secs) }
    }

    /// Moves a virtual clock to `secs` (no effect on a real clock).
    pub fn set_virtual(&mut self, secs: f64) {
        if self.fixed.is_some() {
            self.fixed = Some(secs);
        }
    }

    /// Reads the wall clock again: timetags from now on follow it. The
    /// monotonic offsets do not change. No effect on a virtual clock.
    pub fn reanchor(&mut self) {
        if self.fixed.is_none() {
            self.reanchor_to(Instant::now(), Timetag::from_system_time(SystemTime::now()));
        }
    }

    /// Re-anchors so that `at` corresponds to wall time `wall`.
    pub fn reanchor_to(&mut self, at: Instant, wall: Timetag) {
        let elapsed = at.saturating_duration_since(self.start).as_secs_f64();
        let wall_ntp = (u64::from(wall.seconds) << 32) | u64::from(wall.fraction);
        self.anchor_ntp = wall_ntp.saturating_sub((elapsed * FRACTION_SCALE).round() as u64);
    }

    /// How far the wall clock is now from what this clock's anchor says,
    /// in seconds (positive: the wall clock is ahead). `None` when the
    /// reading was disturbed (the thread was preempted between the two
    /// clock reads) or the clock is virtual.
    pub fn wall_step(&self) -> Option<f64> {
        if self.fixed.is_some() {
            return None;
        }
        let before = Instant::now();
        let wall = Timetag::from_system_time(SystemTime::now());
        let after = Instant::now();
        if after.duration_since(before) > std::time::Duration::from_millis(1) {
            return None;
        }
        Some(self.offset_of(before, wall))
    }

    /// Seconds by which `wall` is ahead of this clock's timetag for `at`.
    pub fn offset_of(&self, at: Instant, wall: Timetag) -> f64 {
        let mine = self.timetag(at.saturating_duration_since(self.start).as_secs_f64());
        let fixed = |t: Timetag| (i128::from(t.seconds) << 32) | i128::from(t.fraction);
        (fixed(wall) - fixed(mine)) as f64 / FRACTION_SCALE
    }

    /// Seconds since the anchor.
    pub fn now(&self) -> f64 {
        match self.fixed {
            Some(secs) => secs,
            None => self.start.elapsed().as_secs_f64(),
        }
    }

    /// The timetag of `secs` seconds after the anchor. Integer arithmetic on
    /// the NTP fixed point keeps sub-nanosecond precision (an `f64` of the
    /// whole NTP time would only resolve about a microsecond). Negative
    /// offsets are clamped to the anchor.
    pub fn timetag(&self, secs: f64) -> Timetag {
        let offset = (secs.max(0.0) * FRACTION_SCALE).round();
        // Saturate rather than wrap for absurd offsets (centuries).
        let offset = if offset >= u64::MAX as f64 { u64::MAX } else { offset as u64 };
        let ntp = self.anchor_ntp.saturating_add(offset);
        Timetag { seconds: (ntp >> 32) as u32, fraction: (ntp & 0xFFFF_FFFF) as u32 }
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timetags_are_the_anchor_plus_the_offset() {
        let clock = Clock::anchored(Instant::now(), Timetag { seconds: 100, fraction: 1 << 31 });
        assert_eq!(clock.timetag(0.0), Timetag { seconds: 100, fraction: 1 << 31 });
        assert_eq!(clock.timetag(0.5), Timetag { seconds: 101, fraction: 0 });
        assert_eq!(clock.timetag(-3.0), Timetag { seconds: 100, fraction: 1 << 31 });
        let t = clock.timetag(2.25);
        assert_eq!((t.seconds, t.fraction), (102, 3 << 30));
    }

    #[test]
    fn a_virtual_clock_stands_still_and_tags_seconds_from_zero() {
        let mut clock = Clock::virtual_at(1.5);
        assert_eq!(clock.now(), 1.5);
        clock.set_virtual(3.25);
        assert_eq!(clock.now(), 3.25);
        assert_eq!(clock.timetag(3.25), Timetag { seconds: 3, fraction: 1 << 30 });
    }

    /// Fault 9 of issue 24: the anchor was read once, so after a wall-clock
    /// step every timetag stayed off by the step.
    #[test]
    fn a_stepped_wall_clock_is_seen_and_reanchoring_follows_it_keeping_offsets() {
        let start = Instant::now();
        let wall_now = Timetag::from_system_time(SystemTime::now());
        // Anchored 30 s in the past: as if the wall clock had stepped 30 s
        // forward since.
        let stale = Timetag { seconds: wall_now.seconds - 30, fraction: wall_now.fraction };
        let mut clock = Clock::anchored(start, stale);
        let step = (0..10).find_map(|_| clock.wall_step()).expect("an undisturbed reading");
        assert!((step - 30.0).abs() < 0.05, "step seen: {step}");
        let offset = clock.now();
        clock.reanchor();
        assert!(clock.now() >= offset, "offsets are kept");
        let after = (0..10).find_map(|_| clock.wall_step()).expect("an undisturbed reading");
        assert!(after.abs() < 0.005, "re-anchored: {after}");
        let mut virtual_clock = Clock::virtual_at(2.0);
        virtual_clock.reanchor();
        assert_eq!(virtual_clock.timetag(2.0), Timetag { seconds: 2, fraction: 0 });
        assert_eq!(virtual_clock.wall_step(), None);
    }

    #[test]
    fn the_clock_only_moves_forward() {
        let clock = Clock::new();
        let a = clock.now();
        let b = clock.now();
        assert!(b >= a && a >= 0.0);
    }
}
