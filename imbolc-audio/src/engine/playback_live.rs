//! Live voices of [`Playback`]: keys, pedal, bend, aftertouch, and panic.

use imbolc_types::InstrumentId;

use super::*;

impl Playback {
    /// A live voice at `freq` Hz (velocity 0..=1).
    ///
    /// # Errors
    /// [`VoiceError`] when the graph refuses it; nothing is sent.
    pub fn voice_on(
        &mut self,
        voice: VoiceId,
        instrument: InstrumentId,
        freq: f32,
        velocity: f32,
        graph: &mut SignalGraph,
        out: &mut Vec<Batch>,
    ) -> Result<(), VoiceError> {
        let mut ops = Vec::new();
        let pitch = freq_to_midi(freq);
        let vel = (velocity.clamp(0.0, 1.0) * 127.0).round().max(1.0) as u8;
        if graph.is_drum_kit(instrument) {
            // A live key on a kit hits a pad (nothing to release later).
            if let Some(pad) = pad_of_note(pitch) {
                let v = velocity.clamp(0.0, 1.0);
                self.allocator.trigger(instrument, pad, vel, || graph.drum_hit(instrument, pad, v, 0.0), &mut ops)?;
            }
            let now = self.clock.now();
            self.push_for(Scope::Live(instrument), now, ops, out);
            return Ok(());
        }
        // Live keys arrive as 12-TET frequencies: retuned to the
        // instrument's tuning; an unmapped key plays nothing.
        let Some(freq) = graph.live_freq(instrument, freq) else { return Ok(()) };
        let shaped_vel = self.expression.shape(instrument, velocity);
        let node = self.allocator.start_held(
            instrument,
            pitch,
            vel,
            || graph.voice_on(instrument, freq, shaped_vel),
            &mut ops,
        )?;
        self.live.insert(voice, node);
        self.live_of_node.insert(node, voice);
        self.expression.started(node, instrument, freq, velocity);
        let now = self.clock.now();
        self.push_for(Scope::Live(instrument), now, ops, out);
        Ok(())
    }

    /// Releases a live voice (nothing if it already ended or was stolen).
    pub fn voice_off(&mut self, voice: VoiceId, graph: &SignalGraph, out: &mut Vec<Batch>) {
        let Some(node) = self.live.remove(&voice) else { return };
        self.live_of_node.remove(&node);
        let mut ops = Vec::new();
        self.allocator.release_node(graph, node, &mut ops);
        let now = self.clock.now();
        match self.expression.instrument_of(node) {
            Some(instrument) => self.push_for(Scope::Live(instrument), now, ops, out),
            None => self.push(now, ops, out),
        }
    }

    /// Sustain pedal of an instrument: while down, released voices keep
    /// sounding until it comes up (timeline notes included).
    pub fn pedal(&mut self, instrument: InstrumentId, down: bool, graph: &SignalGraph, out: &mut Vec<Batch>) {
        let mut ops = Vec::new();
        self.allocator.pedal(graph, instrument, down, &mut ops);
        let now = self.clock.now();
        self.push_for(Scope::Live(instrument), now, ops, out);
    }

    /// Pitch bend of every voice of an instrument (timeline and live),
    /// `amount` -1..=1 of the instrument's bend range.
    pub fn bend(&mut self, instrument: InstrumentId, amount: f32, graph: &mut SignalGraph, out: &mut Vec<Batch>) {
        match graph.bend(instrument, amount) {
            Ok(op) => {
                let now = self.clock.now();
                self.push_for(Scope::Live(instrument), now, vec![op], out);
            }
            Err(e) => tracing::debug!("bend of a missing instrument: {e}"),
        }
    }

    /// Channel aftertouch on an instrument's live voices, 0..=1.
    pub fn press(&mut self, instrument: InstrumentId, amount: f32, out: &mut Vec<Batch>) {
        let mut ops = Vec::new();
        self.expression.press(instrument, amount, &mut ops);
        let now = self.clock.now();
        self.push_for(Scope::Live(instrument), now, ops, out);
    }

    /// Polyphonic aftertouch on one live voice, 0..=1.
    pub fn press_voice(&mut self, voice: VoiceId, amount: f32, out: &mut Vec<Batch>) {
        let Some(node) = self.live.get(&voice).copied() else { return };
        let mut ops = Vec::new();
        self.expression.press_voice(node, amount, &mut ops);
        let now = self.clock.now();
        match self.expression.instrument_of(node) {
            Some(instrument) => self.push_for(Scope::Live(instrument), now, ops, out),
            None => self.push(now, ops, out),
        }
    }

    /// Panic: silences every voice node the server has, pedals up, bends
    /// and pressures reset; play goes on.
    ///
    /// At the horizon (so note-ons already on their way come first) one
    /// `gate 0` on each instrument's `voices` group releases every voice
    /// there, whether the allocator knows it or not; [`PANIC_FADE`] later
    /// each `voices` group is emptied (`/g_freeAll`), which also ends what
    /// a release cannot (a voice whose gate closed in its first block) and
    /// long release tails. Later voice batches are timed after that, so no
    /// new note goes with them. The allocator forgets every voice at once:
    /// after the fade it and the server agree that none is left.
    pub fn release_everything(&mut self, graph: &SignalGraph, out: &mut Vec<Batch>) {
        self.allocator.silence_all();
        self.expression.reset();
        self.gates.clear();
        self.timeline.clear();
        self.live.clear();
        self.live_of_node.clear();
        let groups: Vec<NodeId> = graph.instrument_order().iter().filter_map(|i| graph.voices_group(*i)).collect();
        let at = self.scheduler.horizon().max(self.clock.now());
        let release = groups.iter().map(|&node| ServerOp::Set { node, controls: vec![("gate", 0.0)] }).collect();
        self.push(at, release, out);
        let freed = groups.iter().map(|&group| ServerOp::FreeAll { group }).collect();
        let after = self.timed_until.max(at) + PANIC_FADE;
        self.push(after, freed, out);
    }
}

/// The nearest MIDI note to `freq` Hz (for same-note stealing of live
/// voices, which carry a frequency).
pub(super) fn freq_to_midi(freq: f32) -> u8 {
    if !freq.is_finite() || freq <= 0.0 {
        return 69;
    }
    (69.0 + 12.0 * (freq / 440.0).log2()).round().clamp(0.0, 127.0) as u8
}
