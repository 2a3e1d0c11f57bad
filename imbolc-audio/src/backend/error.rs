//! [`BackendError`]: why a batch could not be delivered.

/// A batch could not be delivered. The graph's state is already updated, so
/// after any of these the caller should treat the server as out of sync and
/// rebuild it (`SignalGraph::rebuild`).
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The encoded bundle does not fit in one UDP datagram. The diff was too
    /// big for one bundle: split it or rebuild in several batches.
    #[error("OSC bundle of {bytes} bytes exceeds the UDP limit of {limit} bytes")]
    TooLarge { bytes: usize, limit: usize },
    /// Sending failed (server gone, socket closed). Retry after restarting
    /// the server.
    #[error("sending to scsynth failed: {0}")]
    Io(#[from] std::io::Error),
}
