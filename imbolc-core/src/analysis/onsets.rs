//! Onset detection by spectral flux, for slicing a sample at its hits.
//!
//! 1. STFT: Hann windows of about 23 ms, hop of an eighth of that.
//! 2. Log-compressed magnitudes (`ln(1 + γ|X|)`), so quiet hits count
//!    nearly as much as loud ones.
//! 3. Flux: the half-wave rectified sum over bins of the rise from the
//!    previous frame, divided by the frame's total (plus a floor), so it
//!    reads as the share of the spectrum that is new: about 1 for a sound
//!    out of silence whatever its level or bandwidth.
//! 4. Adaptive threshold: the local median over about ±100 ms plus a margin
//!    from 0.55 (sensitivity 0) to 0.05 (sensitivity 1); 0.3 by default.
//! 5. Peak picking: a local maximum of the flux above the threshold, at
//!    least [`MIN_GAP_S`] after the previous onset.
//! 6. Refinement: the onset is placed at the 1 ms block, within that
//!    frame's window, where the energy rises most, so onsets land within a
//!    couple of milliseconds of the attack rather than a hop.

use std::sync::Arc;

use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};

/// The sensitivity used unless the user changes it.
pub const DEFAULT_SENSITIVITY: f32 = 0.5;
/// Two onsets closer than this are one.
pub const MIN_GAP_S: f64 = 0.03;
const LOG_GAMMA: f32 = 100.0;
/// Frames with less spectral content than this share of the fullest
/// frame's count as near-silence.
const CONTENT_FLOOR: f32 = 0.01;

/// Onset positions in frames, in order, for a mono signal at `sample_rate`.
/// `sensitivity` runs from 0 (only the clearest hits) to 1 (every bump);
/// out-of-range values are clamped.
pub fn detect_onsets(samples: &[f32], sample_rate: u32, sensitivity: f32) -> Vec<u64> {
    let sr = f64::from(sample_rate.max(1));
    let window = ((0.023 * sr) as usize).next_power_of_two().max(64);
    let hop = (window / 8).max(1);
    let (flux, content) = spectral_flux(samples, window, hop);
    let Some(loudest) = content.iter().copied().reduce(f32::max).filter(|m| *m > 0.0) else {
        return Vec::new();
    };
    // Relative flux: the share of the frame's spectrum that is new, so a
    // quiet sine counts as much as a loud noise burst. The floor keeps
    // near-silence (dither, noise floors) from looking new.
    let floor = CONTENT_FLOOR * loudest;
    let flux: Vec<f32> = flux.iter().zip(&content).map(|(f, c)| f / (c + floor)).collect();
    let s = if sensitivity.is_finite() { sensitivity.clamp(0.0, 1.0) } else { DEFAULT_SENSITIVITY };
    let margin = 0.05 + 0.5 * (1.0 - s);
    let median_half = ((0.1 * sr) as usize / hop).max(1);
    let local_half = 2;
    let min_gap = (MIN_GAP_S * sr) as u64;
    let mut onsets: Vec<u64> = Vec::new();
    for n in 1..flux.len() {
        let f = flux[n];
        let lo = n.saturating_sub(local_half);
        let hi = (n + local_half + 1).min(flux.len());
        if flux[lo..hi].iter().any(|&g| g > f) || flux[lo..n].contains(&f) {
            continue;
        }
        let mlo = n.saturating_sub(median_half);
        let mhi = (n + median_half + 1).min(flux.len());
        if f < median(&flux[mlo..mhi]) + margin {
            continue;
        }
        // Window n covers n*hop - window .. n*hop, and its rise over
        // window n-1 peaks while the attack is inside it.
        let at = refine(samples, (n * hop).saturating_sub(window + hop), n * hop + hop, sample_rate);
        if onsets.last().is_some_and(|&prev| at < prev + min_gap) {
            continue;
        }
        onsets.push(at);
    }
    onsets
}

/// Flux per frame; frame `n` is the rise from the window at `(n-1)*hop` to
/// the one at `n*hop` (frame 0 is 0). The signal is padded with silence
/// before its start so an attack at frame 0 is seen.
fn spectral_flux(samples: &[f32], window: usize, hop: usize) -> (Vec<f32>, Vec<f32>) {
    let mut planner = FftPlanner::<f32>::new();
    let fft: Arc<dyn Fft<f32>> = planner.plan_fft_forward(window);
    let hann: Vec<f32> =
        (0..window).map(|i| 0.5 - 0.5 * (2.0 * std::f32::consts::PI * i as f32 / window as f32).cos()).collect();
    let bins = window / 2 + 1;
    let mut prev = vec![0.0f32; bins];
    let mut mags = vec![0.0f32; bins];
    let mut buf = vec![Complex::new(0.0f32, 0.0); window];
    let mut scratch = vec![Complex::new(0.0f32, 0.0); fft.get_inplace_scratch_len()];
    let frames = samples.len() / hop + 1;
    let mut flux = Vec::with_capacity(frames);
    let mut content = Vec::with_capacity(frames);
    for n in 0..frames {
        // Window n starts at n*hop - window (left-padded by a window).
        let start = (n * hop) as isize - window as isize;
        for (i, c) in buf.iter_mut().enumerate() {
            let idx = start + i as isize;
            let v = if idx >= 0 { samples.get(idx as usize).copied().unwrap_or(0.0) } else { 0.0 };
            *c = Complex::new(v * hann[i], 0.0);
        }
        fft.process_with_scratch(&mut buf, &mut scratch);
        for (m, c) in mags.iter_mut().zip(&buf) {
            *m = (1.0 + LOG_GAMMA * c.norm()).ln();
        }
        let rise: f32 = if n == 0 { 0.0 } else { mags.iter().zip(&prev).map(|(m, p)| (m - p).max(0.0)).sum() };
        flux.push(rise);
        content.push(mags.iter().sum());
        std::mem::swap(&mut prev, &mut mags);
    }
    (flux, content)
}

/// The start of the 1 ms block in `lo..hi` where the energy rises most
/// over the three blocks before it (the attack of the onset found there).
fn refine(samples: &[f32], lo: usize, hi: usize, sample_rate: u32) -> u64 {
    let block = ((f64::from(sample_rate) * 0.001) as usize).max(1);
    // Three blocks of context before the span; before the file's start
    // there is silence.
    let first = (lo / block).min(3);
    let lo = lo - first * block;
    let hi = hi.min(samples.len());
    if hi <= lo + block {
        return lo as u64;
    }
    let energies: Vec<f32> = samples[lo..hi].chunks(block).map(|c| c.iter().map(|v| v * v).sum::<f32>()).collect();
    let peak = energies.iter().copied().fold(0.0f32, f32::max);
    let floor = (peak * 1e-6).max(1e-12);
    let mut best = (0usize, f32::MIN);
    for b in first..energies.len() {
        let from = b.saturating_sub(3);
        let before = if b == 0 { 0.0 } else { energies[from..b].iter().sum::<f32>() / (b - from) as f32 };
        let rise = (energies[b] + floor).ln() - (before + floor).ln();
        if rise > best.1 {
            best = (b, rise);
        }
    }
    (lo + best.0 * block) as u64
}

fn median(values: &[f32]) -> f32 {
    let mut v = values.to_vec();
    v.sort_by(f32::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}
