//! The spectrum analyser: a Hann-windowed FFT of the last [`FFT_SIZE`]
//! frames (left and right averaged), in dBFS scaled so a full-scale sine
//! reads 0 dB in its bin, then gathered into [`BANDS`] log-spaced bands
//! from [`LOWEST_HZ`] to [`HIGHEST_HZ`] with a peak hold per band.

use std::sync::Arc;

use rustfft::num_complex::Complex32;
use rustfft::{Fft, FftPlanner};

/// Frames per FFT: 11.7 Hz per bin at 48 kHz.
pub const FFT_SIZE: usize = 4096;
/// Log-spaced bands shown (about a sixth of an octave each).
pub const BANDS: usize = 64;
/// The bands' lower edge (Hz).
pub const LOWEST_HZ: f64 = 20.0;
/// The bands' upper edge (Hz).
pub const HIGHEST_HZ: f64 = 20_000.0;
/// The floor of every level (dBFS): silence reads this.
pub const FLOOR_DB: f32 = -120.0;
/// A band's peak stays this long (s) before it falls.
pub const HOLD_SECS: f64 = 1.0;
/// How fast a held peak falls once its hold is over (dB/s).
pub const FALL_DB_PER_SEC: f64 = 20.0;

/// The frequency range of band `band` (Hz, lower edge included).
pub fn band_range(band: usize) -> (f64, f64) {
    let ratio = (HIGHEST_HZ / LOWEST_HZ).powf(1.0 / BANDS as f64);
    let lo = LOWEST_HZ * ratio.powi(band as i32);
    (lo, lo * ratio)
}

/// One spectrum: every bin, the bands and their held peaks (dBFS).
#[derive(Debug, Clone, PartialEq)]
pub struct Spectrum {
    /// `FFT_SIZE / 2 + 1` bins, from 0 Hz to half the sample rate.
    pub bins: Vec<f32>,
    /// The loudest bin of each band (for a band narrower than a bin: the
    /// bin nearest its centre).
    pub bands: Vec<f32>,
    /// Each band's highest level of the last [`HOLD_SECS`], then falling.
    pub peaks: Vec<f32>,
}

impl Default for Spectrum {
    fn default() -> Self {
        Spectrum { bins: vec![FLOOR_DB; FFT_SIZE / 2 + 1], bands: vec![FLOOR_DB; BANDS], peaks: vec![FLOOR_DB; BANDS] }
    }
}

impl Spectrum {
    /// The loudest bin (lowest index on a tie), ignoring 0 Hz; 0 when
    /// there is no other bin.
    pub fn peak_bin(&self) -> usize {
        let mut best = (0, f32::NEG_INFINITY);
        for (i, v) in self.bins.iter().enumerate().skip(1) {
            if *v > best.1 {
                best = (i, *v);
            }
        }
        best.0
    }
}

/// The analyser's state: the FFT plan, window and scratch, and the peak
/// hold's clock per band.
pub struct SpectrumAnalyser {
    fft: Arc<dyn Fft<f32>>,
    window: Vec<f32>,
    /// 2 / sum(window): turns a bin's magnitude into a sine's amplitude.
    scale: f32,
    buffer: Vec<Complex32>,
    scratch: Vec<Complex32>,
    /// Seconds each band's peak has been held.
    held: Vec<f64>,
}

impl std::fmt::Debug for SpectrumAnalyser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpectrumAnalyser").field("size", &FFT_SIZE).finish_non_exhaustive()
    }
}

impl Default for SpectrumAnalyser {
    fn default() -> Self {
        let fft = FftPlanner::new().plan_fft_forward(FFT_SIZE);
        let window: Vec<f32> = (0..FFT_SIZE)
            .map(|i| {
                let x = std::f64::consts::TAU * i as f64 / FFT_SIZE as f64;
                (0.5 - 0.5 * x.cos()) as f32
            })
            .collect();
        let scale = 2.0 / window.iter().sum::<f32>();
        let scratch = vec![Complex32::default(); fft.get_inplace_scratch_len()];
        SpectrumAnalyser {
            fft,
            window,
            scale,
            buffer: vec![Complex32::default(); FFT_SIZE],
            scratch,
            held: vec![0.0; BANDS],
        }
    }
}

impl SpectrumAnalyser {
    /// Analyses `mono` (the last [`FFT_SIZE`] samples, oldest first) into
    /// `out`; `elapsed` seconds passed since the last call (for the peak
    /// hold).
    pub fn analyse(&mut self, mono: impl Iterator<Item = f32>, rate: u32, elapsed: f64, out: &mut Spectrum) {
        for ((slot, s), w) in self.buffer.iter_mut().zip(mono).zip(&self.window) {
            *slot = Complex32::new(s * w, 0.0);
        }
        self.fft.process_with_scratch(&mut self.buffer, &mut self.scratch);
        for (bin, c) in out.bins.iter_mut().zip(&self.buffer) {
            let amplitude = c.norm() * self.scale;
            *bin = (20.0 * amplitude.log10()).max(FLOOR_DB);
        }
        let hz_per_bin = f64::from(rate) / FFT_SIZE as f64;
        let last = out.bins.len() - 1;
        for band in 0..BANDS {
            let (lo, hi) = band_range(band);
            let first = (lo / hz_per_bin).ceil() as usize;
            let end = ((hi / hz_per_bin).ceil() as usize).min(last + 1);
            let level = if first < end {
                out.bins[first..end].iter().fold(FLOOR_DB, |m, v| m.max(*v))
            } else {
                let centre = ((lo * hi).sqrt() / hz_per_bin).round() as usize;
                out.bins[centre.min(last)]
            };
            out.bands[band] = level;
            self.held[band] += elapsed;
            let over = self.held[band] - HOLD_SECS;
            let fallen = if over > 0.0 {
                out.peaks[band] - (over.min(elapsed) * FALL_DB_PER_SEC) as f32
            } else {
                out.peaks[band]
            };
            if level >= fallen {
                out.peaks[band] = level;
                self.held[band] = 0.0;
            } else {
                out.peaks[band] = fallen.max(FLOOR_DB);
            }
        }
    }

    /// Forgets the held peaks (a new target).
    pub fn reset(&mut self, out: &mut Spectrum) {
        *out = Spectrum::default();
        self.held.iter_mut().for_each(|h| *h = 0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(hz: f64, amplitude: f64, rate: u32) -> impl Iterator<Item = f32> {
        (0..FFT_SIZE).map(move |i| (amplitude * (std::f64::consts::TAU * hz * i as f64 / f64::from(rate)).sin()) as f32)
    }

    #[test]
    fn a_sine_peaks_in_its_bin_at_its_level_and_in_its_band() {
        let mut a = SpectrumAnalyser::default();
        let mut s = Spectrum::default();
        a.analyse(sine(1000.0, 0.1, 48_000), 48_000, 0.02, &mut s);
        let bin = s.peak_bin();
        assert_eq!(bin, (1000.0f64 * FFT_SIZE as f64 / 48_000.0).round() as usize);
        // Between bins the Hann window loses up to 1.4 dB; 1 kHz is 1/3 off.
        assert!((-21.5..=-19.9).contains(&s.bins[bin]), "{}", s.bins[bin]);
        let band = (0..BANDS).find(|b| (band_range(*b).0..band_range(*b).1).contains(&1000.0)).unwrap();
        let loudest = (0..BANDS).max_by(|a, b| s.bands[*a].total_cmp(&s.bands[*b])).unwrap();
        assert_eq!(loudest, band);
        assert!(s.bands[band - 8] < -60.0, "far bands are quiet: {}", s.bands[band - 8]);
    }

    #[test]
    fn peaks_hold_for_a_second_then_fall() {
        let mut a = SpectrumAnalyser::default();
        let mut s = Spectrum::default();
        a.analyse(sine(1000.0, 0.5, 48_000), 48_000, 0.1, &mut s);
        let band = (0..BANDS).max_by(|x, y| s.peaks[*x].total_cmp(&s.peaks[*y])).unwrap();
        let top = s.peaks[band];
        let silence = || std::iter::repeat_n(0.0f32, FFT_SIZE);
        for _ in 0..9 {
            a.analyse(silence(), 48_000, 0.1, &mut s);
        }
        assert_eq!(s.peaks[band], top, "held for 0.9 s");
        assert_eq!(s.bands[band], FLOOR_DB);
        for _ in 0..6 {
            a.analyse(silence(), 48_000, 0.1, &mut s);
        }
        assert!(
            (s.peaks[band] - (top - 10.0)).abs() < 0.5,
            "fell 10 dB in the 0.5 s after its hold: {}",
            s.peaks[band]
        );
        a.reset(&mut s);
        assert_eq!(s, Spectrum::default());
        assert_eq!(Spectrum { bins: vec![0.0], bands: vec![], peaks: vec![] }.peak_bin(), 0, "no bin but 0 Hz");
    }
}
