//! Audio input instruments: one persistent `imbolc_audio_in` node at the
//! head of the instrument's `voices` group (created with the instrument,
//! freed with its group), reading a stereo pair of hardware inputs or an
//! aux bus into the chain bus. The instrument plays no notes. An edit is
//! one `/n_set` of the controls that changed on that node alone; adding or
//! removing the aux bus it reads re-points it with one `/n_set`.

use imbolc_types::{AudioInputDef, BusId, InputSource, InstrumentId};

use super::state::Controls;
use super::{GraphError, SignalGraph};
use crate::backend::ServerOp;

/// The SynthDef of the input node (`out`, `chan`, `bus`, `from_bus`,
/// `gain`, `monitor`).
pub const AUDIO_IN_SYNTHDEF: &str = "imbolc_audio_in";

impl SignalGraph {
    /// The controls of an input node for `input`, writing chain bus `out`.
    /// A missing aux bus reads nothing (gain 0).
    pub(super) fn input_controls(&self, out: u32, input: &AudioInputDef) -> Controls {
        let (chan, bus, from_bus, found) = match input.source {
            InputSource::Hardware { first } => (f32::from(first), 0.0, 0.0, true),
            InputSource::Bus(id) => match self.buses.get(&id) {
                Some(b) => (0.0, b.chain.bus as f32, 1.0, true),
                None => (0.0, 0.0, 1.0, false),
            },
        };
        let gain = if found { input.gain() } else { 0.0 };
        vec![
            ("out", out as f32),
            ("chan", chan),
            ("bus", bus),
            ("from_bus", from_bus),
            ("gain", gain),
            ("monitor", if input.monitor { 1.0 } else { 0.0 }),
        ]
    }

    /// New input settings: one `/n_set` of what changed on the input node
    /// (nothing when nothing did).
    pub(super) fn audio_input_changed(
        &mut self,
        id: InstrumentId,
        input: &AudioInputDef,
    ) -> Result<Vec<ServerOp>, GraphError> {
        let st = self.instruments.get(&id).ok_or(GraphError::UnknownInstrument(id))?;
        if st.input.is_none() || st.def.input.is_none() {
            return Err(GraphError::NotAnAudioInput(id));
        }
        let controls = self.input_controls(st.chain.bus, input);
        let st = self.instruments.get_mut(&id).ok_or(GraphError::UnknownInstrument(id))?;
        st.def.input = Some(*input);
        Ok(st.refresh_input(controls).into_iter().collect())
    }

    /// After an aux bus was added or removed: re-point the input nodes
    /// reading it.
    pub(super) fn refresh_inputs_of(&mut self, bus: BusId) -> Vec<ServerOp> {
        let readers: Vec<InstrumentId> = self
            .order
            .iter()
            .copied()
            .filter(|i| {
                self.instruments.get(i).and_then(|s| s.def.input).is_some_and(|d| d.source == InputSource::Bus(bus))
            })
            .collect();
        let mut ops = Vec::new();
        for id in readers {
            let Some(st) = self.instruments.get(&id) else { continue };
            let Some(input) = st.def.input else { continue };
            let controls = self.input_controls(st.chain.bus, &input);
            if let Some(st) = self.instruments.get_mut(&id) {
                ops.extend(st.refresh_input(controls));
            }
        }
        ops
    }
}

impl super::state::InstrumentState {
    /// The `/n_set` bringing the input node to `controls`, if any changed.
    fn refresh_input(&mut self, controls: Controls) -> Option<ServerOp> {
        let node = self.input?;
        let changed: Controls = controls
            .iter()
            .zip(self.input_sent.iter())
            .filter(|(n, w)| n.1.to_bits() != w.1.to_bits())
            .map(|(n, _)| *n)
            .collect();
        self.input_sent = controls;
        (!changed.is_empty()).then_some(ServerOp::Set { node, controls: changed })
    }
}
