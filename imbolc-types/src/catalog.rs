//! The one catalog of sound sources, filters and effects: their stable
//! parameter ids, defaults, ranges and the SynthDef that plays them.
//!
//! Parameter ids are persisted, automated and MIDI-mapped, so they never
//! change once released. A test in `imbolc-audio` checks every id here is a
//! control of the compiled `.scsyndef` it names.

use serde::{Deserialize, Serialize};

/// Description of one parameter: what the UI shows and what the server gets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    /// Stable id; also the SynthDef control name.
    pub id: &'static str,
    /// Label for the UI.
    pub label: &'static str,
    pub default: f32,
    pub min: f32,
    pub max: f32,
    /// Unit shown after the value ("Hz", "s", "" for a plain number).
    pub unit: &'static str,
}

impl ParamSpec {
    /// Clamps `value` into this parameter's range.
    pub fn clamp(&self, value: f32) -> f32 {
        value.clamp(self.min, self.max)
    }
}

const fn p(id: &'static str, label: &'static str, default: f32, min: f32, max: f32, unit: &'static str) -> ParamSpec {
    ParamSpec { id, label, default, min, max, unit }
}

/// Controls every voice SynthDef has besides its own parameters; the
/// envelope stages are set from [`crate::EnvelopeDef`].
pub const VOICE_CONTROLS: [&str; 9] = ["out", "freq", "amp", "vel", "gate", "attack", "decay", "sustain", "release"];

/// What makes the sound of an instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SourceKind {
    Saw,
    Sine,
    Square,
}

impl SourceKind {
    /// Every source kind, in picker order.
    pub const ALL: [SourceKind; 3] = [SourceKind::Saw, SourceKind::Sine, SourceKind::Square];

    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Saw => "saw",
            SourceKind::Sine => "sine",
            SourceKind::Square => "square",
        }
    }

    pub fn synthdef(self) -> &'static str {
        match self {
            SourceKind::Saw => "imbolc_saw",
            SourceKind::Sine => "imbolc_sine",
            SourceKind::Square => "imbolc_square",
        }
    }

    /// The source's own parameters (per voice), besides amp and envelope.
    pub fn params(self) -> &'static [ParamSpec] {
        const SAW: [ParamSpec; 2] = [p("amp", "Amp", 0.3, 0.0, 1.0, ""), p("detune", "Detune", 0.1, 0.0, 1.0, "")];
        const SINE: [ParamSpec; 1] = [p("amp", "Amp", 0.3, 0.0, 1.0, "")];
        const SQUARE: [ParamSpec; 2] = [p("amp", "Amp", 0.3, 0.0, 1.0, ""), p("width", "Width", 0.5, 0.05, 0.95, "")];
        match self {
            SourceKind::Saw => &SAW,
            SourceKind::Sine => &SINE,
            SourceKind::Square => &SQUARE,
        }
    }
}

/// The instrument's filter slot (an in-place processor after the voices).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FilterKind {
    LowPass,
}

impl FilterKind {
    pub const ALL: [FilterKind; 1] = [FilterKind::LowPass];

    pub fn name(self) -> &'static str {
        match self {
            FilterKind::LowPass => "low-pass",
        }
    }

    pub fn synthdef(self) -> &'static str {
        match self {
            FilterKind::LowPass => "imbolc_lpf",
        }
    }

    pub fn params(self) -> &'static [ParamSpec] {
        const LPF: [ParamSpec; 2] =
            [p("cutoff", "Cutoff", 2000.0, 20.0, 20000.0, "Hz"), p("resonance", "Resonance", 0.2, 0.0, 1.0, "")];
        match self {
            FilterKind::LowPass => &LPF,
        }
    }
}

/// An in-place effect in a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EffectKind {
    Delay,
    Reverb,
    LowPass,
}

impl EffectKind {
    pub const ALL: [EffectKind; 3] = [EffectKind::Delay, EffectKind::Reverb, EffectKind::LowPass];

    pub fn name(self) -> &'static str {
        match self {
            EffectKind::Delay => "delay",
            EffectKind::Reverb => "reverb",
            EffectKind::LowPass => "low-pass",
        }
    }

    pub fn synthdef(self) -> &'static str {
        match self {
            EffectKind::Delay => "imbolc_delay",
            EffectKind::Reverb => "imbolc_reverb",
            EffectKind::LowPass => "imbolc_lpf",
        }
    }

    pub fn params(self) -> &'static [ParamSpec] {
        const DELAY: [ParamSpec; 3] = [
            p("time", "Time", 0.3, 0.001, 2.0, "s"),
            p("feedback", "Feedback", 0.4, 0.0, 0.95, ""),
            p("mix", "Mix", 0.3, 0.0, 1.0, ""),
        ];
        const REVERB: [ParamSpec; 3] = [
            p("mix", "Mix", 0.33, 0.0, 1.0, ""),
            p("room", "Room", 0.6, 0.0, 1.0, ""),
            p("damp", "Damp", 0.5, 0.0, 1.0, ""),
        ];
        match self {
            EffectKind::Delay => &DELAY,
            EffectKind::Reverb => &REVERB,
            EffectKind::LowPass => FilterKind::LowPass.params(),
        }
    }
}

/// Looks up a parameter by id in a list of specs.
pub fn find_param(specs: &'static [ParamSpec], id: &str) -> Option<&'static ParamSpec> {
    specs.iter().find(|s| s.id == id)
}

/// SynthDef of the instrument and bus channel strip (in, out, level, pan,
/// mute, id, send0bus..send3bus, send0..send3).
pub const STRIP_SYNTHDEF: &str = "imbolc_strip";
/// SynthDef of the master strip (in, out, level, mute, id).
pub const MASTER_SYNTHDEF: &str = "imbolc_master";
/// SynthDef of the control-rate LFO (out, rate, depth, center, shape).
pub const LFO_SYNTHDEF: &str = "imbolc_lfo";
/// How many sends a strip carries.
pub const MAX_SENDS: usize = 4;
