//! Capture of a clip launcher performance into the arrangement: each
//! column's launched clips become placements at the song ticks where they
//! played, the arrangement of an instrument is cut out where the launcher
//! owned it, and the follow actions' seed the performance used is kept.
//! Pure: [`capture_actions`] turns a [`Performance`] into actions that
//! `Session::capture_performance` applies as one undo step.
//!
//! What the arrangement cannot hold exactly (there is no clip offset on a
//! placement): an arranged placement handed back to mid-way resumes at its
//! next clip loop (looping clips) or not at all (non-looping clips).

use std::collections::BTreeMap;

use imbolc_types::{Action, ClipId, InstrumentId, LaunchTarget, Performance, Project, Tick};

/// Why a performance cannot be captured.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CaptureError {
    #[error("nothing was launched while playing: no performance to capture")]
    Empty,
    #[error("the song position jumped during the performance (a loop wrap or a seek): play it without a loop")]
    Jumped,
    #[error("capture: {0}")]
    Dispatch(#[from] crate::dispatch::DispatchError),
}

/// The actions that put `perf` into the arrangement of `p`. Columns still
/// playing are captured up to `now` (the playhead) when play has not
/// stopped.
///
/// # Errors
///
/// [`CaptureError::Empty`] with nothing to capture, [`CaptureError::Jumped`]
/// when the song position wrapped or jumped.
pub fn capture_actions(p: &Project, perf: &Performance, now: Tick) -> Result<Vec<Action>, CaptureError> {
    if perf.is_empty() {
        return Err(CaptureError::Empty);
    }
    if perf.jumped {
        return Err(CaptureError::Jumped);
    }
    let end = perf.end.unwrap_or(now);
    let mut columns: BTreeMap<InstrumentId, Vec<(Tick, LaunchTarget)>> = BTreeMap::new();
    for t in &perf.taken {
        columns.entry(t.instrument).or_default().push((t.song, t.target));
    }
    let (mut edits, mut adds) = (Vec::new(), Vec::new());
    for (instrument, changes) in &columns {
        let mut owned: Vec<(Tick, Tick)> = Vec::new();
        for (i, (from, target)) in changes.iter().enumerate() {
            let to = changes.get(i + 1).map_or(end, |c| c.0).min(end);
            if to <= *from {
                continue;
            }
            match target {
                LaunchTarget::Arrangement => continue,
                LaunchTarget::Stop => {}
                LaunchTarget::Clip(clip) => place(p, (*instrument, *clip), (*from, to), &mut adds),
            }
            match owned.last_mut() {
                Some(last) if last.1 >= *from => last.1 = last.1.max(to),
                _ => owned.push((*from, to)),
            }
        }
        cut_arrangement(p, *instrument, &owned, &mut edits, &mut adds);
    }
    edits.extend(adds);
    if p.launcher.seed != perf.seed {
        edits.push(Action::SetLauncherSeed { seed: perf.seed });
    }
    Ok(edits)
}

/// Placements playing `clip` looped from `from` to `to`, as the launcher
/// played it: one placement for a looping clip, consecutive ones of the
/// clip's length (the last cut) otherwise. Audio clips are not launched, so
/// not placed.
fn place(p: &Project, (instrument, clip): (InstrumentId, ClipId), (from, to): (Tick, Tick), adds: &mut Vec<Action>) {
    let Some(c) = p.clips.get(&clip) else { return };
    if c.audio.is_some() || c.instrument != instrument {
        return;
    }
    if c.looping {
        adds.push(Action::AddPlacement { clip, start: from, length: to - from });
        return;
    }
    let len = c.length.max(1);
    let mut start = from;
    while start < to {
        adds.push(Action::AddPlacement { clip, start, length: len.min(to - start) });
        start = start.saturating_add(len);
    }
}

/// Removes the arrangement of `instrument` from the stretches it did not
/// play (`owned`, ordered and disjoint): a placement keeps its part before
/// the first stretch; a later part comes back from its clip's next loop.
fn cut_arrangement(
    p: &Project,
    instrument: InstrumentId,
    owned: &[(Tick, Tick)],
    edits: &mut Vec<Action>,
    adds: &mut Vec<Action>,
) {
    for pl in p.placements.values() {
        let Some(clip) = p.clips.get(&pl.clip).filter(|c| c.instrument == instrument) else { continue };
        let (start, end) = (pl.start, pl.start.saturating_add(pl.length));
        if !owned.iter().any(|(a, b)| *a < end && start < *b) {
            continue;
        }
        let mut kept = Vec::new();
        let mut at = start;
        for (a, b) in owned {
            if *a > at {
                kept.push((at, (*a).min(end)));
            }
            at = at.max(*b);
            if at >= end {
                break;
            }
        }
        if at < end {
            kept.push((at, end));
        }
        kept.retain(|(x, y)| x < y);
        match kept.first() {
            Some((x, y)) if *x == start => {
                edits.push(Action::ResizePlacement { placement: pl.id, length: y - x });
                kept.remove(0);
            }
            _ => edits.push(Action::RemovePlacement { placement: pl.id }),
        }
        let len = clip.length.max(1);
        for (x, y) in kept {
            if !clip.looping {
                continue;
            }
            let next = start + (x - start).div_ceil(len) * len;
            if next < y {
                adds.push(Action::AddPlacement { clip: pl.clip, start: next, length: y - next });
            }
        }
    }
}

impl<S: crate::session::AudioSink> crate::session::Session<S> {
    /// Captures `perf` into the arrangement as one undo step ("capture
    /// performance"); `now` is the playhead for columns still playing.
    ///
    /// # Errors
    ///
    /// See [`capture_actions`]; a failed edit changes nothing.
    pub fn capture_performance(
        &mut self,
        perf: &Performance,
        now: Tick,
    ) -> Result<crate::dispatch::Redraw, CaptureError> {
        let actions = capture_actions(self.project(), perf, now)?;
        Ok(self.dispatch_group("capture performance", actions)?)
    }
}
