//! Mono mode: one sounding voice per instrument, last-note priority over a
//! stack of held keys. Releasing a key returns to the previous key still
//! held, as mono synths do. Legato glides the sounding voice to the new
//! pitch (`/n_set freq`) instead of retriggering its envelope.

use imbolc_types::InstrumentId;

use super::{VoiceAllocator, VoiceError, VoiceState};
use crate::backend::ServerOp;
use crate::graph::SignalGraph;

impl VoiceAllocator {
    pub(super) fn mono_on(
        &mut self,
        graph: &mut SignalGraph,
        instrument: InstrumentId,
        pitch: u8,
        velocity: u8,
        out: &mut Vec<ServerOp>,
    ) -> Result<(), VoiceError> {
        let part = self.parts.entry(instrument).or_default();
        part.keys.retain(|k| k.0 != pitch);
        part.keys.push((pitch, velocity));
        let legato = part.settings.legato;
        let current = part.voices.iter_mut().filter(|v| v.state != VoiceState::Releasing).max_by_key(|v| v.seq);
        match current {
            Some(v) if legato => {
                v.pitch = pitch;
                v.state = VoiceState::Held;
                if let Some(freq) = graph.note_freq(instrument, pitch) {
                    out.push(ServerOp::Set { node: v.node, controls: vec![("freq", freq)] });
                }
                Ok(())
            }
            Some(v) => {
                v.state = VoiceState::Releasing;
                out.push(graph.voice_off(v.node));
                self.start_voice(graph, instrument, pitch, velocity, out)
            }
            None => self.start_voice(graph, instrument, pitch, velocity, out),
        }
    }

    pub(super) fn mono_off(
        &mut self,
        graph: &mut SignalGraph,
        instrument: InstrumentId,
        pitch: u8,
        out: &mut Vec<ServerOp>,
    ) -> Result<(), VoiceError> {
        let Some(part) = self.parts.get_mut(&instrument) else { return Ok(()) };
        let was_top = part.keys.last().is_some_and(|k| k.0 == pitch);
        part.keys.retain(|k| k.0 != pitch);
        if !was_top {
            return Ok(());
        }
        let (legato, pedal, back_to) = (part.settings.legato, part.pedal, part.keys.last().copied());
        let Some(v) = part.voices.iter_mut().filter(|v| v.state == VoiceState::Held).max_by_key(|v| v.seq) else {
            return Ok(());
        };
        match back_to {
            Some((p, _)) if legato => {
                v.pitch = p;
                if let Some(freq) = graph.note_freq(instrument, p) {
                    out.push(ServerOp::Set { node: v.node, controls: vec![("freq", freq)] });
                }
                Ok(())
            }
            Some((p, vel)) => {
                v.state = VoiceState::Releasing;
                out.push(graph.voice_off(v.node));
                self.start_voice(graph, instrument, p, vel, out)
            }
            None if pedal => {
                v.state = VoiceState::Sustained;
                Ok(())
            }
            None => {
                v.state = VoiceState::Releasing;
                out.push(graph.voice_off(v.node));
                Ok(())
            }
        }
    }
}
