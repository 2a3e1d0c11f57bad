//! Wall-clock seconds and the engine's tempo line: how a MIDI event's time
//! becomes a song tick. The engine publishes where play tick `t` sounds
//! ([`TempoAnchor`], an NTP time); MIDI events carry JACK times turned into
//! wall time by [`super::live::LivePlayer`] (differences only). Both are
//! compared here in Unix seconds.

use std::time::{SystemTime, UNIX_EPOCH};

use imbolc_audio::backend::Timetag;
use imbolc_audio::engine::TempoAnchor;
use imbolc_types::TICKS_PER_QUARTER;

/// Seconds between the NTP epoch (1900) and the Unix epoch (1970).
const NTP_UNIX_OFFSET: f64 = 2_208_988_800.0;

/// The wall clock now, in seconds since the Unix epoch.
pub fn wall_now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

/// An NTP timetag in seconds since the Unix epoch.
pub fn unix_secs(t: Timetag) -> f64 {
    t.as_secs_f64() - NTP_UNIX_OFFSET
}

/// The (fractional) play tick sounding at wall time `at` on `line`.
pub fn play_tick_at(line: &TempoAnchor, at: f64) -> f64 {
    let ticks_per_sec = f64::from(line.bpm) * f64::from(TICKS_PER_QUARTER) / 60.0;
    line.play_tick + (at - unix_secs(line.timetag)) * ticks_per_sec
}

/// The wall time at which play tick `tick` sounds on `line`.
pub fn wall_at(line: &TempoAnchor, tick: f64) -> f64 {
    let secs_per_tick = 60.0 / (f64::from(line.bpm.max(1.0)) * f64::from(TICKS_PER_QUARTER));
    unix_secs(line.timetag) + (tick - line.play_tick) * secs_per_tick
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_and_wall_time_agree() {
        let line = TempoAnchor { timetag: Timetag::from_secs_f64(NTP_UNIX_OFFSET + 100.0), play_tick: 0.0, bpm: 120.0 };
        assert!((play_tick_at(&line, 100.5) - 480.0).abs() < 1e-6);
        assert!((wall_at(&line, 960.0) - 101.0).abs() < 1e-6);
        assert!(wall_now() > 1.0e9);
    }
}
