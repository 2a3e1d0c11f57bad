//! Minimal voices: one synth per note in the instrument's `voices` group,
//! writing the chain bus. The voice allocator (polyphony, stealing,
//! sustain) builds on these.
//!
//! Every voice also gets `bend` (the instrument's pitch bend in force, so
//! timeline and live notes bend alike), `glide` and `seed`: the seed of its
//! random generators, derived from the note, so noise is the same in every
//! render and live.

use imbolc_types::InstrumentId;
use imbolc_types::instrument::{BEND_RANGE_MAX, GLIDE_MAX};

use super::build::clamp_spec;
use super::params::clamp_stage;
use super::state::VoiceDef;
use super::{GraphError, SignalGraph};
use crate::backend::{AddAction, ControlName, NodeId, ServerOp};

impl SignalGraph {
    /// Starts a sustained voice at `freq` Hz and velocity `vel` (0..=1)
    /// with the instrument's current source parameters and envelope.
    /// Returns the new node and the ops that create it: one `/s_new`, or,
    /// while the instrument filters per voice, a group holding the voice
    /// and its own filter (the group is then the node; see
    /// `voice_filter.rs`).
    ///
    /// # Errors
    /// [`GraphError::UnknownInstrument`].
    pub fn voice_on(
        &mut self,
        instrument: InstrumentId,
        freq: f32,
        vel: f32,
    ) -> Result<(NodeId, Vec<ServerOp>), GraphError> {
        let st = self.instruments.get(&instrument).ok_or(GraphError::UnknownInstrument(instrument))?;
        if st.input.is_some() {
            return Err(GraphError::NotAnAudioInput(instrument));
        }
        // An audio track (or frozen instrument) plays clips, not notes.
        if st.def.audio_track {
            return Err(GraphError::NoAudioClip(instrument));
        }
        let pv = super::voice_filter::per_voice(st);
        let id = if pv { NodeId(-1) } else { self.node_ids.next_id() };
        let src = &st.def.source;
        let env = &st.def.amp_env;
        let vel = if vel.is_nan() { 1.0 } else { vel.clamp(0.0, 1.0) };
        let freq = if freq.is_nan() { 440.0 } else { freq.clamp(1.0, 24_000.0) };
        let mut controls = vec![
            ("out", st.chain.bus as f32),
            ("freq", freq),
            ("vel", vel),
            ("gate", 1.0),
            ("bend", st.bend),
            ("glide", clamp_glide(st.def.voice.glide)),
            ("seed", voice_seed(instrument, &[freq.to_bits(), vel.to_bits()])),
            ("attack", clamp_stage(imbolc_types::EnvelopeStage::Attack, env.attack)),
            ("decay", clamp_stage(imbolc_types::EnvelopeStage::Decay, env.decay)),
            ("sustain", clamp_stage(imbolc_types::EnvelopeStage::Sustain, env.sustain)),
            ("release", clamp_stage(imbolc_types::EnvelopeStage::Release, env.release)),
        ];
        if st.def.sampler.is_some() {
            // A sampler: the zone's voice replaces the source.
            controls.extend(self.zone_controls(instrument, freq, vel)?);
            if pv {
                return self.per_voice_ops(instrument, crate::synthdefs::SAMPLER_ZONE, controls, freq);
            }
            let voices = self.instruments.get(&instrument).ok_or(GraphError::UnknownInstrument(instrument))?.voices;
            let def = crate::synthdefs::SAMPLER_ZONE;
            return Ok((id, vec![ServerOp::SynthNew { def, id, action: AddAction::Tail, target: voices, controls }]));
        }
        let def = match &st.voice_def {
            VoiceDef::Catalog(name) => *name,
            VoiceDef::Custom(def, _) => {
                // Only the voice controls the def has (scsynth would ignore
                // the others, but they need not travel).
                if let Some(custom) = &src.custom {
                    controls.retain(|(name, _)| custom.has_voice_control(name));
                }
                def.name
            }
            VoiceDef::Broken(why) => return Err(GraphError::BrokenSource(instrument, why.clone())),
        };
        for spec in st.voice_def.specs(src) {
            controls.push((spec.id, clamp_spec(spec, src.params.get(spec.id).copied().unwrap_or(spec.default))));
        }
        if pv {
            return self.per_voice_ops(instrument, def, controls, freq);
        }
        let op = ServerOp::SynthNew { def, id, action: AddAction::Tail, target: st.voices, controls };
        Ok((id, vec![op]))
    }

    /// Starts a one-shot voice: a synth of `def` (a drum voice of
    /// [`crate::synthdefs::DRUM_VOICES`], or [`crate::synthdefs::SAMPLER`])
    /// that frees itself, at the tail of the instrument's `voices` group
    /// writing its chain bus, with `controls` (`amp`, `vel`, `pitch`, `buf`,
    /// …; an `out` given here is overridden, so a hit always lands on its
    /// own strip). Returns the node and the op, for
    /// [`crate::voices::VoiceAllocator::trigger`], which counts it without
    /// ever gating it.
    ///
    /// # Errors
    /// [`GraphError::UnknownInstrument`].
    pub fn one_shot_on(
        &mut self,
        instrument: InstrumentId,
        def: &'static str,
        controls: &[(ControlName, f32)],
    ) -> Result<(NodeId, ServerOp), GraphError> {
        let st = self.instruments.get(&instrument).ok_or(GraphError::UnknownInstrument(instrument))?;
        let id = self.node_ids.next_id();
        let mut all = vec![("out", st.chain.bus as f32)];
        all.extend(controls.iter().filter(|(name, v)| *name != "out" && v.is_finite()).copied());
        Ok((id, ServerOp::SynthNew { def, id, action: AddAction::Tail, target: st.voices, controls: all }))
    }

    /// Sets the pitch bend of an instrument, `amount` -1..=1 of its bend
    /// range: one `/n_set bend` on its voices group moves every sounding
    /// voice, sequenced or live, and new voices start with it.
    ///
    /// # Errors
    /// [`GraphError::UnknownInstrument`].
    pub fn bend(&mut self, instrument: InstrumentId, amount: f32) -> Result<ServerOp, GraphError> {
        let st = self.instruments.get_mut(&instrument).ok_or(GraphError::UnknownInstrument(instrument))?;
        let amount = if amount.is_finite() { amount.clamp(-1.0, 1.0) } else { 0.0 };
        let range =
            if st.def.voice.bend_range.is_finite() { st.def.voice.bend_range.clamp(0.0, BEND_RANGE_MAX) } else { 2.0 };
        st.bend = amount * range;
        Ok(ServerOp::Set { node: st.voices, controls: vec![("bend", st.bend)] })
    }

    /// Forgets every instrument's bend (panic, server lost); the voices it
    /// applied to are gone or released.
    pub fn reset_bends(&mut self) {
        for st in self.instruments.values_mut() {
            st.bend = 0.0;
        }
    }

    /// Releases a voice (`gate 0`); it frees itself when its envelope ends.
    pub fn voice_off(&self, voice: NodeId) -> ServerOp {
        ServerOp::Set { node: voice, controls: vec![("gate", 0.0)] }
    }
}

/// A glide time the voice SynthDefs accept.
pub(super) fn clamp_glide(seconds: f32) -> f32 {
    if seconds.is_finite() { seconds.clamp(0.0, GLIDE_MAX) } else { 0.0 }
}

/// A voice's random seed from what identifies its note (FNV-1a over the
/// instrument and `parts`), below 2^24 so it is exact as an OSC float.
pub(super) fn voice_seed(instrument: InstrumentId, parts: &[u32]) -> f32 {
    let mut h: u32 = 0x811c_9dc5;
    for word in std::iter::once(instrument.0).chain(parts.iter().copied()) {
        for b in word.to_le_bytes() {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
    }
    (h & 0x00ff_ffff) as f32
}

#[cfg(test)]
mod seed_tests {
    use super::*;

    #[test]
    fn seeds_depend_on_the_note_only_and_are_exact_floats() {
        let a = voice_seed(InstrumentId(1), &[440f32.to_bits(), 1f32.to_bits()]);
        assert_eq!(a, voice_seed(InstrumentId(1), &[440f32.to_bits(), 1f32.to_bits()]));
        assert_ne!(a, voice_seed(InstrumentId(2), &[440f32.to_bits(), 1f32.to_bits()]));
        assert_ne!(a, voice_seed(InstrumentId(1), &[441f32.to_bits(), 1f32.to_bits()]));
        assert!(a < 16_777_216.0 && a.fract() == 0.0);
    }
}
