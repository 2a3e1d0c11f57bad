#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

const RATE: f64 = 48_000.0;

/// A small deterministic generator of wake-up lateness.
struct Lateness(u64);

impl Lateness {
    /// Seconds: 5–25 µs mostly, every 50th wake-up up to 3 ms.
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let u = (self.0 >> 33) as f64 / f64::from(1u32 << 31);
        if (self.0 >> 20).is_multiple_of(50) { 0.003 * u } else { 5e-6 + 20e-6 * u }
    }
}

/// Runs `periods` periods of `frames`; `truth(k)` is the wall time the
/// k-th period's first frame really falls at. Returns, per period, the
/// line's start less the truth.
fn follow(frames: u32, periods: u32, truth: impl Fn(u32) -> f64) -> Vec<f64> {
    let mut line = FrameLine::default();
    let mut late = Lateness(7);
    (0..periods)
        .map(|k| {
            let frame = k.wrapping_mul(frames);
            let p = line.period(frame, frames, truth(k) + late.next(), RATE);
            p.start - truth(k)
        })
        .collect()
}

fn peak_to_peak(errors: &[f64]) -> f64 {
    let (lo, hi) = errors.iter().fold((f64::MAX, f64::MIN), |(lo, hi), e| (lo.min(*e), hi.max(*e)));
    hi - lo
}

#[test]
fn late_wake_ups_move_no_frame() {
    for frames in [64, 256, 1024] {
        let per = f64::from(frames) / RATE;
        let n = (60.0 / per) as u32;
        let errors = follow(frames, n, |k| 1.7e9 + f64::from(k) * per);
        let locked = &errors[(10.0 / per) as usize..];
        // A constant lead or lag is harmless (a few µs of least latency);
        // what varies is jitter.
        assert!(peak_to_peak(locked) < 10e-6, "{frames}: {}", peak_to_peak(locked));
        assert!(locked.iter().all(|e| e.abs() < 30e-6), "{frames}");
    }
}

#[test]
fn a_sound_card_off_its_nominal_rate_is_followed() {
    // 60 ppm slow: 48 kHz nominal, 47 997.12 Hz real.
    let per = 256.0 / (RATE * (1.0 - 60e-6));
    let errors = follow(256, (120.0 / per) as u32, |k| 1.7e9 + f64::from(k) * per);
    let locked = &errors[(60.0 / per) as usize..];
    assert!(peak_to_peak(locked) < 15e-6, "{}", peak_to_peak(locked));
}

#[test]
fn lost_time_below_the_step_is_made_up_slowly_without_a_jump() {
    // The driver loses 0.2 ms 20 s in: its frames from then on fall
    // 0.2 ms later on the wall clock.
    let per = 1024.0 / RATE;
    let lost_at = (20.0 / per) as u32;
    let truth = |k: u32| 1.7e9 + f64::from(k) * per + if k >= lost_at { 0.0002 } else { 0.0 };
    let errors = follow(1024, (200.0 / per) as u32, truth);
    // The line's start moves by at most the slew from one period to the
    // next (truth's own jump aside). (Wall times near 1.7e9 s are whole
    // multiples of 0.24 µs.)
    for k in (10.0 / per) as usize..errors.len() - 1 {
        let step = errors[k + 1] - errors[k] + if k + 1 == lost_at as usize { 0.0002 } else { 0.0 };
        assert!(step.abs() < per * MAX_SLEW * 1.5 + 5e-7, "period {k}: {step}");
    }
    // It lags by the lost time, then catches up at MAX_SLEW: 0.2 ms in 50 s.
    assert!((errors[lost_at as usize] + 0.0002).abs() < 30e-6);
    assert!(errors[(40.0 / per) as usize].abs() > 50e-6, "made up slowly, not at once");
    let end = errors[errors.len() - 1];
    assert!(end.abs() < 30e-6, "{end}");
}

#[test]
fn a_wall_clock_step_starts_the_line_afresh() {
    let per = 256.0 / RATE;
    let step_at = (20.0 / per) as u32;
    let truth = |k: u32| 1.7e9 + f64::from(k) * per + if k >= step_at { 5.0 } else { 0.0 };
    let errors = follow(256, (40.0 / per) as u32, truth);
    let after = &errors[(30.0 / per) as usize..];
    assert!(after.iter().all(|e| e.abs() < 30e-6));
}

#[test]
fn the_same_cycle_read_again_moves_nothing() {
    let mut line = FrameLine::default();
    let per = 256.0 / RATE;
    for k in 0..20_000u32 {
        line.period(k * 256, 256, 100.0 + f64::from(k) * per, RATE);
    }
    assert!(line.locked());
    let a = line.period(19_999 * 256, 256, 900.0, RATE);
    assert!((a.start - (100.0 + 19_999.0 * per)).abs() < 1e-5);
    // Across JACK's u32 wrap the frames count on.
    let mut line = FrameLine::default();
    let start = u32::MAX - 5_000 * 256;
    for k in 0..20_000u32 {
        let p = line.period(start.wrapping_add(k * 256), 256, 100.0 + f64::from(k) * per, RATE);
        if k > 10_000 {
            assert!((p.start - (100.0 + f64::from(k) * per)).abs() < 30e-6, "{k}");
        }
    }
}

#[test]
fn lost_time_steps_the_line_and_a_late_wake_up_does_not() {
    for (frames, lost) in [(64, 0.06), (1024, 0.06), (64, 0.001), (256, 0.0005)] {
        let per = f64::from(frames) / RATE;
        let lost_at = (20.0 / per) as u32;
        // The machine stood still: the driver counts on from there.
        let truth = |k: u32| 1.7e9 + f64::from(k) * per + if k >= lost_at { lost } else { 0.0 };
        let mut line = FrameLine::default();
        let mut late = Lateness(11);
        let mut stepped_at = None;
        for k in 0..(30.0 / per) as u32 {
            // One wake-up 30 ms late, before: no step.
            let extra = if k == lost_at / 2 { 0.03 } else { 0.0 };
            let p = line.period(k.wrapping_mul(frames), frames, truth(k) + late.next() + extra, RATE);
            let error = p.start - truth(k);
            if k > (10.0 / per) as u32 && k < lost_at {
                assert!(error.abs() < 30e-6, "{frames}: before, period {k}: {error}");
            }
            if k >= lost_at && stepped_at.is_none() && error.abs() < lost / 2.0 {
                stepped_at = Some(k);
            }
            if stepped_at.is_some() {
                assert!(error.abs() < 30e-6, "{frames}: after, period {k}: {error}");
            }
        }
        let waited = f64::from(stepped_at.unwrap() - lost_at) * per;
        let confirm = CONFIRM_SECS.max(f64::from(CONFIRM_PERIODS) * per);
        assert!(waited < confirm + 2.0 * per, "{frames}: stepped after {waited} s");
    }
}

#[test]
fn time_lost_while_locking_does_not_skew_the_rate() {
    // 1.2 ms lost in three jumps while the line locks: taken as a rate,
    // 240 ppm.
    let per = 64.0 / RATE;
    let jumps = [(1.1, 0.0005), (2.6, 0.0003), (3.9, 0.0004)];
    let truth = |k: u32| {
        let t = f64::from(k) * per;
        1.7e9 + t + jumps.iter().filter(|(at, _)| t >= *at).map(|(_, lost)| lost).sum::<f64>()
    };
    let errors = follow(64, (500.0 / per) as u32, truth);
    let locked = &errors[(6.0 / per) as usize..];
    for w in locked.windows(2) {
        assert!((w[1] - w[0]).abs() < per * MAX_SLEW * 1.5 + 5e-7);
    }
    let end = errors[errors.len() - 1];
    assert!(end.abs() < 50e-6, "{end}");
}

#[test]
fn small_losses_piling_up_are_slewed_and_stepped_only_far_behind() {
    // 0.2 ms lost every second (under the step): more than the slew
    // makes up.
    let per = 256.0 / RATE;
    let truth = |k: u32| {
        let t = f64::from(k) * per;
        1.7e9 + t + if t > 10.0 { (t - 10.0).floor() * 0.0002 } else { 0.0 }
    };
    let errors = follow(256, (200.0 / per) as u32, truth);
    let locked = &errors[(6.0 / per) as usize..];
    // Never further behind than PILED_UP_SECS (and the last loss), and
    // it stepped once it was.
    let worst = locked.iter().fold(0.0f64, |m, e| m.max(-e));
    assert!(worst < PILED_UP_SECS + 0.001, "{worst}");
    assert!(worst > PILED_UP_SECS * 0.9, "{worst}");
    // Between steps, no period moves by more than the slew and a loss.
    let moves = locked.windows(2).filter(|w| (w[1] - w[0]).abs() > 0.000_2 + 1e-6).count();
    assert!(moves <= 2, "{moves}");
}
