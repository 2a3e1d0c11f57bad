//! The audio side of Imbolc.
//!
//! - [`graph`]: the incremental signal graph ([`graph::SignalGraph`]): turns
//!   `AudioDiff`s into minimal batches of server ops.
//! - [`backend`]: where those batches go ([`backend::AudioBackend`]): the
//!   in-memory [`backend::ModelBackend`] for tests, [`backend::ScBackend`]
//!   (one OSC bundle per batch over UDP).
//! - [`engine`]: the audio thread ([`engine::AudioHandle`] is the way in):
//!   diffs to bundles, node registry, server restart and rebuild, meters.
//! - [`link`]: Ableton Link (tempo, bar phase, start/stop with other apps
//!   on the network), the only module that sees the binding.
//! - [`server`]: scsynth and JACK process management, the OSC link, health.
//! - [`synthdefs`]: the compiled SynthDefs embedded in the binary.
//! - [`status`]: the server state published to the UI (triple buffer).
//! - [`scheduler`]: plays the timeline ahead of the clock as timed note
//!   events (pure; lookahead, tempo changes, loops, seeks).
//! - [`samples`]: checks a pad's sample file (WAV/AIFF, mono or stereo).
//! - [`sample_cache`]: stored samples as content-addressed files scsynth
//!   reads (`<cache>/samples/<sha256>.<ext>`).
//! - [`offline`]: NRT rendering: the same graph and playback on a virtual
//!   clock, written as a score for `scsynth -N` (stems as extra channels).
//! - [`take`]: takes of the streaming recorder: folder checks, file
//!   names, WAV header repair after a take cut short.
//! - [`views`]: views of sound (scope, spectrum, loudness) of one target,
//!   read from a tap on the server and analysed on a thread of their own.
//! - [`voices`]: the voice allocator (polyphony, stealing, mono/legato,
//!   sustain pedal, release tails, `/n_end` as ground truth).

pub mod backend;
pub mod engine;
pub mod graph;
pub mod link;
pub mod offline;
pub mod sample_cache;
pub mod samples;
pub mod scheduler;
pub mod server;
pub mod status;
pub mod synthdefs;
pub mod take;
pub mod views;
pub mod voices;
