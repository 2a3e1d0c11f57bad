//! [`VoiceAllocator`]: per-instrument voice lists, note on/off, pedal,
//! release and `/n_end` handling. Mono mode is in `mono.rs`, victim choice
//! in `steal.rs`.

use std::collections::HashMap;

use imbolc_types::{InstrumentId, VoiceSettings};

use super::{MAX_POLYPHONY, Voice, VoiceConfig, VoiceError, VoiceState};
use crate::backend::{NodeId, ServerOp};
use crate::graph::{BusAllocator, GraphError, SignalGraph};

/// The voices of one instrument.
#[derive(Debug, Clone, Default)]
pub(super) struct Part {
    pub settings: VoiceSettings,
    /// Every counted voice (held, sustained or releasing), oldest first.
    pub voices: Vec<Voice>,
    pub pedal: bool,
    /// Mono mode: keys down, most recent last, with their velocities.
    pub keys: Vec<(u8, u8)>,
    /// The server group its voices start in (from their `/s_new`).
    pub group: Option<NodeId>,
}

impl Part {
    /// The polyphony limit, clamped to 1..=[`MAX_POLYPHONY`].
    pub fn cap(&self) -> usize {
        usize::from(self.settings.polyphony.clamp(1, MAX_POLYPHONY))
    }
}

/// Owns the voice life cycle of every instrument. See the module docs.
///
/// Invariants: `owner` holds exactly the nodes of all `parts`' voices; no
/// part holds more voices than its cap after any public call returns.
#[derive(Debug, Clone)]
pub struct VoiceAllocator {
    config: VoiceConfig,
    pub(super) parts: HashMap<InstrumentId, Part>,
    /// Instrument of every counted voice node.
    pub(super) owner: HashMap<NodeId, InstrumentId>,
    pub(super) buses: BusAllocator,
    /// Buses of voices forgotten before their node ended, by voice node:
    /// back to the pool on that node's `/n_end` (a synth may write them
    /// until then).
    retiring: HashMap<NodeId, u32>,
    /// Voices of forgotten instruments by the group that held them: their
    /// buses go back on the group's `/n_end` too (a node's own may be lost).
    retiring_groups: HashMap<NodeId, Vec<NodeId>>,
    seq: u64,
}

impl VoiceAllocator {
    pub fn new(config: VoiceConfig) -> Self {
        VoiceAllocator {
            config,
            parts: HashMap::new(),
            owner: HashMap::new(),
            buses: BusAllocator::new(config.first_voice_bus, 1),
            retiring: HashMap::new(),
            retiring_groups: HashMap::new(),
            seq: 0,
        }
    }

    /// The per-voice control bus pool (to check reuse).
    pub fn bus_pool(&self) -> &BusAllocator {
        &self.buses
    }

    /// Counted voices of one instrument (releasing tails included).
    pub fn count(&self, instrument: InstrumentId) -> usize {
        self.parts.get(&instrument).map_or(0, |p| p.voices.len())
    }

    /// Instruments the allocator has settings or voices for, in id order.
    pub fn instruments(&self) -> Vec<InstrumentId> {
        let mut ids: Vec<InstrumentId> = self.parts.keys().copied().collect();
        ids.sort();
        ids
    }

    /// Counted voices of every instrument.
    pub fn total(&self) -> usize {
        self.owner.len()
    }

    /// The voices of an instrument, oldest first.
    pub fn voices(&self, instrument: InstrumentId) -> &[Voice] {
        self.parts.get(&instrument).map_or(&[], |p| p.voices.as_slice())
    }

    /// Sets an instrument's voice settings (on scene load, instrument add,
    /// `VoiceSettingsChanged`). A lower polyphony steals the excess at once;
    /// switching mono on or off releases what sounds.
    pub fn set_settings(&mut self, instrument: InstrumentId, settings: VoiceSettings, out: &mut Vec<ServerOp>) {
        let part = self.parts.entry(instrument).or_default();
        let mono_changed = part.settings.mono != settings.mono;
        part.settings = settings;
        if mono_changed {
            self.release_all(instrument, out);
        }
        let cap = self.parts.get(&instrument).map_or(usize::MAX, Part::cap);
        while self.count(instrument) > cap {
            if !self.steal(instrument, None, out) {
                break;
            }
        }
    }

    /// Starts a note (velocity 1..=127; 0 is a note-off, as in MIDI).
    ///
    /// # Errors
    /// [`VoiceError::UnknownInstrument`] when the graph has no such
    /// instrument; nothing is sent.
    pub fn note_on(
        &mut self,
        graph: &mut SignalGraph,
        instrument: InstrumentId,
        pitch: u8,
        velocity: u8,
        out: &mut Vec<ServerOp>,
    ) -> Result<(), VoiceError> {
        if velocity == 0 {
            return self.note_off(graph, instrument, pitch, out);
        }
        if graph.voices_group(instrument).is_none() {
            self.forget_instrument(instrument);
            return Err(VoiceError::UnknownInstrument(instrument));
        }
        let mono = self.parts.entry(instrument).or_default().settings.mono;
        if mono {
            return self.mono_on(graph, instrument, pitch.min(127), velocity.min(127), out);
        }
        self.start_voice(graph, instrument, pitch.min(127), velocity.min(127), out)
    }

    /// Ends a note: its oldest held voice of that pitch is released, or
    /// kept by the pedal until pedal up.
    ///
    /// # Errors
    /// In mono mode a key up may restart the previous key's voice; see
    /// [`VoiceAllocator::note_on`].
    pub fn note_off(
        &mut self,
        graph: &mut SignalGraph,
        instrument: InstrumentId,
        pitch: u8,
        out: &mut Vec<ServerOp>,
    ) -> Result<(), VoiceError> {
        let Some(part) = self.parts.get_mut(&instrument) else { return Ok(()) };
        if part.settings.mono {
            return self.mono_off(graph, instrument, pitch, out);
        }
        let pedal = part.pedal;
        let held =
            part.voices.iter_mut().filter(|v| v.state == VoiceState::Held && v.pitch == pitch).min_by_key(|v| v.seq);
        if let Some(v) = held {
            if pedal {
                v.state = VoiceState::Sustained;
            } else {
                v.state = VoiceState::Releasing;
                out.push(graph.voice_off(v.node));
            }
        }
        Ok(())
    }

    /// Sustain pedal down or up. Up releases every voice it was holding.
    pub fn pedal(&mut self, graph: &SignalGraph, instrument: InstrumentId, down: bool, out: &mut Vec<ServerOp>) {
        let part = self.parts.entry(instrument).or_default();
        part.pedal = down;
        if !down {
            for v in part.voices.iter_mut().filter(|v| v.state == VoiceState::Sustained) {
                v.state = VoiceState::Releasing;
                out.push(graph.voice_off(v.node));
            }
        }
    }

    /// Releases every voice of an instrument (stop, panic). Keys and pedal
    /// are forgotten; the tails stay counted until their `/n_end`.
    pub fn release_all(&mut self, instrument: InstrumentId, out: &mut Vec<ServerOp>) {
        let Some(part) = self.parts.get_mut(&instrument) else { return };
        part.keys.clear();
        part.pedal = false;
        for v in part.voices.iter_mut().filter(|v| v.state != VoiceState::Releasing) {
            v.state = VoiceState::Releasing;
            out.push(ServerOp::Set { node: v.node, controls: vec![("gate", 0.0)] });
        }
    }

    /// [`VoiceAllocator::release_all`] for every instrument (transport stop).
    pub fn release_everything(&mut self, out: &mut Vec<ServerOp>) {
        let mut ids: Vec<InstrumentId> = self.parts.keys().copied().collect();
        ids.sort();
        for id in ids {
            self.release_all(id, out);
        }
    }

    /// The instrument was deleted: the graph frees its group, and with it
    /// every voice, so nothing is sent; its voices are forgotten (their
    /// late `/n_end`s are then ignored). Their control buses go back to
    /// the pool only when the server reports the voices (or their group)
    /// ended: the group's `/n_free` may be timed up to a lookahead later,
    /// and until then the voices still write them.
    pub fn forget_instrument(&mut self, instrument: InstrumentId) {
        if let Some(part) = self.parts.remove(&instrument) {
            let nodes = self.retire(part.voices);
            if let Some(group) = part.group
                && !nodes.is_empty()
            {
                self.retiring_groups.entry(group).or_default().extend(nodes);
            }
        }
    }

    /// Forgets every voice of every instrument (a panic that frees them all
    /// on the server); settings are kept, keys and pedals are reset. Buses
    /// go back to the pool on each voice's `/n_end`.
    pub fn silence_all(&mut self) {
        let mut voices = Vec::new();
        for part in self.parts.values_mut() {
            voices.append(&mut part.voices);
            part.keys.clear();
            part.pedal = false;
        }
        self.retire(voices);
    }

    /// Drops `voices` from the count; their buses wait for their `/n_end`.
    /// Returns the nodes that hold a bus.
    fn retire(&mut self, voices: Vec<super::Voice>) -> Vec<NodeId> {
        let mut with_bus = Vec::new();
        for v in voices {
            self.owner.remove(&v.node);
            if let Some(b) = v.bus {
                self.retiring.insert(v.node, b);
                with_bus.push(v.node);
            }
        }
        with_bus
    }

    /// The server is gone (restart): no voice survives it. Settings are
    /// kept; voices, keys, pedals and buses are reset.
    pub fn server_lost(&mut self) {
        for part in self.parts.values_mut() {
            part.voices.clear();
            part.keys.clear();
            part.pedal = false;
        }
        self.owner.clear();
        self.retiring.clear();
        self.retiring_groups.clear();
        self.buses.reset();
    }

    /// The server reported `/n_end` for `node`. Returns the instrument when
    /// it was one of our voices (its bus, if any, goes back to the pool).
    pub fn on_node_end(&mut self, node: NodeId) -> Option<InstrumentId> {
        if let Some(b) = self.retiring.remove(&node) {
            self.buses.free(b);
        }
        if let Some(nodes) = self.retiring_groups.remove(&node) {
            for n in nodes {
                if let Some(b) = self.retiring.remove(&n) {
                    self.buses.free(b);
                }
            }
        }
        let instrument = self.owner.remove(&node)?;
        let part = self.parts.get_mut(&instrument)?;
        let i = part.voices.iter().position(|v| v.node == node)?;
        let v = part.voices.remove(i);
        if let Some(b) = v.bus {
            self.buses.free(b);
        }
        if part.settings.mono {
            // The sounding voice ended by itself (a one-shot): the keys it
            // was playing no longer have a voice to glide.
            if v.state != VoiceState::Releasing {
                part.keys.clear();
            }
        }
        Some(instrument)
    }

    /// Buses waiting for their voice's `/n_end` (for tests).
    pub fn retiring_buses(&self) -> usize {
        self.retiring.len()
    }

    /// Starts a one-shot voice (a drum hit, a sample) built by `make`,
    /// typically a graph call creating a synth that frees itself
    /// (`doneAction: 2`) in the instrument's `voices` group. It counts
    /// against polyphony and can be stolen like any voice; no gate is ever
    /// sent to it (note-off, pedal and release leave it alone), and it is
    /// counted until its `/n_end`.
    ///
    /// # Errors
    /// What `make` returns, as [`VoiceError`]; nothing is stolen or sent.
    pub fn trigger(
        &mut self,
        instrument: InstrumentId,
        pitch: u8,
        velocity: u8,
        make: impl FnOnce() -> Result<(NodeId, ServerOp), GraphError>,
        out: &mut Vec<ServerOp>,
    ) -> Result<(), VoiceError> {
        let make = || make().map(|(node, op)| (node, vec![op]));
        self.start_with(instrument, pitch.min(127), velocity.min(127), VoiceState::Releasing, make, out).map(|_| ())
    }

    /// Starts a held (gated) voice built by `make` and returns its node, so
    /// the caller can release exactly this voice later with
    /// [`VoiceAllocator::release_node`]. For live voices whose frequency is
    /// not a MIDI pitch (`pitch` is then only used for same-note stealing).
    ///
    /// # Errors
    /// What `make` returns, as [`VoiceError`]; nothing is stolen or sent.
    pub fn start_held(
        &mut self,
        instrument: InstrumentId,
        pitch: u8,
        velocity: u8,
        make: impl FnOnce() -> Result<(NodeId, Vec<ServerOp>), GraphError>,
        out: &mut Vec<ServerOp>,
    ) -> Result<NodeId, VoiceError> {
        self.start_with(instrument, pitch.min(127), velocity.min(127), VoiceState::Held, make, out)
    }

    /// Releases one held voice by its node (a timeline note or a live
    /// voice: two voices of the same pitch may overlap, so releasing "the
    /// oldest of that pitch" could end the wrong one). With the pedal down
    /// it is kept until pedal up. False when the node is not a held voice
    /// any more (stolen, ended, already released, or its instrument gone).
    pub fn release_node(&mut self, graph: &SignalGraph, node: NodeId, out: &mut Vec<ServerOp>) -> bool {
        let Some(instrument) = self.owner.get(&node) else { return false };
        let Some(part) = self.parts.get_mut(instrument) else { return false };
        let pedal = part.pedal;
        let Some(v) = part.voices.iter_mut().find(|v| v.node == node && v.state == VoiceState::Held) else {
            return false;
        };
        if pedal {
            v.state = VoiceState::Sustained;
        } else {
            v.state = VoiceState::Releasing;
            out.push(graph.voice_off(node));
        }
        true
    }

    /// Whether `instrument` plays in mono mode (its notes are then paired
    /// by pitch, as the key stack needs).
    pub fn is_mono(&self, instrument: InstrumentId) -> bool {
        self.parts.get(&instrument).is_some_and(|p| p.settings.mono)
    }

    /// Starts a new gated voice with the instrument's source.
    pub(super) fn start_voice(
        &mut self,
        graph: &mut SignalGraph,
        instrument: InstrumentId,
        pitch: u8,
        velocity: u8,
        out: &mut Vec<ServerOp>,
    ) -> Result<(), VoiceError> {
        // A key the instrument's tuning leaves unmapped plays nothing.
        let Some(freq) = graph.note_freq(instrument, pitch) else { return Ok(()) };
        let make = || graph.voice_on(instrument, freq, f32::from(velocity) / 127.0);
        self.start_with(instrument, pitch, velocity, VoiceState::Held, make, out).map(|_| ())
    }

    /// Starts a voice, stealing first if at the limit. The voice is built
    /// before anything is stolen, so a refusal leaves the allocator and the
    /// server untouched.
    fn start_with(
        &mut self,
        instrument: InstrumentId,
        pitch: u8,
        velocity: u8,
        state: VoiceState,
        make: impl FnOnce() -> Result<(NodeId, Vec<ServerOp>), GraphError>,
        out: &mut Vec<ServerOp>,
    ) -> Result<NodeId, VoiceError> {
        let (node, mut ops) = make().map_err(|e| match e {
            GraphError::UnknownInstrument(i) => VoiceError::UnknownInstrument(i),
            other => VoiceError::Graph(other),
        })?;
        let cap = self.parts.entry(instrument).or_default().cap();
        while self.count(instrument) >= cap {
            if !self.steal(instrument, Some(pitch), out) {
                break;
            }
        }
        let bus = match self.config.voice_bus_control {
            Some(control) => {
                let bus = self.buses.alloc();
                // The voice synth: the first one (a per-voice group's
                // filter comes after it).
                if let Some(ServerOp::SynthNew { controls, .. }) =
                    ops.iter_mut().find(|op| matches!(op, ServerOp::SynthNew { .. }))
                {
                    controls.push((control, bus as f32));
                }
                Some(bus)
            }
            None => None,
        };
        let group = match ops.first() {
            Some(ServerOp::SynthNew { target, .. } | ServerOp::GroupNew { target, .. }) => Some(*target),
            _ => None,
        };
        out.append(&mut ops);
        self.seq += 1;
        let voice = Voice { node, pitch, velocity, seq: self.seq, state, bus };
        let part = self.parts.entry(instrument).or_default();
        part.group = group.or(part.group);
        part.voices.push(voice);
        self.owner.insert(node, instrument);
        Ok(node)
    }

    /// Frees one voice chosen by the instrument's strategy (`for_pitch`:
    /// the note about to start, for same-note stealing). False when the
    /// instrument has no voice.
    pub(super) fn steal(&mut self, instrument: InstrumentId, for_pitch: Option<u8>, out: &mut Vec<ServerOp>) -> bool {
        let Some(part) = self.parts.get_mut(&instrument) else { return false };
        let Some(i) = super::steal::victim(&part.voices, part.settings.steal, for_pitch) else { return false };
        let v = part.voices.remove(i);
        self.owner.remove(&v.node);
        if let Some(b) = v.bus {
            self.buses.free(b);
        }
        out.push(ServerOp::FreeVoice { node: v.node });
        true
    }
}
