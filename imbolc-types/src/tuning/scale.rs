//! [`Key`]: a root pitch class and a [`Scale`]; which MIDI pitches are in
//! it and how to step through it by scale degrees (scale lock).

use serde::{Deserialize, Serialize};

/// Names of the twelve pitch classes, C first.
pub const PITCH_CLASS_NAMES: [&str; 12] = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"];

/// A scale: the semitones above the root that belong to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Scale {
    #[default]
    Chromatic,
    Major,
    Minor,
    Dorian,
    Phrygian,
    Lydian,
    Mixolydian,
    Locrian,
    HarmonicMinor,
    MelodicMinor,
    MajorPentatonic,
    MinorPentatonic,
    Blues,
}

impl Scale {
    /// Every scale, in the order the scale command cycles through them.
    pub const ALL: [Scale; 13] = [
        Scale::Chromatic,
        Scale::Major,
        Scale::Minor,
        Scale::Dorian,
        Scale::Phrygian,
        Scale::Lydian,
        Scale::Mixolydian,
        Scale::Locrian,
        Scale::HarmonicMinor,
        Scale::MelodicMinor,
        Scale::MajorPentatonic,
        Scale::MinorPentatonic,
        Scale::Blues,
    ];

    /// Semitones above the root, ascending, starting with 0.
    pub fn steps(self) -> &'static [u8] {
        match self {
            Scale::Chromatic => &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
            Scale::Major => &[0, 2, 4, 5, 7, 9, 11],
            Scale::Minor => &[0, 2, 3, 5, 7, 8, 10],
            Scale::Dorian => &[0, 2, 3, 5, 7, 9, 10],
            Scale::Phrygian => &[0, 1, 3, 5, 7, 8, 10],
            Scale::Lydian => &[0, 2, 4, 6, 7, 9, 11],
            Scale::Mixolydian => &[0, 2, 4, 5, 7, 9, 10],
            Scale::Locrian => &[0, 1, 3, 5, 6, 8, 10],
            Scale::HarmonicMinor => &[0, 2, 3, 5, 7, 8, 11],
            Scale::MelodicMinor => &[0, 2, 3, 5, 7, 9, 11],
            Scale::MajorPentatonic => &[0, 2, 4, 7, 9],
            Scale::MinorPentatonic => &[0, 3, 5, 7, 10],
            Scale::Blues => &[0, 3, 5, 6, 7, 10],
        }
    }

    /// Short display name.
    pub fn name(self) -> &'static str {
        match self {
            Scale::Chromatic => "chromatic",
            Scale::Major => "major",
            Scale::Minor => "minor",
            Scale::Dorian => "dorian",
            Scale::Phrygian => "phrygian",
            Scale::Lydian => "lydian",
            Scale::Mixolydian => "mixolydian",
            Scale::Locrian => "locrian",
            Scale::HarmonicMinor => "harmonic minor",
            Scale::MelodicMinor => "melodic minor",
            Scale::MajorPentatonic => "major pentatonic",
            Scale::MinorPentatonic => "minor pentatonic",
            Scale::Blues => "blues",
        }
    }

    /// The next scale of [`Scale::ALL`] (wrapping).
    pub fn next(self) -> Scale {
        let i = Scale::ALL.iter().position(|&s| s == self).unwrap_or(0);
        Scale::ALL[(i + 1) % Scale::ALL.len()]
    }
}

/// A key: root pitch class (0 = C .. 11 = B) and scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Key {
    /// 0 = C .. 11 = B.
    pub root: u8,
    pub scale: Scale,
}

impl Key {
    pub fn new(root: u8, scale: Scale) -> Self {
        Key { root: root % 12, scale }
    }

    /// Whether the root is a pitch class.
    pub fn is_valid(&self) -> bool {
        self.root < 12
    }

    /// `C major`, `F# blues`.
    pub fn name(&self) -> String {
        format!("{} {}", PITCH_CLASS_NAMES[usize::from(self.root % 12)], self.scale.name())
    }

    /// Whether MIDI `pitch` is in the key.
    pub fn contains(&self, pitch: u8) -> bool {
        let pc = (pitch + 12 - self.root % 12) % 12;
        self.scale.steps().contains(&pc)
    }

    /// The pitch `degrees` scale degrees away from `pitch` (up when
    /// positive). A pitch outside the scale first moves to the nearest
    /// scale pitch in the direction of travel, which counts as one degree.
    /// Stays in the MIDI range: a move past 0 or 127 stops at the last
    /// scale pitch inside it.
    pub fn step(&self, pitch: u8, degrees: i32) -> u8 {
        let mut p = i32::from(pitch.min(127));
        let dir = degrees.signum();
        for _ in 0..degrees.unsigned_abs() {
            let mut q = p + dir;
            while (0..=127).contains(&q) && !self.contains_i(q) {
                q += dir;
            }
            if !(0..=127).contains(&q) {
                break;
            }
            p = q;
        }
        // In 0..=127 by construction.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let p = p as u8;
        p
    }

    /// The nearest pitch of the key (the lower one on a tie).
    pub fn snap(&self, pitch: u8) -> u8 {
        let p = i32::from(pitch.min(127));
        for d in 0..12 {
            for q in [p - d, p + d] {
                if (0..=127).contains(&q) && self.contains_i(q) {
                    // In 0..=127 by the check above.
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    return q as u8;
                }
            }
        }
        pitch
    }

    /// The pitch of scale degree `degree` counted from the root in the
    /// octave of `base` (degree 0 is the root at or below `base`'s octave
    /// start; negative degrees go down). Clamped to the MIDI range.
    pub fn degree_pitch(&self, base: u8, degree: i32) -> u8 {
        let steps = self.scale.steps();
        let n = i32::try_from(steps.len()).unwrap_or(12);
        let octave_root = i32::from(base) / 12 * 12 + i32::from(self.root % 12);
        let (oct, idx) = (degree.div_euclid(n), degree.rem_euclid(n));
        let step = steps.get(usize::try_from(idx).unwrap_or(0)).copied().unwrap_or(0);
        let p = (octave_root + 12 * oct + i32::from(step)).clamp(0, 127);
        // Clamped to 0..=127 above.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let p = p as u8;
        p
    }

    fn contains_i(&self, p: i32) -> bool {
        u8::try_from(p).is_ok_and(|p| self.contains(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_major_holds_the_white_keys_and_steps_through_them() {
        let k = Key::new(0, Scale::Major);
        let white: Vec<u8> = (60..72).filter(|&p| k.contains(p)).collect();
        assert_eq!(white, vec![60, 62, 64, 65, 67, 69, 71]);
        assert_eq!(k.step(60, 1), 62);
        assert_eq!(k.step(64, 1), 65);
        assert_eq!(k.step(60, -1), 59);
        assert_eq!(k.step(61, 1), 62, "off-scale moves to the next scale pitch");
        assert_eq!(k.step(61, -1), 60);
        assert_eq!(k.step(60, 7), 72);
        assert_eq!(k.step(127, 3), 127);
        assert_eq!(k.snap(61), 60);
        assert_eq!(k.snap(66), 65);
        assert_eq!(k.degree_pitch(60, 2), 64);
        assert_eq!(k.degree_pitch(60, 7), 72);
        assert_eq!(k.degree_pitch(60, -1), 59);
    }

    #[test]
    fn every_scale_starts_at_the_root_and_ascends_inside_an_octave() {
        for s in Scale::ALL {
            let st = s.steps();
            assert_eq!(st[0], 0, "{}", s.name());
            assert!(st.windows(2).all(|w| w[0] < w[1]) && st[st.len() - 1] < 12, "{}", s.name());
            for root in 0..12 {
                let k = Key::new(root, s);
                assert!(k.contains(60 + root));
                // Stepping up a whole scale is an octave.
                let n = i32::try_from(st.len()).unwrap();
                assert_eq!(k.step(48 + root, n), 60 + root);
            }
        }
        assert_eq!(Scale::ALL.iter().fold(Scale::Chromatic, |s, _| s.next()), Scale::Chromatic);
    }
}
