//! Network collaboration on 127.0.0.1: a host and clients in one process
//! (issue 20). No test sends anything to another address.

mod converge;
mod harness;
mod reconnect;
mod security;
mod slow_client;
mod wire_cost;
