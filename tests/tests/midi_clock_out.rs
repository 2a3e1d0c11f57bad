//! MIDI clock out at frame offsets (issue 26, point 8): Imbolc's clock
//! output on a private realtime dummy JACK server at 48 kHz, following a
//! 118 BPM tempo line, and a JACK client of the test's own listening to it
//! that stamps each byte with `last_frame_time() + event.time` (the frame
//! it was written at). Each period size gets a server of its own.
//!
//! Figures: the tempo is the slope of a line fitted through the tick
//! frames; the jitter is the peak-to-peak deviation of the ticks from that
//! line. The dummy driver can lose periods on a loaded machine (its frame
//! counter then jumps, or JACK's time for the next frame does, while the
//! wall clock, which the tempo line is in, does not); the listener notices
//! a jump between two of its cycles and
//! the fit is made within the spans between jumps (one slope, an
//! intercept per span). A tick that fell due in the lost time goes out at
//! the first frame after it (where the listener saw the jump) and is left
//! out.
//!
//! `IMBOLC_CLOCK_SECS` sets the span measured per period size (default 30).

// Test code: a failed unwrap is a failed test. `set_var` runs before any
// JACK client of this process opens on the new server and this file has
// one test, so no other thread reads the environment meanwhile.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, unsafe_code)]

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
/// A cycle whose JACK time lies this far (µs) from one period after the
/// previous one's starts a new span: the dummy driver lost time there.
const RESTART_US: f64 = 5_000.0;

/// What the listener saw.
enum Seen {
    /// A byte and the frame it was written at.
    Byte(u64, u8),
    /// A cycle of the listener: its first frame, length, and JACK's µs
    /// time of that frame.
    Cycle(u64, u32, u64),
}

/// The listener: a JACK client with one MIDI input, connected to the
/// clock port. Keep the returned client alive while listening.
fn listen() -> (jack::AsyncClient<(), impl jack::ProcessHandler>, Receiver<Seen>) {
    let (client, _) = Client::new("clock-listener", ClientOptions::NO_START_SERVER).unwrap();
    let port = client.register_port("in", MidiIn::default()).unwrap();
    let (tx, rx) = bounded(1 << 20);
    let process = jack::contrib::ClosureProcessHandler::new(move |c: &Client, ps: &ProcessScope| {
        let frame = ps.last_frame_time();
        let base = u64::from(frame);
        let _ = tx.try_send(Seen::Cycle(base, ps.n_frames(), c.frames_to_time(frame)));
        for ev in port.iter(ps) {
            for b in ev.bytes {
                let _ = tx.try_send(Seen::Byte(base + u64::from(ev.time), *b));
            }
        }
        Control::Continue
    });
    let active = client.activate_async((), process).unwrap();
    active.as_client().connect_ports_by_name("imbolc-clock:clock_out", "clock-listener:in").unwrap();
    (active, rx)
}

/// Tempo and jitter figures of one run.
struct Figures {
    ticks: usize,
    spans: usize,
    bpm: f64,
    jitter_ms: f64,
}

/// Fits one slope through the tick frames, with an intercept per span.
fn measure(ticks: &[u64], breaks: &[u64]) -> Figures {
    // Split where the listener saw frames jump (a lost period).
    let mut spans: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    let mut b = breaks.iter().peekable();
    for (i, f) in ticks.iter().enumerate() {
        // A tick due while the driver was not running (in the lost time)
        // goes out at the first frame after it: it starts no span.
        if breaks.contains(f) {
            continue;
        }
        let mut split = false;
        while b.peek().is_some_and(|x| **x <= *f) {
            b.next();
            split = true;
        }
        if split && !spans.last().unwrap().is_empty() {
            spans.push(Vec::new());
        }
        spans.last_mut().unwrap().push((i as f64, *f as f64));
    }
    spans.retain(|s| s.len() >= 24);
    // Pooled slope: Σ within-span covariance / Σ within-span variance.
    let (mut sxy, mut sxx) = (0.0, 0.0);
    let mut means = Vec::new();
    for s in &spans {
        let n = s.len() as f64;
        let mx = s.iter().map(|p| p.0).sum::<f64>() / n;
        let my = s.iter().map(|p| p.1).sum::<f64>() / n;
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
    Figures {
        ticks: spans.iter().map(Vec::len).sum(),
        spans: spans.len(),
        bpm: RATE * 60.0 / (24.0 * slope),
        jitter_ms: worst / RATE * 1000.0,
    }
}

/// Runs the clock for `secs` on a server with `period` frames; returns the
/// tick frames, the frames where the listener saw a jump, and the counts
/// of start and stop bytes.
fn run(period: u32, secs: f64) -> (Vec<u64>, Vec<u64>, usize, usize) {
    let jack = RealtimeJack::start_with_period(&format!("clock-out-{}", std::process::id()), period);
    // SAFETY: see the file's header.
    unsafe { std::env::set_var("JACK_DEFAULT_SERVER", &jack.name) };
    let out = ClockOut::open(0.0).unwrap();
    assert_eq!(out.port_name(), "imbolc-clock:clock_out");
    let (listener, rx) = listen();
    // The output's loop locks onto JACK's frames in its first seconds
    // (Imbolc opens it at startup, long before play).
    std::thread::sleep(Duration::from_secs(6));
    let start = wall_now() + 0.3;
    let anchor = TempoAnchor { timetag: Timetag::from_secs_f64(NTP_UNIX + start), play_tick: 0.0, bpm: BPM as f32 };
    out.observe(&TransportFeedback { playing: true, anchor: Some(anchor), bpm: BPM as f32, ..Default::default() });
    std::thread::sleep(Duration::from_secs_f64(0.3 + secs));
    out.observe(&TransportFeedback::default());
    std::thread::sleep(Duration::from_millis(200));
    drop(listener);
    drop(out);
    let (mut ticks, mut breaks, mut starts, mut stops) = (Vec::new(), Vec::new(), 0, 0);
    let mut last_cycle: Option<(u64, u32, u64)> = None;
    for seen in rx.try_iter() {
        match seen {
            Seen::Byte(f, 0xF8) => ticks.push(f),
            Seen::Byte(_, 0xFA) => starts += 1,
            Seen::Byte(_, 0xFC) => stops += 1,
            Seen::Byte(..) => {}
            Seen::Cycle(f, n, us) => {
                // A jump of the frame count, or of JACK's time for it by
                // more than a few ms beyond the period (the driver woke
                // up that late and counts on from there).
                if let Some((pf, pn, pus)) = last_cycle
                    && (pf + u64::from(pn) != f
                        || (us as f64 - pus as f64 - f64::from(pn) / RATE * 1e6).abs() > RESTART_US)
                {
                    breaks.push(f);
                }
                last_cycle = Some((f, n, us));
            }
        }
    }
    (ticks, breaks, starts, stops)
}

#[test]
fn clock_ticks_go_out_at_their_own_frames_at_118_bpm() {
    let secs: f64 = std::env::var("IMBOLC_CLOCK_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(30.0);
    let mut failures = Vec::new();
    for period in [64, 256, 1024] {
        let (ticks, breaks, starts, stops) = run(period, secs);
        assert_eq!((starts, stops), (1, 1), "period {period}: one start and one stop");
        let expected = secs * BPM / 60.0 * 24.0;
        assert!(ticks.len() as f64 > expected * 0.98, "period {period}: {} ticks of {expected}", ticks.len());
        let fig = measure(&ticks, &breaks);
        if let Ok(dir) = std::env::var("IMBOLC_CLOCK_DUMP") {
            let text: Vec<String> = ticks.iter().map(u64::to_string).collect();
            std::fs::write(format!("{dir}/ticks_{period}.txt"), text.join("\n")).unwrap();
            let text: Vec<String> = breaks.iter().map(u64::to_string).collect();
            std::fs::write(format!("{dir}/breaks_{period}.txt"), text.join("\n")).unwrap();
        }
        let error = (fig.bpm - BPM).abs() / BPM * 100.0;
        eprintln!(
            "period {period:4}: {} ticks over {secs} s in {} span(s) ({} lost-period jumps): \
             tempo {:.5} BPM (error {error:.5} %), jitter {:.4} ms peak to peak",
            fig.ticks,
            fig.spans,
            breaks.len(),
            fig.bpm,
            fig.jitter_ms
        );
        if error >= 0.01 || fig.jitter_ms >= 0.1 {
            failures.push(format!("period {period}: tempo error {error:.5} %, jitter {:.4} ms", fig.jitter_ms));
        }
    }
    assert!(failures.is_empty(), "{failures:?}");
}
