//! Applying one [`AudioDiff`]: update the graph's copy, return the batch.

use imbolc_types::{AudioDiff, ChainOwner, InstrumentId, MixerSettings};

use super::params::set_send;
use super::voice::clamp_glide;
use super::{GraphError, SignalGraph};
use crate::backend::ServerOp;

impl SignalGraph {
    /// Applies one diff to the graph's copy and returns the ops that bring
    /// the server in line, to be executed as one batch. Empty when the
    /// server needs nothing (tempo, voice settings, a toggle to the current
    /// state).
    ///
    /// # Errors
    /// A [`GraphError`] when the diff names something the graph does not
    /// have (or already has); the graph is then unchanged.
    pub fn apply(&mut self, diff: &AudioDiff) -> Result<Vec<ServerOp>, GraphError> {
        // Adding, removing or moving a chain may make keys active or
        // inactive, or free a key's bus (see `keys.rs`).
        let structural = matches!(
            diff,
            AudioDiff::InstrumentAdded { .. }
                | AudioDiff::InstrumentRemoved { .. }
                | AudioDiff::InstrumentMoved { .. }
                | AudioDiff::BusAdded { .. }
                | AudioDiff::BusRemoved { .. }
        );
        if !structural {
            let ops = self.apply_diff(diff)?;
            return Ok(self.attach_irs(ops));
        }
        let before = self.key_values();
        let mut ops = self.apply_diff(diff)?;
        self.key_changes(&before, &mut ops);
        match diff {
            AudioDiff::BusAdded { bus, .. } => ops.extend(self.refresh_inputs_of(bus.id)),
            AudioDiff::BusRemoved { bus } => ops.extend(self.refresh_inputs_of(*bus)),
            _ => {}
        }
        Ok(self.attach_irs(ops))
    }

    fn apply_diff(&mut self, diff: &AudioDiff) -> Result<Vec<ServerOp>, GraphError> {
        match diff {
            AudioDiff::SceneLoaded(scene) => {
                let mut ops = vec![ServerOp::Free { node: self.roots.imbolc }];
                ops.extend(self.free_all_samples());
                self.audio_clips_loaded(&scene.clips);
                ops.extend(self.build_scene(scene));
                Ok(ops)
            }
            AudioDiff::InstrumentAdded { instrument, after } => {
                let mut ops = self.instrument_added(instrument, *after)?;
                ops.extend(self.load_kit_samples(instrument.id));
                Ok(ops)
            }
            AudioDiff::InstrumentRemoved { instrument } => {
                let mut ops = self.instrument_removed(*instrument)?;
                ops.extend(self.free_kit_samples(*instrument));
                Ok(ops)
            }
            AudioDiff::InstrumentMoved { instrument, after } => self.instrument_moved(*instrument, *after),
            AudioDiff::SourceChanged { instrument, source } => self.source_changed(*instrument, source),
            AudioDiff::FilterChanged { instrument, filter } => self.filter_changed(*instrument, filter.as_ref()),
            AudioDiff::EffectAdded { owner, effect, after } => self.effect_added(*owner, effect, *after),
            AudioDiff::EffectRemoved { owner, effect } => self.effect_removed(*owner, *effect),
            AudioDiff::EffectMoved { owner, effect, after } => self.effect_moved(*owner, *effect, *after),
            AudioDiff::EffectToggled { owner, effect, enabled } => self.effect_toggled(*owner, *effect, *enabled),
            AudioDiff::EffectSyncChanged { owner, effect, param, division } => {
                self.effect_sync_changed(*owner, *effect, param, *division)
            }
            AudioDiff::EffectKeySet { owner, effect, key } => self.effect_key_set(*owner, *effect, *key),
            AudioDiff::EffectIrSet { owner, effect, ir } => self.effect_ir_set(*owner, *effect, ir.as_ref()),
            AudioDiff::ParamSet { target, value } => self.param_set(target, *value),
            AudioDiff::LfoChanged { instrument, lfo } => {
                let st = self.instruments.get_mut(instrument).ok_or(GraphError::UnknownInstrument(*instrument))?;
                st.def.lfo = lfo.clone();
                Ok(self.sync_lfo(*instrument))
            }
            AudioDiff::VoiceSettingsChanged { instrument, voice } => {
                let st = self.instruments.get_mut(instrument).ok_or(GraphError::UnknownInstrument(*instrument))?;
                let glide_changed = st.def.voice.glide != voice.glide;
                st.def.voice = *voice;
                // Sounding voices glide at the new rate too (one /n_set).
                let glide = clamp_glide(voice.glide);
                Ok(if glide_changed {
                    vec![ServerOp::Set { node: st.voices, controls: vec![("glide", glide)] }]
                } else {
                    Vec::new()
                })
            }
            AudioDiff::AudioInputChanged { instrument, input } => self.audio_input_changed(*instrument, input),
            AudioDiff::MixerSet { instrument, mixer } => self.mixer_set(*instrument, mixer),
            AudioDiff::SendSet { instrument, bus, level } => {
                let st = self.instruments.get_mut(instrument).ok_or(GraphError::UnknownInstrument(*instrument))?;
                set_send(&mut st.mixer, *bus, *level)?;
                Ok(self.refresh_strip(ChainOwner::Instrument(*instrument)).into_iter().collect())
            }
            AudioDiff::OutputChanged { instrument, output } => {
                let st = self.instruments.get_mut(instrument).ok_or(GraphError::UnknownInstrument(*instrument))?;
                st.mixer.output = *output;
                Ok(self.refresh_strip(ChainOwner::Instrument(*instrument)).into_iter().collect())
            }
            AudioDiff::BusAdded { bus, after } => self.bus_added(bus, *after),
            AudioDiff::BusRemoved { bus } => self.bus_removed(*bus),
            AudioDiff::BusMixerSet { bus, mixer } => self.bus_mixer_set(*bus, mixer),
            AudioDiff::MasterSet(settings) => {
                self.master.settings = settings.clone();
                Ok(self.refresh_strip(ChainOwner::Master).into_iter().collect())
            }
            AudioDiff::PitchChanged { instrument, pitch } => self.pitch_changed(*instrument, pitch.as_ref()),
            AudioDiff::TransformsChanged { instrument, transforms } => {
                // The scheduler applies them; the graph keeps its copy whole.
                let st = self.instruments.get_mut(instrument).ok_or(GraphError::UnknownInstrument(*instrument))?;
                st.def.transforms = transforms.clone();
                Ok(Vec::new())
            }
            AudioDiff::LayerChanged { instrument, layer } => {
                // The scheduler and the live path follow it; the graph keeps its copy whole.
                let st = self.instruments.get_mut(instrument).ok_or(GraphError::UnknownInstrument(*instrument))?;
                st.def.layer = *layer;
                Ok(Vec::new())
            }
            // The timeline belongs to the scheduler; the graph has no nodes
            // for it.
            AudioDiff::TimeSignatureChanged(_)
            | AudioDiff::NotesChanged { .. }
            | AudioDiff::ClipChanged { .. }
            | AudioDiff::PlacementAdded { .. }
            | AudioDiff::PlacementRemoved { .. }
            | AudioDiff::PlacementChanged { .. }
            | AudioDiff::AutomationLaneAdded { .. }
            | AudioDiff::AutomationLaneRemoved { .. }
            | AudioDiff::AutomationLaneChanged { .. }
            | AudioDiff::AutomationPointSet { .. }
            | AudioDiff::AutomationCurveSet { .. }
            | AudioDiff::DrumStepsChanged { .. }
            | AudioDiff::DrumPatternChanged { .. } => Ok(Vec::new()),
            AudioDiff::ClipAdded { clip } => Ok(self.audio_clip_set(clip.id, clip.audio.as_ref())),
            AudioDiff::ClipRemoved { clip } => Ok(self.audio_clip_set(*clip, None)),
            AudioDiff::AudioRegionChanged { clip, region } => Ok(self.audio_clip_set(*clip, Some(region))),
            AudioDiff::DrumPadChanged { instrument, pad, def } => self.drum_pad_changed(*instrument, *pad, def),
            AudioDiff::SamplerZoneAdded { instrument, index, zone } => {
                self.sampler_zone_edit(*instrument, *index, super::sampler::ZoneEdit::Insert(zone))
            }
            AudioDiff::SamplerZoneChanged { instrument, index, zone } => {
                self.sampler_zone_edit(*instrument, *index, super::sampler::ZoneEdit::Set(zone))
            }
            AudioDiff::SamplerZoneRemoved { instrument, index } => {
                self.sampler_zone_edit(*instrument, *index, super::sampler::ZoneEdit::Remove)
            }
        }
    }

    /// New mixer settings for an instrument strip: one `/n_set` of what
    /// changed, plus the other strips whose effective mute a solo change
    /// flipped.
    fn mixer_set(&mut self, id: InstrumentId, mixer: &MixerSettings) -> Result<Vec<ServerOp>, GraphError> {
        let st = self.instruments.get_mut(&id).ok_or(GraphError::UnknownInstrument(id))?;
        let before = self.inst_solos;
        if st.mixer.solo != mixer.solo {
            if mixer.solo {
                self.inst_solos += 1;
            } else {
                self.inst_solos = self.inst_solos.saturating_sub(1);
            }
        }
        st.mixer = mixer.clone();
        let mut ops = Vec::new();
        self.after_solo_change(ChainOwner::Instrument(id), before, &mut ops);
        Ok(ops)
    }
}
