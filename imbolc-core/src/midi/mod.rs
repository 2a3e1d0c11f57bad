//! Live MIDI: play, learn, record, clock.
//!
//! ```text
//!  JACK ─► midir callback ─► LivePlayer ─► LiveSender ─► audio thread (realtime lane)
//!   (imbolc:midi_in,          decode, route,              notes, pedal, bend,
//!    device port)             velocity curve              aftertouch, panic
//!                                 │ bounded queue (drops counted)
//!                                 ▼
//!                    UI frame: MidiRuntime::poll(session, transport)
//!                       CC → SetParam / MIDI learn → MapMidiCc
//!                       notes → Recorder → one undo step per take
//!                       clock in → tempo, start/stop (optional)
//!  ClockOut (JACK client imbolc-clock, process callback): 24 ppqn,
//!    start/stop/song position, each at its own frame, on clock_out
//! ```
//!
//! - [`parse`]: [`Decoder`], bytes to [`MidiEvent`] with `wmidi` (running
//!   status, SysEx, garbage; fuzzed).
//! - [`live`]: [`LivePlayer`], the callback's state, and [`LiveTarget`].
//! - [`routing`]: omni / per-channel zones (layers, splits).
//! - [`velocity`]: [`VelocityCurve`] per input.
//! - [`runtime`]: [`MidiRuntime`], the UI side.
//! - [`pads`]: [`Pads`], pad controllers driving the clip launcher
//!   (layouts, learned pads, LED feedback).
//! - [`record`]: [`Recorder`], takes in clip ticks.
//! - [`timebase`]: wall clock ↔ the engine's tempo line.
//! - [`follow`]: incoming clock tempo.
//! - [`clock`]: the clock output through midir (without JACK: a thread,
//!   each event at the start of a period).
//! - [`clock_line`]: tempo line → clock ticks per period (no JACK).
//! - [`frame_line`]: the wall time of JACK's frames, a line that a late
//!   wake-up does not move.
//! - [`jack_out`]: [`ClockOut`] with JACK: the MIDI output client whose
//!   process callback writes each event at its own frame.
//! - [`ports`]: [`MidiPorts`], midir ports and device reconnection.
//! - [`watch`]: [`watch::JackWatch`], JACK presence, hardware
//!   auto-connection and the list of connected devices (JACK only).
//! - [`config`]: [`MidiConfig`], the user's `midi.toml`.
//! - [`stats`]: [`MidiStats`], counters shown in the UI.

pub mod clock;
pub mod clock_line;
pub mod config;
pub mod follow;
pub mod frame_line;
#[cfg(feature = "jack-midi")]
pub mod jack_out;
pub mod live;
pub mod pads;
pub mod parse;
pub mod ports;
pub mod record;
pub mod routing;
pub mod runtime;
pub mod stats;
pub mod timebase;
pub mod velocity;
#[cfg(feature = "jack-midi")]
pub mod watch;

#[cfg(not(feature = "jack-midi"))]
pub use clock::ClockOut;
pub use config::{ConfigError, MidiConfig, ZoneConfig};
#[cfg(feature = "jack-midi")]
pub use jack_out::JackMidiOut as ClockOut;
pub use live::{InputId, LivePlayer, LiveSettings, LiveTarget, MidiInbound, PadKeys};
pub use pads::{PadPress, Pads};
pub use parse::{Decoder, MidiEvent};
pub use ports::MidiPorts;
pub use record::{RecordMode, RecordSettings, Recorder, Take};
pub use routing::{Routing, Zone, channel_zones};
pub use runtime::{MidiRuntime, PollReport};
pub use stats::{MidiStats, MidiStatsSnapshot};
pub use velocity::VelocityCurve;

/// Why MIDI ports could not be opened. Imbolc runs on without MIDI.
#[derive(Debug, thiserror::Error)]
pub enum MidiError {
    /// No MIDI client could be opened: with the JACK backend, no JACK
    /// server runs under the name in `JACK_DEFAULT_SERVER` (or `default`).
    /// Start JACK (or let Imbolc start scsynth first) and retry.
    #[error("cannot open a MIDI client (is JACK running?): {0}")]
    Init(String),
    /// A port could not be registered (name taken, server full).
    #[error("cannot register a MIDI port: {0}")]
    Port(String),
    /// No JACK server of this name runs (Imbolc's own JACK client could
    /// not be opened); opening is retried.
    #[error("no JACK server '{0}' is running (MIDI needs one; it is retried)")]
    NoJack(String),
}
