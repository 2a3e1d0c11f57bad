//! Audio clips in the graph: the buffers of their samples and the voice
//! that plays one clip.
//!
//! Each distinct sample used by an audio clip owns one buffer (clips on one
//! sample share it), read from its cache file with `/b_allocRead` when the
//! first clip using it appears and freed with `/b_free` when the last goes.
//! The graph keeps which sample each audio clip uses (not the clips: the
//! timeline belongs to the scheduler), so a server restart reloads them.
//! A clip plays with [`crate::synthdefs::AUDIO_CLIP`], a held voice at the
//! tail of its track's `voices` group: the track's filter, effects and
//! strip apply as for any instrument, and a note-off (stop, seek, edit)
//! ends it like a note.

use std::collections::BTreeMap;

use imbolc_types::{AudioRegion, ClipId, InstrumentId};

use super::{GraphError, SignalGraph};
use crate::backend::{AddAction, NodeId, ServerOp};

impl SignalGraph {
    /// Whether the instrument is an audio track (its clips hold audio).
    pub fn is_audio_track(&self, instrument: InstrumentId) -> bool {
        self.instruments.get(&instrument).is_some_and(|s| s.def.audio_track)
    }

    /// The buffer holding the sample with `hash` for audio clips.
    pub fn clip_buffer(&self, hash: &str) -> Option<u32> {
        self.samples.by_clip_sample.get(hash).copied()
    }

    /// Audio clip `clip` now plays `region` (`None`: it is gone or holds
    /// notes): loads or frees buffers as needed.
    pub(super) fn audio_clip_set(&mut self, clip: ClipId, region: Option<&AudioRegion>) -> Vec<ServerOp> {
        let changed = match region {
            Some(r) => self.audio_clips.insert(clip, r.sample.clone()).is_none_or(|old| old != r.sample),
            None => self.audio_clips.remove(&clip).is_some(),
        };
        if changed { self.sync_clip_buffers() } else { Vec::new() }
    }

    /// Replaces every audio clip's sample (a scene was loaded).
    pub(super) fn audio_clips_loaded(&mut self, clips: &[imbolc_types::Clip]) {
        self.audio_clips = clips.iter().filter_map(|c| c.audio.as_ref().map(|a| (c.id, a.sample.clone()))).collect();
    }

    /// Loads the buffers audio clips need that are not loaded and frees
    /// those no clip uses any more. Cost: one pass over the audio clips.
    pub(super) fn sync_clip_buffers(&mut self) -> Vec<ServerOp> {
        let needed: BTreeMap<&str, &imbolc_types::SampleRef> = self
            .audio_clips
            .values()
            .filter(|s| imbolc_types::SampleRef::is_valid_hash(&s.hash))
            .map(|s| (s.hash.as_str(), s))
            .collect();
        let mut ops = Vec::new();
        let stale: Vec<String> =
            self.samples.by_clip_sample.keys().filter(|h| !needed.contains_key(h.as_str())).cloned().collect();
        for hash in stale {
            if let Some(buf) = self.samples.by_clip_sample.remove(&hash) {
                self.samples.numbers.free(buf);
                ops.push(ServerOp::BufferFree { buf });
            }
        }
        for (hash, sample) in needed {
            if !self.samples.by_clip_sample.contains_key(hash) {
                let buf = self.samples.numbers.alloc();
                self.samples.by_clip_sample.insert(hash.to_owned(), buf);
                let path = crate::sample_cache::path_of(sample).display().to_string();
                ops.push(ServerOp::BufferAllocRead { buf, path });
            }
        }
        ops
    }

    /// Starts the voice of an audio clip of `instrument` playing `region`,
    /// `into` seconds after the clip's start, for `dur` seconds (its fade
    /// out ends then).
    ///
    /// # Errors
    /// [`GraphError::UnknownInstrument`]; [`GraphError::NoAudioClip`] when
    /// the sample's buffer is not loaded.
    pub fn audio_clip_voice(
        &mut self,
        instrument: InstrumentId,
        region: &AudioRegion,
        into: f64,
        dur: f64,
    ) -> Result<(NodeId, Vec<ServerOp>), GraphError> {
        let st = self.instruments.get(&instrument).ok_or(GraphError::UnknownInstrument(instrument))?;
        let buf = self.clip_buffer(&region.sample.hash).ok_or(GraphError::NoAudioClip(instrument))?;
        let (voices, bus) = (st.voices, st.chain.bus);
        let into = if into.is_finite() { into.max(0.0) } else { 0.0 };
        let dur = if dur.is_finite() { dur.max(0.0) } else { 0.0 };
        let start = ((region.offset.max(0.0) + into) * f64::from(region.sample.sample_rate)).round();
        let id = self.node_ids.next_id();
        let mut controls = vec![
            ("out", bus as f32),
            ("gate", 1.0),
            ("buf", buf as f32),
            ("start", start as f32),
            ("pos", into as f32),
            ("end", (into + dur) as f32),
        ];
        controls.extend(audio_clip_controls(region));
        let def = crate::synthdefs::AUDIO_CLIP;
        Ok((id, vec![ServerOp::SynthNew { def, id, action: AddAction::Tail, target: voices, controls }]))
    }
}

/// The controls of an audio clip voice that a sounding voice follows:
/// gain and fades.
pub fn audio_clip_controls(region: &AudioRegion) -> Vec<(crate::backend::ControlName, f32)> {
    let fade = |f: f32| if f.is_finite() { f.clamp(0.0, imbolc_types::audio_clip::FADE_MAX) } else { 0.0 };
    vec![("gain", region.gain()), ("fadein", fade(region.fade_in)), ("fadeout", fade(region.fade_out))]
}
