//! [`Horizons`]: the latest time a timed voice batch was sent at, per
//! instrument. A live voice only has to wait for batches of its own
//! instrument (its ops — a steal, a release — only touch that
//! instrument's voices), so a keyboard playing an instrument the timeline
//! does not play goes out at once even while the transport runs.

use std::collections::HashMap;

use imbolc_types::InstrumentId;

/// Per-instrument horizons and a floor for batches that touch every
/// instrument (stop, panic, held-back releases, settings changes).
#[derive(Debug, Clone)]
pub(crate) struct Horizons {
    by: HashMap<InstrumentId, f64>,
    all: f64,
}

impl Default for Horizons {
    fn default() -> Self {
        Horizons { by: HashMap::new(), all: f64::NEG_INFINITY }
    }
}

impl Horizons {
    /// A batch of `instrument`'s voices runs at `at`.
    pub fn mark(&mut self, instrument: InstrumentId, at: f64) {
        let t = self.by.entry(instrument).or_insert(f64::NEG_INFINITY);
        *t = t.max(at);
    }

    /// A batch that may touch any instrument runs at `at`.
    pub fn mark_all(&mut self, at: f64) {
        self.all = self.all.max(at);
    }

    /// The latest time a batch touching `instrument` runs at.
    pub fn until(&self, instrument: InstrumentId) -> f64 {
        self.by.get(&instrument).copied().unwrap_or(f64::NEG_INFINITY).max(self.all)
    }

    /// The server is gone: nothing is pending.
    pub fn reset(&mut self) {
        self.by.clear();
        self.all = f64::NEG_INFINITY;
    }
}
