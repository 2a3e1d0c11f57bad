//! The filter slot's per-voice modulation: a filter envelope (depth in
//! octaves and its own ADSR) and key tracking. While either is on, each
//! note gets its own filter (see `docs/sounds.md`); while both are off the
//! instrument keeps its one shared filter after the voices.
//!
//! The values are addressed like the filter's other parameters
//! (`ParamTarget::Filter` with the ids of [`FILTER_ENV_PARAMS`]), so they
//! are automatable and MIDI-learnable the same way.

use serde::{Deserialize, Serialize};

use crate::catalog::{ParamSpec, find_param};

/// Envelope depth, octaves: the envelope at its peak moves the cutoff this
/// far up (or down when negative).
pub const ENV_AMOUNT: ParamSpec = ParamSpec::new("env_amount", "Env amount", 0.0, -8.0, 8.0, "oct");
pub const ENV_ATTACK: ParamSpec = ParamSpec::new("env_attack", "Env attack", 0.005, 0.0, 30.0, "s");
pub const ENV_DECAY: ParamSpec = ParamSpec::new("env_decay", "Env decay", 0.3, 0.0, 30.0, "s");
pub const ENV_SUSTAIN: ParamSpec = ParamSpec::new("env_sustain", "Env sustain", 0.0, 0.0, 1.0, "");
pub const ENV_RELEASE: ParamSpec = ParamSpec::new("env_release", "Env release", 0.3, 0.0, 30.0, "s");
/// Key tracking, 0..=1: at 1 the cutoff follows the note one octave per
/// octave, unchanged at middle C.
pub const KEY_TRACK: ParamSpec = ParamSpec::new("key_track", "Key track", 0.0, 0.0, 1.0, "");

/// The envelope and key tracking parameters, in editor order. Their ids
/// are distinct from every catalog filter parameter.
pub const FILTER_ENV_PARAMS: [ParamSpec; 6] = [ENV_AMOUNT, ENV_ATTACK, ENV_DECAY, ENV_SUSTAIN, ENV_RELEASE, KEY_TRACK];

/// The filter envelope and key tracking of an instrument's filter slot.
/// Files written before it existed read as the default: both off.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FilterEnvDef {
    /// Octaves, -8..=8.
    pub amount: f32,
    pub attack: f32,
    pub decay: f32,
    pub sustain: f32,
    pub release: f32,
    /// 0..=1.
    pub key_track: f32,
}

impl Default for FilterEnvDef {
    fn default() -> Self {
        FilterEnvDef {
            amount: ENV_AMOUNT.default,
            attack: ENV_ATTACK.default,
            decay: ENV_DECAY.default,
            sustain: ENV_SUSTAIN.default,
            release: ENV_RELEASE.default,
            key_track: KEY_TRACK.default,
        }
    }
}

impl FilterEnvDef {
    /// Whether it is what files without it read as (then not written).
    pub fn is_default(&self) -> bool {
        *self == FilterEnvDef::default()
    }

    /// Whether it changes anything: an envelope amount or key tracking
    /// other than zero. Only then does each voice need its own filter.
    /// Values are read as the engine uses them: clamped into range, NaN
    /// as the default (zero), so an out-of-range value in a file and its
    /// clamped copy agree.
    pub fn is_active(&self) -> bool {
        let used = |spec: &ParamSpec, v: f32| if v.is_nan() { spec.default } else { spec.clamp(v) };
        used(&ENV_AMOUNT, self.amount) != 0.0 || used(&KEY_TRACK, self.key_track) != 0.0
    }

    /// The value of one of [`FILTER_ENV_PARAMS`] by id.
    pub fn get(&self, id: &str) -> Option<f32> {
        let mut copy = *self;
        copy.get_mut(id).map(|v| *v)
    }

    /// The storage of one of [`FILTER_ENV_PARAMS`] by id.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut f32> {
        match id {
            "env_amount" => Some(&mut self.amount),
            "env_attack" => Some(&mut self.attack),
            "env_decay" => Some(&mut self.decay),
            "env_sustain" => Some(&mut self.sustain),
            "env_release" => Some(&mut self.release),
            "key_track" => Some(&mut self.key_track),
            _ => None,
        }
    }

    /// Every value with the per-voice filter's control name, in
    /// [`FILTER_ENV_PARAMS`] order.
    pub fn controls(&self) -> [(&'static str, f32); 6] {
        [
            ("fenv_amount", self.amount),
            ("fenv_attack", self.attack),
            ("fenv_decay", self.decay),
            ("fenv_sustain", self.sustain),
            ("fenv_release", self.release),
            ("key_track", self.key_track),
        ]
    }
}

/// The spec of an envelope or key tracking parameter by id.
pub fn env_param(id: &str) -> Option<&'static ParamSpec> {
    find_param(&FILTER_ENV_PARAMS, id)
}

/// The per-voice filter's control name for an envelope parameter id
/// (`env_amount` is `fenv_amount`: the voices group also holds the voices,
/// whose amplitude envelope owns `attack`, `decay`, ...).
pub fn env_control(id: &str) -> Option<&'static str> {
    match id {
        "env_amount" => Some("fenv_amount"),
        "env_attack" => Some("fenv_attack"),
        "env_decay" => Some("fenv_decay"),
        "env_sustain" => Some("fenv_sustain"),
        "env_release" => Some("fenv_release"),
        "key_track" => Some("key_track"),
        _ => None,
    }
}

/// The per-voice filter's control name for a catalog filter parameter id:
/// `f_` + id, so a `/n_set` on the voices group never reaches a source's
/// own `cutoff` or `resonance`.
pub fn voice_filter_control(id: &str) -> Option<&'static str> {
    match id {
        "cutoff" => Some("f_cutoff"),
        "resonance" => Some("f_resonance"),
        "drive" => Some("f_drive"),
        "morph" => Some("f_morph"),
        "mix" => Some("f_mix"),
        "vowel" => Some("f_vowel"),
        "shift" => Some("f_shift"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FilterKind;

    #[test]
    fn env_ids_never_collide_with_filter_parameters_and_every_filter_parameter_has_a_voice_control() {
        for kind in FilterKind::ALL {
            for spec in kind.params() {
                assert!(env_param(spec.id).is_none(), "{} of {} collides", spec.id, kind.id());
                assert!(voice_filter_control(spec.id).is_some(), "{} of {} has no voice control", spec.id, kind.id());
            }
        }
        let mut env = FilterEnvDef::default();
        for spec in FILTER_ENV_PARAMS {
            assert_eq!(env.get(spec.id), Some(spec.default));
            assert!(env_control(spec.id).is_some());
            *env.get_mut(spec.id).unwrap() = spec.max;
            assert_eq!(env.get(spec.id), Some(spec.max));
        }
        assert!(!FilterEnvDef::default().is_active());
    }
}
