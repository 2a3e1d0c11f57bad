//! Minimal voices: one synth per note in the instrument's `voices` group,
//! writing the chain bus. The voice allocator (polyphony, stealing,
//! sustain) builds on these.

use imbolc_types::InstrumentId;

use super::build::clamp_spec;
use super::params::clamp_stage;
use super::{GraphError, SignalGraph};
use crate::backend::{AddAction, ControlName, NodeId, ServerOp};

impl SignalGraph {
    /// Starts a sustained voice at `freq` Hz and velocity `vel` (0..=1)
    /// with the instrument's current source parameters and envelope.
    /// Returns the new node and the one op that creates it.
    ///
    /// # Errors
    /// [`GraphError::UnknownInstrument`].
    pub fn voice_on(
        &mut self,
        instrument: InstrumentId,
        freq: f32,
        vel: f32,
    ) -> Result<(NodeId, ServerOp), GraphError> {
        let st = self.instruments.get(&instrument).ok_or(GraphError::UnknownInstrument(instrument))?;
        let id = self.node_ids.next_id();
        let src = &st.def.source;
        let env = &st.def.amp_env;
        let vel = if vel.is_nan() { 1.0 } else { vel.clamp(0.0, 1.0) };
        let freq = if freq.is_nan() { 440.0 } else { freq.clamp(1.0, 24_000.0) };
        let mut controls = vec![
            ("out", st.chain.bus as f32),
            ("freq", freq),
            ("vel", vel),
            ("gate", 1.0),
            ("attack", clamp_stage(imbolc_types::EnvelopeStage::Attack, env.attack)),
            ("decay", clamp_stage(imbolc_types::EnvelopeStage::Decay, env.decay)),
            ("sustain", clamp_stage(imbolc_types::EnvelopeStage::Sustain, env.sustain)),
            ("release", clamp_stage(imbolc_types::EnvelopeStage::Release, env.release)),
        ];
        for spec in src.kind.params() {
            controls.push((spec.id, clamp_spec(spec, src.params.get(spec.id).copied().unwrap_or(spec.default))));
        }
        let op =
            ServerOp::SynthNew { def: src.kind.synthdef(), id, action: AddAction::Tail, target: st.voices, controls };
        Ok((id, op))
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

    /// Releases a voice (`gate 0`); it frees itself when its envelope ends.
    pub fn voice_off(&self, voice: NodeId) -> ServerOp {
        ServerOp::Set { node: voice, controls: vec![("gate", 0.0)] }
    }
}
