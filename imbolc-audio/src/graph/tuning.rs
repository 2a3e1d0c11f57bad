//! Key, scale and tuning: the frequency a note plays at. The graph keeps
//! the project's [`PitchSettings`] and each instrument's override (in its
//! definition); every pitched voice (sources and sampler zones, sequenced,
//! typed or from MIDI) takes its frequency from [`SignalGraph::note_freq`].
//! A change sends nothing: notes that start after it use the new tuning.

use imbolc_types::{InstrumentId, PitchSettings};

use super::{GraphError, SignalGraph};
use crate::backend::ServerOp;

impl SignalGraph {
    /// The key, scale and tuning `instrument` plays in.
    pub fn pitch_of(&self, instrument: InstrumentId) -> &PitchSettings {
        self.instruments.get(&instrument).and_then(|s| s.def.pitch.as_ref()).unwrap_or(&self.pitch)
    }

    /// Frequency in Hz of MIDI note `pitch` on `instrument`; `None` when
    /// its tuning leaves the key unmapped (it plays nothing).
    pub fn note_freq(&self, instrument: InstrumentId, pitch: u8) -> Option<f32> {
        self.pitch_of(instrument).freq(pitch)
    }

    /// A live key's frequency retuned: live notes (musical typing, MIDI
    /// input) arrive as the 12-TET frequency (A4 = 440 Hz) of their MIDI
    /// key; such a frequency becomes that key's in the instrument's tuning.
    /// Any other frequency is kept. `None`: the key is unmapped.
    pub fn live_freq(&self, instrument: InstrumentId, freq: f32) -> Option<f32> {
        if !freq.is_finite() || freq <= 0.0 {
            return Some(freq);
        }
        let m = 69.0 + 12.0 * (f64::from(freq) / 440.0).log2();
        let k = m.round();
        if (m - k).abs() > 0.005 || !(0.0..=127.0).contains(&k) {
            return Some(freq);
        }
        // In 0..=127 by the check above.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        self.note_freq(instrument, k as u8)
    }

    pub(super) fn pitch_changed(
        &mut self,
        instrument: Option<InstrumentId>,
        pitch: Option<&PitchSettings>,
    ) -> Result<Vec<ServerOp>, GraphError> {
        match instrument {
            None => {
                if let Some(p) = pitch {
                    self.pitch = p.clone();
                }
            }
            Some(id) => {
                let st = self.instruments.get_mut(&id).ok_or(GraphError::UnknownInstrument(id))?;
                st.def.pitch = pitch.cloned();
            }
        }
        Ok(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use imbolc_types::{AudioDiff, AudioScene, Instrument, InstrumentDef, SourceKind, TuningSystem};

    use super::*;
    use crate::graph::GraphConfig;

    #[test]
    fn notes_follow_the_project_tuning_and_an_instrument_override() {
        let (a, b) = (InstrumentId(1), InstrumentId(2));
        let inst = |id| Instrument {
            id,
            name: "x".into(),
            def: InstrumentDef::new(SourceKind::SINE),
            mixer: Default::default(),
        };
        let scene = AudioScene { instruments: vec![inst(a), inst(b)], ..AudioScene::default() };
        let (mut g, _) = SignalGraph::build(GraphConfig::default(), &scene);
        assert!((g.note_freq(a, 69).unwrap() - 440.0).abs() < 1e-3);
        let just = PitchSettings { tuning: TuningSystem::Just5, ..PitchSettings::default() };
        let ops = g.apply(&AudioDiff::PitchChanged { instrument: None, pitch: Some(just) }).unwrap();
        assert!(ops.is_empty(), "a tuning change sends nothing");
        assert!((g.note_freq(a, 64).unwrap() - 327.03).abs() < 0.01);
        let a432 = PitchSettings { a4: 432.0, ..PitchSettings::default() };
        g.apply(&AudioDiff::PitchChanged { instrument: Some(b), pitch: Some(a432) }).unwrap();
        assert!((g.note_freq(b, 69).unwrap() - 432.0).abs() < 1e-3);
        assert!((g.note_freq(a, 64).unwrap() - 327.03).abs() < 0.01, "the others keep the project's");
        assert_eq!(g.scene().pitch.tuning, TuningSystem::Just5, "a rebuild keeps it");
        let typed_e4 = crate::scheduler::midi_to_freq(64);
        assert!((g.live_freq(a, typed_e4).unwrap() - 327.03).abs() < 0.01, "a typed key is retuned");
        assert_eq!(g.live_freq(a, 300.0), Some(300.0), "another frequency is kept");
        g.apply(&AudioDiff::PitchChanged { instrument: Some(b), pitch: None }).unwrap();
        assert!((g.note_freq(b, 64).unwrap() - 327.03).abs() < 0.01);
    }
}
