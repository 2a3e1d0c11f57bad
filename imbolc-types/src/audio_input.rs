//! The audio input source: an instrument that plays a stereo pair of the
//! hardware inputs, or an aux bus, through its filter, effects and strip
//! instead of playing notes. On the server it is one persistent node, not
//! one per note (see `imbolc-audio/src/graph/audio_input.rs`).

use serde::{Deserialize, Serialize};

use crate::ids::BusId;

/// Hardware input channels the server is started with (`-i`): four stereo
/// pairs. A pair beyond what the sound card has reads silence.
pub const HARDWARE_INPUTS: u8 = 8;

/// Range of the input gain, dB.
pub const GAIN_DB_RANGE: (f32, f32) = (-60.0, 24.0);

/// Where an audio input instrument's signal comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InputSource {
    /// The stereo pair of hardware inputs starting at channel `first`
    /// (0-based, even: 0 is inputs 1-2).
    Hardware { first: u8 },
    /// What an aux bus receives (its signal before its own strip), one
    /// block late. Reads silence while the bus does not exist.
    Bus(BusId),
}

impl Default for InputSource {
    fn default() -> Self {
        InputSource::Hardware { first: 0 }
    }
}

impl InputSource {
    /// Every choice in cycling order: the hardware pairs, then `buses`.
    pub fn choices(buses: impl IntoIterator<Item = BusId>) -> Vec<InputSource> {
        let pairs = (0..HARDWARE_INPUTS).step_by(2).map(|first| InputSource::Hardware { first });
        pairs.chain(buses.into_iter().map(InputSource::Bus)).collect()
    }

    /// The next (or previous) choice among [`InputSource::choices`],
    /// wrapping; the first choice when `self` is not among them.
    pub fn cycle(self, buses: impl IntoIterator<Item = BusId>, forward: bool) -> InputSource {
        let all = InputSource::choices(buses);
        let n = all.len();
        match all.iter().position(|c| *c == self) {
            Some(i) if forward => all[(i + 1) % n],
            Some(i) => all[(i + n - 1) % n],
            None => all[0],
        }
    }
}

/// An instrument's audio input: its source, gain and monitoring.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AudioInputDef {
    pub source: InputSource,
    /// Gain applied to the input before the filter, dB (within
    /// [`GAIN_DB_RANGE`]).
    pub gain_db: f32,
    /// Off: the input node writes silence, so the instrument's chain,
    /// meter and output are silent while it keeps its nodes.
    pub monitor: bool,
}

impl Default for AudioInputDef {
    fn default() -> Self {
        AudioInputDef { source: InputSource::default(), gain_db: 0.0, monitor: true }
    }
}

impl AudioInputDef {
    /// Whether the gain is finite and in range (dispatch refuses others).
    pub fn is_valid(&self) -> bool {
        (GAIN_DB_RANGE.0..=GAIN_DB_RANGE.1).contains(&self.gain_db)
            && matches!(self.source, InputSource::Bus(_) | InputSource::Hardware { first: 0..HARDWARE_INPUTS })
    }

    /// The gain as a linear factor.
    pub fn gain(&self) -> f32 {
        10f32.powf(self.gain_db.clamp(GAIN_DB_RANGE.0, GAIN_DB_RANGE.1) / 20.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycling_visits_every_pair_then_the_buses_and_wraps() {
        let buses = [BusId(3)];
        let mut s = InputSource::default();
        let mut seen = vec![s];
        for _ in 0..4 {
            s = s.cycle(buses, true);
            seen.push(s);
        }
        assert_eq!(seen.last(), Some(&InputSource::Bus(BusId(3))));
        assert_eq!(s.cycle(buses, true), InputSource::Hardware { first: 0 });
        assert_eq!(InputSource::default().cycle(buses, false), InputSource::Bus(BusId(3)));
        assert_eq!(InputSource::Bus(BusId(9)).cycle(buses, true), InputSource::Hardware { first: 0 });
    }

    #[test]
    fn gain_is_linear_and_validity_checks_the_range() {
        let d = AudioInputDef { gain_db: -6.0, ..AudioInputDef::default() };
        assert!((d.gain() - 0.501_187).abs() < 1e-5);
        assert!(d.is_valid());
        assert!(!AudioInputDef { gain_db: f32::NAN, ..d }.is_valid());
        assert!(!AudioInputDef { source: InputSource::Hardware { first: 8 }, ..d }.is_valid());
    }
}
