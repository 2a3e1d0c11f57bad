//! Root pitch of a sample by YIN (de Cheveigné and Kawahara, 2002), for
//! the sampler's "estimate root from pitch" action.
//!
//! The cumulative-mean-normalised difference function is computed on a few
//! frames from the loudest part of the sample; each gives the first dip
//! below a threshold, refined by a parabola through its neighbours, and
//! the median of the frames' frequencies is the answer. Octave errors are
//! what YIN's first-dip rule avoids (a harmonic tone's period, not its
//! second harmonic's).

/// Lowest and highest fundamentals searched, in Hz.
pub const PITCH_RANGE_HZ: (f64, f64) = (30.0, 2000.0);
const THRESHOLD: f64 = 0.12;
const FRAMES: usize = 7;

/// An estimated pitch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PitchEstimate {
    /// Fundamental frequency in Hz.
    pub hz: f64,
    /// The same as a fractional MIDI note (69 = A4 = 440 Hz).
    pub midi: f64,
}

impl PitchEstimate {
    /// The nearest MIDI note, the sampler's root key.
    pub fn root_key(&self) -> u8 {
        self.midi.round().clamp(0.0, 127.0) as u8
    }
}

/// The fundamental of a mono signal, or `None` when it has no clear pitch
/// (silence, noise, or too short for two periods of the lowest pitch).
pub fn estimate_pitch(samples: &[f32], sample_rate: u32) -> Option<PitchEstimate> {
    let sr = f64::from(sample_rate);
    if sr <= 0.0 {
        return None;
    }
    let max_lag = (sr / PITCH_RANGE_HZ.0).ceil() as usize;
    let min_lag = ((sr / PITCH_RANGE_HZ.1).floor() as usize).max(2);
    let width = max_lag;
    let need = width + max_lag + 2;
    if samples.len() < need {
        return None;
    }
    // Frames centred on the loudest stretch of the sample.
    let loudest = loudest_start(samples, need);
    let spread = (samples.len() - need).min(need * 4);
    let base = loudest.saturating_sub(spread / 2).min(samples.len() - need);
    let mut found: Vec<f64> = (0..FRAMES)
        .filter_map(|k| {
            let start = (base + k * spread / FRAMES).min(samples.len() - need);
            yin_frame(&samples[start..start + need], width, min_lag, max_lag).map(|lag| sr / lag)
        })
        .collect();
    if found.len() < FRAMES.div_ceil(2) {
        return None;
    }
    found.sort_by(f64::total_cmp);
    let hz = *found.get(found.len() / 2)?;
    Some(PitchEstimate { hz, midi: 69.0 + 12.0 * (hz / 440.0).log2() })
}

/// Start of the `len`-sample stretch with the most energy (coarse steps).
fn loudest_start(samples: &[f32], len: usize) -> usize {
    let step = (len / 4).max(1);
    let mut best = (0, -1.0f64);
    let mut start = 0;
    while start + len <= samples.len() {
        let e: f64 = samples[start..start + len].iter().map(|v| f64::from(*v).powi(2)).sum();
        if e > best.1 {
            best = (start, e);
        }
        start += step;
    }
    best.0
}

/// The period in samples (fractional) of one frame, by YIN.
fn yin_frame(frame: &[f32], width: usize, min_lag: usize, max_lag: usize) -> Option<f64> {
    let energy: f64 = frame[..width].iter().map(|v| f64::from(*v).powi(2)).sum();
    if energy < 1e-8 * width as f64 {
        return None;
    }
    let mut d = vec![0.0f64; max_lag + 2];
    for (tau, slot) in d.iter_mut().enumerate().skip(1) {
        *slot = frame[..width]
            .iter()
            .zip(&frame[tau..tau + width])
            .map(|(a, b)| {
                let x = f64::from(*a) - f64::from(*b);
                x * x
            })
            .sum();
    }
    // Cumulative mean normalised difference.
    let mut cmnd = vec![1.0f64; d.len()];
    let mut running = 0.0;
    for tau in 1..d.len() {
        running += d[tau];
        cmnd[tau] = if running > 0.0 { d[tau] * tau as f64 / running } else { 1.0 };
    }
    let mut tau = min_lag;
    let chosen = loop {
        if tau > max_lag {
            // No dip under the threshold: the global minimum, if deep.
            let (t, v) = (min_lag..=max_lag).map(|t| (t, cmnd[t])).min_by(|a, b| a.1.total_cmp(&b.1))?;
            if v > 0.35 {
                return None;
            }
            break t;
        }
        if cmnd[tau] < THRESHOLD {
            while tau < max_lag && cmnd[tau + 1] < cmnd[tau] {
                tau += 1;
            }
            break tau;
        }
        tau += 1;
    };
    // Parabolic interpolation on the raw difference for sub-sample lag.
    let (a, b, c) = (d[chosen - 1], d[chosen], d[chosen + 1]);
    let denom = a - 2.0 * b + c;
    let shift = if denom.abs() > 1e-12 { 0.5 * (a - c) / denom } else { 0.0 };
    Some(chosen as f64 + shift.clamp(-1.0, 1.0))
}
