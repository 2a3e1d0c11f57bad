//! [`ParamTarget`]: the address of every value that can be set, automated or
//! MIDI-mapped. Effects are addressed by [`EffectId`], never by position, so
//! a target stays valid when the chain is reordered.

use serde::{Deserialize, Serialize};

use crate::diff::ChainOwner;
use crate::ids::{BusId, EffectId, InstrumentId};

/// A mixer control of a strip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MixerParam {
    Level,
    Pan,
    Send(BusId),
}

/// An envelope stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EnvelopeStage {
    Attack,
    Decay,
    Sustain,
    Release,
}

impl EnvelopeStage {
    /// The voice control this stage sets.
    pub fn control(self) -> &'static str {
        match self {
            EnvelopeStage::Attack => "attack",
            EnvelopeStage::Decay => "decay",
            EnvelopeStage::Sustain => "sustain",
            EnvelopeStage::Release => "release",
        }
    }
}

/// An LFO setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LfoParam {
    Rate,
    Depth,
}

/// The address of a settable value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ParamTarget {
    /// A per-voice source parameter: sounding voices follow.
    Source {
        instrument: InstrumentId,
        param: String,
    },
    /// A stage of the amp envelope (per voice).
    Envelope {
        instrument: InstrumentId,
        stage: EnvelopeStage,
    },
    /// A parameter of the instrument's filter slot.
    Filter {
        instrument: InstrumentId,
        param: String,
    },
    /// A parameter of an effect, wherever its chain is.
    Effect {
        owner: ChainOwner,
        effect: EffectId,
        param: String,
    },
    Lfo {
        instrument: InstrumentId,
        param: LfoParam,
    },
    Mixer {
        instrument: InstrumentId,
        param: MixerParam,
    },
    BusMixer {
        bus: BusId,
        param: MixerParam,
    },
    MasterLevel,
    /// The master limiter's ceiling, dBFS (`MasterSettings::limiter_ceiling_db`).
    MasterLimiterCeiling,
    Tempo,
}
