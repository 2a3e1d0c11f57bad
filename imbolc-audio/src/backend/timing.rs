//! [`Timing`]: when a batch takes effect.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// An NTP timestamp as OSC carries it: seconds since 1900 and a 2^-32
/// fraction. For an NRT score the same type holds seconds from the start of
/// the score, so one graph plan fits both real time and rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timetag {
    pub seconds: u32,
    pub fraction: u32,
}

/// Seconds between the NTP epoch (1900) and the Unix epoch (1970).
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

impl Timetag {
    /// OSC's special "immediately" timetag.
    pub const IMMEDIATE: Timetag = Timetag { seconds: 0, fraction: 1 };

    /// A timetag `secs` seconds after the timetag origin (for scores: the
    /// start of the score).
    pub fn from_secs_f64(secs: f64) -> Timetag {
        let secs = secs.max(0.0);
        let whole = secs.floor();
        let frac = ((secs - whole) * 4_294_967_296.0).min(u32::MAX as f64);
        Timetag { seconds: whole as u32, fraction: frac as u32 }
    }

    /// The wall-clock time `at` as an NTP timestamp (times before 1970 map to
    /// 1970).
    pub fn from_system_time(at: SystemTime) -> Timetag {
        let since = at.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
        let secs = since.as_secs().wrapping_add(NTP_UNIX_OFFSET) as u32;
        let frac = ((u64::from(since.subsec_nanos()) << 32) / 1_000_000_000) as u32;
        Timetag { seconds: secs, fraction: frac }
    }

    /// Seconds as a float (for scores, seconds from the start).
    pub fn as_secs_f64(self) -> f64 {
        f64::from(self.seconds) + f64::from(self.fraction) / 4_294_967_296.0
    }
}

/// When a batch runs on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Timing {
    /// As soon as the server receives it (edits, live MIDI).
    #[default]
    Now,
    /// At this time (timeline notes sent ahead with lookahead, score events).
    At(Timetag),
}

impl Timing {
    /// The timetag a bundle carries for this timing.
    pub fn timetag(self) -> Timetag {
        match self {
            Timing::Now => Timetag::IMMEDIATE,
            Timing::At(t) => t,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secs_round_trip_within_a_nanosecond() {
        let t = Timetag::from_secs_f64(12.25);
        assert_eq!(t.seconds, 12);
        assert_eq!(t.fraction, 1 << 30);
        assert!((t.as_secs_f64() - 12.25).abs() < 1e-9);
    }

    #[test]
    fn system_time_is_offset_to_1900() {
        let t = Timetag::from_system_time(UNIX_EPOCH + Duration::from_millis(1500));
        assert_eq!(t.seconds, 2_208_988_801);
        assert_eq!(t.fraction, 1 << 31);
    }
}
