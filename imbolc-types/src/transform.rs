//! Note transforms of an instrument: chord shapes, arpeggiator and groove
//! (swing, humanize), applied in that order. The scheduler applies them as one stage to the
//! instrument's note events (`imbolc_audio::scheduler::transform`), so
//! live play and renders produce the same notes. Randomness is a hash of
//! a seed and the note, never the wall clock.

use serde::{Deserialize, Serialize};

use crate::notes::Tick;
use crate::sync::NoteDivision;

/// Octave range of the arpeggiator.
pub const ARP_OCTAVES: (u8, u8) = (1, 4);
/// Gate range of the arpeggiator (fraction of a step).
pub const ARP_GATE: (f32, f32) = (0.05, 1.0);
/// Highest swing, as a fraction of the swung division.
pub const MAX_GROOVE_SWING: f32 = 0.5;
/// Highest humanize timing, in milliseconds either way.
pub const MAX_HUMANIZE_MS: f32 = 50.0;
/// Highest humanize velocity change either way.
pub const MAX_HUMANIZE_VELOCITY: u8 = 64;

/// The order an arpeggiator plays its held notes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum ArpMode {
    #[default]
    Up,
    Down,
    /// Up then down, the ends not repeated.
    UpDown,
    /// A seeded random note each step.
    Random,
    /// In the order the notes started.
    AsPlayed,
}

impl ArpMode {
    pub const ALL: [ArpMode; 5] = [ArpMode::Up, ArpMode::Down, ArpMode::UpDown, ArpMode::Random, ArpMode::AsPlayed];

    pub fn name(self) -> &'static str {
        match self {
            ArpMode::Up => "up",
            ArpMode::Down => "down",
            ArpMode::UpDown => "up-down",
            ArpMode::Random => "random",
            ArpMode::AsPlayed => "as-played",
        }
    }
}

/// Arpeggiator settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArpSettings {
    pub mode: ArpMode,
    /// Step length.
    pub rate: NoteDivision,
    /// Octaves the pattern spans, 1..=4.
    pub octaves: u8,
    /// Sounding part of each step, 0.05..=1.
    pub gate: f32,
    /// Keep playing the last notes after they are released, until new
    /// ones start.
    pub latch: bool,
    /// Seed of the random mode.
    pub seed: u64,
}

impl Default for ArpSettings {
    fn default() -> Self {
        ArpSettings {
            mode: ArpMode::Up,
            rate: NoteDivision::new(16, crate::sync::Feel::Straight).unwrap_or(NoteDivision::QUARTER),
            octaves: 1,
            gate: 0.5,
            latch: false,
            seed: 0,
        }
    }
}

impl ArpSettings {
    /// Step length in ticks (at least one).
    pub fn step_ticks(&self) -> Tick {
        division_ticks(self.rate)
    }

    pub fn is_valid(&self) -> bool {
        (ARP_OCTAVES.0..=ARP_OCTAVES.1).contains(&self.octaves) && (ARP_GATE.0..=ARP_GATE.1).contains(&self.gate)
    }
}

/// Ticks of a division (1/16 = 120, 1/16T = 80, 1/16. = 180).
pub fn division_ticks(d: NoteDivision) -> Tick {
    // Every division is a whole number of ticks at 480 per quarter.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let t = (d.beats() * f64::from(crate::notes::TICKS_PER_QUARTER)).round() as Tick;
    t.max(1)
}

/// Swing and humanize.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GrooveSettings {
    /// The division whose off-beats swing (1/8 or 1/16).
    pub swing_division: NoteDivision,
    /// How far an off-beat is delayed, as a fraction of the division
    /// (0..=0.5; 1/3 is a triplet feel).
    pub swing: f32,
    /// Timing humanize, ± milliseconds (0..=50).
    pub timing_ms: f32,
    /// Velocity humanize, ± (0..=64).
    pub velocity: u8,
    pub seed: u64,
}

impl Default for GrooveSettings {
    fn default() -> Self {
        GrooveSettings {
            swing_division: NoteDivision::new(16, crate::sync::Feel::Straight).unwrap_or(NoteDivision::QUARTER),
            swing: 0.0,
            timing_ms: 0.0,
            velocity: 0,
            seed: 0,
        }
    }
}

impl GrooveSettings {
    pub fn is_valid(&self) -> bool {
        (0.0..=MAX_GROOVE_SWING).contains(&self.swing)
            && (0.0..=MAX_HUMANIZE_MS).contains(&self.timing_ms)
            && self.velocity <= MAX_HUMANIZE_VELOCITY
    }

    /// Whether it changes anything.
    pub fn is_neutral(&self) -> bool {
        self.swing == 0.0 && self.timing_ms == 0.0 && self.velocity == 0
    }
}

/// A chord shape each note becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum ChordShape {
    #[default]
    Major,
    Minor,
    Seventh,
    Maj7,
    Min7,
    Sus2,
    Sus4,
    Power,
    Octave,
    /// A triad of the instrument's scale built on the note.
    Diatonic,
}

impl ChordShape {
    pub const ALL: [ChordShape; 10] = [
        ChordShape::Major,
        ChordShape::Minor,
        ChordShape::Seventh,
        ChordShape::Maj7,
        ChordShape::Min7,
        ChordShape::Sus2,
        ChordShape::Sus4,
        ChordShape::Power,
        ChordShape::Octave,
        ChordShape::Diatonic,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ChordShape::Major => "major",
            ChordShape::Minor => "minor",
            ChordShape::Seventh => "7",
            ChordShape::Maj7 => "maj7",
            ChordShape::Min7 => "m7",
            ChordShape::Sus2 => "sus2",
            ChordShape::Sus4 => "sus4",
            ChordShape::Power => "power",
            ChordShape::Octave => "octave",
            ChordShape::Diatonic => "diatonic",
        }
    }

    /// Semitones above the root (`None` for the diatonic shape: it
    /// depends on the scale).
    pub fn intervals(self) -> Option<&'static [u8]> {
        Some(match self {
            ChordShape::Major => &[0, 4, 7],
            ChordShape::Minor => &[0, 3, 7],
            ChordShape::Seventh => &[0, 4, 7, 10],
            ChordShape::Maj7 => &[0, 4, 7, 11],
            ChordShape::Min7 => &[0, 3, 7, 10],
            ChordShape::Sus2 => &[0, 2, 7],
            ChordShape::Sus4 => &[0, 5, 7],
            ChordShape::Power => &[0, 7],
            ChordShape::Octave => &[0, 12],
            ChordShape::Diatonic => return None,
        })
    }
}

/// Most inversions and spread octaves.
pub const MAX_INVERSION: u8 = 3;
pub const MAX_SPREAD: u8 = 2;

/// Chord settings: every note plays as this chord.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ChordSettings {
    pub shape: ChordShape,
    /// The lowest `inversion` tones move up an octave (0..=3).
    pub inversion: u8,
    /// Every second tone moves up this many octaves (open voicing, 0..=2).
    pub spread: u8,
}

impl ChordSettings {
    pub fn is_valid(&self) -> bool {
        self.inversion <= MAX_INVERSION && self.spread <= MAX_SPREAD
    }

    /// The chord of `pitch` (ascending; tones past 127 left out). `key`
    /// builds the diatonic shape.
    pub fn tones(&self, pitch: u8, key: crate::tuning::Key) -> Vec<u8> {
        self.chord_tones(pitch, key).as_slice().to_vec()
    }

    /// [`ChordSettings::tones`] without allocating (the scheduler calls it
    /// for every note-on).
    pub fn chord_tones(&self, pitch: u8, key: crate::tuning::Key) -> ChordTones {
        let mut t = [0u16; MAX_CHORD_TONES];
        let n = match self.shape.intervals() {
            Some(iv) => {
                for (t, i) in t.iter_mut().zip(iv) {
                    *t = u16::from(pitch) + u16::from(*i);
                }
                iv.len().min(MAX_CHORD_TONES)
            }
            None => {
                for (t, d) in t.iter_mut().zip([0, 2, 4]) {
                    *t = u16::from(key.step(key.snap(pitch), d));
                }
                3
            }
        };
        let tones = &mut t[..n];
        tones.sort_unstable();
        for t in tones.iter_mut().take(usize::from(self.inversion).min(n.saturating_sub(1))) {
            *t += 12;
        }
        tones.sort_unstable();
        for t in tones.iter_mut().skip(1).step_by(2) {
            *t += 12 * u16::from(self.spread);
        }
        tones.sort_unstable();
        let mut out = ChordTones::default();
        for &t in tones.iter() {
            let Some(t) = u8::try_from(t).ok().filter(|t| *t <= 127) else { continue };
            if out.as_slice().last() != Some(&t) {
                out.push(t);
            }
        }
        out
    }
}

/// Most tones a chord shape has.
pub const MAX_CHORD_TONES: usize = 4;

/// A chord's pitches, lowest first, held inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChordTones {
    len: u8,
    pitches: [u8; MAX_CHORD_TONES],
}

impl ChordTones {
    /// One note, as written.
    pub fn single(p: u8) -> Self {
        ChordTones { len: 1, pitches: [p, 0, 0, 0] }
    }

    fn push(&mut self, p: u8) {
        if let Some(slot) = self.pitches.get_mut(usize::from(self.len)) {
            *slot = p;
            self.len += 1;
        }
    }

    pub fn as_slice(&self) -> &[u8] {
        &self.pitches[..usize::from(self.len)]
    }
}

/// The transforms of one instrument (none: its notes play as written).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NoteTransforms {
    pub arp: Option<ArpSettings>,
    pub groove: Option<GrooveSettings>,
    pub chord: Option<ChordSettings>,
}

impl NoteTransforms {
    pub fn is_empty(&self) -> bool {
        self.arp.is_none() && self.groove.is_none() && self.chord.is_none()
    }

    pub fn is_valid(&self) -> bool {
        self.arp.is_none_or(|a| a.is_valid())
            && self.groove.is_none_or(|g| g.is_valid())
            && self.chord.is_none_or(|c| c.is_valid())
    }
}

/// A stable hash of a seed and values (SplitMix64 chained): decides random
/// arpeggio steps and humanize amounts. Never change it: saved songs
/// depend on it.
pub fn stable_hash(seed: u64, values: &[u64]) -> u64 {
    values.iter().fold(crate::drums::splitmix64(seed), |h, v| crate::drums::splitmix64(h ^ *v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tuning::{Key, Scale};

    #[test]
    fn chord_shapes_inversions_spread_and_diatonic_triads() {
        let c = Key::new(0, Scale::Major);
        let ch = |shape, inversion, spread| ChordSettings { shape, inversion, spread }.tones(60, c);
        assert_eq!(ch(ChordShape::Major, 0, 0), vec![60, 64, 67]);
        assert_eq!(ch(ChordShape::Min7, 0, 0), vec![60, 63, 67, 70]);
        assert_eq!(ch(ChordShape::Major, 1, 0), vec![64, 67, 72]);
        assert_eq!(ch(ChordShape::Major, 2, 0), vec![67, 72, 76]);
        assert_eq!(ch(ChordShape::Major, 0, 1), vec![60, 67, 76]);
        assert_eq!(ch(ChordShape::Power, 0, 0), vec![60, 67]);
        let d = ChordSettings { shape: ChordShape::Diatonic, ..ChordSettings::default() };
        assert_eq!(d.tones(62, c), vec![62, 65, 69], "D minor in C major");
        assert_eq!(d.tones(71, c), vec![71, 74, 77], "B diminished");
        assert_eq!(ch(ChordShape::Octave, 0, 0), vec![60, 72]);
        assert_eq!(ChordSettings::default().tones(125, c), vec![125], "tones past 127 are left out");
    }
}
