//! The clip launcher (session view): a grid of slots, one column per
//! instrument and one row per scene, each slot holding one of that
//! instrument's clips, and the launch quantization.
//!
//! Only what belongs to the project lives here (which clip is in which
//! slot, the quantization); what is playing or queued is runtime state of
//! the audio thread (`imbolc_audio::scheduler::launcher`), never undone.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::{ClipId, InstrumentId};
use crate::notes::TICKS_PER_QUARTER;
use crate::project::TimeSignature;

/// Scenes shown at least, even when fewer hold clips.
pub const MIN_SCENES: u16 = 8;
/// Most scenes a launcher has.
pub const MAX_SCENES: u16 = 64;

/// Where a launch or stop takes effect: the next boundary of this grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum LaunchQuantize {
    /// At once (within one lookahead).
    Off,
    Sixteenth,
    Quarter,
    /// The next bar line (the default, as in most launchers).
    #[default]
    Bar,
    Bars2,
    Bars4,
    Bars8,
}

impl LaunchQuantize {
    /// All settings, in the order `next` cycles through.
    pub const ALL: [LaunchQuantize; 7] = [
        LaunchQuantize::Off,
        LaunchQuantize::Sixteenth,
        LaunchQuantize::Quarter,
        LaunchQuantize::Bar,
        LaunchQuantize::Bars2,
        LaunchQuantize::Bars4,
        LaunchQuantize::Bars8,
    ];

    /// The grid in ticks under `ts` (0: off).
    pub fn ticks(self, ts: TimeSignature) -> u64 {
        let q = u64::from(TICKS_PER_QUARTER);
        let bar = q * 4 / u64::from(ts.denominator.max(1)) * u64::from(ts.numerator.max(1));
        match self {
            LaunchQuantize::Off => 0,
            LaunchQuantize::Sixteenth => q / 4,
            LaunchQuantize::Quarter => q,
            LaunchQuantize::Bar => bar,
            LaunchQuantize::Bars2 => bar * 2,
            LaunchQuantize::Bars4 => bar * 4,
            LaunchQuantize::Bars8 => bar * 8,
        }
    }

    /// Short name for the screen.
    pub fn name(self) -> &'static str {
        match self {
            LaunchQuantize::Off => "off",
            LaunchQuantize::Sixteenth => "1/16",
            LaunchQuantize::Quarter => "1/4",
            LaunchQuantize::Bar => "1 bar",
            LaunchQuantize::Bars2 => "2 bars",
            LaunchQuantize::Bars4 => "4 bars",
            LaunchQuantize::Bars8 => "8 bars",
        }
    }

    /// The next setting (wrapping).
    pub fn next(self) -> LaunchQuantize {
        let i = LaunchQuantize::ALL.iter().position(|q| *q == self).unwrap_or(0);
        LaunchQuantize::ALL.get(i + 1).copied().unwrap_or(LaunchQuantize::Off)
    }
}

/// What a launch asks of one instrument's column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LaunchTarget {
    /// Play this clip, looped from the boundary, instead of the
    /// arrangement.
    Clip(ClipId),
    /// Play nothing (the arrangement stays silenced for this instrument).
    Stop,
    /// Hand the instrument back to the arrangement.
    Arrangement,
}

/// Where a follow action goes, within the clip's column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FollowKind {
    /// The next filled slot down the column (wrapping).
    Next,
    /// The previous filled slot (wrapping).
    Previous,
    /// The column's first filled slot.
    First,
    /// Any filled slot, this one included.
    Any,
    /// Any other filled slot (this one when it is the only one).
    Other,
    /// Stop the column.
    Stop,
}

impl FollowKind {
    pub const ALL: [FollowKind; 6] = [
        FollowKind::Next,
        FollowKind::Previous,
        FollowKind::First,
        FollowKind::Any,
        FollowKind::Other,
        FollowKind::Stop,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FollowKind::Next => "next",
            FollowKind::Previous => "previous",
            FollowKind::First => "first",
            FollowKind::Any => "any",
            FollowKind::Other => "other",
            FollowKind::Stop => "stop",
        }
    }

    /// The next kind (wrapping).
    pub fn next(self) -> FollowKind {
        let i = FollowKind::ALL.iter().position(|k| *k == self).unwrap_or(0);
        FollowKind::ALL.get(i + 1).copied().unwrap_or(FollowKind::Next)
    }
}

/// What a launched clip does after it has looped `after_loops` times:
/// `first` with `first_chance` percent, else `second`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FollowAction {
    /// 1..=64.
    pub after_loops: u16,
    pub first: FollowKind,
    pub second: FollowKind,
    /// 0..=100.
    pub first_chance: u8,
}

impl Default for FollowAction {
    fn default() -> Self {
        FollowAction { after_loops: 1, first: FollowKind::Next, second: FollowKind::Next, first_chance: 100 }
    }
}

impl FollowAction {
    /// Whether the values are in range.
    pub fn is_valid(&self) -> bool {
        (1..=64).contains(&self.after_loops) && self.first_chance <= 100
    }

    /// For the screen: `2× next 70% / other`.
    pub fn describe(&self) -> String {
        if self.first_chance >= 100 || self.first == self.second {
            format!("{}× {}", self.after_loops, self.first.name())
        } else {
            format!("{}× {} {}% / {}", self.after_loops, self.first.name(), self.first_chance, self.second.name())
        }
    }
}

/// One filled slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub instrument: InstrumentId,
    pub scene: u16,
    pub clip: ClipId,
}

/// The launcher's grid and settings. A slot naming a clip or instrument
/// that no longer exists shows as empty and launches nothing (undoing the
/// removal brings it back).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Launcher {
    /// Filled slots, ordered by `(scene, instrument)`, one per pair.
    pub slots: Vec<Slot>,
    /// Where launches take effect.
    pub quantize: LaunchQuantize,
    /// Follow actions of clips (played from any slot).
    pub follow: BTreeMap<ClipId, FollowAction>,
    /// Seed of the follow actions' choices: the same seed and launches
    /// give the same sequence.
    pub seed: u64,
    /// Clips whose launches use their own quantization instead of
    /// `quantize` (absent: the project's).
    pub clip_quantize: BTreeMap<ClipId, LaunchQuantize>,
    /// Learned pads (MIDI learn), ordered by `(channel, control)`. Older
    /// files have none.
    pub pads: Vec<crate::pads::PadMapping>,
}

impl Launcher {
    /// The clip in a slot.
    pub fn clip_at(&self, instrument: InstrumentId, scene: u16) -> Option<ClipId> {
        self.slots.iter().find(|s| s.instrument == instrument && s.scene == scene).map(|s| s.clip)
    }

    /// Puts `clip` into a slot (`None`: empties it); returns what was there.
    pub fn set(&mut self, instrument: InstrumentId, scene: u16, clip: Option<ClipId>) -> Option<ClipId> {
        let key = (scene, instrument);
        let at = self.slots.binary_search_by(|s| (s.scene, s.instrument).cmp(&key));
        match (at, clip) {
            (Ok(i), Some(clip)) => self.slots.get_mut(i).map(|s| std::mem::replace(&mut s.clip, clip)),
            (Ok(i), None) => Some(self.slots.remove(i).clip),
            (Err(i), Some(clip)) => {
                self.slots.insert(i, Slot { instrument, scene, clip });
                None
            }
            (Err(_), None) => None,
        }
    }

    /// What a learned pad does.
    pub fn pad(&self, channel: u8, control: crate::pads::PadControl) -> Option<crate::pads::PadTarget> {
        self.pads.iter().find(|m| m.channel == channel && m.control == control).map(|m| m.target)
    }

    /// Learns (or with `None` forgets) a pad; returns what it did before.
    pub fn set_pad(
        &mut self,
        channel: u8,
        control: crate::pads::PadControl,
        target: Option<crate::pads::PadTarget>,
    ) -> Option<crate::pads::PadTarget> {
        let at = self.pads.binary_search_by(|m| (m.channel, m.control).cmp(&(channel, control)));
        match (at, target) {
            (Ok(i), Some(t)) => self.pads.get_mut(i).map(|m| std::mem::replace(&mut m.target, t)),
            (Ok(i), None) => Some(self.pads.remove(i).target),
            (Err(i), Some(target)) => {
                self.pads.insert(i, crate::pads::PadMapping { channel, control, target });
                None
            }
            (Err(_), None) => None,
        }
    }

    /// The slots of one scene.
    pub fn scene(&self, scene: u16) -> impl Iterator<Item = &Slot> {
        self.slots.iter().filter(move |s| s.scene == scene)
    }

    /// Where a launch of `clip` takes effect: its own quantization, else
    /// the project's.
    pub fn quantize_of(&self, clip: ClipId) -> LaunchQuantize {
        self.clip_quantize.get(&clip).copied().unwrap_or(self.quantize)
    }

    /// The clip quantization after `now` in the cycle project, off, 1/16,
    /// 1/4, 1, 2, 4, 8 bars, project (`None`: the project's).
    pub fn next_clip_quantize(now: Option<LaunchQuantize>) -> Option<LaunchQuantize> {
        match now {
            None => Some(LaunchQuantize::Off),
            Some(LaunchQuantize::Bars8) => None,
            Some(q) => Some(q.next()),
        }
    }

    /// Rows to show: one past the last filled scene, at least
    /// [`MIN_SCENES`], at most [`MAX_SCENES`].
    pub fn scene_count(&self) -> u16 {
        let used = self.slots.iter().map(|s| s.scene + 2).max().unwrap_or(0);
        used.clamp(MIN_SCENES, MAX_SCENES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_stay_ordered_and_set_returns_the_old_clip() {
        let mut l = Launcher::default();
        assert_eq!(l.set(InstrumentId(2), 1, Some(ClipId(5))), None);
        assert_eq!(l.set(InstrumentId(1), 1, Some(ClipId(6))), None);
        assert_eq!(l.set(InstrumentId(1), 0, Some(ClipId(7))), None);
        assert_eq!(l.set(InstrumentId(2), 1, Some(ClipId(8))), Some(ClipId(5)));
        let order: Vec<_> = l.slots.iter().map(|s| (s.scene, s.instrument.0)).collect();
        assert_eq!(order, vec![(0, 1), (1, 1), (1, 2)]);
        assert_eq!(l.set(InstrumentId(1), 1, None), Some(ClipId(6)));
        assert_eq!(l.clip_at(InstrumentId(1), 1), None);
        assert_eq!(l.clip_at(InstrumentId(2), 1), Some(ClipId(8)));
        assert_eq!(l.scene_count(), MIN_SCENES);
    }

    #[test]
    fn quantize_grids_follow_the_time_signature() {
        let ts = TimeSignature { numerator: 3, denominator: 4 };
        assert_eq!(LaunchQuantize::Bar.ticks(ts), 1440);
        assert_eq!(LaunchQuantize::Bars2.ticks(TimeSignature::default()), 3840);
        assert_eq!(LaunchQuantize::Off.ticks(ts), 0);
        assert_eq!(LaunchQuantize::Bars8.next(), LaunchQuantize::Off);
    }

    #[test]
    fn a_clip_quantization_overrides_the_projects_and_cycles_back_to_it() {
        let mut l = Launcher::default();
        assert_eq!(l.quantize_of(ClipId(1)), LaunchQuantize::Bar);
        l.clip_quantize.insert(ClipId(1), LaunchQuantize::Quarter);
        assert_eq!(l.quantize_of(ClipId(1)), LaunchQuantize::Quarter);
        assert_eq!(l.quantize_of(ClipId(2)), LaunchQuantize::Bar);
        let mut q = None;
        let mut seen = Vec::new();
        for _ in 0..8 {
            q = Launcher::next_clip_quantize(q);
            seen.push(q);
        }
        assert_eq!(seen.first(), Some(&Some(LaunchQuantize::Off)));
        assert_eq!(seen.get(6), Some(&Some(LaunchQuantize::Bars8)));
        assert_eq!(seen.get(7), Some(&None));
    }
}
