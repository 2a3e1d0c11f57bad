//! Musical typing: two rows of the computer keyboard play the selected
//! instrument like a piano. The home row (`a s d f g h j k l ; '`) gives the
//! white keys from C, the row above (`w e t y u o p`) the black ones; `z`
//! and `x` shift an octave down and up, `Esc` leaves.
//!
//! Terminals that report key releases (crossterm's keyboard enhancement)
//! hold a note while its key is down. Elsewhere a press plays a note of
//! [`FALLBACK_LENGTH`], so it works in any terminal.

use std::collections::HashSet;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// How long a note sounds when the terminal does not report releases.
pub const FALLBACK_LENGTH: Duration = Duration::from_millis(300);

/// Semitones above the octave's C of a key, if it is a piano key.
pub fn semitone(c: char) -> Option<u8> {
    Some(match c {
        'a' => 0,
        'w' => 1,
        's' => 2,
        'e' => 3,
        'd' => 4,
        'f' => 5,
        't' => 6,
        'g' => 7,
        'y' => 8,
        'h' => 9,
        'u' => 10,
        'j' => 11,
        'k' => 12,
        'o' => 13,
        'l' => 14,
        'p' => 15,
        ';' => 16,
        '\'' => 17,
        _ => return None,
    })
}

/// Under scale lock: the home row (`a s d f g h j k l ; '`) plays
/// successive degrees of `key` from its root in the octave of `base` (the
/// C of `a`); the upper row plays nothing.
pub fn locked_pitch(c: char, base: u8, key: imbolc_types::Key) -> Option<u8> {
    const HOME: [char; 11] = ['a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l', ';', '\''];
    let degree = HOME.iter().position(|&h| h == c)?;
    Some(key.degree_pitch(base, i32::try_from(degree).ok()?))
}

/// What a key means while typing is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typed {
    /// Start a note (the key is remembered until its release).
    NoteOn { key: char, pitch: u8 },
    /// The key of a sounding note was released.
    NoteOff { key: char },
    /// The octave changed; the new C.
    Octave(u8),
    /// Leave musical typing.
    Leave,
    /// Not a typing key: the normal keymap handles it.
    Pass,
    /// A typing key with nothing to do (a repeat, a release without a press).
    Nothing,
}

/// Musical typing's state: the octave and which keys are down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typing {
    /// The pitch of `a`: a C.
    base: u8,
    /// Keys whose notes sound, when releases are reported.
    down: HashSet<char>,
}

impl Default for Typing {
    fn default() -> Self {
        Typing { base: 60, down: HashSet::new() }
    }
}

impl Typing {
    /// The C the home row starts on.
    pub fn base(&self) -> u8 {
        self.base
    }

    /// Interprets one key event. `releases`: the terminal reports key
    /// releases, so a held key is not played again by its repeats.
    pub fn key(&mut self, key: KeyEvent, releases: bool) -> Typed {
        if key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) {
            return Typed::Pass;
        }
        let KeyCode::Char(c) = key.code else {
            return if key.code == KeyCode::Esc && key.kind == KeyEventKind::Press {
                Typed::Leave
            } else {
                Typed::Pass
            };
        };
        let c = c.to_ascii_lowercase();
        match (c, key.kind) {
            ('z' | 'x', KeyEventKind::Press) => {
                self.base = if c == 'z' { self.base.saturating_sub(12) } else { (self.base + 12).min(108) };
                Typed::Octave(self.base)
            }
            ('z' | 'x', _) => Typed::Nothing,
            (c, kind) => {
                let Some(s) = semitone(c) else { return Typed::Pass };
                match kind {
                    KeyEventKind::Press if releases && self.down.contains(&c) => Typed::Nothing,
                    KeyEventKind::Press => {
                        if releases {
                            self.down.insert(c);
                        }
                        Typed::NoteOn { key: c, pitch: (self.base + s).min(127) }
                    }
                    KeyEventKind::Repeat => Typed::Nothing,
                    KeyEventKind::Release => {
                        if self.down.remove(&c) {
                            Typed::NoteOff { key: c }
                        } else {
                            Typed::Nothing
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyEventState;
    use imbolc_types::{Key, Scale};

    use super::*;

    #[test]
    fn under_scale_lock_the_home_row_plays_the_scale_degrees() {
        let d_dorian = Key::new(2, Scale::Dorian);
        let row: Vec<u8> = "asdfghjk".chars().filter_map(|c| locked_pitch(c, 60, d_dorian)).collect();
        assert_eq!(row, vec![62, 64, 65, 67, 69, 71, 72, 74]);
        assert_eq!(locked_pitch('w', 60, d_dorian), None);
        let blues: Vec<u8> = "asdfghj".chars().filter_map(|c| locked_pitch(c, 48, Key::new(0, Scale::Blues))).collect();
        assert_eq!(blues, vec![48, 51, 53, 54, 55, 58, 60]);
    }

    fn ev(c: char, kind: KeyEventKind) -> KeyEvent {
        KeyEvent { code: KeyCode::Char(c), modifiers: KeyModifiers::NONE, kind, state: KeyEventState::NONE }
    }

    #[test]
    fn home_row_is_white_keys_and_the_row_above_black_ones() {
        let whites: Vec<u8> = "asdfghjk".chars().filter_map(semitone).collect();
        assert_eq!(whites, [0, 2, 4, 5, 7, 9, 11, 12]);
        let blacks: Vec<u8> = "wetyu".chars().filter_map(semitone).collect();
        assert_eq!(blacks, [1, 3, 6, 8, 10]);
    }

    #[test]
    fn with_releases_a_held_key_plays_once_and_stops_on_release() {
        let mut t = Typing::default();
        assert_eq!(t.key(ev('d', KeyEventKind::Press), true), Typed::NoteOn { key: 'd', pitch: 64 });
        assert_eq!(t.key(ev('d', KeyEventKind::Repeat), true), Typed::Nothing);
        assert_eq!(t.key(ev('d', KeyEventKind::Press), true), Typed::Nothing, "auto-repeat as presses");
        assert_eq!(t.key(ev('d', KeyEventKind::Release), true), Typed::NoteOff { key: 'd' });
        assert_eq!(t.key(ev('x', KeyEventKind::Press), true), Typed::Octave(72));
        assert_eq!(t.key(ev('a', KeyEventKind::Press), true), Typed::NoteOn { key: 'a', pitch: 72 });
        assert_eq!(t.key(ev('q', KeyEventKind::Press), true), Typed::Pass);
    }

    #[test]
    fn without_releases_every_press_plays() {
        let mut t = Typing::default();
        assert_eq!(t.key(ev('a', KeyEventKind::Press), false), Typed::NoteOn { key: 'a', pitch: 60 });
        assert_eq!(t.key(ev('a', KeyEventKind::Press), false), Typed::NoteOn { key: 'a', pitch: 60 });
        assert_eq!(t.key(ev('z', KeyEventKind::Press), false), Typed::Octave(48));
    }
}
