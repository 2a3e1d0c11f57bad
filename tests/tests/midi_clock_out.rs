//! MIDI clock out at frame offsets (issue 26, point 8): Imbolc's clock
//! output on a private realtime dummy JACK server at 48 kHz, following a
//! 118 BPM tempo line, and a JACK client of the test's own listening to it
//! that stamps each byte with `last_frame_time() + event.time` (the frame
//! it was written at). Each period size (64, 256, 1024) runs in a child
//! process of this test with a server of its own, the three at once.
//!
//! Figures: each tick's index is its distance from the first of its span
//! in nominal tick lengths; the tempo is the slope of the line fitted
//! through the tick frames; the jitter is the peak-to-peak deviation of
//! the ticks from it.
//!
//! Periods the driver never ran are accounted for, not hidden:
//! - the listener's cycles that never came (its frame count jumps; JACK
//!   skips the whole graph for a cycle when a client was not finished in
//!   time): a tick at the first frame of the cycle after such a gap is one
//!   the clock could only write then, and is counted as held back and
//!   left out of the fit (and every one so left out is reported);
//! - time the dummy driver lost (woken too late, it counts on from where
//!   it woke up: frames stop, the wall clock does not): the floor of the
//!   listener's own wake-up times rises by it. Beyond 0.3 ms the clock
//!   steps with it (it keeps to the tempo line, as scsynth does), so a
//!   loss over [`SPLIT_SECS`] starts a new span of the fit (one slope, an
//!   intercept per span) and the ticks of the next [`LEFT_OUT_SECS`],
//!   sent before the clock could be sure of the loss, are left out and
//!   counted; smaller losses it makes up slowly. The lost time is
//!   reported, and the ticks' phase against the tempo line (by the
//!   listener's floor) may lag by no more than it, never lead.
//!
//! `IMBOLC_CLOCK_SECS` sets the span measured per period size (default
//! 30); `IMBOLC_CLOCK_DUMP=dir` writes the tick frames and the listener's
//! cycles there.

// Test code: a failed unwrap is a failed test. `set_var` runs in a child
// process that runs this one test, before any JACK client of it opens.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, unsafe_code)]

use std::process::Command;
use std::time::Duration;

use crossbeam_channel::{Receiver, bounded};
use imbolc_audio::backend::Timetag;
use imbolc_audio::engine::{TempoAnchor, TransportFeedback};
use imbolc_core::midi::ClockOut;
use imbolc_core::midi::timebase::wall_now;
use imbolc_tests::recording::RealtimeJack;
use jack::{Client, ClientOptions, Control, MidiIn, ProcessScope};

const RATE: f64 = 48_000.0;
const BPM: f64 = 118.0;
const NTP_UNIX: f64 = 2_208_988_800.0;
/// Frames per clock tick at [`BPM`].
const TICK_FRAMES: f64 = RATE * 60.0 / (BPM * 24.0);
/// Span of each floor of the listener's wake-ups.
const FLOOR_SECS: f64 = 0.5;
/// A rise of the floor by more than this is time the driver lost (the
/// floor itself wanders by a few µs).
const LOST_SECS: f64 = 0.000_05;
/// Rises of the floor this close together are one loss.
const MERGE_SECS: f64 = 0.05;
/// Lost time beyond this starts a new span of the fit: the clock steps
/// with the time the driver lost beyond `frame_line::STEP_SECS` (0.3 ms),
/// as scsynth re-anchors after an xrun; half of that leaves room for the
/// two floors (the clock's and the listener's) to differ.
const SPLIT_SECS: f64 = 0.000_15;
/// Ticks this long after such a loss are left out: the clock steps once
/// its wake-ups have been late for `frame_line::CONFIRM_SECS` and four
/// periods (85 ms at 1024 frames), and sends the ticks due in the lost
/// time at the first frame after it.
const LEFT_OUT_SECS: f64 = 0.15;
/// The child process's period size.
const PERIOD_VAR: &str = "IMBOLC_CLOCK_PERIOD";
const TEST_NAME: &str = "clock_ticks_go_out_at_their_own_frames_at_118_bpm";

/// What the listener saw.
enum Seen {
    /// A byte and the frame it was written at.
    Byte(u64, u8),
    /// A cycle of the listener: its first frame, length, and the wall time
    /// its callback woke up at.
    Cycle(u64, u32, f64),
}

/// `open` until it succeeds, up to five times: a JACK client can fail to
/// open (`SERVER_ERROR`) while other servers start beside it, as the three
/// period sizes' servers do.
fn retry<T, E: std::fmt::Debug>(what: &str, mut open: impl FnMut() -> Result<T, E>) -> T {
    for attempt in 1.. {
        match open() {
            Ok(value) => return value,
            Err(e) if attempt < 5 => {
                eprintln!("{what} (attempt {attempt}): {e:?}; again");
                std::thread::sleep(Duration::from_millis(300));
            }
            Err(e) => panic!("{what}: {e:?}"),
        }
    }
    unreachable!("the fifth attempt returns or panics")
}

/// The listener: a JACK client with one MIDI input, connected to the
/// clock port. Keep the returned client alive while listening.
fn listen() -> (jack::AsyncClient<(), impl jack::ProcessHandler>, Receiver<Seen>) {
    let (client, _) = retry("opening the listener", || Client::new("clock-listener", ClientOptions::NO_START_SERVER));
    let port = client.register_port("in", MidiIn::default()).unwrap();
    let (tx, rx) = bounded(1 << 20);
    let process = jack::contrib::ClosureProcessHandler::new(move |_: &Client, ps: &ProcessScope| {
        let woke = wall_now();
        let base = u64::from(ps.last_frame_time());
        let _ = tx.try_send(Seen::Cycle(base, ps.n_frames(), woke));
        for ev in port.iter(ps) {
            for b in ev.bytes {
                let _ = tx.try_send(Seen::Byte(base + u64::from(ev.time), *b));
            }
        }
        Control::Continue
    });
    let active = client.activate_async((), process).unwrap();
    retry("connecting the listener", || {
        active.as_client().connect_ports_by_name("imbolc-clock:clock_out", "clock-listener:in")
    });
    (active, rx)
}

/// One run: the tick frames, the listener's cycles, the wall time of the
/// first tick on the tempo line, and the counts of start and stop bytes.
struct Run {
    ticks: Vec<u64>,
    cycles: Vec<(u64, u32, f64)>,
    start: f64,
    starts: usize,
    stops: usize,
    /// Cycles the listener was given the next cycle's frame time in.
    repeats: usize,
}

/// Runs the clock for `secs` on a server with `period` frames.
fn run(period: u32, secs: f64) -> Run {
    // Synchronous: see `RealtimeJack::start_sync_with_period`.
    let jack = RealtimeJack::start_sync_with_period(&format!("clock-out-{}", std::process::id()), period);
    // SAFETY: see the file's header.
    unsafe { std::env::set_var("JACK_DEFAULT_SERVER", &jack.name) };
    let out = retry("opening the clock output", || ClockOut::open(0.0));
    assert_eq!(out.port_name(), "imbolc-clock:clock_out");
    let (listener, rx) = listen();
    // The output's frame line locks in its first seconds (Imbolc opens it
    // at startup, long before play).
    std::thread::sleep(Duration::from_secs(7));
    let start = wall_now() + 0.3;
    let anchor = TempoAnchor { timetag: Timetag::from_secs_f64(NTP_UNIX + start), play_tick: 0.0, bpm: BPM as f32 };
    out.observe(&TransportFeedback { playing: true, anchor: Some(anchor), bpm: BPM as f32, ..Default::default() });
    std::thread::sleep(Duration::from_secs_f64(0.3 + secs));
    out.observe(&TransportFeedback::default());
    std::thread::sleep(Duration::from_millis(200));
    drop(listener);
    drop(out);
    let mut run = Run { ticks: Vec::new(), cycles: Vec::new(), start, starts: 0, stops: 0, repeats: 0 };
    // Ticks with the listener's cycle they came in.
    let mut ticks: Vec<(usize, u64)> = Vec::new();
    for seen in rx.try_iter() {
        match seen {
            Seen::Byte(f, 0xF8) => ticks.push((run.cycles.len().saturating_sub(1), f)),
            Seen::Byte(_, 0xFA) => run.starts += 1,
            Seen::Byte(_, 0xFC) => run.stops += 1,
            Seen::Byte(..) => {}
            Seen::Cycle(f, n, woke) => run.cycles.push((f, n, woke)),
        }
    }
    // A cycle whose frame time the next one reports again was the one
    // before it, stamped late (asynchronous mode; see
    // `RealtimeJack::start_sync_with_period`): counted, and put back.
    let repeated: Vec<bool> =
        (0..run.cycles.len()).map(|i| run.cycles.get(i + 1).is_some_and(|next| next.0 == run.cycles[i].0)).collect();
    run.repeats = repeated.iter().filter(|r| **r).count();
    for (i, c) in run.cycles.iter_mut().enumerate() {
        if repeated[i] {
            c.0 -= u64::from(c.1);
        }
    }
    run.ticks = ticks.iter().map(|&(i, f)| if repeated[i] { f - u64::from(run.cycles[i].1) } else { f }).collect();
    run
}

/// What was measured.
struct Figures {
    fitted: usize,
    spans: usize,
    held_back: usize,
    held_allowed: usize,
    left_out: usize,
    gaps: usize,
    gap_frames: u64,
    /// Time the driver lost over the run (the floor's rise from the first
    /// cycle to the last tick's), and in how many rises over [`LOST_SECS`].
    lost_ms: f64,
    lost_jumps: usize,
    bpm: f64,
    jitter_ms: f64,
    phase_ms: (f64, f64),
    /// Time lost before the first and the last tick (ms).
    lost_before_ms: (f64, f64),
}

/// The listener's wake-ups against its frames: per cycle, its first frame
/// and the floor there (the least of the wake-up's lateness over the
/// next [`FLOOR_SECS`], less the frames' nominal time), which rises by
/// the time the driver lost and by nothing else.
struct Floor {
    frames: Vec<u64>,
    floor: Vec<f64>,
    f0: u64,
    w0: f64,
}

impl Floor {
    fn new(cycles: &[(u64, u32, f64)]) -> Floor {
        let (f0, w0) = cycles.first().map_or((0, 0.0), |c| (c.0, c.2));
        let r: Vec<f64> = cycles.iter().map(|&(f, _, w)| w - w0 - (f - f0) as f64 / RATE).collect();
        let frames: Vec<u64> = cycles.iter().map(|c| c.0).collect();
        let span = (FLOOR_SECS * RATE) as u64;
        let floor = (0..r.len())
            .map(|i| {
                let end = frames[i] + span;
                r[i..].iter().zip(&frames[i..]).take_while(|(_, f)| **f < end).fold(f64::MAX, |m, (x, _)| m.min(*x))
            })
            .collect();
        Floor { frames, floor, f0, w0 }
    }

    /// The times the floor rose by more than [`LOST_SECS`]: (first frame,
    /// last frame, rise); rises less than [`MERGE_SECS`] apart are one.
    /// (Not in the last [`FLOOR_SECS`], where the floor has too few
    /// wake-ups to stand on.)
    fn losses(&self) -> Vec<(u64, u64, f64)> {
        let last = self.frames.last().copied().unwrap_or(0);
        let rises = self.floor.windows(2).zip(&self.frames[1..]).map(|(w, f)| (*f, w[1] - w[0]));
        // (first frame, last frame, time lost)
        let mut losses: Vec<(u64, u64, f64)> = Vec::new();
        // (Rises of a few µs are the floor's own wander, not lost time.)
        for (f, d) in rises.filter(|(f, d)| *d > 0.000_01 && f + (FLOOR_SECS * RATE) as u64 <= last) {
            match losses.last_mut() {
                Some((_, end, sum)) if f - *end < (MERGE_SECS * RATE) as u64 => {
                    *sum += d;
                    *end = f;
                }
                _ => losses.push((f, f, d)),
            }
        }
        losses.retain(|l| l.2 > LOST_SECS);
        losses
    }

    /// Wall time of `frame` by the floor of its cycle.
    fn wall(&self, frame: u64) -> f64 {
        self.w0 + (frame - self.f0) as f64 / RATE + self.at(frame)
    }

    /// The floor at `frame`.
    fn at(&self, frame: u64) -> f64 {
        let i = self.frames.partition_point(|f| *f <= frame).saturating_sub(1);
        self.floor.get(i).copied().unwrap_or(0.0)
    }

    /// Time lost from the first cycle to `frame` (ms): all of the floor's
    /// rise, small steps too.
    fn lost_before_ms(&self, frame: Option<&u64>) -> f64 {
        let first = self.floor.first().copied().unwrap_or(0.0);
        frame.map_or(0.0, |f| (self.at(*f) - first) * 1e3)
    }
}

fn measure(run: &Run) -> Figures {
    // Cycles the listener never had: where its frame count jumps.
    let mut after_gap = Vec::new();
    let (mut gap_frames, mut held_allowed) = (0, 0);
    for w in run.cycles.windows(2) {
        let ((pf, pn, _), (f, _, _)) = (w[0], w[1]);
        if pf + u64::from(pn) != f {
            let missing = f.saturating_sub(pf + u64::from(pn));
            after_gap.push(f);
            gap_frames += missing;
            // Ticks due while nobody ran go out at the first frame after.
            held_allowed += (missing as f64 / TICK_FRAMES).ceil() as usize + 1;
        }
    }
    let floor = Floor::new(&run.cycles);
    let losses = floor.losses();
    // Where the driver lost more than the clock makes up slowly, the
    // clock steps once it is sure of it: a new span, and the ticks of the
    // next [`LEFT_OUT_SECS`] are left out (all counted and reported).
    let big: Vec<(u64, u64)> = losses.iter().filter(|l| l.2 > SPLIT_SECS).map(|l| (l.0, l.1)).collect();
    let steps: Vec<u64> = big.iter().map(|b| b.0).collect();
    let left_out = |f: u64| big.iter().any(|(s, e)| f >= *s && f < e + (LEFT_OUT_SECS * RATE) as u64);
    let held_back = run.ticks.iter().filter(|f| after_gap.contains(f)).count();
    let kept: Vec<u64> = run.ticks.iter().copied().filter(|f| !after_gap.contains(f) && !left_out(*f)).collect();
    let mut spans: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut first = 0;
    for (i, &f) in kept.iter().enumerate() {
        if i == 0 || steps.iter().any(|s| kept[i - 1] < *s && f >= *s) {
            spans.push(Vec::new());
            first = f;
        }
        if let Some(span) = spans.last_mut() {
            span.push((((f - first) as f64 / TICK_FRAMES).round(), f as f64));
        }
    }
    // One slope for all spans, an intercept each.
    let (mut sxy, mut sxx) = (0.0, 0.0);
    let mut means = Vec::new();
    for s in &spans {
        let n = s.len() as f64;
        let (mx, my) = (s.iter().map(|p| p.0).sum::<f64>() / n, s.iter().map(|p| p.1).sum::<f64>() / n);
        sxy += s.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>();
        sxx += s.iter().map(|p| (p.0 - mx).powi(2)).sum::<f64>();
        means.push((mx, my));
    }
    let slope = sxy / sxx;
    let mut worst: f64 = 0.0;
    for (s, (mx, my)) in spans.iter().zip(&means) {
        let dev = s.iter().map(|p| p.1 - (my + slope * (p.0 - mx)));
        let (lo, hi) = dev.fold((f64::MAX, f64::MIN), |(lo, hi), d| (lo.min(d), hi.max(d)));
        worst = worst.max(hi - lo);
    }
    // How late a tick went out against the tempo line (within half a
    // tick either way).
    let tick_secs = TICK_FRAMES / RATE;
    let phase = |f: Option<&u64>| {
        f.map_or(f64::NAN, |f| {
            let late = (floor.wall(*f) - run.start) / tick_secs;
            (late - late.round()) * tick_secs * 1e3
        })
    };
    Figures {
        fitted: kept.len(),
        spans: spans.len(),
        held_back,
        held_allowed,
        left_out: run.ticks.len() - kept.len() - held_back,
        gaps: after_gap.len(),
        gap_frames,
        lost_ms: floor.lost_before_ms(kept.last()),
        lost_jumps: losses.len(),
        bpm: RATE * 60.0 / (24.0 * slope),
        jitter_ms: worst / RATE * 1e3,
        phase_ms: (phase(kept.first()), phase(kept.last())),
        lost_before_ms: (floor.lost_before_ms(kept.first()), floor.lost_before_ms(kept.last())),
    }
}

/// The child: one period size.
fn check(period: u32, secs: f64) -> Result<String, String> {
    let run = run(period, secs);
    if let Ok(dir) = std::env::var("IMBOLC_CLOCK_DUMP") {
        let text: Vec<String> = run.ticks.iter().map(u64::to_string).collect();
        std::fs::write(format!("{dir}/ticks_{period}.txt"), text.join("\n")).unwrap();
        let text: Vec<String> = run.cycles.iter().map(|(f, n, w)| format!("{f} {n} {w:.6}")).collect();
        std::fs::write(format!("{dir}/cycles_{period}.txt"), text.join("\n")).unwrap();
    }
    let expected = secs * BPM / 60.0 * 24.0;
    if (run.starts, run.stops) != (1, 1) || (run.ticks.len() as f64) < expected * 0.98 {
        return Err(format!(
            "period {period}: {} start(s), {} stop(s), {} ticks of {expected}",
            run.starts,
            run.stops,
            run.ticks.len()
        ));
    }
    let fig = measure(&run);
    let error = (fig.bpm - BPM).abs() / BPM * 100.0;
    let line = format!(
        "period {period:4}: {} ticks over {secs} s fitted in {} span(s), {} held back after {} listener gap(s) \
         ({} frames), {} left out after lost time, {} cycle(s) stamped a period late; driver lost {:.2} ms \
         ({} jump(s) over 0.05 ms); tempo {:.5} BPM (error {error:.5} %), jitter {:.4} ms peak to peak; phase \
         against the tempo line {:+.3} ms at the first tick, {:+.3} ms at the last",
        fig.fitted,
        fig.spans,
        fig.held_back,
        fig.gaps,
        fig.gap_frames,
        fig.left_out,
        run.repeats,
        fig.lost_ms,
        fig.lost_jumps,
        fig.bpm,
        fig.jitter_ms,
        fig.phase_ms.0,
        fig.phase_ms.1
    );
    // No more ticks held back than fell due in the gaps; a lag only as
    // large as the time the driver lost before the tick (the clock makes
    // it up slowly), a lead never.
    let phase_ok = |p: f64, lost: f64| p.is_finite() && p > -0.1 && p < lost + 0.5;
    if error >= 0.01
        || fig.jitter_ms >= 0.1
        || fig.held_back > fig.held_allowed
        || !phase_ok(fig.phase_ms.0, fig.lost_before_ms.0)
        || !phase_ok(fig.phase_ms.1, fig.lost_before_ms.1)
    {
        return Err(line);
    }
    Ok(line)
}

#[test]
fn clock_ticks_go_out_at_their_own_frames_at_118_bpm() {
    let secs: f64 = std::env::var("IMBOLC_CLOCK_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(30.0);
    if let Some(period) = std::env::var(PERIOD_VAR).ok().and_then(|p| p.parse().ok()) {
        match check(period, secs) {
            Ok(line) => eprintln!("IMBOLC_CLOCK {line}"),
            Err(line) => panic!("IMBOLC_CLOCK FAILED {line}"),
        }
        return;
    }
    // The three period sizes at once, each in a process of its own (the
    // JACK server is chosen by the environment).
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = [64, 256, 1024]
        .into_iter()
        .map(|period| {
            let child = Command::new(&exe)
                .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
                .env(PERIOD_VAR, period.to_string())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            (period, child)
        })
        .collect();
    let mut failures = Vec::new();
    for (period, child) in children {
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
        let figures: Vec<&str> = text.lines().filter(|l| l.contains("IMBOLC_CLOCK")).collect();
        eprintln!("{}", figures.join("\n"));
        if !out.status.success() {
            if figures.is_empty() {
                eprintln!("period {period}:\n{text}");
            }
            failures.push(period);
        }
    }
    assert!(failures.is_empty(), "failed at period sizes {failures:?}");
}
