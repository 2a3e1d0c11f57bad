//! [`AudioDiff`]: the facts, in the past tense, that the audio thread applies
//! to its own copy of the project and to the server. Each diff carries only
//! what changed; its size never grows with the project.

use serde::{Deserialize, Serialize};

use crate::arrangement::Placement;
use crate::audio_input::AudioInputDef;
use crate::automation::AutomationLane;
use crate::curve::Curve;
use crate::drums::{DrumPad, StepDelta, StepResolution};
use crate::ids::{BusId, ClipId, EffectId, InstrumentId, LaneId, PlacementId};
use crate::instrument::{EffectSlot, FilterDef, Instrument, LfoDef, SourceDef, VoiceSettings};
use crate::mixer::{Bus, MasterSettings, MixerSettings, OutputTarget};
use crate::notes::{Clip, NoteDelta, Tick};
use crate::param::ParamTarget;
use crate::project::TimeSignature;
use crate::sampler::SamplerZone;
use crate::sync::NoteDivision;

/// Whose effect chain an effect is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChainOwner {
    Instrument(InstrumentId),
    Bus(BusId),
    Master,
}

/// Everything the audio thread needs to build the graph from nothing: sent
/// when a project is opened and used to rebuild after a server restart.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AudioScene {
    /// Instruments in display (and server execution) order.
    pub instruments: Vec<Instrument>,
    /// Aux buses in order.
    pub buses: Vec<Bus>,
    pub master: MasterSettings,
    pub master_effects: Vec<EffectSlot>,
    /// Beats per minute.
    #[serde(default)]
    pub tempo: f32,
    #[serde(default)]
    pub time_signature: TimeSignature,
    /// Clips by id order, with their notes (for the scheduler).
    #[serde(default)]
    pub clips: Vec<Clip>,
    #[serde(default)]
    pub placements: Vec<Placement>,
    #[serde(default)]
    pub automation: Vec<AutomationLane>,
    /// The project's key, scale and tuning.
    #[serde(default)]
    pub pitch: crate::tuning::PitchSettings,
}

/// The definition and mixer state of a new instrument.
pub type InstrumentSnapshot = Instrument;

/// One change to what the audio thread must play.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AudioDiff {
    /// Replace everything (open project); the only whole-state diff.
    SceneLoaded(Box<AudioScene>),
    /// A new instrument, placed after `after` (first when `None`).
    InstrumentAdded {
        instrument: Box<InstrumentSnapshot>,
        after: Option<InstrumentId>,
    },
    InstrumentRemoved {
        instrument: InstrumentId,
    },
    /// The instrument now comes after `after` (first when `None`).
    InstrumentMoved {
        instrument: InstrumentId,
        after: Option<InstrumentId>,
    },
    SourceChanged {
        instrument: InstrumentId,
        source: SourceDef,
    },
    FilterChanged {
        instrument: InstrumentId,
        filter: Option<FilterDef>,
    },
    /// A new effect placed after `after` in its chain (first when `None`).
    EffectAdded {
        owner: ChainOwner,
        effect: EffectSlot,
        after: Option<EffectId>,
    },
    EffectRemoved {
        owner: ChainOwner,
        effect: EffectId,
    },
    EffectMoved {
        owner: ChainOwner,
        effect: EffectId,
        after: Option<EffectId>,
    },
    EffectToggled {
        owner: ChainOwner,
        effect: EffectId,
        enabled: bool,
    },
    /// A parameter of an effect now follows the tempo as `division`, or
    /// its free value again (`None`).
    EffectSyncChanged {
        owner: ChainOwner,
        effect: EffectId,
        param: String,
        division: Option<NoteDivision>,
    },
    /// The effect's key (sidechain) is now `key` (`None`: its own chain).
    EffectKeySet {
        owner: ChainOwner,
        effect: EffectId,
        key: Option<ChainOwner>,
    },
    /// The impulse response of a convolution effect is now `ir` (`None`:
    /// its built-in one).
    EffectIrSet {
        owner: ChainOwner,
        effect: EffectId,
        ir: Option<crate::SampleRef>,
    },
    ParamSet {
        target: ParamTarget,
        value: f32,
    },
    LfoChanged {
        instrument: InstrumentId,
        lfo: LfoDef,
    },
    VoiceSettingsChanged {
        instrument: InstrumentId,
        voice: VoiceSettings,
    },
    /// An audio input instrument's source, gain or monitoring changed.
    AudioInputChanged {
        instrument: InstrumentId,
        input: AudioInputDef,
    },
    /// Level, pan, mute, solo, output and sends of an instrument strip.
    MixerSet {
        instrument: InstrumentId,
        mixer: MixerSettings,
    },
    SendSet {
        instrument: InstrumentId,
        bus: BusId,
        level: f32,
    },
    OutputChanged {
        instrument: InstrumentId,
        output: OutputTarget,
    },
    BusAdded {
        bus: Box<Bus>,
        after: Option<BusId>,
    },
    BusRemoved {
        bus: BusId,
    },
    BusMixerSet {
        bus: BusId,
        mixer: MixerSettings,
    },
    MasterSet(MasterSettings),
    TimeSignatureChanged(TimeSignature),
    /// The key, scale and tuning of the project (`instrument: None`) or of
    /// one instrument (`pitch: None`: it follows the project again).
    PitchChanged {
        instrument: Option<InstrumentId>,
        pitch: Option<crate::tuning::PitchSettings>,
    },
    /// An instrument's arpeggiator and groove.
    TransformsChanged {
        instrument: InstrumentId,
        transforms: crate::transform::NoteTransforms,
    },
    /// An instrument became, changed or stopped being a layer.
    LayerChanged {
        instrument: InstrumentId,
        layer: Option<crate::layer::LayerLink>,
    },
    /// Notes of a clip were added, changed or removed.
    NotesChanged {
        clip: ClipId,
        delta: NoteDelta,
    },
    ClipAdded {
        clip: Box<Clip>,
    },
    ClipRemoved {
        clip: ClipId,
    },
    /// The audio of an audio clip changed (offset, gain, fades or sample).
    AudioRegionChanged {
        clip: ClipId,
        region: Box<crate::audio_clip::AudioRegion>,
    },
    /// Length or looping of a clip changed (notes are unchanged).
    ClipChanged {
        clip: ClipId,
        length: Tick,
        looping: bool,
    },
    PlacementAdded {
        placement: Placement,
    },
    PlacementRemoved {
        placement: PlacementId,
    },
    /// A placement's start or length changed.
    PlacementChanged {
        placement: Placement,
    },
    AutomationLaneAdded {
        lane: Box<AutomationLane>,
    },
    AutomationLaneRemoved {
        lane: LaneId,
    },
    /// The lane's target or enabled flag changed (points are unchanged).
    AutomationLaneChanged {
        lane: LaneId,
        target: ParamTarget,
        enabled: bool,
    },
    /// The point at `tick` now has `value` (`None`: it was removed).
    AutomationPointSet {
        lane: LaneId,
        tick: Tick,
        value: Option<f32>,
    },
    /// The segment starting at the point at `tick` now has `curve`.
    AutomationCurveSet {
        lane: LaneId,
        tick: Tick,
        curve: Curve,
    },
    /// Steps of a drum pattern were set or cleared.
    DrumStepsChanged {
        clip: ClipId,
        delta: StepDelta,
    },
    /// Step count, resolution or swing of a drum pattern changed (a
    /// `ClipChanged` with the new length comes with it).
    DrumPatternChanged {
        clip: ClipId,
        steps: u8,
        resolution: StepResolution,
        swing: f32,
    },
    /// A zone was inserted at `index` of a sampler.
    SamplerZoneAdded {
        instrument: InstrumentId,
        index: usize,
        zone: SamplerZone,
    },
    /// Zone `index` of a sampler was replaced.
    SamplerZoneChanged {
        instrument: InstrumentId,
        index: usize,
        zone: SamplerZone,
    },
    /// Zone `index` of a sampler was removed.
    SamplerZoneRemoved {
        instrument: InstrumentId,
        index: usize,
    },
    /// One pad of a drum kit changed (sound, level or tune).
    DrumPadChanged {
        instrument: InstrumentId,
        pad: u8,
        def: DrumPad,
    },
}
