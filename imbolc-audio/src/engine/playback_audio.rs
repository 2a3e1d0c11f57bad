//! Audio clips of [`Playback`]: an audio track's timeline "notes" start
//! and end audio clip voices (see `scheduler/audio_clips.rs`).

use super::*;

impl Playback {
    /// For a change of only an audio clip's gain or fades: one `/n_set` per
    /// sounding voice of that clip (the scheduler keeps them playing).
    /// Empty for any other diff.
    pub(super) fn clip_retuned(&self, diff: &AudioDiff) -> Vec<ServerOp> {
        let AudioDiff::AudioRegionChanged { clip, region } = diff else { return Vec::new() };
        let Some(old) = self.scheduler.index().clip(*clip).and_then(|c| c.audio.as_ref()) else {
            return Vec::new();
        };
        if old.sample != region.sample || old.offset != region.offset {
            return Vec::new();
        }
        let controls = crate::graph::audio_clip_controls(region);
        self.timeline
            .iter()
            .filter(|((_, k), _)| k.clip == *clip)
            .map(|(_, node)| ServerOp::Set { node: *node, controls: controls.clone() })
            .collect()
    }

    /// A note event of an audio track: an audio clip starts (with its cue)
    /// or ends. Other notes on an audio track play nothing.
    pub(super) fn audio_clip(
        &mut self,
        e: &NoteEvent,
        graph: &mut SignalGraph,
        ops: &mut Vec<ServerOp>,
    ) -> Result<(), VoiceError> {
        match (e.kind, e.audio) {
            (NoteEventKind::On, Some(cue)) => {
                let Some(region) = self.scheduler.index().clip(e.key.clip).and_then(|c| c.audio.clone()) else {
                    return Ok(());
                };
                let node = self.allocator.start_held(
                    e.instrument,
                    e.pitch,
                    e.velocity,
                    || graph.audio_clip_voice(e.instrument, &region, cue.into, cue.dur),
                    ops,
                )?;
                self.timeline.insert((e.instrument, e.key), node);
            }
            (NoteEventKind::Off, _) => {
                if let Some(node) = self.timeline.remove(&(e.instrument, e.key)) {
                    self.allocator.release_node(graph, node, ops);
                }
            }
            _ => {}
        }
        Ok(())
    }
}
