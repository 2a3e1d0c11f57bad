//! [`DispatchError`]: why an action was refused. A refused action changes
//! nothing, so the caller can show the message and carry on.

use imbolc_types::{BusId, ChainOwner, ClipId, EffectId, InstrumentId, LaneId, NoteId, ParamTarget, PlacementId};
use thiserror::Error;

/// An action named something that does not exist or a value out of range.
/// The project is unchanged; the UI shows the message and goes on.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum DispatchError {
    #[error("no instrument {0}")]
    NoSuchInstrument(InstrumentId),
    /// The effect reads no key signal (only sidechain effects do).
    #[error("effect {0} takes no key signal")]
    NotKeyed(EffectId),
    /// A key that would not run before its consumer, or a cycle.
    #[error("{key:?} cannot key {consumer:?}: {why}")]
    BadKey { consumer: ChainOwner, key: ChainOwner, why: &'static str },
    /// A layer link that would loop, or one out of range.
    #[error("cannot link instrument {instrument} as a layer: {why}")]
    BadLayer { instrument: InstrumentId, why: &'static str },
    #[error("no bus {0}")]
    NoSuchBus(BusId),
    #[error("no effect {effect} in the chain of {owner:?}")]
    NoSuchEffect { owner: ChainOwner, effect: EffectId },
    #[error("no clip {0}")]
    NoSuchClip(ClipId),
    #[error("no note {note} in clip {clip}")]
    NoSuchNote { clip: ClipId, note: NoteId },
    #[error("no placement {0}")]
    NoSuchPlacement(PlacementId),
    #[error("no automation lane {0}")]
    NoSuchLane(LaneId),
    #[error("no automation point at tick {tick} in lane {lane}")]
    NoSuchPoint { lane: LaneId, tick: u32 },
    #[error("instrument {0} has no filter")]
    NoFilter(InstrumentId),
    #[error("instrument {instrument} has no send to bus {bus}")]
    NoSuchSend { instrument: InstrumentId, bus: BusId },
    #[error("instrument {instrument} already sends to bus {bus}")]
    SendExists { instrument: InstrumentId, bus: BusId },
    #[error("instrument {0} already has the most sends allowed")]
    TooManySends(InstrumentId),
    #[error("no MIDI mapping for channel {channel} CC {cc}")]
    NoSuchMapping { channel: u8, cc: u8 },
    #[error("no such parameter: {0:?}")]
    NoSuchParam(ParamTarget),
    #[error("parameter {name:?} does not belong to this slot")]
    UnknownParamName { name: String },
    /// The parameter exists but the catalog does not let it follow the tempo.
    #[error("parameter {name:?} cannot follow the tempo")]
    NotSyncable { name: String },
    /// Only a convolution effect takes an impulse response.
    #[error("effect {effect:?} is not a convolution reverb: only those take an impulse response")]
    NotConvolution { effect: EffectId },
    /// A stored sample whose hash is not 64 lowercase hex digits (it names
    /// the cache file).
    #[error("the stored sample has a malformed hash")]
    InvalidSample,
    #[error("value {value} is outside {min}..={max}")]
    OutOfRange { value: f64, min: f64, max: f64 },
    #[error("value is not a finite number")]
    NotFinite,
    #[error("position {index} is past the end ({len} items)")]
    BadIndex { index: usize, len: usize },
    #[error("id {0} is already in use")]
    IdInUse(String),
    #[error("the same note is listed twice: {0}")]
    DuplicateNote(NoteId),
    #[error("invalid note (pitch 0..=127, velocity 1..=127, length ≥ 1)")]
    InvalidNote,
    #[error("nothing selected")]
    Empty,
    #[error("time signature must be 1..=32 over 1, 2, 4, 8, 16 or 32")]
    InvalidTimeSignature,
    /// A launcher slot holds only clips of its own column's instrument.
    #[error("clip {clip} belongs to another instrument than {instrument}")]
    ClipNotOfInstrument { clip: ClipId, instrument: InstrumentId },
    #[error("scene {0} is past the last scene the launcher has")]
    NoSuchScene(u16),
    #[error("a pad's MIDI channel is 0..=15, not {0}")]
    InvalidPadChannel(u8),
    #[error("a follow action acts after 1..=64 loops, with a chance of 0..=100 %")]
    InvalidFollowAction,
    #[error(
        "invalid key or tuning (root 0..=11, A4 380..=500 Hz, a Scala scale with degrees; the project's cannot be removed)"
    )]
    InvalidPitch,
    #[error("invalid arpeggiator or groove (octaves 1..=4, gate 0.05..=1, swing 0..=0.5, humanize ≤ 50 ms and ≤ 64)")]
    InvalidTransforms,
    #[error("the take folder needs a path (or none, for takes/ beside the project)")]
    EmptyTakeFolder,
    #[error("a length must be at least one tick and end before tick 2^32")]
    InvalidLength,
    #[error("MIDI channel must be 0..=15 and CC 0..=127")]
    InvalidMidi,
    #[error("polyphony must be 1..=256")]
    InvalidPolyphony,
    #[error("bend range must be 0..=24 semitones and glide 0..=10 s")]
    InvalidVoiceSettings,
    #[error("instrument {0} is not a drum kit")]
    NotADrumKit(InstrumentId),
    /// Audio input settings for an instrument that plays notes.
    #[error("instrument {0} is not an audio input")]
    NotAnAudioInput(InstrumentId),
    #[error("input gain must be -60..=24 dB and inputs a pair of 1-8")]
    InvalidAudioInput,
    /// An audio clip for an instrument that plays notes.
    #[error("instrument {0} is not an audio track")]
    NotAnAudioTrack(InstrumentId),
    #[error("a count-in is 0, 1 or 2 bars")]
    InvalidCountIn,
    /// A track input that cannot be recorded.
    #[error("an audio track records an input pair of 1-64, a bus, another instrument or the master")]
    InvalidTrackInput,
    /// An audio clip edit on a clip of notes.
    #[error("clip {0} is not an audio clip")]
    NotAnAudioClip(ClipId),
    #[error("audio clip gain must be -60..=12 dB, fades 0..=60 s, the offset ≥ 0")]
    InvalidAudioRegion,
    /// Freezing an instrument that is frozen already, an audio track or an
    /// audio input.
    #[error("instrument {0} cannot be frozen (frozen already, an audio track or an input)")]
    NotFreezable(InstrumentId),
    #[error("instrument {0} is not frozen")]
    NotFrozen(InstrumentId),
    /// An edit of a frozen instrument's sound: unfreeze it first.
    #[error("instrument {0} is frozen: unfreeze it (F) to edit its sound")]
    Frozen(InstrumentId),
    /// A split at the edge of (or outside) the placement.
    #[error("split point must lie inside the clip")]
    SplitOutside,
    #[error("instrument {0} is not a sampler")]
    NotASampler(InstrumentId),
    #[error(
        "invalid zone (keys and velocities 0..=127 low to high, tune -1200..=1200 cents, gain -60..=12 dB, start before end)"
    )]
    InvalidZone,
    #[error("clip {0} is not a drum pattern")]
    NotADrumPattern(ClipId),
    #[error("instrument {instrument} has no pad {pad}")]
    NoSuchPad { instrument: InstrumentId, pad: u8 },
    #[error("no step {step} of pad {pad} (steps 0..64, pads 0..16)")]
    NoSuchStep { step: u8, pad: u8 },
    #[error("step {step} of pad {pad} is listed twice")]
    DuplicateStep { step: u8, pad: u8 },
    #[error("invalid pad (level 0..=2, tune -24..=24 semitones, a sample needs a path)")]
    InvalidPad,
    #[error("invalid step (velocity 1..=127, probability 0..=100, pitch -24..=24)")]
    InvalidStep,
    #[error("invalid pattern (1..=64 steps, swing 0..=0.75)")]
    InvalidPattern,
    #[error("a drum pattern's length follows its steps; change the pattern instead")]
    DrumClipLength,
    #[error("invalid generator: {0}")]
    InvalidGenerator(String),
    #[error("clip {0} has no generator")]
    NoGenerator(ClipId),
    /// Drum patterns and audio clips have no notes to generate.
    #[error("clip {0} is not a note clip")]
    NotANoteClip(ClipId),
    /// Its notes are the generator's: edit the generator, or capture it.
    #[error("clip {0} is generated: change its generator, or capture it (or detach it) to edit notes")]
    Generated(ClipId),
    /// Every id of this kind is used (only a crafted file gets there):
    /// nothing more of this kind can be added to the project.
    #[error("the project has no {0} ids left")]
    IdsExhausted(&'static str),
}
