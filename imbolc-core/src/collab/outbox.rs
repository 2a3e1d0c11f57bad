//! One client's outgoing queue: bounded, and coalescing.
//!
//! The host thread pushes (never blocks); the client's writer thread pops.
//! An item with a [`CoalesceKey`] replaces an earlier one with the same
//! key when only coalescible items follow that one (so no edit that might
//! read the old value is reordered around it: the replica ends equal).
//! Past the bound in frames or bytes the outbox closes and the client is
//! disconnected; it catches up when it reconnects.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::wire::CoalesceKey;

/// One frame to send (the same bytes for every client).
#[derive(Debug, Clone)]
pub struct Item {
    pub key: Option<CoalesceKey>,
    pub bytes: Arc<[u8]>,
}

/// What a push did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    Queued,
    /// Replaced an older item with the same key.
    Coalesced,
    /// Over the bound: the outbox is now closed.
    Overflow,
    /// Closed before.
    Closed,
}

#[derive(Debug, Default)]
struct Inner {
    queue: VecDeque<Item>,
    bytes: usize,
    closed: Option<String>,
    dropped: u64,
    peak: usize,
    sent: u64,
}

/// See the module docs.
#[derive(Debug)]
pub struct Outbox {
    inner: Mutex<Inner>,
    ready: Condvar,
    max_frames: usize,
    max_bytes: usize,
}

/// Counters for the log and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxStats {
    pub depth: usize,
    pub bytes: usize,
    pub peak: usize,
    /// Coalesced items that were never sent.
    pub dropped: u64,
    /// Bytes written to the socket so far (encrypted).
    pub sent: u64,
}

impl Outbox {
    pub fn new(max_frames: usize, max_bytes: usize) -> Self {
        Outbox { inner: Mutex::new(Inner::default()), ready: Condvar::new(), max_frames, max_bytes }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `item` (see the module docs).
    pub fn push(&self, item: Item) -> Pushed {
        let mut inner = self.lock();
        if inner.closed.is_some() {
            return Pushed::Closed;
        }
        let mut result = Pushed::Queued;
        if let Some(key) = &item.key {
            let mut i = inner.queue.len();
            while i > 0 {
                i -= 1;
                match &inner.queue[i].key {
                    None => break,
                    Some(k) if k == key => {
                        if let Some(old) = inner.queue.remove(i) {
                            inner.bytes -= old.bytes.len();
                        }
                        inner.dropped += 1;
                        result = Pushed::Coalesced;
                        break;
                    }
                    Some(_) => {}
                }
            }
        }
        if inner.queue.len() >= self.max_frames || inner.bytes + item.bytes.len() > self.max_bytes {
            inner.closed = Some(format!(
                "fell behind: {} frames ({} bytes) queued, the bound is {} frames or {} bytes",
                inner.queue.len(),
                inner.bytes,
                self.max_frames,
                self.max_bytes
            ));
            inner.queue.clear();
            inner.bytes = 0;
            self.ready.notify_all();
            return Pushed::Overflow;
        }
        inner.bytes += item.bytes.len();
        inner.queue.push_back(item);
        inner.peak = inner.peak.max(inner.queue.len());
        self.ready.notify_one();
        result
    }

    /// Closes the outbox (the writer ends) with `reason`, unless closed.
    pub fn close(&self, reason: &str) {
        let mut inner = self.lock();
        if inner.closed.is_none() {
            inner.closed = Some(reason.to_string());
        }
        self.ready.notify_all();
    }

    /// Why it closed, if it did.
    pub fn closed(&self) -> Option<String> {
        self.lock().closed.clone()
    }

    /// The next item, waiting up to `wait`; `Err(reason)` once closed
    /// (items queued before a plain close are still delivered first).
    pub fn pop(&self, wait: Duration) -> Result<Option<Item>, String> {
        let mut inner = self.lock();
        if inner.queue.is_empty() && inner.closed.is_none() {
            inner = self.ready.wait_timeout(inner, wait).unwrap_or_else(PoisonError::into_inner).0;
        }
        match inner.queue.pop_front() {
            Some(item) => {
                inner.bytes -= item.bytes.len();
                Ok(Some(item))
            }
            None => match &inner.closed {
                Some(reason) => Err(reason.clone()),
                None => Ok(None),
            },
        }
    }

    /// Counts bytes the writer wrote.
    pub fn note_sent(&self, bytes: usize) {
        self.lock().sent += bytes as u64;
    }

    pub fn stats(&self) -> OutboxStats {
        let inner = self.lock();
        OutboxStats {
            depth: inner.queue.len(),
            bytes: inner.bytes,
            peak: inner.peak,
            dropped: inner.dropped,
            sent: inner.sent,
        }
    }
}
