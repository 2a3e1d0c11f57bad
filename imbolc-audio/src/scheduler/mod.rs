//! The timeline scheduler: plays clips and placements ahead of the clock,
//! as note events with exact times for OSC timetags.
//!
//! Pure: no threads, no I/O, no clock reads inside. The audio thread calls
//! [`Scheduler::lookahead_window`] each iteration with [`Clock::now`], turns
//! each [`NoteEvent`] into voice ops, and sends them in a bundle timed with
//! [`NoteEvent::timetag`].
//!
//! - [`clock`]: monotonic seconds anchored once to wall time → timetags.
//! - [`index`]: the scheduler's own incrementally updated copy of clips and
//!   placements.
//! - [`tempo`]: seconds ↔ play ticks, re-anchored on tempo changes.
//! - [`transport`]: play mode, loop region, play tick → song tick.
//! - [`event`]: the emitted note events.
//! - [`automation`]: the automation lanes and their timed value changes.
//! - [`metronome`]: clicks on the beats, and the count-in before play.
//! - [`audio_clips`]: audio clips, started at their start or mid-way.
//! - [`drums`]: drum hits of pattern clips (swing, probability).
//! - [`launcher`]: the clip launcher's columns, launches and boundaries.
//! - [`transform`]: arpeggiator and groove, one stage on an instrument's
//!   note events.
//! - [`layers`]: each note of a lead also sounds on its layers.
//! - [`player`]: [`Scheduler`] itself.

pub mod audio_clips;
pub mod automation;
pub mod clock;
pub mod drums;
#[cfg(test)]
mod drums_tests;
pub mod event;
pub mod index;
pub mod launcher;
#[cfg(test)]
mod launcher_tests;
pub mod layers;
#[cfg(test)]
mod layers_tests;
#[cfg(test)]
mod live_arp_tests;
pub mod metronome;
pub mod player;
#[cfg(test)]
mod probability_tests;
mod sounding;
pub mod tempo;
#[cfg(test)]
mod tempo_moves_tests;
#[cfg(test)]
mod tests;
pub mod transform;
pub mod transport;

use imbolc_types::{ClipId, LaneId, PlacementId};

pub use audio_clips::AudioCue;
pub use automation::{AutomationPlayer, ParamEvent};
pub use clock::Clock;
pub use drums::{DrumHit, HitKey};
pub use event::{NoteEvent, NoteEventKind, NoteKey, midi_to_freq};
pub use index::TimelineIndex;
pub use launcher::{ColumnFeedback, Launch};
pub use metronome::ClickEvent;
pub use player::{Scheduler, SchedulerConfig};
pub use transport::{LoopRegion, PlayMode};

/// A timeline diff that does not fit the scheduler's copy. Nothing changed;
/// the sender and the audio thread disagree, so the caller should log it
/// and resend the scene (`AudioDiff::SceneLoaded`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("unknown clip {0}")]
    UnknownClip(ClipId),
    #[error("clip {0} already exists")]
    DuplicateClip(ClipId),
    #[error("unknown placement {0}")]
    UnknownPlacement(PlacementId),
    #[error("placement {0} already exists")]
    DuplicatePlacement(PlacementId),
    #[error("unknown automation lane {0}")]
    UnknownLane(LaneId),
    #[error("automation lane {0} already exists")]
    DuplicateLane(LaneId),
}
