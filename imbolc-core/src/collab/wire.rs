//! The messages, encoded with MessagePack (`rmp-serde`).

use imbolc_types::{Action, InstrumentId, ParamTarget, Project};
use serde::{Deserialize, Serialize};

use super::CollabError;
use super::rights::Rights;

/// From a client to the host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ClientMsg {
    /// The first message. A reconnecting client names the host session and
    /// the last sequence number it applied, so the host can replay from
    /// there instead of sending a snapshot.
    Hello { name: String, resume: Option<(u64, u64)> },
    /// An edit; `id` (the client's own counter) names it in a refusal.
    Act { id: u64, action: Action },
    /// The replica's digest differs: send a snapshot.
    Resync,
    /// Keeps an idle connection open.
    Ping,
    /// Answers the host's [`HostMsg::Ping`] (the host measures the round trip).
    Pong { nonce: u64 },
    /// Takes (`own: true`) an unowned instrument, or gives one back.
    Claim { instrument: InstrumentId, own: bool },
}

/// From the host to clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum HostMsg {
    /// Accepted: the client's author number and the host session.
    Welcome { client: u32, session: u64, seq: u64 },
    /// The whole project at `seq`.
    Snapshot { seq: u64, project: Box<Project> },
    /// Action number `seq`, applied by the host, made by `author` (`act`:
    /// the author's own id for it, 0 for the host's edits).
    Applied { seq: u64, author: u32, act: u64, action: Action },
    /// The host refused the client's action `id` (not applied anywhere).
    Refused { id: u64, reason: String },
    /// The project's digest after action `seq`.
    Digest { seq: u64, digest: u64 },
    /// Output meters (coalesced: only the latest is sent).
    Meters { levels: Vec<f32> },
    /// The playhead (coalesced).
    Playhead { tick: u64 },
    /// Who owns which instrument, who holds the grant, who is here
    /// (sent on every change and to a newcomer).
    Rights(Rights),
    /// Measures the round trip (answered with [`ClientMsg::Pong`]); a
    /// client that hears nothing for its idle timeout knows the host is gone.
    Ping { nonce: u64 },
    /// A limit was hit or the host is closing; the connection ends.
    Closing { reason: String },
}

/// What the outbox may merge: only the latest item per key is sent.
#[derive(Debug, Clone, PartialEq)]
pub enum CoalesceKey {
    Param(ParamTarget),
    Meters,
    Playhead,
    Ping,
}

/// MessagePack bytes of `msg`.
///
/// # Errors
///
/// [`CollabError::Encode`] (not expected for these types).
pub fn encode<T: Serialize>(msg: &T) -> Result<Vec<u8>, CollabError> {
    rmp_serde::to_vec(msg).map_err(|e| CollabError::Encode(e.to_string()))
}

/// A message from MessagePack bytes.
///
/// # Errors
///
/// [`CollabError::Malformed`] for anything that is not one.
pub fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, CollabError> {
    rmp_serde::from_slice(bytes).map_err(|e| CollabError::Malformed(e.to_string()))
}
