//! [`Action`]: every change a user (or MIDI, or undo) can ask of a project,
//! as an intent in the imperative. `imbolc_core::dispatch` applies one and
//! returns the [`crate::AudioDiff`]s and the inverse.
//!
//! Most actions are their own inverse's shape (`SetMute` undoes `SetMute`).
//! Removals are undone by a `Restore*` action carrying exactly what was
//! removed, including what depended on it (clips of a removed instrument,
//! automation lanes of a removed effect), so undo never needs a snapshot of
//! the project. The one exception is restoring a named checkpoint: it
//! replaces the whole project by design, and its inverse is the project
//! from before.

use serde::{Deserialize, Serialize};

use crate::arrangement::Placement;
use crate::audio_input::AudioInputDef;
use crate::automation::AutomationLane;
use crate::catalog::{EffectKind, SourceKind};
use crate::curve::Curve;
use crate::diff::ChainOwner;
use crate::drums::{DrumPad, DrumStep, StepKey, StepResolution};
use crate::ids::{BusId, ClipId, EffectId, InstrumentId, LaneId, NoteId, PlacementId};
use crate::instrument::{FilterDef, LfoDef, SourceDef, VoiceSettings};
use crate::midi::MidiMapping;
use crate::mixer::OutputTarget;
use crate::notes::{Note, Tick};
use crate::param::ParamTarget;
use crate::project::TimeSignature;
use crate::sampler::SamplerZone;
use crate::sync::NoteDivision;

pub use crate::action_removed::{Dependents, RemovedBus, RemovedClip, RemovedEffect, RemovedInstrument};

/// One change to a project. Ids in an action must exist; values must be in
/// range; otherwise dispatch returns an error and changes nothing.
///
/// Each variant's name (`strum`) lets a test check that every kind of edit
/// a musician is meant to make is reachable from a key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames)]
pub enum Action {
    // --- project ---
    RenameProject {
        name: String,
    },
    /// Sets the project's artist (the tag rendered files carry).
    SetArtist {
        artist: String,
    },
    SetTimeSignature(TimeSignature),
    /// Replaces the whole project with a named checkpoint's state (id
    /// counters only grow); its inverse is the project from before.
    RestoreCheckpoint(Box<crate::project::Project>),
    /// Key, scale and tuning of the project (`instrument: None`, `pitch`
    /// required) or of one instrument (`pitch: None`: follow the project).
    SetPitch {
        instrument: Option<InstrumentId>,
        pitch: Option<crate::tuning::PitchSettings>,
    },
    /// An instrument's arpeggiator and groove.
    SetTransforms {
        instrument: InstrumentId,
        transforms: crate::transform::NoteTransforms,
    },
    /// Links an instrument as a layer of another (`layer: Some`), changes
    /// its offset and velocity scale, or unlinks it (`None`).
    SetLayer {
        instrument: InstrumentId,
        layer: Option<crate::layer::LayerLink>,
    },
    /// Where performance takes are written (`None`: `takes/` beside the
    /// project file).
    SetTakeFolder {
        folder: Option<String>,
    },
    /// Bars of count-in (0..=2) before a take onto an audio track.
    SetCountIn {
        bars: u8,
    },

    // --- clip launcher ---
    /// Puts one of the instrument's clips into a launcher slot (`None`:
    /// empties it).
    SetLauncherSlot {
        instrument: InstrumentId,
        scene: u16,
        clip: Option<ClipId>,
    },
    /// Where launches take effect (the next boundary of this grid).
    SetLaunchQuantize(crate::launcher::LaunchQuantize),
    /// The seed of the launcher's follow-action choices.
    SetLauncherSeed {
        seed: u64,
    },
    /// A pad of a controller (a note or CC on a channel) launches or stops
    /// `target` (`None`: the pad is forgotten). Made by MIDI learn.
    SetPadMapping {
        channel: u8,
        control: crate::pads::PadControl,
        target: Option<crate::pads::PadTarget>,
    },
    /// A clip's own launch quantization (`None`: the project's).
    SetClipLaunchQuantize {
        clip: ClipId,
        quantize: Option<crate::launcher::LaunchQuantize>,
    },
    /// A clip's follow action in the launcher (`None`: it loops on).
    SetFollowAction {
        clip: ClipId,
        follow: Option<crate::launcher::FollowAction>,
    },

    // --- instruments ---
    /// Appends a new instrument with `source`'s defaults.
    AddInstrument {
        source: SourceKind,
        name: String,
    },
    /// Appends a new instrument playing a user's own SynthDef.
    AddCustomInstrument {
        source: Box<crate::custom::CustomSource>,
        name: String,
    },
    /// Removes the instrument, its clips and placements, and the automation
    /// lanes and MIDI mappings that target it.
    RemoveInstrument {
        instrument: InstrumentId,
    },
    RestoreInstrument(Box<RemovedInstrument>),
    RenameInstrument {
        instrument: InstrumentId,
        name: String,
    },
    /// Copies definition and mixer (new instrument and effect ids), placed
    /// right after the original. Clips are not copied.
    DuplicateInstrument {
        instrument: InstrumentId,
    },
    /// Moves the instrument to `index` in the instrument order.
    MoveInstrument {
        instrument: InstrumentId,
        index: usize,
    },
    /// Replaces the source (kind and parameters).
    SetSource {
        instrument: InstrumentId,
        source: SourceDef,
    },
    /// Sets or clears the filter slot.
    SetFilter {
        instrument: InstrumentId,
        filter: Option<FilterDef>,
    },
    SetFilterEnabled {
        instrument: InstrumentId,
        enabled: bool,
    },
    SetLfo {
        instrument: InstrumentId,
        lfo: LfoDef,
    },
    SetVoiceSettings {
        instrument: InstrumentId,
        voice: VoiceSettings,
    },
    /// Appends an audio input instrument (stereo hardware inputs 1-2,
    /// 0 dB, monitoring on).
    AddAudioInput {
        name: String,
    },
    /// Replaces an audio input instrument's source, gain and monitoring.
    SetAudioInput {
        instrument: InstrumentId,
        input: AudioInputDef,
    },

    // --- parameters (source, envelope, filter, effect, LFO, mixer level/pan/send, master, tempo) ---
    SetParam {
        target: ParamTarget,
        value: f32,
    },

    // --- effects, in any chain ---
    /// Adds an effect with default parameters at `index` (end when `None`).
    AddEffect {
        owner: ChainOwner,
        kind: EffectKind,
        index: Option<usize>,
    },
    /// Removes the effect and the automation lanes and mappings targeting it.
    RemoveEffect {
        owner: ChainOwner,
        effect: EffectId,
    },
    RestoreEffect(Box<RemovedEffect>),
    MoveEffect {
        owner: ChainOwner,
        effect: EffectId,
        index: usize,
    },
    /// Bypass (`false`) or enable an effect; it keeps its id and params.
    SetEffectEnabled {
        owner: ChainOwner,
        effect: EffectId,
        enabled: bool,
    },
    /// Makes a parameter the catalog marks as syncable follow the tempo as
    /// `division`, or go back to its free value (`None`).
    SetEffectSync {
        owner: ChainOwner,
        effect: EffectId,
        param: String,
        division: Option<NoteDivision>,
    },
    /// Keys a sidechain effect with another chain's signal (`None`: its
    /// own). May move the consumer after its key (see docs/architecture.md).
    SetEffectKey {
        owner: ChainOwner,
        effect: EffectId,
        key: Option<ChainOwner>,
    },
    /// Sets the impulse response of a convolution effect to a sample in
    /// the store (`None`: its built-in one). Build it with
    /// `imbolc_core::effects::ir_action`, which imports the file first.
    SetEffectIr {
        owner: ChainOwner,
        effect: EffectId,
        ir: Option<crate::SampleRef>,
    },

    // --- instrument mixer ---
    SetMute {
        instrument: InstrumentId,
        mute: bool,
    },
    SetSolo {
        instrument: InstrumentId,
        solo: bool,
    },
    SetOutput {
        instrument: InstrumentId,
        output: OutputTarget,
    },
    /// Adds a send to `bus` at the end of the instrument's sends.
    AddSend {
        instrument: InstrumentId,
        bus: BusId,
        level: f32,
    },
    RemoveSend {
        instrument: InstrumentId,
        bus: BusId,
    },
    /// Puts a send back at `index` (the inverse of `RemoveSend`).
    RestoreSend {
        instrument: InstrumentId,
        index: usize,
        bus: BusId,
        level: f32,
    },

    // --- buses and master ---
    AddBus {
        name: String,
    },
    /// Removes the bus; strips writing to it go to master, sends to it go.
    RemoveBus {
        bus: BusId,
    },
    RestoreBus(Box<RemovedBus>),
    RenameBus {
        bus: BusId,
        name: String,
    },
    SetBusMute {
        bus: BusId,
        mute: bool,
    },
    SetMasterMute {
        mute: bool,
    },
    /// Turns the master limiter on or off.
    SetMasterLimiter {
        on: bool,
    },

    // --- clips and arrangement ---
    AddClip {
        instrument: InstrumentId,
        name: String,
        length: Tick,
    },
    /// Removes the clip and its placements.
    RemoveClip {
        clip: ClipId,
    },
    RestoreClip(Box<RemovedClip>),
    /// A new clip with the same content (notes, drum steps or audio) and
    /// length, named after it: a variation such as a fill starts as a copy.
    /// Not placed.
    DuplicateClip {
        clip: ClipId,
    },
    RenameClip {
        clip: ClipId,
        name: String,
    },
    SetClipLength {
        clip: ClipId,
        length: Tick,
    },
    SetClipLooping {
        clip: ClipId,
        looping: bool,
    },
    AddPlacement {
        clip: ClipId,
        start: Tick,
        length: Tick,
    },
    RemovePlacement {
        placement: PlacementId,
    },
    RestorePlacement(Placement),
    MovePlacement {
        placement: PlacementId,
        start: Tick,
    },
    ResizePlacement {
        placement: PlacementId,
        length: Tick,
    },

    // --- audio tracks and clips (see `audio_clip`) ---
    /// Adds an audio track at the end of the instrument list.
    AddAudioTrack {
        name: String,
    },
    /// Puts `region` on audio track `instrument` as a new clip of `length`
    /// ticks, placed at `start` (one placement of the same length). What
    /// recording and the file browser call.
    AddAudioClip {
        instrument: InstrumentId,
        region: Box<crate::audio_clip::AudioRegion>,
        start: Tick,
        length: Tick,
    },
    /// Sets what audio track `instrument` records (its inverse is the
    /// input it had).
    SetTrackInput {
        instrument: InstrumentId,
        input: crate::audio_clip::TrackInput,
    },
    /// Replaces an audio clip's region (gain, fades, offset).
    SetAudioRegion {
        clip: ClipId,
        region: Box<crate::audio_clip::AudioRegion>,
    },
    /// Sets a placement of an audio clip and its clip's offset together:
    /// trimming the start moves both (its own inverse).
    SetAudioClipSpan {
        placement: PlacementId,
        start: Tick,
        length: Tick,
        offset: f64,
    },
    /// Freezes `instrument`: `region` (its chain rendered, from song tick
    /// 0, `length` ticks) becomes a new audio clip of it that it plays
    /// instead of synthesising. The inverse is `SetFrozen { None }`.
    FreezeInstrument {
        instrument: InstrumentId,
        region: Box<crate::audio_clip::AudioRegion>,
        length: Tick,
    },
    /// Unfreezes (`None`: its frozen clip goes) or freezes again with this
    /// exact clip and placements (the inverse of unfreezing).
    SetFrozen {
        instrument: InstrumentId,
        frozen: Option<Box<RemovedClip>>,
    },
    /// Splits a placement of an audio clip at song tick `at` (strictly
    /// inside it): the part from `at` becomes a new clip and placement.
    SplitAudioClip {
        placement: PlacementId,
        at: Tick,
    },

    // --- notes (many at once) ---
    AddNote {
        clip: ClipId,
        note: Note,
    },
    AddNotes {
        clip: ClipId,
        notes: Vec<Note>,
    },
    /// Puts notes back with their ids (the inverse of `RemoveNotes`).
    RestoreNotes {
        clip: ClipId,
        notes: Vec<(NoteId, Note)>,
    },
    RemoveNotes {
        clip: ClipId,
        notes: Vec<NoteId>,
    },
    /// Shifts notes in time and pitch.
    MoveNotes {
        clip: ClipId,
        notes: Vec<NoteId>,
        ticks: i64,
        semitones: i16,
    },
    /// Lengthens (or shortens, negative) notes.
    ResizeNotes {
        clip: ClipId,
        notes: Vec<NoteId>,
        ticks: i64,
    },
    SetNoteVelocity {
        clip: ClipId,
        notes: Vec<NoteId>,
        velocity: u8,
    },
    /// Sets notes to exact values (the inverse of move, resize, velocity).
    ReplaceNotes {
        clip: ClipId,
        notes: Vec<(NoteId, Note)>,
    },

    // --- automation ---
    AddLane {
        target: ParamTarget,
    },
    RemoveLane {
        lane: LaneId,
    },
    RestoreLane(Box<AutomationLane>),
    SetLaneEnabled {
        lane: LaneId,
        enabled: bool,
    },
    /// Adds or moves the point at `tick` to `value`.
    SetAutomationPoint {
        lane: LaneId,
        tick: Tick,
        value: f32,
    },
    RemoveAutomationPoint {
        lane: LaneId,
        tick: Tick,
    },

    // --- MIDI mappings ---
    /// Maps a controller, replacing any mapping of the same channel and CC.
    MapMidiCc(Box<MidiMapping>),
    UnmapMidiCc {
        channel: u8,
        cc: u8,
    },
    RestoreMidiMapping {
        index: usize,
        mapping: Box<MidiMapping>,
    },

    // --- automation curves and takes ---
    /// Sets the curve of the segment starting at the point at `tick`.
    SetAutomationCurve {
        lane: LaneId,
        tick: Tick,
        curve: Curve,
    },
    /// Replaces every point of the lane in `from..=to` by `points` (all
    /// inside that range), with their non-linear `curves`: one recorded
    /// take, or its undo.
    ReplaceAutomationPoints {
        lane: LaneId,
        from: Tick,
        to: Tick,
        points: Vec<(Tick, f32)>,
        curves: Vec<(Tick, Curve)>,
    },
    // --- drums ---
    /// Appends a drum kit instrument with the default pads.
    AddDrumKit {
        name: String,
    },
    /// Replaces one pad of a kit (sound, level, tune).
    SetDrumPad {
        instrument: InstrumentId,
        pad: u8,
        def: DrumPad,
    },
    // --- sampler ---
    /// Appends a sampler instrument with `zones` (at least one) and, when
    /// given, its amplitude envelope (an SFZ file's `ampeg_*`).
    AddSampler {
        name: String,
        zones: Vec<SamplerZone>,
        #[serde(default)]
        env: Option<crate::EnvelopeDef>,
    },
    /// Inserts a zone at `index` (at most the zone count) of a sampler.
    AddSamplerZone {
        instrument: InstrumentId,
        index: usize,
        zone: SamplerZone,
    },
    /// Replaces zone `index` of a sampler.
    SetSamplerZone {
        instrument: InstrumentId,
        index: usize,
        zone: SamplerZone,
    },
    /// Removes zone `index` of a sampler.
    RemoveSamplerZone {
        instrument: InstrumentId,
        index: usize,
    },
    /// Replaces several pads of a kit as one undo step (slices of a sample
    /// assigned to pads). Each pad at most once.
    SetDrumPads {
        instrument: InstrumentId,
        pads: Vec<(u8, DrumPad)>,
    },
    /// Adds an empty, looping drum pattern clip to a kit.
    AddDrumPattern {
        instrument: InstrumentId,
        name: String,
        steps: u8,
        resolution: StepResolution,
    },
    /// Sets (`Some`) or clears (`None`) steps of a pattern.
    SetDrumSteps {
        clip: ClipId,
        steps: Vec<(StepKey, Option<DrumStep>)>,
    },
    /// Clears the step if it is set, else sets it with default values.
    ToggleDrumStep {
        clip: ClipId,
        key: StepKey,
    },
    /// Step count, resolution and swing of a pattern (the clip's length
    /// follows).
    SetDrumPattern {
        clip: ClipId,
        steps: u8,
        resolution: StepResolution,
        swing: f32,
    },

    // --- generators (see `generate`) ---
    /// Attaches `generator` to a note clip (or changes it): the clip's
    /// notes become the generator's output, its length the generator's
    /// and it loops. `None` detaches it: the clip keeps its notes as an
    /// ordinary clip.
    SetGenerator {
        clip: ClipId,
        generator: Option<Box<crate::generate::Generator>>,
    },
    /// Puts a clip's generator, length, looping and notes back exactly
    /// (the inverse of `SetGenerator`).
    RestoreGenerator(Box<crate::generate::GeneratedClip>),
    /// Writes a generator clip's notes into a new ordinary clip of the
    /// same instrument, length and looping (not placed, like a
    /// duplicate): exactly what the generator clip plays.
    CaptureGenerator {
        clip: ClipId,
    },
}

#[path = "action_label.rs"]
mod label;
