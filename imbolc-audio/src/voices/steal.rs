//! Which voice to take when an instrument is at its polyphony limit.
//!
//! Releasing voices go first (they are fading anyway), then voices held only
//! by the sustain pedal, then held ones; within a rank the instrument's
//! [`StealStrategy`] decides, ties going to the oldest voice.

use imbolc_types::StealStrategy;

use super::Voice;

/// Index of the voice to steal, `None` when there is none.
pub fn victim(voices: &[Voice], strategy: StealStrategy, for_pitch: Option<u8>) -> Option<usize> {
    voices
        .iter()
        .enumerate()
        .min_by_key(|(_, v)| {
            let preference = match strategy {
                StealStrategy::Oldest => 0,
                StealStrategy::Quietest => u32::from(v.velocity),
                StealStrategy::SameNote => u32::from(for_pitch != Some(v.pitch)),
            };
            (v.state, preference, v.seq)
        })
        .map(|(i, _)| i)
}
