//! Measurements on rendered samples: levels, DC, where the sound ends, the
//! fundamental, and a spectral fingerprint to compare two sounds.

use rustfft::FftPlanner;
use rustfft::num_complex::Complex;

use super::nrt::SAMPLE_RATE;

/// Decibels of a linear amplitude (−240 for silence).
pub fn db(amplitude: f64) -> f64 {
    20.0 * amplitude.max(1e-12).log10()
}

/// Largest absolute sample.
pub fn peak(samples: &[f32]) -> f64 {
    samples.iter().fold(0.0f64, |m, s| m.max(f64::from(s.abs())))
}

/// Root mean square.
pub fn rms(samples: &[f32]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    (samples.iter().map(|s| f64::from(*s) * f64::from(*s)).sum::<f64>() / samples.len() as f64).sqrt()
}

/// Mean (the DC offset).
pub fn mean(samples: &[f32]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.iter().map(|s| f64::from(*s)).sum::<f64>() / samples.len() as f64
}

/// Index of the first NaN or infinite sample.
pub fn first_non_finite(samples: &[f32]) -> Option<usize> {
    samples.iter().position(|s| !s.is_finite())
}

/// Index of the last sample whose magnitude is above `level`.
pub fn last_above(samples: &[f32], level: f64) -> Option<usize> {
    samples.iter().rposition(|s| f64::from(s.abs()) > level)
}

/// Seconds of a sample index.
pub fn seconds(index: usize) -> f64 {
    index as f64 / f64::from(SAMPLE_RATE)
}

/// The average of two channels (what a listener's pitch sense gets).
pub fn mono(left: &[f32], right: &[f32]) -> Vec<f32> {
    left.iter().zip(right).map(|(l, r)| 0.5 * (l + r)).collect()
}

/// A partial found near an expected frequency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Partial {
    pub hz: f64,
    /// Its distance from the expected frequency, in cents.
    pub cents: f64,
    /// Its level relative to the strongest partial of the whole spectrum.
    pub relative_db: f64,
}

/// Finds the strongest spectral peak within a semitone of `expected_hz`
/// (Hann window, 8× zero padding, parabolic interpolation on log
/// magnitudes: well under a cent of error for a steady tone of 0.5 s).
pub fn partial_near(samples: &[f32], expected_hz: f64) -> Option<Partial> {
    if samples.len() < 1024 {
        return None;
    }
    let n = (samples.len() * 8).next_power_of_two();
    let len = samples.len();
    let mut buf: Vec<Complex<f64>> = samples
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let w = 0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / (len - 1) as f64).cos();
            Complex::new(f64::from(*s) * w, 0.0)
        })
        .collect();
    buf.resize(n, Complex::new(0.0, 0.0));
    FftPlanner::new().plan_fft_forward(n).process(&mut buf);
    let mags: Vec<f64> = buf[..n / 2].iter().map(|c| c.norm().max(1e-30).ln()).collect();
    let bin_hz = f64::from(SAMPLE_RATE) / n as f64;
    let lo = ((expected_hz * 2f64.powf(-1.0 / 12.0)) / bin_hz).floor() as usize;
    let hi = (((expected_hz * 2f64.powf(1.0 / 12.0)) / bin_hz).ceil() as usize).min(mags.len() - 2);
    let strongest = mags[1..].iter().copied().fold(f64::MIN, f64::max);
    let k = (lo.max(1)..=hi).max_by(|&a, &b| mags[a].total_cmp(&mags[b]))?;
    let (a, b, c) = (mags[k - 1], mags[k], mags[k + 1]);
    let denom = a - 2.0 * b + c;
    let offset = if denom.abs() > 1e-12 { (0.5 * (a - c) / denom).clamp(-0.5, 0.5) } else { 0.0 };
    let hz = (k as f64 + offset) * bin_hz;
    Some(Partial {
        hz,
        cents: 1200.0 * (hz / expected_hz).log2(),
        relative_db: (b - strongest) * 20.0 / std::f64::consts::LN_10,
    })
}

/// Bands of a fingerprint: sixth-octaves from 40 Hz to about 16 kHz.
const BANDS: usize = 52;
/// Time slices of a fingerprint.
const SLICES: usize = 8;
/// Levels below this (relative to the sound's total) count as silence.
const FLOOR_DB: f64 = -100.0;

/// A sound's spectrum over time: band levels in dB relative to its total
/// energy (so level alone does not make two sounds different), per time
/// slice.
#[derive(Debug, Clone, PartialEq)]
pub struct Fingerprint {
    cells: Vec<f64>,
}

impl Fingerprint {
    /// Fingerprints one channel of a note (from its start to its end).
    pub fn of(samples: &[f32]) -> Fingerprint {
        Self::of_channels(&[samples])
    }

    /// Fingerprints a note's channels together: each keeps its own cells,
    /// levels relative to the total of all, so stereo movement counts.
    pub fn of_channels(channels: &[&[f32]]) -> Fingerprint {
        let mut power: Vec<f64> = channels.iter().flat_map(|c| band_power(c)).collect();
        let total: f64 = power.iter().sum::<f64>().max(1e-30);
        for p in &mut power {
            *p = (10.0 * (*p / total).max(1e-30).log10()).max(FLOOR_DB);
        }
        Fingerprint { cells: power }
    }

    /// How different two sounds are: the RMS of their cell differences in
    /// dB (0 for the same sound at any level).
    pub fn distance(&self, other: &Fingerprint) -> f64 {
        let n = self.cells.len().min(other.cells.len()).max(1);
        let sum: f64 = self.cells.iter().zip(&other.cells).map(|(a, b)| (a - b) * (a - b)).sum();
        (sum / n as f64).sqrt()
    }
}

/// Power per band and time slice of one channel (unnormalised).
fn band_power(samples: &[f32]) -> Vec<f64> {
    const FRAME: usize = 4096;
    const HOP: usize = 2048;
    let mut planner = FftPlanner::<f32>::new();
    let fft = planner.plan_fft_forward(FRAME);
    let window: Vec<f32> =
        (0..FRAME).map(|i| 0.5 - 0.5 * (2.0 * std::f32::consts::PI * i as f32 / (FRAME - 1) as f32).cos()).collect();
    let bin_hz = f64::from(SAMPLE_RATE) / FRAME as f64;
    let band_of = |bin: usize| {
        let hz = bin as f64 * bin_hz;
        if hz < 40.0 {
            return None;
        }
        let b = (6.0 * (hz / 40.0).log2()) as usize;
        (b < BANDS).then_some(b)
    };
    let frames = if samples.len() >= FRAME { (samples.len() - FRAME) / HOP + 1 } else { 1 };
    let mut power = vec![0.0f64; BANDS * SLICES];
    let mut buf = vec![Complex::new(0.0f32, 0.0); FRAME];
    for f in 0..frames {
        for (i, slot) in buf.iter_mut().enumerate() {
            let s = samples.get(f * HOP + i).copied().unwrap_or(0.0);
            *slot = Complex::new(s * window[i], 0.0);
        }
        fft.process(&mut buf);
        let slice = (f * SLICES / frames).min(SLICES - 1);
        for (bin, c) in buf[..FRAME / 2].iter().enumerate() {
            if let Some(b) = band_of(bin) {
                power[slice * BANDS + b] += f64::from(c.norm_sqr());
            }
        }
    }
    power
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(hz: f64, secs: f64, amp: f32) -> Vec<f32> {
        let n = (secs * f64::from(SAMPLE_RATE)) as usize;
        (0..n)
            .map(|i| amp * (2.0 * std::f64::consts::PI * hz * i as f64 / f64::from(SAMPLE_RATE)).sin() as f32)
            .collect()
    }

    #[test]
    fn a_steady_tone_is_found_within_a_cent() {
        for hz in [65.406, 261.63, 1046.5] {
            let found = partial_near(&tone(hz * 1.003, 0.8, 0.5), hz).expect("a partial");
            assert!((found.cents - 1200.0 * 1.003f64.log2()).abs() < 1.0, "{hz}: {found:?}");
            assert!(found.relative_db.abs() < 0.5);
        }
    }

    #[test]
    fn fingerprints_ignore_level_and_see_pitch() {
        let a = Fingerprint::of(&tone(261.63, 0.5, 0.5));
        let quiet = Fingerprint::of(&tone(261.63, 0.5, 0.05));
        let fifth = Fingerprint::of(&tone(392.0, 0.5, 0.5));
        assert!(a.distance(&quiet) < 0.1, "{}", a.distance(&quiet));
        assert!(a.distance(&fifth) > 10.0, "{}", a.distance(&fifth));
    }

    #[test]
    fn levels_and_ends() {
        let mut s = tone(100.0, 0.1, 0.5);
        s.extend(std::iter::repeat_n(0.0, 100));
        assert!((db(peak(&s)) + 6.02).abs() < 0.1);
        assert_eq!(last_above(&s, 1e-3).map(|i| i < 4800), Some(true));
        assert!(mean(&s).abs() < 1e-3);
        s.push(f32::NAN);
        assert_eq!(first_non_finite(&s), Some(s.len() - 1));
    }
}
