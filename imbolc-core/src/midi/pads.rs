//! [`Pads`]: a pad controller driving the clip launcher. A press (a note-on
//! the callback set aside as a pad, or a controller going above 0) is
//! looked up in the project's learned pads, then in the chosen
//! [`PadLayout`], and becomes launches; while a pad is learned the next
//! press is mapped instead (`SetPadMapping`, undoable). The slot states go
//! back out as note velocities for the pad LEDs, only what changed.

use std::collections::BTreeMap;

use imbolc_audio::scheduler::{ColumnFeedback, Launch};
use imbolc_types::pads::GridPress;
use imbolc_types::{
    Action, ClipId, InstrumentId, LaunchTarget, PadControl, PadLayout, PadMapping, PadState, PadTarget, Project,
};

use super::live::PadKeys;

/// What a press came to.
#[derive(Debug, Clone, PartialEq)]
pub enum PadPress {
    /// Nothing is mapped to it.
    Unmapped,
    /// The pad was learned: dispatch this action.
    Learn(Action),
    /// Send these launches.
    Launch(Vec<Launch>),
}

/// See the module docs.
#[derive(Debug, Default)]
pub struct Pads {
    /// The ready-made layout in use.
    pub layout: PadLayout,
    /// Channel (0..=15) of the layout's notes and LEDs.
    pub channel: u8,
    learning: Option<PadTarget>,
    /// LED velocities last sent, by (channel, note).
    lit: BTreeMap<(u8, u8), u8>,
    group: u32,
}

impl Pads {
    /// The next press is mapped to `target` (`None`: stop learning).
    pub fn learn(&mut self, target: Option<PadTarget>) {
        self.learning = target;
    }

    /// The target waiting for a pad.
    pub fn learning(&self) -> Option<PadTarget> {
        self.learning
    }

    /// Forgets what the LEDs show, so the next [`Pads::leds`] sends all
    /// (new ports, a controller plugged in again).
    pub fn forget_leds(&mut self) {
        self.lit.clear();
    }

    /// Note-offs (velocity 0) for every pad lit now, and forgets them:
    /// before another layout takes over the controller.
    pub fn darken(&mut self) -> Vec<[u8; 3]> {
        let out = self.lit.iter().filter(|(_, v)| **v > 0).map(|(&(c, n), _)| [0x90 | (c & 0x0F), n, 0]).collect();
        self.lit.clear();
        out
    }

    /// The keys the callback should set aside as pads.
    pub fn keys(&self, project: &Project) -> PadKeys {
        let mut keys = PadKeys::default();
        keys.all = self.learning.is_some();
        for m in &project.launcher.pads {
            if let PadControl::Note(k) = m.control {
                keys.add(m.channel, k);
            }
        }
        for key in 0..128u8 {
            if self.layout.note(key).is_some() {
                keys.add(self.channel, key);
            }
        }
        keys
    }

    /// A press of `control` on `channel`.
    pub fn press(&mut self, project: &Project, channel: u8, control: PadControl) -> PadPress {
        if let Some(target) = self.learning.take() {
            return PadPress::Learn(Action::SetPadMapping { channel, control, target: Some(target) });
        }
        let target = project.launcher.pad(channel, control).or_else(|| {
            let press = match control {
                _ if channel != self.channel => None,
                PadControl::Note(k) => self.layout.note(k),
                PadControl::Cc(c) => self.layout.cc(c),
            };
            press.and_then(|p| grid_target(project, p))
        });
        match target {
            Some(t) => PadPress::Launch(self.launches(project, t)),
            None => PadPress::Unmapped,
        }
    }

    fn launches(&mut self, project: &Project, target: PadTarget) -> Vec<Launch> {
        let targets: Vec<(InstrumentId, LaunchTarget)> = match target {
            PadTarget::Slot { instrument, scene } => {
                let t = slot_clip(project, instrument, scene).map_or(LaunchTarget::Stop, LaunchTarget::Clip);
                vec![(instrument, t)]
            }
            PadTarget::Scene(scene) => project
                .instruments
                .keys()
                .filter_map(|i| slot_clip(project, *i, scene).map(|c| (*i, LaunchTarget::Clip(c))))
                .collect(),
            PadTarget::StopColumn(i) => vec![(i, LaunchTarget::Stop)],
            PadTarget::StopAll => project.instruments.keys().map(|i| (*i, LaunchTarget::Stop)).collect(),
        };
        let group = if targets.len() > 1 {
            self.group = self.group.wrapping_add(1).max(1);
            // Apart from the session pane's groups (counted from 1 up).
            self.group | 0x8000_0000
        } else {
            0
        };
        let launcher = &project.launcher;
        targets.into_iter().map(|(instrument, target)| Launch::of(launcher, instrument, target, group)).collect()
    }

    /// Note-on messages that bring the LEDs to the slots' states (only
    /// those that changed since the last call); `recording`: the clip a
    /// live loop records into.
    pub fn leds(&mut self, project: &Project, columns: &[ColumnFeedback], recording: Option<ClipId>) -> Vec<[u8; 3]> {
        let mut want: BTreeMap<(u8, u8), u8> = BTreeMap::new();
        let instruments: Vec<InstrumentId> = project.instruments.keys().copied().collect();
        let size = self.layout.size();
        for column in 0..size {
            for scene in 0..u16::try_from(size).unwrap_or(0) {
                let Some(note) = self.layout.slot_note(column, scene) else { continue };
                let state = instruments
                    .get(column)
                    .map_or(PadState::Empty, |i| slot_state(project, columns, *i, scene, recording));
                want.insert((self.channel, note), self.layout.velocity(state));
            }
        }
        for m in &project.launcher.pads {
            if let (PadControl::Note(note), PadTarget::Slot { instrument, scene }) = (m.control, m.target) {
                let state = slot_state(project, columns, instrument, scene, recording);
                let layout = if m.channel == self.channel { self.layout } else { PadLayout::None };
                want.insert((m.channel, note), layout.velocity(state));
            }
        }
        let mut out = Vec::new();
        for (&(channel, note), &velocity) in &want {
            if self.lit.get(&(channel, note)) != Some(&velocity) {
                out.push([0x90 | (channel & 0x0F), note, velocity]);
            }
        }
        self.lit = want;
        out
    }
}

/// A learned-pad mapping's words for the status line.
pub fn describe(project: &Project, m: &PadMapping) -> String {
    let name = |i: InstrumentId| project.instruments.get(&i).map_or_else(|| format!("{}", i.0), |x| x.name.clone());
    let what = match m.target {
        PadTarget::Slot { instrument, scene } => format!("slot {} of {}", scene + 1, name(instrument)),
        PadTarget::Scene(s) => format!("scene {}", s + 1),
        PadTarget::StopColumn(i) => format!("stop {}", name(i)),
        PadTarget::StopAll => "stop all".to_owned(),
    };
    let control = match m.control {
        PadControl::Note(n) => format!("note {n}"),
        PadControl::Cc(c) => format!("CC {c}"),
    };
    format!("{control} ch {} → {what}", m.channel + 1)
}

/// What a grid position names in this project (columns are instruments in
/// the session pane's order).
fn grid_target(project: &Project, press: GridPress) -> Option<PadTarget> {
    let column = |c: usize| project.instruments.keys().nth(c).copied();
    Some(match press {
        GridPress::Slot { column: c, scene } => PadTarget::Slot { instrument: column(c)?, scene },
        GridPress::Scene(s) => PadTarget::Scene(s),
        GridPress::StopColumn(c) => PadTarget::StopColumn(column(c)?),
    })
}

/// The clip in a slot, if it still exists and belongs to the column.
fn slot_clip(project: &Project, instrument: InstrumentId, scene: u16) -> Option<ClipId> {
    let clip = project.launcher.clip_at(instrument, scene)?;
    project.clips.get(&clip).filter(|c| c.instrument == instrument).map(|c| c.id)
}

/// A slot's state, as the session pane shows it.
fn slot_state(
    project: &Project,
    columns: &[ColumnFeedback],
    instrument: InstrumentId,
    scene: u16,
    recording: Option<ClipId>,
) -> PadState {
    let Some(clip) = slot_clip(project, instrument, scene) else { return PadState::Empty };
    if recording == Some(clip) {
        return PadState::Recording;
    }
    match columns.iter().find(|c| c.instrument == instrument) {
        Some(c) if c.queued == Some(LaunchTarget::Clip(clip)) => PadState::Queued,
        Some(ColumnFeedback { playing: Some((playing, _)), .. }) if *playing == clip => PadState::Playing,
        _ => PadState::Stopped,
    }
}

#[cfg(test)]
#[path = "pads_tests.rs"]
mod tests;
