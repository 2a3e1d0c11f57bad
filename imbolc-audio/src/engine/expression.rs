//! [`Expression`]: aftertouch a live performer applies to voices that
//! already sound, kept per instrument so a new voice starts with the
//! pressure in force. Pressure raises `vel` from the note's own velocity
//! towards 1; only live voices follow, timeline notes keep their written
//! velocity. (Pitch bend is a voice control set on the whole voices group,
//! so it reaches timeline and live notes alike: see `SignalGraph::bend`.)

use std::collections::HashMap;

use imbolc_types::InstrumentId;

use crate::backend::{NodeId, ServerOp};

/// A live voice as it was started, before expression.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Base {
    instrument: InstrumentId,
    freq: f32,
    velocity: f32,
}

/// Pressure per instrument, and the live voices it applies to.
#[derive(Debug, Default)]
pub(crate) struct Expression {
    voices: HashMap<NodeId, Base>,
    /// 0..=1, per instrument (absent = 0).
    pressure: HashMap<InstrumentId, f32>,
}

impl Expression {
    /// The velocity a new live voice starts with.
    pub fn shape(&self, instrument: InstrumentId, velocity: f32) -> f32 {
        pressed(velocity, self.pressure_of(instrument))
    }

    /// Remembers a live voice's own pitch and velocity.
    pub fn started(&mut self, node: NodeId, instrument: InstrumentId, freq: f32, velocity: f32) {
        self.voices.insert(node, Base { instrument, freq, velocity });
    }

    /// The instrument of a live voice.
    pub fn instrument_of(&self, node: NodeId) -> Option<InstrumentId> {
        self.voices.get(&node).map(|b| b.instrument)
    }

    /// The voice's node ended (or was stolen and freed).
    pub fn ended(&mut self, node: NodeId) {
        self.voices.remove(&node);
    }

    /// Sets the pressure (aftertouch) of an instrument, 0..=1.
    pub fn press(&mut self, instrument: InstrumentId, amount: f32, ops: &mut Vec<ServerOp>) {
        let amount = if amount.is_finite() { amount.clamp(0.0, 1.0) } else { 0.0 };
        self.pressure.insert(instrument, amount);
        for (node, base) in self.of(instrument) {
            ops.push(ServerOp::Set { node, controls: vec![("vel", pressed(base.velocity, amount))] });
        }
    }

    /// Pressure on one voice (polyphonic aftertouch), 0..=1.
    pub fn press_voice(&mut self, node: NodeId, amount: f32, ops: &mut Vec<ServerOp>) {
        let amount = if amount.is_finite() { amount.clamp(0.0, 1.0) } else { 0.0 };
        if let Some(base) = self.voices.get(&node) {
            ops.push(ServerOp::Set { node, controls: vec![("vel", pressed(base.velocity, amount))] });
        }
    }

    /// Forgets pressures and voices (panic, stop, server lost).
    pub fn reset(&mut self) {
        self.voices.clear();
        self.pressure.clear();
    }

    /// Forgets an instrument that was removed.
    pub fn forget_instrument(&mut self, instrument: InstrumentId) {
        self.voices.retain(|_, b| b.instrument != instrument);
        self.pressure.remove(&instrument);
    }

    fn pressure_of(&self, instrument: InstrumentId) -> f32 {
        self.pressure.get(&instrument).copied().unwrap_or(0.0)
    }

    /// Live voices of `instrument`, in node order (deterministic batches).
    fn of(&self, instrument: InstrumentId) -> Vec<(NodeId, Base)> {
        let mut v: Vec<(NodeId, Base)> =
            self.voices.iter().filter(|(_, b)| b.instrument == instrument).map(|(n, b)| (*n, *b)).collect();
        v.sort_by_key(|(n, _)| *n);
        v
    }
}

fn pressed(velocity: f32, pressure: f32) -> f32 {
    velocity + (1.0 - velocity) * pressure
}

#[cfg(test)]
mod tests {
    use super::*;

    const I: InstrumentId = InstrumentId(3);

    #[test]
    fn pressure_moves_every_live_voice_of_the_instrument_and_new_ones() {
        let mut e = Expression::default();
        e.started(NodeId(10), I, 440.0, 0.5);
        e.started(NodeId(11), InstrumentId(4), 440.0, 0.5);
        let mut ops = Vec::new();
        e.press(I, 1.0, &mut ops);
        assert_eq!(ops, vec![ServerOp::Set { node: NodeId(10), controls: vec![("vel", 1.0)] }]);
        assert_eq!(e.shape(I, 0.5), 1.0);
        e.reset();
        assert_eq!(e.shape(I, 0.5), 0.5);
    }

    #[test]
    fn nonsense_values_are_clamped() {
        let mut e = Expression::default();
        e.press(I, 9.0, &mut Vec::new());
        assert_eq!(e.shape(I, 0.0), 1.0);
    }
}
