//! [`VoiceEnds`]: when voices end on the server, predicted.
//!
//! Live, the voice allocator learns from `/n_end` that a released voice has
//! gone, which frees its polyphony slot. An NRT render answers nothing, so
//! the renderer predicts each end from what it sent: a gated voice ends its
//! `release` seconds after `gate 0` (plus a margin: the envelope's last
//! block), a one-shot after [`ONE_SHOT_SECS`], a freed node at once. Without
//! this, every released voice would stay counted and be stolen (cut) at the
//! polyphony limit, which live playback would not do.

use std::collections::HashMap;

use crate::backend::{NodeId, ServerOp};

/// Margin after a release before the voice counts as gone.
const MARGIN: f64 = 0.05;
/// How long a one-shot (drum hit, sample; no `gate`) is assumed to sound.
pub const ONE_SHOT_SECS: f64 = 1.0;

/// Voices started, and the predicted ends not yet reported.
#[derive(Debug, Default)]
pub(super) struct VoiceEnds {
    /// Release time of each gated voice, by node.
    release: HashMap<NodeId, f64>,
    /// (time, node) of ends to report.
    pending: Vec<(f64, NodeId)>,
}

impl VoiceEnds {
    /// Notes what a batch running at `at` does to voices.
    pub fn observe(&mut self, at: f64, ops: &[ServerOp]) {
        for op in ops {
            match op {
                ServerOp::SynthNew { id, controls, .. } => {
                    let gated = controls.iter().any(|(n, _)| *n == "gate");
                    let release = controls.iter().find(|(n, _)| *n == "release").map(|c| f64::from(c.1));
                    match (gated, release) {
                        (true, rel) => {
                            self.release.insert(*id, rel.unwrap_or(0.0));
                        }
                        (false, _) if is_voice_def(op) => self.pending.push((at + ONE_SHOT_SECS, *id)),
                        _ => {}
                    }
                }
                ServerOp::Set { node, controls } => {
                    let off = controls.iter().any(|(n, v)| *n == "gate" && *v <= 0.0);
                    if let (true, Some(rel)) = (off, self.release.remove(node)) {
                        self.pending.push((at + rel.max(0.0) + MARGIN, *node));
                    }
                }
                ServerOp::Free { node } | ServerOp::FreeVoice { node } if self.release.remove(node).is_some() => {
                    self.pending.push((at, *node));
                }
                _ => {}
            }
        }
    }

    /// The nodes whose end is due by `now` (each reported once).
    pub fn due(&mut self, now: f64) -> Vec<NodeId> {
        let mut due = Vec::new();
        self.pending.retain(|&(t, node)| {
            let ready = t <= now;
            if ready {
                due.push(node);
            }
            !ready
        });
        due
    }
}

/// One-shot voices are the drum voices, the sampler and the loop player.
fn is_voice_def(op: &ServerOp) -> bool {
    match op {
        ServerOp::SynthNew { def, .. } => {
            *def == crate::synthdefs::SAMPLER
                || *def == crate::synthdefs::STRETCH
                || crate::synthdefs::DRUM_VOICES.contains(def)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::AddAction;

    fn voice(id: i32, release: f32) -> ServerOp {
        ServerOp::SynthNew {
            def: "imbolc_sine",
            id: NodeId(id),
            action: AddAction::Tail,
            target: NodeId(1),
            controls: vec![("gate", 1.0), ("release", release)],
        }
    }

    #[test]
    fn released_voices_end_after_their_release_and_freed_ones_at_once() {
        let mut e = VoiceEnds::default();
        e.observe(0.0, &[voice(10, 0.5), voice(11, 0.2)]);
        e.observe(1.0, &[ServerOp::Set { node: NodeId(10), controls: vec![("gate", 0.0)] }]);
        e.observe(1.0, &[ServerOp::Free { node: NodeId(11) }]);
        assert_eq!(e.due(1.0), vec![NodeId(11)]);
        assert!(e.due(1.5).is_empty());
        assert_eq!(e.due(1.6), vec![NodeId(10)]);
        assert!(e.due(10.0).is_empty(), "each end is reported once");
    }
}
