//! [`AutomationPlayer`]: the scheduler's copy of the automation lanes, and
//! the timed value changes they make in each lookahead window.
//!
//! Sampling: within a window, each enabled lane is evaluated at every
//! piece start (the window start, a loop wrap, a seek), at each of its
//! points (so a step lands exactly on its tick), and on a grid of play
//! ticks about [`STEP_SECS`] apart. A sample becomes a [`ParamEvent`] only
//! when the value differs from the last one sent for that lane: a flat
//! lane costs nothing, a sweep sends one `/n_set` per grid step. Grid ticks
//! are multiples of the step in play ticks, and every play tick belongs to
//! exactly one window, so no sample is sent twice whatever the partition.
//!
//! Lanes are song-timeline data: they play in song mode (pattern mode
//! loops a clip, whose ticks are not song positions). Tempo lanes are not
//! sampled here: the scheduler reads [`AutomationPlayer::tempo_at`] once
//! per window and re-anchors its tempo map.

use std::collections::{BTreeMap, HashMap};

use imbolc_types::{AudioDiff, AutomationLane, LaneId, ParamTarget, Tick};

use super::ScheduleError;
use super::tempo::TempoMap;
use super::transport::Cursor;

/// Time between two samples of a changing lane, in seconds: fine enough
/// that a sweep sounds continuous (a 200 Hz → 5 kHz sweep over 4 s moves
/// 6 Hz per step), coarse enough to cost ~200 messages a second per lane.
pub const STEP_SECS: f64 = 0.005;

/// One automated value at an exact clock time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamEvent {
    /// Clock seconds (see [`super::Clock`]) at which it takes effect.
    pub time: f64,
    pub lane: LaneId,
    pub value: f32,
}

/// The automation lanes and what was last sent for each.
#[derive(Debug, Clone, Default)]
pub struct AutomationPlayer {
    lanes: BTreeMap<LaneId, AutomationLane>,
    /// The value last emitted per lane while playing (cleared on play and
    /// seek so the first window sets every lane).
    sent: HashMap<LaneId, f32>,
    events: Vec<ParamEvent>,
    scratch: Vec<u64>,
}

impl AutomationPlayer {
    /// A player holding `lanes`.
    pub fn new(lanes: &[AutomationLane]) -> Self {
        AutomationPlayer { lanes: lanes.iter().map(|l| (l.id, l.clone())).collect(), ..AutomationPlayer::default() }
    }

    /// A lane by id.
    pub fn lane(&self, id: LaneId) -> Option<&AutomationLane> {
        self.lanes.get(&id)
    }

    /// Number of lanes held.
    pub fn len(&self) -> usize {
        self.lanes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lanes.is_empty()
    }

    /// Forgets what was sent: the next window sends every lane's value.
    pub fn resend(&mut self) {
        self.sent.clear();
    }

    /// Applies a lane diff (others are ignored). A point edit changes only
    /// that lane; what it makes audible is sent from the next window on.
    ///
    /// # Errors
    /// [`ScheduleError::UnknownLane`] / [`ScheduleError::DuplicateLane`]
    /// when the diff does not fit; nothing changed.
    pub fn apply(&mut self, diff: &AudioDiff) -> Result<(), ScheduleError> {
        match diff {
            AudioDiff::SceneLoaded(scene) => *self = AutomationPlayer::new(&scene.automation),
            AudioDiff::AutomationLaneAdded { lane } => {
                if self.lanes.contains_key(&lane.id) {
                    return Err(ScheduleError::DuplicateLane(lane.id));
                }
                self.lanes.insert(lane.id, (**lane).clone());
            }
            AudioDiff::AutomationLaneRemoved { lane } => {
                self.lanes.remove(lane).ok_or(ScheduleError::UnknownLane(*lane))?;
                self.sent.remove(lane);
            }
            AudioDiff::AutomationLaneChanged { lane, target, enabled } => {
                let l = self.lanes.get_mut(lane).ok_or(ScheduleError::UnknownLane(*lane))?;
                if l.target != *target {
                    l.target = target.clone();
                    self.sent.remove(lane);
                }
                l.enabled = *enabled;
            }
            AudioDiff::AutomationPointSet { lane, tick, value } => {
                let l = self.lanes.get_mut(lane).ok_or(ScheduleError::UnknownLane(*lane))?;
                match value {
                    Some(v) => _ = l.points.insert(*tick, *v),
                    None => {
                        l.points.remove(tick);
                        l.curves.remove(tick);
                    }
                }
            }
            AudioDiff::AutomationCurveSet { lane, tick, curve } => {
                let l = self.lanes.get_mut(lane).ok_or(ScheduleError::UnknownLane(*lane))?;
                match curve {
                    imbolc_types::Curve::Linear => _ = l.curves.remove(tick),
                    c => _ = l.curves.insert(*tick, *c),
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The tempo the first enabled tempo lane asks for at song tick `song`.
    pub fn tempo_at(&self, song: u64) -> Option<f32> {
        self.lanes
            .values()
            .filter(|l| l.enabled && l.target == ParamTarget::Tempo)
            .find_map(|l| l.value_at(song as f64))
    }

    /// Samples every enabled, non-tempo lane over play ticks `[lo, hi)`
    /// (mapped to song ticks by `cursor`, to time by `tempo`) with a grid of
    /// `step` play ticks, and queues a [`ParamEvent`] per changed value.
    pub fn window(&mut self, cursor: &Cursor, tempo: &TempoMap, lo: u64, hi: u64, step: u64) {
        let step = step.max(1);
        let AutomationPlayer { lanes, sent, events, scratch } = self;
        let first = events.len();
        for lane in lanes.values().filter(|l| l.enabled && l.target != ParamTarget::Tempo && !l.points.is_empty()) {
            let mut last = sent.get(&lane.id).copied();
            cursor.pieces(lo, hi, |piece| {
                let end = piece.play + (piece.song_hi - piece.song_lo);
                scratch.clear();
                scratch.push(piece.play);
                let mut t = piece.play.div_ceil(step) * step;
                while t < end {
                    scratch.push(t);
                    t += step;
                }
                let (song_lo, song_hi) = (clamp_tick(piece.song_lo), clamp_tick(piece.song_hi));
                scratch.extend(lane.points.range(song_lo..song_hi).map(|(&p, _)| piece.play + u64::from(p - song_lo)));
                scratch.sort_unstable();
                scratch.dedup();
                for &t in scratch.iter() {
                    let song = piece.song_lo + (t - piece.play);
                    let Some(value) = lane.value_at(song as f64) else { continue };
                    if last.is_none_or(|l| differs(l, value)) {
                        events.push(ParamEvent { time: tempo.time_of(t), lane: lane.id, value });
                        last = Some(value);
                    }
                }
            });
            if let Some(v) = last {
                sent.insert(lane.id, v);
            }
        }
        if let Some(new) = events.get_mut(first..) {
            new.sort_by(|a, b| a.time.total_cmp(&b.time).then(a.lane.cmp(&b.lane)));
        }
    }

    /// Moves the queued events to `out`, in time order per window.
    pub fn drain(&mut self, out: &mut Vec<ParamEvent>) {
        out.append(&mut self.events);
    }
}

/// Whether two values differ enough to send (relative, so a flat lane and
/// float noise send nothing).
fn differs(a: f32, b: f32) -> bool {
    (a - b).abs() > 1e-6 * a.abs().max(b.abs()).max(1.0)
}

fn clamp_tick(t: u64) -> Tick {
    Tick::try_from(t).unwrap_or(Tick::MAX)
}

#[cfg(test)]
#[path = "automation_tests.rs"]
mod tests;
