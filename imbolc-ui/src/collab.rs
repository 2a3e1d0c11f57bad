//! The TUI side of playing together (docs/collaboration.md): hosting the
//! open project or joining one. The app routes its edits through here:
//! a joined client sends them to the host (they reach the screen when the
//! host broadcasts them back); a host applies them and broadcasts them.

use std::net::{SocketAddr, ToSocketAddrs};

use imbolc_core::collab::{Client, CollabError, Host, JoinCode, Limits};

/// Hosting or joined.
#[derive(Debug)]
pub enum Collab {
    Host(Host),
    Client(Client),
}

/// How the command line asked to play together.
#[derive(Debug, Clone)]
pub enum CollabStart {
    Host { port: u16 },
    Join { address: String, code: String },
}

impl Collab {
    /// Starts hosting on all interfaces at `port` with a new code; returns
    /// the join line to print.
    ///
    /// # Errors
    ///
    /// When the port cannot be bound.
    pub fn host(port: u16) -> Result<(Collab, String), CollabError> {
        let code = JoinCode::random()?;
        let host = Host::bind(("0.0.0.0", port), code.clone(), Limits::default())?;
        let port = host.addr().port();
        let line =
            format!("imbolc: hosting; others join with: imbolc join <this machine's address>:{port} --code {code}");
        Ok((Collab::Host(host), line))
    }

    /// Joins the host at `address` (`HOST:PORT`).
    ///
    /// # Errors
    ///
    /// A wrong code, a full host, an unreachable address.
    pub fn join(address: &str, code: &str) -> Result<Collab, CollabError> {
        let addr: SocketAddr = address
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| CollabError::Refused(format!("no address for {address}")))?;
        let name = std::env::var("USER").unwrap_or_else(|_| "guest".into());
        let client = Client::connect(addr, &JoinCode::parse(code), &name, None, &Limits::default())?;
        Ok(Collab::Client(client))
    }

    /// For the status line: `hosting · 2 connected`, `joined`, `host gone`.
    pub fn summary(&self) -> String {
        match self {
            Collab::Host(h) => format!("hosting · {} connected", h.connected()),
            Collab::Client(c) if c.gone().is_some() => "host gone".to_string(),
            Collab::Client(c) if !c.is_ready() => "joining…".to_string(),
            Collab::Client(_) => "joined".to_string(),
        }
    }
}
