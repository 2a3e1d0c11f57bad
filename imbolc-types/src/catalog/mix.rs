//! The mixing family of effects: the 12-band parametric EQ (and, with it,
//! the response its editor draws). Kept apart from the ordinary effect
//! tables so each family lives in its own file.

use super::ParamSpec;
use super::effects::EffectSpec;
use super::param::p;

/// Bands of [`EQ12_PARAMS`]: band 1 is a low shelf, band 12 a high shelf,
/// the others peaking filters.
pub const EQ_BANDS: usize = 12;

/// The parameters of `eq12`, four per band in band order: `bN_freq` (Hz),
/// `bN_gain` (dB), `bN_q` (Q of a peak; slope S, at most 1, of a shelf) and
/// `bN_on` (0 or 1).
pub const EQ12_PARAMS: &[ParamSpec] = &[
    // Band 1: low shelf.
    p("b1_freq", "1 Freq", 40.0, 20.0, 20000.0, "Hz").exp(),
    p("b1_gain", "1 Gain", 0.0, -24.0, 24.0, "dB"),
    p("b1_q", "1 Slope", 1.0, 0.1, 1.0, ""),
    p("b1_on", "1 On", 1.0, 0.0, 1.0, ""),
    // Band 2: peak.
    p("b2_freq", "2 Freq", 80.0, 20.0, 20000.0, "Hz").exp(),
    p("b2_gain", "2 Gain", 0.0, -24.0, 24.0, "dB"),
    p("b2_q", "2 Q", 1.0, 0.1, 18.0, "").exp(),
    p("b2_on", "2 On", 1.0, 0.0, 1.0, ""),
    // Band 3: peak.
    p("b3_freq", "3 Freq", 160.0, 20.0, 20000.0, "Hz").exp(),
    p("b3_gain", "3 Gain", 0.0, -24.0, 24.0, "dB"),
    p("b3_q", "3 Q", 1.0, 0.1, 18.0, "").exp(),
    p("b3_on", "3 On", 1.0, 0.0, 1.0, ""),
    // Band 4: peak.
    p("b4_freq", "4 Freq", 300.0, 20.0, 20000.0, "Hz").exp(),
    p("b4_gain", "4 Gain", 0.0, -24.0, 24.0, "dB"),
    p("b4_q", "4 Q", 1.0, 0.1, 18.0, "").exp(),
    p("b4_on", "4 On", 1.0, 0.0, 1.0, ""),
    // Band 5: peak.
    p("b5_freq", "5 Freq", 500.0, 20.0, 20000.0, "Hz").exp(),
    p("b5_gain", "5 Gain", 0.0, -24.0, 24.0, "dB"),
    p("b5_q", "5 Q", 1.0, 0.1, 18.0, "").exp(),
    p("b5_on", "5 On", 1.0, 0.0, 1.0, ""),
    // Band 6: peak.
    p("b6_freq", "6 Freq", 800.0, 20.0, 20000.0, "Hz").exp(),
    p("b6_gain", "6 Gain", 0.0, -24.0, 24.0, "dB"),
    p("b6_q", "6 Q", 1.0, 0.1, 18.0, "").exp(),
    p("b6_on", "6 On", 1.0, 0.0, 1.0, ""),
    // Band 7: peak.
    p("b7_freq", "7 Freq", 1250.0, 20.0, 20000.0, "Hz").exp(),
    p("b7_gain", "7 Gain", 0.0, -24.0, 24.0, "dB"),
    p("b7_q", "7 Q", 1.0, 0.1, 18.0, "").exp(),
    p("b7_on", "7 On", 1.0, 0.0, 1.0, ""),
    // Band 8: peak.
    p("b8_freq", "8 Freq", 2000.0, 20.0, 20000.0, "Hz").exp(),
    p("b8_gain", "8 Gain", 0.0, -24.0, 24.0, "dB"),
    p("b8_q", "8 Q", 1.0, 0.1, 18.0, "").exp(),
    p("b8_on", "8 On", 1.0, 0.0, 1.0, ""),
    // Band 9: peak.
    p("b9_freq", "9 Freq", 3150.0, 20.0, 20000.0, "Hz").exp(),
    p("b9_gain", "9 Gain", 0.0, -24.0, 24.0, "dB"),
    p("b9_q", "9 Q", 1.0, 0.1, 18.0, "").exp(),
    p("b9_on", "9 On", 1.0, 0.0, 1.0, ""),
    // Band 10: peak.
    p("b10_freq", "10 Freq", 5000.0, 20.0, 20000.0, "Hz").exp(),
    p("b10_gain", "10 Gain", 0.0, -24.0, 24.0, "dB"),
    p("b10_q", "10 Q", 1.0, 0.1, 18.0, "").exp(),
    p("b10_on", "10 On", 1.0, 0.0, 1.0, ""),
    // Band 11: peak.
    p("b11_freq", "11 Freq", 8000.0, 20.0, 20000.0, "Hz").exp(),
    p("b11_gain", "11 Gain", 0.0, -24.0, 24.0, "dB"),
    p("b11_q", "11 Q", 1.0, 0.1, 18.0, "").exp(),
    p("b11_on", "11 On", 1.0, 0.0, 1.0, ""),
    // Band 12: high shelf.
    p("b12_freq", "12 Freq", 12000.0, 20.0, 20000.0, "Hz").exp(),
    p("b12_gain", "12 Gain", 0.0, -24.0, 24.0, "dB"),
    p("b12_q", "12 Slope", 1.0, 0.1, 1.0, ""),
    p("b12_on", "12 On", 1.0, 0.0, 1.0, ""),
];

/// The mixing effects, in picker order.
pub(super) const MIX: &[EffectSpec] = &[
    EffectSpec {
        id: "eq12",
        legacy_name: None,
        synthdef: "imbolc_eq12",
        label: "12-band EQ",
        description: "Parametric EQ: low shelf, ten peaks, high shelf; each band on/off",
        params: EQ12_PARAMS,
        tail_secs: 0.1,
        gain_stage: false,
    },
    EffectSpec {
        id: "sidechain_compressor",
        legacy_name: None,
        synthdef: "imbolc_sc_comp",
        label: "sidechain compressor",
        description: "Compressor keyed by another instrument or bus (itself when no key is set)",
        params: &[
            p("threshold", "Threshold", -24.0, -60.0, 0.0, "dB"),
            p("ratio", "Ratio", 4.0, 1.0, 20.0, "").exp(),
            p("attack", "Attack", 0.005, 0.0005, 0.5, "s").exp(),
            p("release", "Release", 0.15, 0.01, 2.0, "s").exp(),
            p("makeup", "Makeup", 0.0, 0.0, 24.0, "dB"),
            p("mix", "Mix", 1.0, 0.0, 1.0, ""),
        ],
        tail_secs: 0.5,
        gain_stage: false,
    },
    EffectSpec {
        id: "vocoder",
        legacy_name: None,
        synthdef: "imbolc_vocoder",
        label: "vocoder",
        description: "16-band vocoder: another instrument or bus (the key) shapes this one",
        params: &[
            p("width", "Width", 0.15, 0.02, 1.0, "").exp(),
            p("release", "Release", 0.05, 0.005, 1.0, "s").exp(),
            p("gain", "Gain", 12.0, 0.0, 36.0, "dB"),
            p("mix", "Mix", 1.0, 0.0, 1.0, ""),
        ],
        tail_secs: 1.0,
        gain_stage: false,
    },
];

/// SynthDefs of the effects that read a key signal (sidechain) from another
/// chain's bus through their `key` control.
pub const KEYED_SYNTHDEFS: &[&str] = &["imbolc_sc_comp", "imbolc_vocoder"];

/// Whether effect `kind` reads a key signal (has a `key` control).
pub fn takes_key(kind: super::EffectKind) -> bool {
    KEYED_SYNTHDEFS.contains(&kind.synthdef())
}

/// The filter shape of one EQ band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EqShape {
    LowShelf,
    Peak,
    HighShelf,
}

/// One band of an `eq12` slot, as its SynthDef reads it (values clamped
/// the same way).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EqBand {
    pub shape: EqShape,
    pub freq: f32,
    /// dB; 0 when the band is off.
    pub gain_db: f32,
    /// Q of a peak, slope S of a shelf.
    pub q: f32,
}

impl EqBand {
    /// Band `index` (0-based) of an `eq12` slot's parameters; missing ones
    /// take their defaults.
    pub fn of(params: &crate::instrument::Params, index: usize) -> EqBand {
        let get = |what: &str| {
            let id = format!("b{}_{what}", index + 1);
            params.get(&id).copied().or_else(|| super::find_param(EQ12_PARAMS, &id).map(|s| s.default)).unwrap_or(0.0)
        };
        let shape = match index {
            0 => EqShape::LowShelf,
            i if i + 1 == EQ_BANDS => EqShape::HighShelf,
            _ => EqShape::Peak,
        };
        let q_max = if shape == EqShape::Peak { 18.0 } else { 1.0 };
        let on = get("on").clamp(0.0, 1.0);
        EqBand {
            shape,
            freq: get("freq").clamp(20.0, 20000.0),
            gain_db: get("gain").clamp(-24.0, 24.0) * on,
            q: get("q").clamp(0.1, q_max),
        }
    }

    /// Biquad coefficients `[b0, b1, b2, a1, a2]` (normalised by a0) at
    /// `sample_rate`: the RBJ cookbook formulas scsynth's BLowShelf,
    /// BPeakEQ and BHiShelf use.
    pub fn coefficients(&self, sample_rate: f64) -> [f64; 5] {
        let a = 10f64.powf(f64::from(self.gain_db) / 40.0);
        let freq = f64::from(self.freq).min(sample_rate * 0.45);
        let w0 = 2.0 * std::f64::consts::PI * freq / sample_rate;
        let (sin, cos) = w0.sin_cos();
        let q = f64::from(self.q);
        let [b0, b1, b2, a0, a1, a2] = match self.shape {
            EqShape::Peak => {
                let alpha = sin / (2.0 * q);
                [1.0 + alpha * a, -2.0 * cos, 1.0 - alpha * a, 1.0 + alpha / a, -2.0 * cos, 1.0 - alpha / a]
            }
            EqShape::LowShelf | EqShape::HighShelf => {
                let alpha = sin / 2.0 * ((a + 1.0 / a) * (1.0 / q - 1.0) + 2.0).max(0.0).sqrt();
                let k = 2.0 * a.sqrt() * alpha;
                let (p, m) = ((a + 1.0), (a - 1.0));
                if self.shape == EqShape::LowShelf {
                    [
                        a * (p - m * cos + k),
                        2.0 * a * (m - p * cos),
                        a * (p - m * cos - k),
                        p + m * cos + k,
                        -2.0 * (m + p * cos),
                        p + m * cos - k,
                    ]
                } else {
                    [
                        a * (p + m * cos + k),
                        -2.0 * a * (m + p * cos),
                        a * (p + m * cos - k),
                        p - m * cos + k,
                        2.0 * (m - p * cos),
                        p - m * cos - k,
                    ]
                }
            }
        };
        [b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0]
    }

    /// Gain in dB of this band at `hz`.
    pub fn response_db(&self, hz: f64, sample_rate: f64) -> f64 {
        let [b0, b1, b2, a1, a2] = self.coefficients(sample_rate);
        let w = 2.0 * std::f64::consts::PI * hz / sample_rate;
        // |H(e^jw)|² with z^-1 = e^-jw, as sums of cosines and sines.
        let (c1, s1, c2, s2) = (w.cos(), w.sin(), (2.0 * w).cos(), (2.0 * w).sin());
        let num = (b0 + b1 * c1 + b2 * c2).powi(2) + (b1 * s1 + b2 * s2).powi(2);
        let den = (1.0 + a1 * c1 + a2 * c2).powi(2) + (a1 * s1 + a2 * s2).powi(2);
        10.0 * (num / den).log10()
    }
}

/// Gain in dB of a whole `eq12` slot at `hz` (the sum of its bands' dB):
/// what the editor draws.
pub fn eq12_response_db(params: &crate::instrument::Params, hz: f64, sample_rate: f64) -> f64 {
    (0..EQ_BANDS).map(|i| EqBand::of(params, i).response_db(hz, sample_rate)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::default_params;

    #[test]
    fn a_flat_eq_is_flat_and_a_peak_peaks_where_it_should() {
        let mut params = default_params(EQ12_PARAMS);
        for hz in [20.0, 100.0, 1000.0, 10000.0, 20000.0] {
            assert!(eq12_response_db(&params, hz, 48000.0).abs() < 1e-9, "{hz} Hz");
        }
        params.insert("b6_freq".into(), 1000.0);
        params.insert("b6_gain".into(), 6.0);
        assert!((eq12_response_db(&params, 1000.0, 48000.0) - 6.0).abs() < 1e-6);
        assert!(eq12_response_db(&params, 250.0, 48000.0) < 1.0);
        assert!(eq12_response_db(&params, 4000.0, 48000.0) < 1.0);
        params.insert("b6_on".into(), 0.0);
        assert!(eq12_response_db(&params, 1000.0, 48000.0).abs() < 1e-9);
    }

    #[test]
    fn shelves_reach_their_gain_far_from_their_corner() {
        let mut params = default_params(EQ12_PARAMS);
        params.insert("b1_freq".into(), 200.0);
        params.insert("b1_gain".into(), -12.0);
        params.insert("b12_freq".into(), 4000.0);
        params.insert("b12_gain".into(), 9.0);
        assert!((eq12_response_db(&params, 20.0, 48000.0) + 12.0).abs() < 0.2);
        assert!((eq12_response_db(&params, 20000.0, 48000.0) - 9.0).abs() < 0.3);
        assert!(eq12_response_db(&params, 1000.0, 48000.0).abs() < 1.0);
    }
}
