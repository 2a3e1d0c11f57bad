//! The host's view of its collaborators: rights (owned instruments, the
//! grant), round-trip times from pings, outbox depth, bytes per second and
//! dropped coalesced updates; a metrics line goes to the log every 5 s.

use std::time::{Duration, Instant};

use imbolc_types::{InstrumentId, Project};

use super::host::Host;
use super::outbox::Item;
use super::wire::{CoalesceKey, HostMsg, encode};

/// How often the metrics go to the log.
const LOG_EVERY: Duration = Duration::from_secs(5);

/// One collaborator as the Session pane shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Collaborator {
    pub id: u32,
    pub name: String,
    /// The last measured round trip (`None` before the first pong).
    pub rtt: Option<Duration>,
    /// Frames queued for it now.
    pub outbox_depth: usize,
    /// Bytes sent to it per second (over the last ping interval).
    pub bytes_per_sec: u64,
    /// Coalesced updates it never received (only the latest was sent).
    pub dropped: u64,
    pub owns: Vec<InstrumentId>,
    /// Whether it may make project-wide edits.
    pub granted: bool,
}

/// When the host last pinged and logged.
#[derive(Debug)]
pub(super) struct Clock {
    ping_at: Instant,
    log_at: Instant,
    nonce: u64,
}

impl Clock {
    pub(super) fn new() -> Clock {
        let now = Instant::now();
        Clock { ping_at: now, log_at: now, nonce: 0 }
    }
}

impl Host {
    /// The collaborators connected now, by author number.
    pub fn collaborators(&self) -> Vec<Collaborator> {
        self.clients
            .iter()
            .map(|(id, c)| {
                let stats = c.outbox.stats();
                Collaborator {
                    id: *id,
                    name: c.name.clone(),
                    // An unanswered ping older than the last round trip
                    // counts: a stalled client's rtt grows with its silence.
                    rtt: match (c.rtt, c.ping) {
                        (r, Some((_, at))) if at.elapsed() > r.unwrap_or_default() => Some(at.elapsed()),
                        (r, _) => r,
                    },
                    outbox_depth: stats.depth,
                    bytes_per_sec: c.bytes_per_sec,
                    dropped: stats.dropped,
                    owns: self.rights.owned_by(*id),
                    granted: self.rights.granted.contains(id),
                }
            })
            .collect()
    }

    /// The owner map and grants every replica shows.
    pub fn rights(&self) -> &super::Rights {
        &self.rights
    }

    /// Gives `instrument` to collaborator `owner` (`None`: nobody owns it).
    ///
    /// # Errors
    ///
    /// The reason, when the instrument or the collaborator does not exist.
    pub fn assign(&mut self, project: &Project, instrument: InstrumentId, owner: Option<u32>) -> Result<(), String> {
        if !project.instruments.contains_key(&instrument) {
            return Err(format!("no instrument {instrument:?}"));
        }
        match owner {
            Some(o) if !self.clients.contains_key(&o) => return Err(format!("no collaborator {o}")),
            Some(o) => {
                self.rights.owners.insert(instrument, o);
            }
            None => {
                self.rights.owners.remove(&instrument);
            }
        }
        tracing::info!("collab: instrument {instrument:?} owned by {owner:?}");
        self.send_rights();
        Ok(())
    }

    /// Gives (or takes back) collaborator `client`'s grant for project-wide
    /// edits (tempo, transport, buses, master, time signature, key...).
    ///
    /// # Errors
    ///
    /// When no such collaborator is connected.
    pub fn grant(&mut self, client: u32, granted: bool) -> Result<(), String> {
        if !self.clients.contains_key(&client) {
            return Err(format!("no collaborator {client}"));
        }
        if granted {
            self.rights.granted.insert(client);
        } else {
            self.rights.granted.remove(&client);
        }
        tracing::info!("collab: client {client} project-wide grant: {granted}");
        self.send_rights();
        Ok(())
    }

    /// A client takes an unowned instrument or gives back its own.
    pub(super) fn claim(
        &mut self,
        project: &Project,
        id: u32,
        instrument: InstrumentId,
        own: bool,
    ) -> Result<(), String> {
        if !project.instruments.contains_key(&instrument) {
            return Err(format!("no instrument {instrument:?}"));
        }
        match (self.rights.owner(instrument), own) {
            (Some(o), _) if o != id => Err(format!("that instrument belongs to {}", self.rights.name(o))),
            (Some(_), true) | (None, false) => Ok(()),
            (None, true) => {
                self.rights.owners.insert(instrument, id);
                tracing::info!("collab: client {id} claimed instrument {instrument:?}");
                self.send_rights();
                Ok(())
            }
            (Some(_), false) => {
                self.rights.owners.remove(&instrument);
                tracing::info!("collab: client {id} released instrument {instrument:?}");
                self.send_rights();
                Ok(())
            }
        }
    }

    /// A client left: its instruments become unowned and its grant goes
    /// (author numbers are not reused; a returning client claims again).
    pub(super) fn forget(&mut self, id: u32) {
        self.rights.owners.retain(|_, o| *o != id);
        self.rights.granted.remove(&id);
        self.rights.names.remove(&id);
        self.send_rights();
    }

    pub(super) fn send_rights(&mut self) {
        if let Ok(b) = encode(&HostMsg::Rights(self.rights.clone())) {
            self.broadcast(None, b.into());
        }
    }

    pub(super) fn pong(&mut self, id: u32, nonce: u64, at: Instant) {
        if let Some(c) = self.clients.get_mut(&id)
            && let Some((sent, when)) = c.ping
            && sent == nonce
        {
            c.rtt = Some(at.saturating_duration_since(when));
            c.ping = None;
        }
    }

    /// Pings every client once per interval (a third of the idle timeout,
    /// at most 1 s), samples byte rates and logs the metrics.
    pub(super) fn tick_session(&mut self) {
        let every = (self.shared.limits.idle_timeout / 3).min(Duration::from_secs(1));
        let now = Instant::now();
        let since = now.duration_since(self.session_clock.ping_at);
        if since >= every {
            self.session_clock.ping_at = now;
            self.session_clock.nonce += 1;
            let nonce = self.session_clock.nonce;
            if let Ok(bytes) = encode(&HostMsg::Ping { nonce }) {
                let bytes: std::sync::Arc<[u8]> = bytes.into();
                for c in self.clients.values_mut() {
                    let sent = c.outbox.stats().sent;
                    let secs = now.duration_since(c.sample.0).as_secs_f64();
                    if secs > 0.0 {
                        c.bytes_per_sec = ((sent - c.sample.1) as f64 / secs) as u64;
                    }
                    c.sample = (now, sent);
                    // A ping still unanswered keeps its time: the rtt then
                    // grows with the silence.
                    if c.ping.is_none() {
                        c.ping = Some((nonce, now));
                    }
                    let nonce = c.ping.map_or(nonce, |p| p.0);
                    let item = if nonce == self.session_clock.nonce {
                        Item { key: Some(CoalesceKey::Ping), bytes: std::sync::Arc::clone(&bytes) }
                    } else {
                        continue;
                    };
                    c.outbox.push(item);
                }
            }
        }
        if now.duration_since(self.session_clock.log_at) >= LOG_EVERY && !self.clients.is_empty() {
            self.session_clock.log_at = now;
            for c in self.collaborators() {
                tracing::info!(
                    "collab: client {} ({}): rtt {}, outbox {}, {} B/s, {} dropped, owns {}",
                    c.id,
                    c.name,
                    c.rtt.map_or_else(|| "-".into(), |d| format!("{:.1} ms", d.as_secs_f64() * 1000.0)),
                    c.outbox_depth,
                    c.bytes_per_sec,
                    c.dropped,
                    c.owns.len()
                );
            }
        }
    }
}
