#![allow(clippy::unwrap_used, clippy::expect_used)]

use imbolc_audio::backend::Timetag;

use super::*;

const NTP_UNIX: f64 = 2_208_988_800.0;
const RATE: f64 = 48_000.0;

fn anchor(at: f64, bpm: f32) -> TempoAnchor {
    TempoAnchor { timetag: Timetag::from_secs_f64(NTP_UNIX + at), play_tick: 0.0, bpm }
}

/// Runs `periods` periods of `frames` from wall time 100 s; returns
/// (absolute frame, bytes).
fn run(clock: &mut ClockLine, frames: u32, periods: u32) -> Vec<(u64, Vec<u8>)> {
    let mut out = Vec::new();
    for p in 0..periods {
        let start_frame = u64::from(p) * u64::from(frames);
        let period = Period { start: 100.0 + start_frame as f64 / RATE, secs: f64::from(frames) / RATE, frames };
        clock.run(&period, |f, b| out.push((start_frame + u64::from(f), b.to_vec())));
    }
    out
}

fn playing(at: f64, bpm: f32) -> Line {
    Line { playing: true, anchor: Some(anchor(at, bpm)), song_start: 0.0 }
}

#[test]
fn each_tick_goes_out_at_its_own_frame() {
    let mut clock = ClockLine::default();
    clock.follow(playing(100.01, 120.0), 100.0);
    let out = run(&mut clock, 256, 400);
    assert_eq!(out[0], (480, vec![START]), "start at the first tick, 10 ms in");
    let ticks: Vec<u64> = out.iter().filter(|(_, b)| b == &[CLOCK]).map(|(f, _)| *f).collect();
    // 120 BPM: a tick every 1000 frames at 48 kHz.
    for (i, f) in ticks.iter().enumerate() {
        assert_eq!(*f, 480 + i as u64 * 1000, "tick {i}");
    }
    assert_eq!(ticks.len(), 102);
}

#[test]
fn stop_goes_out_at_once_and_start_again_from_the_top() {
    let mut clock = ClockLine::default();
    clock.follow(playing(100.0, 120.0), 100.0);
    run(&mut clock, 64, 10);
    clock.follow(Line::STOPPED, 100.1);
    let out = run(&mut clock, 64, 10);
    assert_eq!(out, vec![(0, vec![STOP])]);
    clock.follow(playing(100.0, 120.0), 100.0);
    let out = run(&mut clock, 64, 1);
    assert_eq!(out, vec![(0, vec![START]), (0, vec![CLOCK])]);
}

#[test]
fn the_offset_moves_every_tick() {
    let mut clock = ClockLine::default();
    clock.set_offset(0.02);
    clock.follow(playing(100.0, 120.0), 100.0);
    let out = run(&mut clock, 1024, 10);
    assert_eq!(out[0], (960, vec![START]));
    assert_eq!(out[2], (1960, vec![CLOCK]));
    clock.set_offset(-9.0);
    assert!((clock.offset + MAX_OFFSET_SECS).abs() < 1e-12, "clamped");
}

#[test]
fn play_from_a_later_bar_sends_song_position_and_continue() {
    let mut clock = ClockLine::default();
    let line = Line { song_start: f64::from(TICKS_PER_QUARTER) * 4.0, ..playing(100.0, 120.0) };
    clock.follow(line, 100.0);
    let out = run(&mut clock, 256, 1);
    assert_eq!(out[..3], [(0, vec![SONG_POSITION, 16, 0]), (0, vec![CONTINUE]), (0, vec![CLOCK])]);
}

#[test]
fn a_clock_far_behind_skips_instead_of_bursting() {
    let mut clock = ClockLine::default();
    // Play started 10 s before the clock heard of it.
    clock.follow(playing(90.0, 120.0), 100.0);
    let out = run(&mut clock, 256, 4);
    // Ticks every 1000 frames from the present on, none of the 480 past.
    assert_eq!(out, vec![(0, vec![START]), (0, vec![CLOCK]), (1000, vec![CLOCK])]);
}
