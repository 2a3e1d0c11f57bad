//! Sample analysis for display and slicing: decoding to `f32` frames
//! ([`decode`]), the waveform overview ([`overview`]), onset detection
//! ([`onsets`]), slice markers ([`slices`]) and root-pitch estimation
//! ([`pitch`]). Pure functions over decoded audio; only [`decode`] reads
//! files. None of it runs on the audio thread.

pub mod decode;
pub mod onsets;
pub mod overview;
pub mod pitch;
pub mod slices;

#[cfg(test)]
mod tests;

pub use decode::{AudioInfo, DecodeError, MonoAudio, decode_blocks, decode_mono};
pub use onsets::{DEFAULT_SENSITIVITY, detect_onsets};
pub use overview::{Overview, Peak};
pub use pitch::{PitchEstimate, estimate_pitch};
pub use slices::{DIVISIONS, Slices};
