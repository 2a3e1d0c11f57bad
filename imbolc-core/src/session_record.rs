//! Recording automation in a [`Session`]: while playing with
//! automation-record armed, parameter moves are applied at once (heard
//! live) and collected per target; when the take ends (stop, disarm) each
//! target's moves are thinned and written into its lane (created if
//! missing), and the whole take — moves, lane creation, points — becomes
//! one undo step.
//!
//! While a target is being recorded, an enabled lane already on it is
//! paused (so its playback does not fight the moves) and enabled again
//! when the take is written.

use std::time::Instant;

use imbolc_types::{Action, ParamTarget, Tick};

use super::{AudioSink, Session};
use crate::dispatch::{DispatchError, Redraw, dispatch, param_range};
use crate::record::{THIN_TOLERANCE, Take, thin};
use crate::undo::UndoEntry;

impl<S: AudioSink> Session<S> {
    /// Arms (or disarms) automation recording. Disarming ends the take.
    ///
    /// # Errors
    /// As [`Session::finish_take`].
    pub fn arm_automation(&mut self, armed: bool, now: Instant) -> Result<Redraw, DispatchError> {
        self.recorder.arm(armed);
        if armed { Ok(Redraw::NONE) } else { self.finish_take(now).map(|r| r.unwrap_or(Redraw::NONE)) }
    }

    pub fn automation_armed(&self) -> bool {
        self.recorder.is_armed()
    }

    /// Sets a parameter from a user gesture. With recording armed and the
    /// playhead at `playhead` (`None` while stopped) the move is also
    /// recorded there, and undo waits for the end of the take; otherwise
    /// it is a plain `SetParam`.
    ///
    /// # Errors
    /// As [`dispatch`]; nothing changes and nothing is recorded.
    pub fn record_param(
        &mut self,
        target: ParamTarget,
        value: f32,
        playhead: Option<Tick>,
        now: Instant,
    ) -> Result<Redraw, DispatchError> {
        let Some(tick) = playhead.filter(|_| self.recorder.is_armed()) else {
            return self.dispatch_at(Action::SetParam { target, value }, now);
        };
        let mut redraw = Redraw::NONE;
        if !self.recorder.is_recording(&target) {
            let mut restore = Vec::new();
            let lane = self.project.automation.values().find(|l| l.target == target && l.enabled).map(|l| l.id);
            if let Some(lane) = lane {
                redraw =
                    redraw.union(self.apply_unrecorded(Action::SetLaneEnabled { lane, enabled: false }, &mut restore)?);
            }
            redraw =
                redraw.union(self.apply_unrecorded(Action::SetParam { target: target.clone(), value }, &mut restore)?);
            self.recorder.start(target.clone(), restore, lane);
        } else {
            redraw = redraw
                .union(self.apply_unrecorded(Action::SetParam { target: target.clone(), value }, &mut Vec::new())?);
        }
        self.recorder.record(&target, tick, value);
        Ok(redraw)
    }

    /// Writes every take under way into its lane as one undo step.
    /// `Ok(None)` when nothing was recorded.
    ///
    /// # Errors
    /// A [`DispatchError`] when a target vanished during the take (e.g. its
    /// effect was removed); the takes that were written stay, as one step.
    pub fn finish_take(&mut self, now: Instant) -> Result<Option<Redraw>, DispatchError> {
        let takes = self.recorder.take_all();
        if takes.is_empty() {
            return Ok(None);
        }
        // Inverses in the order the actions were applied; undo runs them
        // backwards.
        let mut undo: Vec<Vec<Action>> = Vec::new();
        let mut redraw = Redraw::NONE;
        let mut result = Ok(());
        for (target, mut take) in takes {
            undo.push(std::mem::take(&mut take.restore));
            if let Err(e) = self.write_take(&target, &take, &mut undo, &mut redraw) {
                result = Err(e);
            }
        }
        let inverse: Vec<Action> = undo.into_iter().rev().flatten().collect();
        self.history.push(UndoEntry::new("record automation", inverse, None), now);
        self.outside_history = false;
        result.map(|()| Some(redraw))
    }

    fn write_take(
        &mut self,
        target: &ParamTarget,
        take: &Take,
        undo: &mut Vec<Vec<Action>>,
        redraw: &mut Redraw,
    ) -> Result<(), DispatchError> {
        let points = &take.points;
        let (Some((&from, _)), Some((&to, _))) = (points.first_key_value(), points.last_key_value()) else {
            return Ok(());
        };
        let (min, max) = param_range(&self.project, target)?;
        let points: Vec<(Tick, f32)> = points.iter().map(|(t, v)| (*t, *v)).collect();
        let kept = thin(&points, THIN_TOLERANCE * (max - min));
        let find = |s: &Self| s.project.automation.values().find(|l| l.target == *target).map(|l| l.id);
        let lane = match take.paused.filter(|l| self.project.automation.contains_key(l)).or_else(|| find(self)) {
            Some(lane) => lane,
            None => {
                let mut inverse = Vec::new();
                *redraw =
                    redraw.union(self.apply_unrecorded(Action::AddLane { target: target.clone() }, &mut inverse)?);
                undo.push(inverse);
                find(self).ok_or_else(|| DispatchError::NoSuchParam(target.clone()))?
            }
        };
        let mut inverse = Vec::new();
        let write = Action::ReplaceAutomationPoints { lane, from, to, points: kept, curves: Vec::new() };
        *redraw = redraw.union(self.apply_unrecorded(write, &mut inverse)?);
        undo.push(inverse);
        if take.paused == Some(lane) {
            let mut inverse = Vec::new();
            *redraw =
                redraw.union(self.apply_unrecorded(Action::SetLaneEnabled { lane, enabled: true }, &mut inverse)?);
            undo.push(inverse);
        }
        Ok(())
    }

    /// Applies an action, sends its diffs, and appends its inverse to
    /// `inverse` instead of the undo history.
    fn apply_unrecorded(&mut self, action: Action, inverse: &mut Vec<Action>) -> Result<Redraw, DispatchError> {
        let outcome = dispatch(&mut self.project, action)?;
        if let Some(entry) = outcome.undo {
            inverse.extend(entry.inverse);
        }
        self.changed(outcome.diffs);
        self.outside_history = true;
        Ok(outcome.redraw)
    }
}

#[cfg(test)]
#[path = "session_record_tests.rs"]
mod tests;
