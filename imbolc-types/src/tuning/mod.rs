//! Key, scale and tuning: [`PitchSettings`] (the project's, and an
//! instrument's override) turn a MIDI note into the frequency every pitched
//! source and sampler zone plays.
//!
//! - 12-TET with an adjustable A4;
//! - just intonation (5-limit, 7-limit, Pythagorean) relative to the key's
//!   root, the root itself at its 12-TET frequency;
//! - a Scala scale (`.scl`) with an optional keyboard mapping (`.kbm`),
//!   parsed by `imbolc_core::scala` and stored here whole.

pub mod scale;

use serde::{Deserialize, Serialize};

pub use scale::{Key, PITCH_CLASS_NAMES, Scale};

/// Default concert pitch of A4 in Hz.
pub const DEFAULT_A4: f32 = 440.0;
/// Range accepted for A4, in Hz.
pub const A4_RANGE: (f32, f32) = (380.0, 500.0);

/// A Scala scale: the degrees above the unison in cents, ascending as
/// written; the last one is the period (usually the octave, 1200 cents).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ScalaScale {
    pub description: String,
    /// Degrees 1..=n in cents (degree 0, the unison, is implied).
    pub cents: Vec<f64>,
}

impl ScalaScale {
    /// Notes per period (degree count, the unison excluded).
    pub fn len(&self) -> usize {
        self.cents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cents.is_empty()
    }

    /// Cents of any degree (negative and beyond the period too).
    pub fn degree_cents(&self, degree: i64) -> f64 {
        let n = i64::try_from(self.cents.len()).unwrap_or(0);
        if n == 0 {
            return 0.0;
        }
        let period = self.cents[self.cents.len() - 1];
        let (oct, r) = (degree.div_euclid(n), degree.rem_euclid(n));
        let within = usize::try_from(r).ok().and_then(|r| r.checked_sub(1)).map_or(0.0, |i| self.cents[i]);
        // Degree counts are small: the conversion is exact.
        #[allow(clippy::cast_precision_loss)]
        let oct = oct as f64;
        oct * period + within
    }
}

/// A Scala keyboard mapping (`.kbm`): which MIDI key plays which degree
/// and which key sounds at which frequency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyboardMap {
    /// Keys per repeat of the mapping; 0: every key is the next degree.
    pub size: u32,
    pub first_key: u8,
    pub last_key: u8,
    /// The key playing degree 0.
    pub middle_key: u8,
    pub reference_key: u8,
    pub reference_freq: f64,
    /// The degree one repeat of the mapping moves by (0: the period).
    pub octave_degree: u32,
    /// Degree of each key of one repeat; `None`: the key is silent.
    pub mapping: Vec<Option<u32>>,
}

/// A Scala tuning imported into the project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScalaTuning {
    /// The `.scl` file name it came from.
    pub name: String,
    pub scale: ScalaScale,
    /// The `.kbm` mapping; `None`: degree 0 on the key's root in octave 4
    /// (MIDI 60 + root) at its 12-TET frequency, one key per degree.
    #[serde(default)]
    pub map: Option<KeyboardMap>,
}

impl ScalaTuning {
    /// Cents of `key` relative to degree 0, `None` when it is unmapped.
    fn key_cents(&self, map: &KeyboardMap, key: u8) -> Option<f64> {
        if key < map.first_key || key > map.last_key {
            return None;
        }
        let d = i64::from(key) - i64::from(map.middle_key);
        if map.size == 0 {
            return Some(self.scale.degree_cents(d));
        }
        let size = i64::from(map.size);
        let (rep, idx) = (d.div_euclid(size), d.rem_euclid(size));
        let degree = (*map.mapping.get(usize::try_from(idx).ok()?)?)?;
        let octave = if map.octave_degree == 0 {
            self.scale.degree_cents(i64::try_from(self.scale.len()).unwrap_or(0))
        } else {
            self.scale.degree_cents(i64::from(map.octave_degree))
        };
        // Repeat counts are small: the conversion is exact.
        #[allow(clippy::cast_precision_loss)]
        let rep = rep as f64;
        Some(rep * octave + self.scale.degree_cents(i64::from(degree)))
    }

    fn freq(&self, key: u8, root: u8, a4: f32) -> Option<f32> {
        let default_map;
        let map = match &self.map {
            Some(m) => m,
            None => {
                let middle = 60 + root % 12;
                default_map = KeyboardMap {
                    size: 0,
                    first_key: 0,
                    last_key: 127,
                    middle_key: middle,
                    reference_key: middle,
                    reference_freq: f64::from(equal_freq(middle, a4)),
                    octave_degree: 0,
                    mapping: Vec::new(),
                };
                &default_map
            }
        };
        let cents = self.key_cents(map, key)?;
        // An unmapped reference key still anchors the tuning: its degree
        // is taken as if the mapping were linear.
        let reference = self
            .key_cents(map, map.reference_key)
            .unwrap_or_else(|| self.scale.degree_cents(i64::from(map.reference_key) - i64::from(map.middle_key)));
        // Narrowed to what the server takes.
        #[allow(clippy::cast_possible_truncation)]
        let hz = (map.reference_freq * 2f64.powf((cents - reference) / 1200.0)) as f32;
        hz.is_finite().then_some(hz)
    }
}

/// How MIDI notes map to frequencies.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub enum TuningSystem {
    /// Twelve-tone equal temperament.
    #[default]
    Equal,
    /// 5-limit just intonation relative to the key's root.
    Just5,
    /// 7-limit just intonation relative to the key's root.
    Just7,
    /// Pythagorean (pure fifths) relative to the key's root.
    Pythagorean,
    /// An imported Scala scale and mapping.
    Scala(Box<ScalaTuning>),
}

impl TuningSystem {
    /// Short display name (`12-TET`, `5-limit JI`, `scala: 19edo.scl`).
    pub fn name(&self) -> String {
        match self {
            TuningSystem::Equal => "12-TET".into(),
            TuningSystem::Just5 => "5-limit JI".into(),
            TuningSystem::Just7 => "7-limit JI".into(),
            TuningSystem::Pythagorean => "Pythagorean".into(),
            TuningSystem::Scala(s) => format!("scala: {}", s.name),
        }
    }

    /// Ratios above the root of the twelve semitones, for the just systems.
    fn ratios(&self) -> Option<&'static [(u32, u32); 12]> {
        const JUST5: [(u32, u32); 12] =
            [(1, 1), (16, 15), (9, 8), (6, 5), (5, 4), (4, 3), (45, 32), (3, 2), (8, 5), (5, 3), (9, 5), (15, 8)];
        const JUST7: [(u32, u32); 12] =
            [(1, 1), (15, 14), (8, 7), (6, 5), (5, 4), (4, 3), (7, 5), (3, 2), (8, 5), (5, 3), (7, 4), (15, 8)];
        const PYTH: [(u32, u32); 12] = [
            (1, 1),
            (256, 243),
            (9, 8),
            (32, 27),
            (81, 64),
            (4, 3),
            (729, 512),
            (3, 2),
            (128, 81),
            (27, 16),
            (16, 9),
            (243, 128),
        ];
        match self {
            TuningSystem::Just5 => Some(&JUST5),
            TuningSystem::Just7 => Some(&JUST7),
            TuningSystem::Pythagorean => Some(&PYTH),
            TuningSystem::Equal | TuningSystem::Scala(_) => None,
        }
    }

    /// The next built-in system (a Scala tuning goes back to 12-TET; Scala
    /// tunings are imported, not cycled to).
    pub fn next_builtin(&self) -> TuningSystem {
        match self {
            TuningSystem::Equal => TuningSystem::Just5,
            TuningSystem::Just5 => TuningSystem::Just7,
            TuningSystem::Just7 => TuningSystem::Pythagorean,
            TuningSystem::Pythagorean | TuningSystem::Scala(_) => TuningSystem::Equal,
        }
    }
}

/// Key, scale and tuning of a project or of one instrument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PitchSettings {
    pub key: Key,
    pub tuning: TuningSystem,
    /// Concert pitch of A4 in Hz (12-TET, and the root of the just systems).
    pub a4: f32,
    /// Scale lock: piano-roll cursor and note moves step through the
    /// scale, and musical typing's home row plays scale degrees.
    pub lock: bool,
}

impl Default for PitchSettings {
    fn default() -> Self {
        PitchSettings { key: Key::default(), tuning: TuningSystem::Equal, a4: DEFAULT_A4, lock: false }
    }
}

impl PitchSettings {
    /// Whether the values are in range (root a pitch class, A4 in
    /// [`A4_RANGE`], a Scala scale with degrees).
    pub fn is_valid(&self) -> bool {
        let scala_ok = match &self.tuning {
            TuningSystem::Scala(s) => !s.scale.is_empty() && s.scale.cents.iter().all(|c| c.is_finite()),
            _ => true,
        };
        self.key.is_valid() && (A4_RANGE.0..=A4_RANGE.1).contains(&self.a4) && scala_ok
    }

    /// Frequency in Hz of MIDI note `pitch`; `None` when the tuning leaves
    /// the key unmapped (a `.kbm` `x` or outside its key range): it plays
    /// nothing.
    pub fn freq(&self, pitch: u8) -> Option<f32> {
        let root = self.key.root % 12;
        if let TuningSystem::Scala(s) = &self.tuning {
            return s.freq(pitch, root, self.a4);
        }
        let Some(ratios) = self.tuning.ratios() else { return Some(equal_freq(pitch, self.a4)) };
        let d = i32::from(pitch) - i32::from(root);
        let (oct, pc) = (d.div_euclid(12), d.rem_euclid(12));
        let (n, m) = ratios[usize::try_from(pc).unwrap_or(0)];
        let root_hz = f64::from(equal_freq(root, self.a4));
        // Narrowed to what the server takes.
        #[allow(clippy::cast_possible_truncation)]
        let hz = (root_hz * 2f64.powi(oct) * f64::from(n) / f64::from(m)) as f32;
        Some(hz)
    }

    /// `C major · 5-limit JI · A4 440` (`· lock` when scale lock is on).
    pub fn summary(&self) -> String {
        let lock = if self.lock { " · lock" } else { "" };
        format!("{} · {} · A4 {}{lock}", self.key.name(), self.tuning.name(), self.a4)
    }
}

/// 12-TET frequency of MIDI `pitch` with A4 at `a4` Hz.
pub fn equal_freq(pitch: u8, a4: f32) -> f32 {
    a4 * 2f32.powf((f32::from(pitch) - 69.0) / 12.0)
}

#[cfg(test)]
mod tests;
