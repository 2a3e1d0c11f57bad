//! Playing together: one host, many clients, sharing **actions**, not state.
//!
//! The host owns the project and the order of edits. A client sends an
//! [`Action`](imbolc_types::Action); the host dispatches it with the same
//! checks as a local edit, gives it a sequence number and broadcasts the
//! applied action with its author, encoded once (the same bytes are queued
//! for every client). Clients apply it with the same pure
//! [`dispatch`](crate::dispatch()), so every replica stays equal. A
//! periodic digest of the project detects divergence; a client that
//! differs asks for a snapshot.
//!
//! - [`code`]: join codes and the Noise pre-shared key derived from them.
//! - [`frame`]: the Noise handshake and length-prefixed encrypted frames.
//! - [`wire`]: the messages (MessagePack).
//! - [`outbox`]: a client's bounded, coalescing queue of outgoing frames.
//! - [`host`] and [`client`]: the two ends; [`Replica`] is what they apply
//!   actions to (a bare [`Project`](imbolc_types::Project) or a [`crate::Session`]).
//! - [`digest`]: the cheap project hash.
//! - [`rights`]: who may edit what (owned instruments, the grant).

pub mod client;
pub mod code;
pub mod digest;
mod error;
pub mod frame;
pub mod host;
mod host_conn;
mod host_session;
mod limits;
pub mod outbox;
#[cfg(test)]
mod outbox_tests;
mod own_history;
mod replica;
pub mod rights;
pub mod wire;

pub use client::{Client, ClientEvent, Resume};
pub use code::JoinCode;
pub use error::CollabError;
pub use host::{Host, HostEvent};
pub use host_session::Collaborator;
pub use limits::Limits;
pub use replica::Replica;
pub use rights::{Rights, Scope};

/// The author of the host's own edits.
pub const HOST_AUTHOR: u32 = 0;
