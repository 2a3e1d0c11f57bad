//! [`Clock`]: the scheduler's time base, a monotonic clock anchored once to
//! wall time.
//!
//! Why both: timetags must be wall-clock NTP (scsynth compares them with its
//! own wall clock), but reading `SystemTime` on every window would let an NTP
//! step or a user changing the clock move notes. So the wall time is read
//! once, at construction, and every later instant is that anchor plus a
//! monotonic offset. The scheduler works purely in those offsets (seconds
//! as `f64`), which also makes it testable without a clock at all.

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

    #[test]
    fn the_clock_only_moves_forward() {
        let clock = Clock::new();
        let a = clock.now();
        let b = clock.now();
        assert!(b >= a && a >= 0.0);
    }
}
