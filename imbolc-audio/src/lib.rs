//! The audio side of Imbolc.
//!
//! - [`server`]: scsynth and JACK process management, the OSC link, health.
//! - [`synthdefs`]: the compiled SynthDefs embedded in the binary.
//! - [`status`]: the server state published to the UI (triple buffer).
//! - [`supervisor`]: the thread that keeps scsynth running for the app.

pub mod server;
pub mod status;
pub mod supervisor;
pub mod synthdefs;
