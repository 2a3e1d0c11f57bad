//! What an instrument *is*: source, filter, effect chain, LFO, envelope and
//! voice settings. Changing any of this may change the instrument's nodes on
//! the server; changing [`crate::MixerSettings`] never does.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::audio_input::AudioInputDef;
use crate::catalog::{EffectKind, FilterKind, ParamSpec, SourceKind};
use crate::custom::CustomSource;
use crate::drums::DrumKit;
use crate::filter_env::FilterEnvDef;
use crate::ids::{EffectId, InstrumentId};
use crate::mixer::MixerSettings;
use crate::sync::NoteDivision;

/// Parameter values by stable parameter id. Ordered so equal maps serialise
/// identically.
pub type Params = BTreeMap<String, f32>;

/// Default values of a list of parameter specs.
pub fn default_params(specs: &[ParamSpec]) -> Params {
    specs.iter().map(|s| (s.id.to_owned(), s.default)).collect()
}

/// An instrument of the project: its stable id, its name, its definition and
/// its mixer settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instrument {
    pub id: InstrumentId,
    pub name: String,
    pub def: InstrumentDef,
    #[serde(default)]
    pub mixer: MixerSettings,
}

/// The definition of an instrument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstrumentDef {
    pub source: SourceDef,
    #[serde(default)]
    pub filter: Option<FilterDef>,
    #[serde(default)]
    pub effects: Vec<EffectSlot>,
    #[serde(default)]
    pub lfo: LfoDef,
    #[serde(default)]
    pub amp_env: EnvelopeDef,
    #[serde(default)]
    pub voice: VoiceSettings,
    /// Set for a drum kit: its pads replace the source (see [`crate::drums`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drums: Option<DrumKit>,
    /// Set for an audio input instrument: it plays this input through its
    /// chain and plays no notes (the source is unused while it is set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<AudioInputDef>,
    /// Set for a sampler: its zones replace the source (see
    /// [`crate::sampler`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampler: Option<crate::sampler::SamplerDef>,
    /// An audio track: its clips hold audio (see [`crate::audio_clip`]);
    /// it plays no notes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub audio_track: bool,
    /// Set while the instrument is frozen: it plays this audio clip (its
    /// own chain rendered in place) instead of synthesising; its notes,
    /// filter, effects and LFO are kept for when it is unfrozen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frozen: Option<crate::ids::ClipId>,
    /// What an audio track records (`C-t` with it selected); inputs 1-2
    /// unless chosen.
    #[serde(default, skip_serializing_if = "crate::audio_clip::TrackInput::is_default")]
    pub record_input: crate::audio_clip::TrackInput,
    /// Key, scale and tuning of this instrument instead of the project's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pitch: Option<crate::tuning::PitchSettings>,
    /// Arpeggiator and groove applied to its notes.
    #[serde(default, skip_serializing_if = "crate::transform::NoteTransforms::is_empty")]
    pub transforms: crate::transform::NoteTransforms,
    /// Set for a layer: it plays its lead's notes (see [`crate::layer`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<crate::layer::LayerLink>,
}

impl InstrumentDef {
    /// A definition with `kind`'s default parameters and envelope and
    /// nothing else.
    pub fn new(kind: SourceKind) -> Self {
        InstrumentDef {
            source: SourceDef::new(kind),
            filter: None,
            effects: Vec::new(),
            lfo: LfoDef::default(),
            amp_env: kind.spec().envelope,
            voice: VoiceSettings::default(),
            drums: None,
            input: None,
            sampler: None,
            audio_track: false,
            frozen: None,
            record_input: crate::audio_clip::TrackInput::default(),
            pitch: None,
            transforms: crate::transform::NoteTransforms::default(),
            layer: None,
        }
    }

    /// A drum kit with the default pads (the source is unused while the
    /// kit is set).
    pub fn drum_kit() -> Self {
        InstrumentDef { drums: Some(DrumKit::default()), ..InstrumentDef::new(SourceKind::SINE) }
    }

    /// An audio input instrument reading `input` (the source is unused).
    pub fn audio_input(input: AudioInputDef) -> Self {
        InstrumentDef { input: Some(input), ..InstrumentDef::new(SourceKind::SINE) }
    }

    /// An audio track (the source is unused); the envelope holds full
    /// level, clips bring their own fades.
    pub fn audio_track() -> Self {
        let mut def = InstrumentDef::new(SourceKind::SINE);
        def.amp_env = EnvelopeDef { attack: 0.0, decay: 0.0, sustain: 1.0, release: 0.005 };
        def.audio_track = true;
        def
    }

    /// A sampler with `zones` (the source is unused while the sampler is
    /// set); the envelope holds full level so a zone plays as recorded.
    pub fn sampler(zones: Vec<crate::sampler::SamplerZone>) -> Self {
        let mut def = InstrumentDef::new(SourceKind::SINE);
        def.amp_env = EnvelopeDef { attack: 0.0, decay: 0.0, sustain: 1.0, release: 0.05 };
        def.sampler = Some(crate::sampler::SamplerDef { zones });
        def
    }

    /// What the engine plays for this definition: a frozen instrument is
    /// an audio track with no filter, effects or LFO (its frozen clip
    /// holds their sound).
    pub fn playable(&self) -> std::borrow::Cow<'_, InstrumentDef> {
        if self.frozen.is_none() {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut def = self.clone();
        def.filter = None;
        def.effects.clear();
        def.lfo.enabled = false;
        def.audio_track = true;
        def.amp_env = EnvelopeDef { attack: 0.0, decay: 0.0, sustain: 1.0, release: 0.005 };
        std::borrow::Cow::Owned(def)
    }

    /// The effect slot with this id, if it is in this chain.
    pub fn effect(&self, id: EffectId) -> Option<&EffectSlot> {
        self.effects.iter().find(|e| e.id == id)
    }
}

/// The sound source and its per-voice parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceDef {
    /// The catalog source (unused while `custom` is set).
    pub kind: SourceKind,
    pub params: Params,
    /// A user's own SynthDef playing instead of the catalog source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom: Option<Box<CustomSource>>,
}

impl SourceDef {
    pub fn new(kind: SourceKind) -> Self {
        SourceDef { kind, params: default_params(kind.params()), custom: None }
    }

    /// A user's SynthDef with its parameters at their defaults.
    pub fn custom(def: CustomSource) -> Self {
        let params = def.params.iter().map(|p| (p.id.clone(), p.default)).collect();
        SourceDef { kind: SourceKind::SINE, params, custom: Some(Box::new(def)) }
    }

    /// The name shown for it.
    pub fn label(&self) -> &str {
        self.custom.as_ref().map_or(self.kind.name(), |c| c.name.as_str())
    }
}

/// The filter slot. A disabled filter keeps its settings and is bypassed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilterDef {
    pub kind: FilterKind,
    pub params: Params,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Filter envelope and key tracking, applied per voice while active.
    #[serde(default, skip_serializing_if = "FilterEnvDef::is_default")]
    pub env: FilterEnvDef,
}

impl FilterDef {
    pub fn new(kind: FilterKind) -> Self {
        FilterDef { kind, params: default_params(kind.params()), enabled: true, env: FilterEnvDef::default() }
    }

    /// The spec of a parameter of this filter: one of its kind's, or an
    /// envelope / key tracking one.
    pub fn spec(&self, id: &str) -> Option<&'static ParamSpec> {
        crate::catalog::find_param(self.kind.params(), id).or_else(|| crate::filter_env::env_param(id))
    }

    /// The value of a parameter, as [`FilterDef::spec`] resolves it.
    pub fn value(&self, id: &str) -> Option<f32> {
        self.params.get(id).copied().or_else(|| self.env.get(id))
    }

    /// The storage of a parameter, as [`FilterDef::spec`] resolves it.
    pub fn value_mut(&mut self, id: &str) -> Option<&mut f32> {
        match self.params.get_mut(id) {
            Some(v) => Some(v),
            None => self.env.get_mut(id),
        }
    }

    /// Whether each voice gets its own filter: enabled, with an envelope
    /// amount or key tracking.
    pub fn per_voice(&self) -> bool {
        self.enabled && self.env.is_active()
    }
}

/// One effect in a chain, addressed by its stable id wherever it moves.
/// A disabled effect keeps its id and params; the engine bypasses it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectSlot {
    pub id: EffectId,
    pub kind: EffectKind,
    /// Free values; a synced parameter keeps its free value here (used
    /// again when sync is turned off) while the server gets the synced one.
    pub params: Params,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Parameters following the tempo, by parameter id, with the note
    /// division each follows. Only parameters the catalog marks as
    /// syncable appear (files written before tempo sync have none).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sync: BTreeMap<String, NoteDivision>,
    /// The chain whose signal keys this effect (sidechain compressor,
    /// vocoder: see [`crate::catalog::mix::takes_key`]); `None` keys it
    /// with its own signal. Used only while the key runs earlier in the
    /// block than this chain (see docs/architecture.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<crate::ChainOwner>,
    /// The impulse response of a convolution effect: a sample in the
    /// project's store (`None`: the effect's short built-in IR). Other
    /// effects ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ir: Option<crate::SampleRef>,
}

impl EffectSlot {
    pub fn new(id: EffectId, kind: EffectKind) -> Self {
        EffectSlot {
            id,
            kind,
            params: default_params(kind.params()),
            enabled: true,
            sync: BTreeMap::new(),
            key: None,
            ir: None,
        }
    }

    /// The value the server gets for `spec` at `bpm`: the division's value
    /// when the parameter is synced, else the free value (default when
    /// missing). Not clamped.
    pub fn effective(&self, spec: &ParamSpec, bpm: f32) -> f32 {
        match (spec.sync, self.sync.get(spec.id)) {
            (Some(unit), Some(d)) => d.value(unit, bpm),
            _ => self.params.get(spec.id).copied().unwrap_or(spec.default),
        }
    }
}

fn yes() -> bool {
    true
}

/// Wave shape of the LFO (matches the `shape` control of `imbolc_lfo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum LfoShape {
    #[default]
    Sine,
    Triangle,
    Saw,
    Square,
}

impl LfoShape {
    /// Value of the SynthDef's `shape` control.
    pub fn control_value(self) -> f32 {
        match self {
            LfoShape::Sine => 0.0,
            LfoShape::Triangle => 1.0,
            LfoShape::Saw => 2.0,
            LfoShape::Square => 3.0,
        }
    }
}

/// A control-rate LFO modulating one source or filter parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LfoDef {
    pub enabled: bool,
    pub rate: f32,
    pub depth: f32,
    pub shape: LfoShape,
    /// Parameter id of the filter it modulates (e.g. "cutoff").
    pub target: Option<String>,
}

impl Default for LfoDef {
    fn default() -> Self {
        LfoDef { enabled: false, rate: 1.0, depth: 0.0, shape: LfoShape::Sine, target: None }
    }
}

/// ADSR amplitude envelope of every voice, in seconds (sustain is a level).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EnvelopeDef {
    pub attack: f32,
    pub decay: f32,
    pub sustain: f32,
    pub release: f32,
}

impl Default for EnvelopeDef {
    fn default() -> Self {
        EnvelopeDef { attack: 0.01, decay: 0.2, sustain: 0.7, release: 0.3 }
    }
}

/// Which voice to take when the polyphony limit is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum StealStrategy {
    #[default]
    Oldest,
    Quietest,
    SameNote,
}

/// How voices are allocated for this instrument, and how they follow a
/// performer.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct VoiceSettings {
    /// Maximum sounding voices (1..=256).
    pub polyphony: u16,
    pub mono: bool,
    pub legato: bool,
    pub steal: StealStrategy,
    /// Semitones a full pitch-bend throw moves every voice, either way
    /// (within [`BEND_RANGE_MAX`]).
    pub bend_range: f32,
    /// Seconds a voice slides to a new note in mono and legato modes
    /// (within [`GLIDE_MAX`]).
    pub glide: f32,
}

/// Largest pitch-bend range, semitones.
pub const BEND_RANGE_MAX: f32 = 24.0;
/// Longest glide, seconds.
pub const GLIDE_MAX: f32 = 10.0;

impl VoiceSettings {
    /// Whether the bend range and glide are finite and in range (dispatch
    /// refuses anything else).
    pub fn is_valid(&self) -> bool {
        (1..=256).contains(&self.polyphony)
            && (0.0..=BEND_RANGE_MAX).contains(&self.bend_range)
            && (0.0..=GLIDE_MAX).contains(&self.glide)
    }
}

impl Default for VoiceSettings {
    fn default() -> Self {
        VoiceSettings {
            polyphony: 32,
            mono: false,
            legato: false,
            steal: StealStrategy::Oldest,
            bend_range: 2.0,
            glide: 0.0,
        }
    }
}
