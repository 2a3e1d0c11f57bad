//! Live voices of [`Playback`]: keys, pedal, bend, aftertouch, and panic.

use imbolc_types::InstrumentId;
use imbolc_types::layer::MAX_LAYERS;

use super::*;

impl Playback {
    /// A live voice at `freq` Hz (velocity 0..=1), and one on each layer of
    /// the instrument (its offset and velocity scale applied), all in one
    /// bundle. With the instrument's arpeggiator on, the key feeds it
    /// instead (its steps are timeline notes).
    ///
    /// # Errors
    /// [`VoiceError`] when the graph refuses the instrument's own voice;
    /// nothing is sent. A layer that refuses is left out.
    pub fn voice_on(
        &mut self,
        voice: VoiceId,
        instrument: InstrumentId,
        freq: f32,
        velocity: f32,
        graph: &mut SignalGraph,
        out: &mut Vec<Batch>,
    ) -> Result<(), VoiceError> {
        if self.scheduler.arpeggiates(instrument) {
            // The arpeggiator plays it (see `scheduler/player_live.rs`).
            let vel = (velocity.clamp(0.0, 1.0) * 127.0).round().max(1.0) as u8;
            let now = self.clock.now();
            self.scheduler.live_note_on(instrument, freq_to_midi(freq), vel, voice.0, now);
            return Ok(());
        }
        let mut ops = Vec::new();
        self.start_live((voice, 0), instrument, freq, velocity, graph, &mut ops)?;
        let now = self.clock.now();
        let layers = self.scheduler.layers().of(instrument);
        if layers.is_empty() {
            self.push_for(Scope::Live(instrument), now, ops, out);
            return Ok(());
        }
        let layers = layers.to_vec();
        let pitch = freq_to_midi(freq);
        let mut touched = vec![instrument];
        for (slot, (layer, link)) in (1u8..).zip(&layers) {
            if link.pitch(pitch).is_none() {
                continue;
            }
            let f = freq * 2f32.powf(f32::from(link.semitones) / 12.0);
            let v = (velocity.clamp(0.0, 1.0) * link.velocity).clamp(1.0 / 127.0, 1.0);
            match self.start_live((voice, slot), *layer, f, v, graph, &mut ops) {
                Ok(()) => touched.push(*layer),
                Err(e) => tracing::debug!("layer {layer} refused a live voice: {e}"),
            }
        }
        self.push_for(Scope::Layered(&touched), now, ops, out);
        Ok(())
    }

    /// Starts one live voice (ops into `ops`, nothing sent).
    fn start_live(
        &mut self,
        key: (VoiceId, u8),
        instrument: InstrumentId,
        freq: f32,
        velocity: f32,
        graph: &mut SignalGraph,
        ops: &mut Vec<ServerOp>,
    ) -> Result<(), VoiceError> {
        let pitch = freq_to_midi(freq);
        let vel = (velocity.clamp(0.0, 1.0) * 127.0).round().max(1.0) as u8;
        if graph.is_drum_kit(instrument) {
            // A live key on a kit hits a pad (nothing to release later).
            if let Some(pad) = pad_of_note(pitch) {
                let v = velocity.clamp(0.0, 1.0);
                self.allocator.trigger(instrument, pad, vel, || graph.drum_hit(instrument, pad, v, 0.0), ops)?;
            }
            return Ok(());
        }
        // Live keys arrive as 12-TET frequencies: retuned to the
        // instrument's tuning; an unmapped key plays nothing.
        let Some(freq) = graph.live_freq(instrument, freq) else { return Ok(()) };
        let shaped_vel = self.expression.shape(instrument, velocity);
        let node =
            self.allocator.start_held(instrument, pitch, vel, || graph.voice_on(instrument, freq, shaped_vel), ops)?;
        self.live.insert(key, node);
        self.live_of_node.insert(node, key);
        self.expression.started(node, instrument, freq, velocity);
        Ok(())
    }

    /// Releases a live voice and its layers' (nothing for those that
    /// already ended or were stolen).
    pub fn voice_off(&mut self, voice: VoiceId, graph: &SignalGraph, out: &mut Vec<Batch>) {
        if self.scheduler.live_note_off(voice.0, self.clock.now()) {
            return;
        }
        let mut ops = Vec::new();
        let mut touched = Vec::new();
        for slot in 0..=u8::try_from(MAX_LAYERS).unwrap_or(u8::MAX) {
            let Some(node) = self.live.remove(&(voice, slot)) else { continue };
            self.live_of_node.remove(&node);
            self.allocator.release_node(graph, node, &mut ops);
            touched.extend(self.expression.instrument_of(node));
        }
        let now = self.clock.now();
        match touched.as_slice() {
            [] => self.push(now, ops, out),
            [one] => self.push_for(Scope::Live(*one), now, ops, out),
            many => self.push_for(Scope::Layered(many), now, ops, out),
        }
    }

    /// Sustain pedal of an instrument: while down, released voices keep
    /// sounding until it comes up (timeline notes included).
    /// A lead's pedal holds its layers' voices too.
    pub fn pedal(&mut self, instrument: InstrumentId, down: bool, graph: &SignalGraph, out: &mut Vec<Batch>) {
        let mut ops = Vec::new();
        let mut touched = vec![instrument];
        touched.extend(self.scheduler.layers().of(instrument).iter().map(|(layer, _)| *layer));
        for i in &touched {
            self.allocator.pedal(graph, *i, down, &mut ops);
        }
        let now = self.clock.now();
        match touched.as_slice() {
            [one] => self.push_for(Scope::Live(*one), now, ops, out),
            many => self.push_for(Scope::Layered(many), now, ops, out),
        }
    }

    /// Pitch bend of every voice of an instrument (timeline and live),
    /// `amount` -1..=1 of the instrument's bend range.
    /// A lead's bend bends its layers too.
    pub fn bend(&mut self, instrument: InstrumentId, amount: f32, graph: &mut SignalGraph, out: &mut Vec<Batch>) {
        let mut touched = vec![instrument];
        touched.extend(self.scheduler.layers().of(instrument).iter().map(|(layer, _)| *layer));
        for i in touched {
            match graph.bend(i, amount) {
                Ok(op) => {
                    let now = self.clock.now();
                    self.push_for(Scope::Live(i), now, vec![op], out);
                }
                Err(e) => tracing::debug!("bend of a missing instrument: {e}"),
            }
        }
    }

    /// Channel aftertouch on an instrument's live voices, 0..=1.
    pub fn press(&mut self, instrument: InstrumentId, amount: f32, out: &mut Vec<Batch>) {
        let mut ops = Vec::new();
        self.expression.press(instrument, amount, &mut ops);
        let now = self.clock.now();
        self.push_for(Scope::Live(instrument), now, ops, out);
    }

    /// Polyphonic aftertouch on one live voice (its own instrument's, not
    /// its layers'), 0..=1.
    pub fn press_voice(&mut self, voice: VoiceId, amount: f32, out: &mut Vec<Batch>) {
        let Some(node) = self.live.get(&(voice, 0)).copied() else { return };
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
