//! Pad controllers for the clip launcher: what a pad (a note or a
//! controller of a grid controller) does, learned per project
//! ([`PadMapping`], stored in [`crate::Launcher::pads`]), and the
//! ready-made note grids of common controllers ([`PadLayout`]) with the
//! LED velocities that show each slot's state.

use serde::{Deserialize, Serialize};

use crate::ids::InstrumentId;

/// What a pad press does in the launcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PadTarget {
    /// Launch this slot (an empty one stops its column).
    Slot { instrument: InstrumentId, scene: u16 },
    /// Launch every clip of a scene.
    Scene(u16),
    /// Stop one column.
    StopColumn(InstrumentId),
    /// Stop every column.
    StopAll,
}

impl PadTarget {
    /// Short words for the status line (instrument ids as numbers; the UI
    /// names them).
    pub fn describe(&self) -> String {
        match self {
            PadTarget::Slot { instrument, scene } => format!("slot {} of column {}", scene + 1, instrument.0),
            PadTarget::Scene(s) => format!("scene {}", s + 1),
            PadTarget::StopColumn(i) => format!("stop of column {}", i.0),
            PadTarget::StopAll => "stop all".to_owned(),
        }
    }
}

/// The message a pad sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PadControl {
    /// A note-on of this key (note-off is ignored).
    Note(u8),
    /// This controller going above 0 (a button sends 127 then 0).
    Cc(u8),
}

/// One learned pad. At most one per `(channel, control)` in a project;
/// the list is kept ordered by them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PadMapping {
    /// MIDI channel, 0..=15.
    pub channel: u8,
    pub control: PadControl,
    pub target: PadTarget,
}

/// A slot's state as a pad LED shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PadState {
    Empty,
    /// Holds a clip that is not playing.
    Stopped,
    /// A launch waiting for its boundary.
    Queued,
    Playing,
    Recording,
}

/// A ready-made grid controller layout (chosen in `midi.toml` or by a
/// key). Column `c` of the grid is the `c`-th instrument of the session
/// pane, the grid's top row is scene 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PadLayout {
    /// No layout: learned pads only.
    #[default]
    None,
    /// Novation Launchpad in programmer mode: pad notes 11..88, row `r`
    /// (1 = bottom) column `c` (1 = left) is note `10r + c`; the right
    /// column's buttons (controllers 19, 29 .. 89) launch the scene of
    /// their row.
    Launchpad,
    /// Akai APC mini: pad notes 0..63, bottom left 0, row `r` (0 =
    /// bottom) column `c` is note `8r + c`; the scene buttons, notes 82
    /// (top) .. 89, launch scenes; the buttons under the grid (notes
    /// 64..71) stop their column.
    ApcMini,
}

/// A press the layout gives a meaning to, by grid position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GridPress {
    Slot { column: usize, scene: u16 },
    Scene(u16),
    StopColumn(usize),
}

impl PadLayout {
    /// All layouts, in the order a key cycles through.
    pub const ALL: [PadLayout; 3] = [PadLayout::None, PadLayout::Launchpad, PadLayout::ApcMini];

    /// The next layout (wrapping).
    pub fn next(self) -> PadLayout {
        let i = PadLayout::ALL.iter().position(|l| *l == self).unwrap_or(0);
        PadLayout::ALL.get(i + 1).copied().unwrap_or(PadLayout::None)
    }

    pub fn name(self) -> &'static str {
        match self {
            PadLayout::None => "none",
            PadLayout::Launchpad => "Launchpad",
            PadLayout::ApcMini => "APC mini",
        }
    }

    /// Columns and rows of the grid (0 for none).
    pub fn size(self) -> usize {
        match self {
            PadLayout::None => 0,
            PadLayout::Launchpad | PadLayout::ApcMini => 8,
        }
    }

    /// What a note-on of `key` does.
    pub fn note(self, key: u8) -> Option<GridPress> {
        match self {
            PadLayout::None => None,
            PadLayout::Launchpad => {
                let (row, col) = (key / 10, key % 10);
                ((1..=8).contains(&row) && (1..=8).contains(&col))
                    .then(|| GridPress::Slot { column: usize::from(col - 1), scene: u16::from(8 - row) })
            }
            PadLayout::ApcMini => match key {
                0..=63 => Some(GridPress::Slot { column: usize::from(key % 8), scene: u16::from(7 - key / 8) }),
                64..=71 => Some(GridPress::StopColumn(usize::from(key - 64))),
                82..=89 => Some(GridPress::Scene(u16::from(key - 82))),
                _ => None,
            },
        }
    }

    /// What controller `cc` going above 0 does.
    pub fn cc(self, cc: u8) -> Option<GridPress> {
        match self {
            PadLayout::Launchpad if cc % 10 == 9 && (1..=8).contains(&(cc / 10)) => {
                Some(GridPress::Scene(u16::from(8 - cc / 10)))
            }
            _ => None,
        }
    }

    /// The pad note of a slot in the grid, if it is on the grid.
    pub fn slot_note(self, column: usize, scene: u16) -> Option<u8> {
        let size = self.size();
        if column >= size || usize::from(scene) >= size {
            return None;
        }
        let (c, s) = (u8::try_from(column).ok()?, u8::try_from(scene).ok()?);
        match self {
            PadLayout::None => None,
            PadLayout::Launchpad => Some(10 * (8 - s) + c + 1),
            PadLayout::ApcMini => Some(8 * (7 - s) + c),
        }
    }

    /// The note velocity that lights a pad for `state`. Launchpad:
    /// programmer-mode palette indices (0 off, 13 yellow, 17 dim green,
    /// 21 green, 5 red); APC mini: its LED values (0 off, 5 yellow, 2
    /// green blinking, 1 green, 3 red). Learned pads of an unknown
    /// controller use the APC mini's.
    pub fn velocity(self, state: PadState) -> u8 {
        match self {
            PadLayout::Launchpad => match state {
                PadState::Empty => 0,
                PadState::Stopped => 13,
                PadState::Queued => 17,
                PadState::Playing => 21,
                PadState::Recording => 5,
            },
            PadLayout::ApcMini | PadLayout::None => match state {
                PadState::Empty => 0,
                PadState::Stopped => 5,
                PadState::Queued => 2,
                PadState::Playing => 1,
                PadState::Recording => 3,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn launchpad_grid_puts_scene_one_on_the_top_row() {
        let l = PadLayout::Launchpad;
        assert_eq!(l.note(81), Some(GridPress::Slot { column: 0, scene: 0 }));
        assert_eq!(l.note(18), Some(GridPress::Slot { column: 7, scene: 7 }));
        assert_eq!(l.note(11), Some(GridPress::Slot { column: 0, scene: 7 }));
        assert_eq!(l.note(19), None);
        assert_eq!(l.note(90), None);
        assert_eq!(l.cc(89), Some(GridPress::Scene(0)));
        assert_eq!(l.cc(19), Some(GridPress::Scene(7)));
        assert_eq!(l.cc(91), None);
        for col in 0..8 {
            for scene in 0..8 {
                let note = l.slot_note(col, scene).unwrap();
                assert_eq!(l.note(note), Some(GridPress::Slot { column: col, scene }));
            }
        }
        assert_eq!(l.slot_note(8, 0), None);
    }

    #[test]
    fn apc_mini_grid_has_bottom_left_zero_and_scene_buttons() {
        let l = PadLayout::ApcMini;
        assert_eq!(l.note(0), Some(GridPress::Slot { column: 0, scene: 7 }));
        assert_eq!(l.note(56), Some(GridPress::Slot { column: 0, scene: 0 }));
        assert_eq!(l.note(82), Some(GridPress::Scene(0)));
        assert_eq!(l.note(89), Some(GridPress::Scene(7)));
        assert_eq!(l.note(65), Some(GridPress::StopColumn(1)));
        for col in 0..8 {
            for scene in 0..8 {
                let note = l.slot_note(col, scene).unwrap();
                assert_eq!(l.note(note), Some(GridPress::Slot { column: col, scene }));
            }
        }
        assert_eq!(PadLayout::None.note(0), None);
        assert_eq!(PadLayout::None.next(), PadLayout::Launchpad);
        assert_eq!(PadLayout::ApcMini.next(), PadLayout::None);
    }
}
