//! The panes, one file each. A pane renders from a [`State`] and turns a
//! command into an [`Intent`]; only its own view state (a cursor, a scroll
//! offset) changes in the pane itself.
//!
//! - [`instruments`]: the instrument list.
//! - [`editor`]: source, filter and effect chain of the selected instrument,
//!   or the effect chain of a bus or the master (`effect_chain`: the part
//!   both share).
//! - [`piano_roll`]: notes of the selected instrument's clip.
//! - [`mixer`]: strips with live meters.
//! - [`server`]: the synthesis server's state.
//! - [`drums`]: the selected kit's pattern as a pads × steps grid.
//! - [`help`]: the keys, from the command table.
//! - [`arrangement`]: clips placed on the song timeline.
//! - [`automation`]: lanes and points of the selected instrument.
//! - [`slicer`]: a drum pad's sample as a waveform, cut into slices for
//!   the pads (drawn by the braille `waveform` widget).
//! - [`zones`]: the zones of the selected sampler.
//! - [`session`]: the clip launcher's grid of slots (instruments × scenes).
//! - [`views`]: scope, spectrum and loudness of one target.

pub mod arrangement;
mod arrangement_audio;
pub mod automation;
pub mod drums;
pub mod editor;
mod effect_chain;
mod eq_curve;
mod harmony;
pub mod help;
mod input_rows;
pub mod instruments;
pub mod mixer;
pub mod piano_roll;
pub mod server;
pub mod session;
pub mod slicer;
pub mod together;
pub mod views;
mod voice_rows;
mod waveform;
pub mod zones;

use imbolc_types::{Action, ChainOwner, ClipId, InstrumentId, Note, Tick};
use ratatui::style::{Modifier, Style};

use crate::commands::PaneKind;
pub use crate::state::State;

/// What a pane asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Intent {
    /// Apply an edit to the project (undoable).
    Dispatch(Action),
    /// Dispatch an action and, when it is applied, say something about it.
    DispatchThen(Action, String),
    /// Make this the selected instrument.
    Select(InstrumentId),
    /// Pick this clip for the piano roll or drum pane (and select its
    /// instrument).
    SelectClip(ClipId),
    /// Copy this clip as a new clip and pick the copy.
    DuplicateClip(ClipId),
    /// A new empty clip (a pattern on a kit) for this instrument, placed at
    /// `at` and picked.
    NewClip { instrument: InstrumentId, at: Tick },
    /// Switch to a pane.
    Show(PaneKind),
    /// Ask the user for a sound source, then add an instrument.
    ChooseSource,
    /// Ask the user for an effect kind, then add it to the chain.
    ChooseEffect(ChainOwner),
    /// Ask for an impulse response file for a convolution effect.
    ChooseEffectIr { owner: ChainOwner, effect: imbolc_types::EffectId },
    /// Open the editor on a strip's effect chain (an instrument's: that
    /// instrument, selected).
    EditChain(ChainOwner),
    /// Ask the user for a new name.
    Rename { target: crate::modal::RenameTarget, current: String },
    /// Ask for a new time signature (`3/4`).
    AskTimeSignature,
    /// Pick a new sound source for an instrument.
    ReplaceSource(InstrumentId),
    /// Add a note to the instrument's clip, creating the clip if it has none.
    AddNote { instrument: InstrumentId, note: Note },
    /// Tell the user something (e.g. why nothing happened).
    Message(String),
    /// Add a drum kit and select it.
    AddDrumKit,
    /// Append an audio input instrument and select it.
    AddAudioInput,
    /// Append an audio track and select it.
    AddAudioTrack,
    /// Freeze (render in place) or unfreeze this instrument.
    ToggleFreeze(InstrumentId),
    /// Ask for an audio file, then put it on this audio track at `at`.
    ChooseAudioClip { instrument: InstrumentId, at: Tick },
    /// Ask the user for a sample file for a pad.
    ChoosePadSample { instrument: InstrumentId, pad: u8 },
    /// Decode a sample pad's file and open it in the slicer.
    OpenSlicer { instrument: InstrumentId, pad: u8 },
    /// Set a step on a kit that has no pattern yet: create one first.
    AddDrumStep { instrument: InstrumentId, key: imbolc_types::StepKey },
    /// Add notes to the instrument's clip, creating the clip if it has none.
    AddNotes { instrument: InstrumentId, notes: Vec<Note> },
    /// Loop `[start, end)` of `clip` (clip ticks; the app maps them onto
    /// the song through the clip's placement).
    SetLoop { clip: Option<ClipId>, start: Tick, end: Tick },
    /// Ask the user which parameter to automate.
    ChooseLane(InstrumentId),
    /// Play song or pattern mode.
    SetMode(imbolc_audio::scheduler::PlayMode),
    /// Restart the synthesis server.
    RestartServer,
    /// Ask for a sample file, then add a sampler playing it.
    ChooseSamplerSample,
    /// Ask for a sample file, then add a zone to this sampler.
    ChooseZoneSample(InstrumentId),
    /// Ask for an `.sfz` file, then import it as a sampler.
    ChooseSfz,
    /// Set zone `index`'s root key from its sample's pitch.
    EstimateRoot { instrument: InstrumentId, index: usize },
    /// Apply several edits in order (each its own undo step); stops at
    /// the first refused.
    DispatchAll(Vec<Action>),
    /// Clip launcher launches (runtime, not undone), sent to the audio
    /// thread in order; one gesture's share a group and so a boundary.
    Launch(Vec<imbolc_audio::scheduler::Launch>),
    /// Capture the launcher performance the audio thread reported into
    /// the arrangement (one undo step).
    CapturePerformance,
    /// Push the music faster (`true`) or hold it back for one beat.
    Nudge(bool),
    /// A tap of tap tempo; the tempo changes at the next bar line.
    TapTempoBar,
}

/// The style of the row or cell under the cursor.
pub fn cursor_style() -> Style {
    Style::default().add_modifier(Modifier::REVERSED)
}

/// First index of a window of `visible` rows that keeps `cursor` in view,
/// moving as little as possible from `offset`.
pub fn follow(offset: usize, cursor: usize, visible: usize) -> usize {
    if visible == 0 {
        return cursor;
    }
    if cursor < offset {
        cursor
    } else if cursor >= offset + visible {
        cursor + 1 - visible
    } else {
        offset
    }
}
