//! Network collaboration on 127.0.0.1: a host and clients in one process
//! (issue 20). No test sends anything to another address.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] fns

mod converge;
mod harness;
mod reconnect;
mod rights;
mod security;
mod session;
mod slow_client;
mod undo;
mod wire_cost;
