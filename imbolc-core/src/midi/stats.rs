//! [`MidiStats`]: what the MIDI input saw, counted with relaxed atomics so
//! the callback never waits and the UI can show it (port, drops).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Counters shared by the MIDI callbacks and the UI.
#[derive(Debug, Default)]
pub struct MidiStats {
    received: AtomicU64,
    malformed: AtomicU64,
    sysex: AtomicU64,
    dropped: AtomicU64,
    device_connected: AtomicBool,
    reconnects: AtomicU64,
}

/// A copy of [`MidiStats`] at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MidiStatsSnapshot {
    /// Messages (callbacks) received on every input.
    pub received: u64,
    /// Bytes that made no MIDI message.
    pub malformed: u64,
    /// SysEx messages skipped.
    pub sysex: u64,
    /// Events dropped: the queue to the UI or the audio thread's realtime
    /// lane was full.
    pub dropped: u64,
    /// Whether the configured device port is connected now.
    pub device_connected: bool,
    /// Times the device port was (re)connected.
    pub reconnects: u64,
}

impl MidiStats {
    pub(crate) fn received(&self) {
        self.received.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn add_malformed(&self, n: usize) {
        if n > 0 {
            self.malformed.fetch_add(n as u64, Ordering::Relaxed);
        }
    }

    pub(crate) fn add_sysex(&self, n: usize) {
        if n > 0 {
            self.sysex.fetch_add(n as u64, Ordering::Relaxed);
        }
    }

    pub(crate) fn dropped(&self) {
        self.dropped.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn set_device_connected(&self, connected: bool) {
        if connected && !self.device_connected.swap(true, Ordering::Relaxed) {
            self.reconnects.fetch_add(1, Ordering::Relaxed);
        } else if !connected {
            self.device_connected.store(false, Ordering::Relaxed);
        }
    }

    /// The counters now.
    pub fn snapshot(&self) -> MidiStatsSnapshot {
        MidiStatsSnapshot {
            received: self.received.load(Ordering::Relaxed),
            malformed: self.malformed.load(Ordering::Relaxed),
            sysex: self.sysex.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            device_connected: self.device_connected.load(Ordering::Relaxed),
            reconnects: self.reconnects.load(Ordering::Relaxed),
        }
    }
}
