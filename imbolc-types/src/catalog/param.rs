//! [`ParamSpec`]: what the UI shows and what the server gets for one
//! parameter of a source, filter or effect.

/// How a parameter's range is laid out for display and knob steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ParamScale {
    /// Equal steps in value (levels, mixes, amounts).
    #[default]
    Linear,
    /// Equal steps in ratio (frequencies, times, rates); needs `min > 0`.
    Exponential,
}

/// What a tempo-synced value means, so a note division can be turned into
/// it (see [`crate::sync::NoteDivision::value`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncUnit {
    /// A duration in seconds (delay times): the division's length.
    Seconds,
    /// A rate in Hz (LFO-driven effects): one cycle per division.
    Hz,
}

/// Description of one parameter: what the UI shows and what the server gets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    /// Stable id; also the SynthDef control name. Persisted, automated and
    /// MIDI-mapped, so it never changes once released.
    pub id: &'static str,
    /// Label for the UI.
    pub label: &'static str,
    pub default: f32,
    pub min: f32,
    pub max: f32,
    /// Unit shown after the value ("Hz", "s", "" for a plain number).
    pub unit: &'static str,
    /// How the range is laid out for display and stepping.
    pub scale: ParamScale,
    /// Set when the value may follow the tempo as a note division (an
    /// effect instance chooses synced or free per parameter).
    pub sync: Option<SyncUnit>,
}

impl ParamSpec {
    /// A linear parameter.
    pub const fn new(
        id: &'static str,
        label: &'static str,
        default: f32,
        min: f32,
        max: f32,
        unit: &'static str,
    ) -> ParamSpec {
        ParamSpec { id, label, default, min, max, unit, scale: ParamScale::Linear, sync: None }
    }

    /// The same parameter laid out exponentially (frequencies, times).
    pub const fn exp(self) -> ParamSpec {
        ParamSpec { scale: ParamScale::Exponential, ..self }
    }

    /// The same parameter, able to follow the tempo as a note division
    /// whose length (`Seconds`) or rate (`Hz`) it takes.
    pub const fn tempo_sync(self, unit: SyncUnit) -> ParamSpec {
        ParamSpec { sync: Some(unit), ..self }
    }

    /// Clamps `value` into this parameter's range.
    pub fn clamp(&self, value: f32) -> f32 {
        value.clamp(self.min, self.max)
    }

    /// Where `value` sits in the range, 0..=1, following the scale (what a
    /// knob or a MIDI controller position means).
    pub fn to_unit(&self, value: f32) -> f32 {
        let v = self.clamp(value);
        let t = match self.scale {
            ParamScale::Exponential if self.min > 0.0 => (v / self.min).ln() / (self.max / self.min).ln(),
            _ => (v - self.min) / (self.max - self.min),
        };
        if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 }
    }

    /// The value at position `t` (0..=1) of the range, following the scale.
    pub fn from_unit(&self, t: f32) -> f32 {
        let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
        let v = match self.scale {
            ParamScale::Exponential if self.min > 0.0 => self.min * (self.max / self.min).powf(t),
            _ => self.min + (self.max - self.min) * t,
        };
        self.clamp(v)
    }
}

/// Shorthand for the catalog tables.
pub(super) const fn p(
    id: &'static str,
    label: &'static str,
    default: f32,
    min: f32,
    max: f32,
    unit: &'static str,
) -> ParamSpec {
    ParamSpec::new(id, label, default, min, max, unit)
}

/// The level parameter every built-in source has first (automatable like
/// any other; the mixer's level is a separate, post-chain gain).
pub(super) const AMP: ParamSpec = p("amp", "Amp", 0.3, 0.0, 1.0, "");

/// Looks up a parameter by id in a list of specs (a handful of entries, so
/// a scan is cheaper than any map).
pub fn find_param<'a>(specs: &'a [ParamSpec], id: &str) -> Option<&'a ParamSpec> {
    specs.iter().find(|s| s.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_positions_round_trip_on_both_scales() {
        let lin = p("x", "X", 0.5, -1.0, 3.0, "");
        let exp = p("f", "F", 1000.0, 20.0, 20000.0, "Hz").exp();
        for spec in [lin, exp] {
            for t in [0.0, 0.25, 0.5, 1.0] {
                assert!((spec.to_unit(spec.from_unit(t)) - t).abs() < 1e-5, "{} at {t}", spec.id);
            }
        }
        assert!((exp.from_unit(0.5) - 632.4555).abs() < 0.01);
        assert_eq!(lin.from_unit(f32::NAN), -1.0);
    }
}
