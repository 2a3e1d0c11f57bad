//! The analyser: takes the tap's chunks in order and keeps the
//! [`ViewFrame`] they make: the scope's last frames, the spectrum and the
//! EBU R128 loudness (the `ebur128` crate: the standard's own measure).
//!
//! [`spawn_analyser`] runs it on a thread of its own (normal priority: the
//! FFT and the true-peak oversampling never take the audio thread's time),
//! which sleeps on its channel while no view is open.

use std::collections::VecDeque;
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, unbounded};
use ebur128::{EbuR128, Mode};
use imbolc_types::ChainOwner;

use super::spectrum::SpectrumAnalyser;
use super::{CHUNK_FRAMES, CHUNKS, FFT_SIZE, Loudness, SCOPE_FRAMES, ViewFrame};

/// What the analyser thread is told.
#[derive(Debug, Clone, PartialEq)]
pub enum ViewInput {
    /// A tap on `target` starts writing buffer `buf` at `rate` Hz: start
    /// afresh.
    Open { target: ChainOwner, buf: u32, rate: u32 },
    /// The view closed (or its target is gone): no tap.
    Close,
    /// Forget the loudness measured so far (integrated and true peak).
    ResetLoudness,
    /// A `/b_setn` reply: `values` of buffer `buf` from sample `start`.
    Values { buf: u32, start: u32, values: Vec<f32> },
}

/// The analysis of one tap (pure: fed chunks, keeps a frame).
#[derive(Debug)]
pub struct Analyser {
    frame: ViewFrame,
    buf: Option<u32>,
    /// The chunk expected next (`None`: any, the first one).
    next: Option<u32>,
    /// Mono (left and right averaged) history for the FFT.
    mono: VecDeque<f32>,
    scope: VecDeque<[f32; 2]>,
    spectrum: SpectrumAnalyser,
    meter: Option<EbuR128>,
}

impl Default for Analyser {
    fn default() -> Self {
        Analyser {
            frame: ViewFrame::default(),
            buf: None,
            next: None,
            mono: std::iter::repeat_n(0.0, FFT_SIZE).collect(),
            scope: std::iter::repeat_n([0.0; 2], SCOPE_FRAMES).collect(),
            spectrum: SpectrumAnalyser::default(),
            meter: None,
        }
    }
}

impl Analyser {
    /// The frame as of the last input.
    pub fn frame(&self) -> &ViewFrame {
        &self.frame
    }

    /// Applies one input; true when the frame changed.
    pub fn input(&mut self, input: ViewInput) -> bool {
        match input {
            ViewInput::Open { target, buf, rate } => {
                *self = Analyser::default();
                self.buf = Some(buf);
                self.frame.target = Some(target);
                self.frame.sample_rate = rate;
                self.meter = new_meter(rate);
                true
            }
            ViewInput::Close => {
                *self = Analyser::default();
                true
            }
            ViewInput::ResetLoudness => {
                self.meter = new_meter(self.frame.sample_rate);
                self.frame.loudness = Loudness::default();
                true
            }
            ViewInput::Values { buf, start, values } => {
                if self.buf != Some(buf) || values.len() != (CHUNK_FRAMES * 2) as usize {
                    return false;
                }
                let chunk = start / (CHUNK_FRAMES * 2);
                if self.next.is_some_and(|n| n != chunk) {
                    // Lost replies: the chunks between never come.
                    let next = self.next.unwrap_or(chunk);
                    self.frame.gaps += u64::from((chunk + CHUNKS - next) % CHUNKS);
                }
                self.next = Some((chunk + 1) % CHUNKS);
                self.chunk(&values);
                true
            }
        }
    }

    /// One chunk of interleaved stereo frames, in order.
    pub fn chunk(&mut self, interleaved: &[f32]) {
        for f in interleaved.chunks_exact(2) {
            let frame = [sanitize(f[0]), sanitize(f[1])];
            self.scope.pop_front();
            self.scope.push_back(frame);
            self.mono.pop_front();
            self.mono.push_back(0.5 * (frame[0] + frame[1]));
        }
        let rate = self.frame.sample_rate;
        let elapsed = (interleaved.len() / 2) as f64 / f64::from(rate.max(1));
        self.spectrum.analyse(self.mono.iter().copied(), rate, elapsed, &mut self.frame.spectrum);
        for (out, f) in self.frame.scope.iter_mut().zip(&self.scope) {
            *out = *f;
        }
        if let Some(meter) = &mut self.meter {
            let clean: Vec<f32> = interleaved.iter().map(|s| sanitize(*s)).collect();
            if meter.add_frames_f32(&clean).is_ok() {
                self.frame.loudness = measure(meter);
            }
        }
        self.frame.updates += 1;
    }
}

/// A NaN or infinite sample from a broken synth reads as silence (it
/// would poison the meter for good).
fn sanitize(s: f32) -> f32 {
    if s.is_finite() { s } else { 0.0 }
}

fn new_meter(rate: u32) -> Option<EbuR128> {
    EbuR128::new(2, rate, Mode::M | Mode::S | Mode::I | Mode::TRUE_PEAK).ok()
}

/// Below this a loudness reads as silence: the K-weighting filters' tails
/// decay towards numbers like −2000 LUFS after the sound stops.
const SILENT_LUFS: f64 = -120.0;

fn measure(meter: &EbuR128) -> Loudness {
    let lufs = |r: Result<f64, ebur128::Error>| r.ok().filter(|v| *v > SILENT_LUFS).unwrap_or(f64::NEG_INFINITY);
    let peak = (0..2).filter_map(|c| meter.true_peak(c).ok()).fold(0.0f64, f64::max);
    Loudness {
        momentary: lufs(meter.loudness_momentary()),
        short_term: lufs(meter.loudness_shortterm()),
        integrated: lufs(meter.loudness_global()),
        true_peak: 20.0 * peak.log10(),
    }
}

/// The UI's side: the latest frame, read without waiting.
#[derive(Debug)]
pub struct ViewReader {
    output: triple_buffer::Output<ViewFrame>,
}

impl ViewReader {
    /// The latest frame the analyser published.
    pub fn read(&mut self) -> &ViewFrame {
        self.output.read()
    }
}

/// Starts the analyser thread: its input channel, the UI's reader, and
/// the thread (it ends when every sender is dropped).
///
/// # Errors
/// When the thread cannot be created (out of threads or memory).
pub fn spawn_analyser() -> std::io::Result<(Sender<ViewInput>, ViewReader, JoinHandle<()>)> {
    let (tx, rx) = unbounded();
    let (input, output) = triple_buffer::triple_buffer(&ViewFrame::default());
    let thread = std::thread::Builder::new().name("imbolc-views".into()).spawn(move || run(&rx, input))?;
    Ok((tx, ViewReader { output }, thread))
}

fn run(rx: &Receiver<ViewInput>, mut out: triple_buffer::Input<ViewFrame>) {
    let mut analyser = Analyser::default();
    while let Ok(first) = rx.recv() {
        // Everything queued is analysed before one publication: a busy
        // machine costs updates, never a growing backlog.
        let mut changed = analyser.input(first);
        for more in rx.try_iter() {
            changed |= analyser.input(more);
        }
        if changed {
            out.input_buffer_mut().clone_from(analyser.frame());
            out.publish();
        }
    }
}

#[cfg(test)]
mod tests {
    use imbolc_types::InstrumentId;

    use super::*;

    fn chunk_values(index: u32, amplitude: f32, hz: f32) -> ViewInput {
        let start_frame = index * CHUNK_FRAMES;
        let values = (0..CHUNK_FRAMES)
            .flat_map(|i| {
                let t = (start_frame + i) as f32 / 48_000.0;
                let v = amplitude * (std::f32::consts::TAU * hz * t).sin();
                [v, v]
            })
            .collect();
        ViewInput::Values { buf: 36, start: (index % CHUNKS) * CHUNK_FRAMES * 2, values }
    }

    #[test]
    fn chunks_in_order_make_scope_spectrum_and_loudness_and_gaps_are_counted() {
        let mut a = Analyser::default();
        let target = ChainOwner::Instrument(InstrumentId(2));
        a.input(ViewInput::Open { target, buf: 36, rate: 48_000 });
        assert!(!a.input(ViewInput::Values { buf: 37, start: 0, values: vec![0.0; 2048] }), "another tap's");
        for i in 0..200 {
            a.input(chunk_values(i, 0.1, 1000.0));
        }
        let f = a.frame();
        assert_eq!((f.target, f.updates, f.gaps), (Some(target), 200, 0));
        assert!((f.scope_peak_dbfs() + 20.0).abs() < 0.01, "{}", f.scope_peak_dbfs());
        assert!((f.bin_hz(f.spectrum.peak_bin()) - 1000.0).abs() < f.bin_hz(1) / 2.0);
        // A 0.1 sine in both channels: mean squares 0.005 + 0.005 (-20 dB),
        // -0.691 (the standard's offset) + 0.691 (K-weighting at 1 kHz).
        let l = f.loudness;
        assert!((-20.2..=-19.8).contains(&l.integrated), "{l:?}");
        assert!((l.momentary - l.integrated).abs() < 0.1 && (l.short_term - l.integrated).abs() < 0.1);
        assert!((l.true_peak + 20.0).abs() < 0.2, "{l:?}");
        a.input(chunk_values(203, 0.1, 1000.0));
        assert_eq!(a.frame().gaps, 3, "chunks 200 to 202 never came");
        for i in 204..400 {
            a.input(ViewInput::Values { buf: 36, start: (i % CHUNKS) * CHUNK_FRAMES * 2, values: vec![0.0; 2048] });
        }
        let l = a.frame().loudness;
        assert_eq!((l.momentary, l.short_term), (f64::NEG_INFINITY, f64::NEG_INFINITY), "silence: {l:?}");
        assert!((-20.2..=-19.8).contains(&l.integrated), "silence is gated out: {l:?}");
        a.input(ViewInput::ResetLoudness);
        assert_eq!(a.frame().loudness, Loudness::default());
        a.input(ViewInput::Close);
        assert_eq!(*a.frame(), ViewFrame::default());
    }

    #[test]
    fn the_thread_publishes_what_it_is_fed() {
        let (tx, mut reader, thread) = spawn_analyser().unwrap();
        tx.send(ViewInput::Open { target: ChainOwner::Master, buf: 36, rate: 48_000 }).unwrap();
        tx.send(chunk_values(0, 0.5, 440.0)).unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while reader.read().updates == 0 {
            assert!(std::time::Instant::now() < deadline, "nothing published");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert_eq!(reader.read().target, Some(ChainOwner::Master));
        drop(tx);
        thread.join().unwrap();
    }
}
