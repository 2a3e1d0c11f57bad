//! How an instrument or bus is set *now*: level, pan, mute, solo, output and
//! sends. Applying these only ever sets controls on strips.

use serde::{Deserialize, Serialize};

use crate::ids::BusId;
use crate::instrument::EffectSlot;

/// Where a strip writes its signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum OutputTarget {
    #[default]
    Master,
    Bus(BusId),
}

/// One post-fader send to an aux bus.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SendSettings {
    pub bus: BusId,
    pub level: f32,
}

/// Mixer state of one instrument or bus strip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MixerSettings {
    /// Linear gain, 0..=2.
    pub level: f32,
    /// -1 (left) ..= 1 (right).
    pub pan: f32,
    pub mute: bool,
    pub solo: bool,
    pub output: OutputTarget,
    /// At most [`crate::catalog::MAX_SENDS`] sends, one per bus.
    pub sends: Vec<SendSettings>,
}

impl Default for MixerSettings {
    fn default() -> Self {
        MixerSettings {
            level: 0.8,
            pan: 0.0,
            mute: false,
            solo: false,
            output: OutputTarget::Master,
            sends: Vec::new(),
        }
    }
}

impl MixerSettings {
    /// The send level to `bus`, 0 when there is no send.
    pub fn send_level(&self, bus: BusId) -> f32 {
        self.sends.iter().find(|s| s.bus == bus).map_or(0.0, |s| s.level)
    }
}

/// An aux/return bus: its own effect chain and strip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bus {
    pub id: BusId,
    pub name: String,
    #[serde(default)]
    pub effects: Vec<EffectSlot>,
    #[serde(default)]
    pub mixer: MixerSettings,
}

/// The master strip.
///
/// Files saved before the master limiter existed lack its fields and open
/// with it on at the default ceiling (`serde(default)`), like new projects:
/// the limiter only acts above the ceiling, so such a project sounds the
/// same unless its master clipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MasterSettings {
    pub level: f32,
    pub mute: bool,
    /// The master limiter, the last master stage (after level and mute).
    pub limiter: bool,
    /// The limiter's ceiling, dBFS ([`LIMITER_CEILING_RANGE`]).
    pub limiter_ceiling_db: f32,
}

/// Default ceiling of the master limiter, dBFS.
pub const LIMITER_CEILING_DB: f32 = -1.0;
/// The ceilings the master limiter accepts, dBFS.
pub const LIMITER_CEILING_RANGE: (f32, f32) = (-24.0, 0.0);

impl Default for MasterSettings {
    fn default() -> Self {
        MasterSettings { level: 1.0, mute: false, limiter: true, limiter_ceiling_db: LIMITER_CEILING_DB }
    }
}

impl MasterSettings {
    /// The limiter's ceiling as a linear amplitude (what the master strip's
    /// `ceiling` control takes), clamped to [`LIMITER_CEILING_RANGE`].
    pub fn limiter_ceiling(&self) -> f32 {
        let db = if self.limiter_ceiling_db.is_nan() { LIMITER_CEILING_DB } else { self.limiter_ceiling_db };
        10f32.powf(db.clamp(LIMITER_CEILING_RANGE.0, LIMITER_CEILING_RANGE.1) / 20.0)
    }
}
