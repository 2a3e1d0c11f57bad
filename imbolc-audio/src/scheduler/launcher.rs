//! The clip launcher's runtime state: what each instrument's column plays
//! (a launched clip, nothing, or the arrangement) and what is queued for
//! the next boundary. Runtime only: never saved, never undone.
//!
//! A launch names its column's instrument and target and is quantized: it
//! takes effect at the first play tick, not yet scheduled, whose song
//! position is a multiple of the grid (across loop wraps, see
//! [`next_boundary`]). Launches sent with the same `group` (a scene, stop
//! all) share one boundary even when they reach the audio thread in
//! different turns. From its boundary a column's clip loops over its own
//! length, whatever the others do (polymeter), and the arrangement's notes
//! for that instrument are silenced until the column goes back to it.
//!
//! Launches made while stopped wait and take effect when play starts.
//! Stopping the transport hands every column back to the arrangement.

use std::collections::BTreeMap;

use imbolc_types::{ClipId, FollowKind, InstrumentId, LaunchQuantize, LaunchTarget, Launcher, Tick, TimeSignature};

use super::transport::Cursor;

/// One launch, as the UI sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Launch {
    pub instrument: InstrumentId,
    pub target: LaunchTarget,
    pub quantize: LaunchQuantize,
    /// Launches of one gesture (a scene, stop all) carry the same group
    /// and share their boundary; 0 for a launch on its own.
    pub group: u32,
}

impl Launch {
    /// A launch of `target` with the quantization `launcher` gives it (a
    /// clip's own, else the project's).
    pub fn of(launcher: &Launcher, instrument: InstrumentId, target: LaunchTarget, group: u32) -> Launch {
        let quantize = match target {
            LaunchTarget::Clip(clip) => launcher.quantize_of(clip),
            _ => launcher.quantize,
        };
        Launch { instrument, target, quantize, group }
    }
}

/// What a column plays from a play tick on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Owner {
    /// This clip, looped from play tick `since`, from this scene's slot
    /// (for follow actions).
    Clip { clip: ClipId, since: u64, scene: Option<u16> },
    /// Nothing (the arrangement stays silenced).
    Stopped { since: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Column {
    /// `None`: the arrangement plays this instrument.
    owner: Option<Owner>,
    /// The pending launch and its boundary (`None`: when play starts).
    queued: Option<(LaunchTarget, Option<u64>)>,
    /// Follow actions taken since the column was launched (the seeded
    /// choice's counter).
    follows: u64,
}

/// One column as the UI shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnFeedback {
    pub instrument: InstrumentId,
    /// The launched clip sounding now, and where in it (ticks).
    pub playing: Option<(ClipId, Tick)>,
    /// Stopped by a launch (the arrangement is silenced).
    pub stopped: bool,
    /// Waiting for its boundary.
    pub queued: Option<LaunchTarget>,
}

/// Every column's state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LauncherState {
    columns: BTreeMap<InstrumentId, Column>,
    /// The last group seen and its boundary.
    group: Option<(u32, Option<u64>)>,
    /// The grid as the UI last sent it: slots, follow actions, seed.
    grid: Launcher,
    /// Changes that took effect since the last [`Self::take_log`]: play
    /// tick, column, target, whether a follow action took it.
    log: Vec<(u64, InstrumentId, LaunchTarget, bool)>,
}

/// First play tick at or after `from` whose song tick (under `cursor`) is
/// a multiple of `grid`; `from` when `grid` is 0. A loop wrap is followed
/// (the loop start counts when it is on the grid).
pub fn next_boundary(cursor: &Cursor, from: u64, grid: u64) -> u64 {
    if grid == 0 {
        return from;
    }
    let mut play = from.max(cursor.origin_play);
    // Each turn jumps to the next loop pass; a loop without a grid line in
    // it falls back to the play-tick grid.
    for _ in 0..64 {
        let (song, pass_end) = cursor.locate(play);
        let line = song.div_ceil(grid) * grid;
        if line < pass_end {
            return play + (line - song);
        }
        play += pass_end - song;
    }
    from.div_ceil(grid) * grid
}

impl LauncherState {
    /// Queues `launch`; it takes effect at the boundary after `from` (the
    /// first unscheduled play tick), or when play starts if not `playing`.
    pub(super) fn launch(&mut self, launch: Launch, boundary: impl FnOnce() -> Option<u64>) {
        let at = match self.group {
            Some((g, at)) if launch.group != 0 && g == launch.group => at,
            _ => boundary(),
        };
        if launch.group != 0 {
            self.group = Some((launch.group, at));
        }
        let col = self.columns.entry(launch.instrument).or_default();
        col.queued = Some((launch.target, at));
    }

    /// Play starts: launches made while stopped take effect at `at` (the
    /// end of the count-in).
    pub(super) fn play_from(&mut self, at: u64) {
        for col in self.columns.values_mut() {
            if let Some((target, None)) = col.queued {
                col.queued = Some((target, Some(at)));
            }
        }
        if let Some((g, None)) = self.group {
            self.group = Some((g, Some(at)));
        }
    }

    /// The earliest boundary after `after` (exclusive), if any.
    pub(super) fn next_due_after(&self, after: u64) -> Option<u64> {
        self.columns.values().filter_map(|c| c.queued.and_then(|(_, at)| at)).filter(|t| *t > after).min()
    }

    /// Applies the launches due at or before `at`; calls `cut(instrument,
    /// tick)` for each column that changes, so its sounding notes end at
    /// its boundary.
    pub(super) fn apply_due(&mut self, at: u64, mut cut: impl FnMut(InstrumentId, u64)) {
        let (grid, log) = (&self.grid, &mut self.log);
        self.columns.retain(|inst, col| {
            let Some((target, due)) = col.queued else { return true };
            let tick = due.unwrap_or(at);
            if tick > at {
                return true;
            }
            // A group member that arrives after its boundary was scheduled
            // keeps the group's phase but cuts only what is not sent yet.
            cut(*inst, tick.max(at));
            log.push((tick, *inst, target, false));
            col.queued = None;
            let scene = |clip| grid.slots.iter().find(|s| s.instrument == *inst && s.clip == clip).map(|s| s.scene);
            col.owner = match target {
                LaunchTarget::Clip(clip) => Some(Owner::Clip { clip, since: tick, scene: scene(clip) }),
                LaunchTarget::Stop => Some(Owner::Stopped { since: tick }),
                LaunchTarget::Arrangement => None,
            };
            col.owner.is_some()
        });
    }

    /// The changes that took effect since the last call, in order.
    pub(super) fn take_log(&mut self) -> Vec<(u64, InstrumentId, LaunchTarget, bool)> {
        std::mem::take(&mut self.log)
    }

    /// The follow actions' seed.
    pub(super) fn seed(&self) -> u64 {
        self.grid.seed
    }

    /// The slots, follow actions and seed launches and follow actions use.
    pub(super) fn set_grid(&mut self, grid: Launcher) {
        self.grid = grid;
    }

    /// When the playing clip of each column with a follow action acts:
    /// after its loops, counted from its start. `length` gives a clip's.
    fn follow_tick(&self, col: &Column, length: &impl Fn(ClipId) -> u64) -> Option<u64> {
        let Some(Owner::Clip { clip, since, .. }) = col.owner else { return None };
        let f = self.grid.follow.get(&clip)?;
        Some(since + u64::from(f.after_loops.max(1)) * length(clip).max(1))
    }

    /// The earliest follow action after `after` (exclusive).
    pub(super) fn next_follow_after(&self, after: u64, length: impl Fn(ClipId) -> u64) -> Option<u64> {
        self.columns.values().filter_map(|c| self.follow_tick(c, &length)).filter(|t| *t > after).min()
    }

    /// Takes the follow actions due at or before `at` (a pending launch
    /// applied first wins); `cut` as in [`Self::apply_due`].
    pub(super) fn follow_due(
        &mut self,
        at: u64,
        length: impl Fn(ClipId) -> u64,
        mut cut: impl FnMut(InstrumentId, u64),
    ) {
        let due: Vec<(InstrumentId, u64)> = self
            .columns
            .iter()
            .filter_map(|(i, c)| self.follow_tick(c, &length).filter(|t| *t <= at).map(|t| (*i, t)))
            .collect();
        for (inst, tick) in due {
            let Some(col) = self.columns.get(&inst).copied() else { continue };
            let Some(Owner::Clip { clip, scene, .. }) = col.owner else { continue };
            let Some(f) = self.grid.follow.get(&clip).copied() else { continue };
            let r = mix(self.grid.seed ^ (u64::from(inst.0) << 40) ^ col.follows);
            let kind = if r % 100 < u64::from(f.first_chance) { f.first } else { f.second };
            let column: Vec<(u16, ClipId)> =
                self.grid.slots.iter().filter(|s| s.instrument == inst).map(|s| (s.scene, s.clip)).collect();
            let next = choose(kind, &column, scene, mix(r));
            cut(inst, tick.max(at));
            let target = next.map_or(LaunchTarget::Stop, |(_, clip)| LaunchTarget::Clip(clip));
            self.log.push((tick, inst, target, true));
            if let Some(c) = self.columns.get_mut(&inst) {
                c.follows += 1;
                c.owner = Some(match next {
                    Some((scene, clip)) => Owner::Clip { clip, since: tick, scene: Some(scene) },
                    None => Owner::Stopped { since: tick },
                });
            }
        }
    }

    /// Whether the launcher owns `instrument` (the arrangement is silent).
    pub(super) fn owns(&self, instrument: InstrumentId) -> bool {
        self.columns.get(&instrument).is_some_and(|c| c.owner.is_some())
    }

    /// The launched clips playing, with their instrument and start.
    pub(super) fn playing(&self) -> impl Iterator<Item = (InstrumentId, ClipId, u64)> + '_ {
        self.columns.iter().filter_map(|(i, c)| match c.owner {
            Some(Owner::Clip { clip, since, .. }) => Some((*i, clip, since)),
            _ => None,
        })
    }

    /// Every column back to the arrangement, nothing queued (on stop).
    pub(super) fn reset(&mut self) {
        self.columns.clear();
        self.group = None;
    }

    /// Whether nothing is launched or queued.
    pub fn is_idle(&self) -> bool {
        self.columns.is_empty()
    }

    /// The columns at play tick `now` (`None`: stopped); `length` gives a
    /// clip's length. A launch already scheduled but not yet sounding
    /// shows as queued.
    pub fn feedback(&self, now: Option<u64>, length: impl Fn(ClipId) -> u64) -> Vec<ColumnFeedback> {
        self.columns
            .iter()
            .map(|(inst, col)| {
                let mut f = ColumnFeedback {
                    instrument: *inst,
                    playing: None,
                    stopped: false,
                    queued: col.queued.map(|(t, _)| t),
                };
                match (col.owner, now) {
                    (Some(Owner::Clip { clip, since, .. }), Some(now)) if now >= since => {
                        let pos = (now - since) % length(clip).max(1);
                        f.playing = Some((clip, Tick::try_from(pos).unwrap_or(0)));
                    }
                    (Some(Owner::Clip { clip, .. }), _) => f.queued = f.queued.or(Some(LaunchTarget::Clip(clip))),
                    (Some(Owner::Stopped { since }), Some(now)) if now < since => {
                        f.queued = f.queued.or(Some(LaunchTarget::Stop));
                    }
                    (Some(Owner::Stopped { .. }), _) => f.stopped = true,
                    (None, _) => {}
                }
                f
            })
            .collect()
    }
}

/// A well-mixed 64-bit value of `x` (SplitMix64's finaliser): the
/// follow actions' choices, a pure function of seed, column and count.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The slot a follow action of `kind` goes to from `scene` in `column`
/// (filled slots by scene); `None`: stop.
fn choose(kind: FollowKind, column: &[(u16, ClipId)], scene: Option<u16>, r: u64) -> Option<(u16, ClipId)> {
    let n = column.len();
    if n == 0 || kind == FollowKind::Stop {
        return None;
    }
    let here = scene.and_then(|s| column.iter().position(|(c, _)| *c == s));
    let i = match kind {
        FollowKind::Next => here.map_or(0, |i| (i + 1) % n),
        FollowKind::Previous => here.map_or(0, |i| (i + n - 1) % n),
        FollowKind::First => 0,
        FollowKind::Any => (r % n as u64) as usize,
        FollowKind::Other => match here {
            Some(i) if n > 1 => {
                let k = (r % (n as u64 - 1)) as usize;
                if k >= i { k + 1 } else { k }
            }
            _ => (r % n as u64) as usize,
        },
        FollowKind::Stop => return None,
    };
    column.get(i).copied()
}

/// The grid of `quantize` in ticks under `ts`.
pub fn grid(quantize: LaunchQuantize, ts: TimeSignature) -> u64 {
    quantize.ticks(ts)
}

#[cfg(test)]
mod tests {
    use super::super::transport::Wrap;
    use super::*;

    #[test]
    fn boundaries_follow_the_song_grid_across_a_loop_wrap() {
        let linear = Cursor::new(0, 0, Wrap::Linear);
        assert_eq!(next_boundary(&linear, 1, 1920), 1920);
        assert_eq!(next_boundary(&linear, 1920, 1920), 1920);
        assert_eq!(next_boundary(&linear, 5, 0), 5);
        // Song starts at tick 960 (half a bar in): the bar line is 960
        // play ticks away.
        let late = Cursor::new(0, 960, Wrap::Linear);
        assert_eq!(next_boundary(&late, 0, 1920), 960);
        // Loop [0, 2880) from song 2000: no bar line before the wrap at
        // play 880, whose loop start is one.
        let looped = Cursor::new(0, 2000, Wrap::Loop { start: 0, end: 2880 });
        assert_eq!(next_boundary(&looped, 0, 1920), 880);
    }

    #[test]
    fn a_group_shares_its_boundary() {
        let mut s = LauncherState::default();
        let l = |i, g| Launch {
            instrument: InstrumentId(i),
            target: LaunchTarget::Stop,
            quantize: LaunchQuantize::Bar,
            group: g,
        };
        s.launch(l(1, 7), || Some(1920));
        s.launch(l(2, 7), || Some(3840));
        s.launch(l(3, 0), || Some(3840));
        assert_eq!(s.next_due_after(0), Some(1920));
        let mut cut = Vec::new();
        s.apply_due(1920, |i, t| cut.push((i.0, t)));
        assert_eq!(cut, vec![(1, 1920), (2, 1920)]);
        assert!(s.owns(InstrumentId(1)) && !s.owns(InstrumentId(3)));
        assert_eq!(s.next_due_after(1920), Some(3840));
    }
}
