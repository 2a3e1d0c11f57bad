//! Tempo sync: a [`NoteDivision`] (1/1 … 1/32, straight, dotted or
//! triplet) that a time-based effect parameter follows instead of a free
//! value. Which parameters may follow the tempo is marked in the catalog
//! ([`crate::catalog::ParamSpec::tempo_sync`]); which ones do is chosen per
//! effect instance ([`crate::EffectSlot::sync`]).
//!
//! A division is stored in project files as its name (`"1/8"`, `"1/8."`,
//! `"1/8T"`), so the format reads like what the user sees.

use serde::{Deserialize, Serialize};

use crate::catalog::SyncUnit;

/// How a division's plain length is modified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Feel {
    Straight,
    /// One and a half times as long.
    Dotted,
    /// Two thirds as long (three in the time of two).
    Triplet,
}

/// A note length relative to a whole note: `1/denominator`, straight,
/// dotted or triplet. Only the denominators of [`NoteDivision::DENOMINATORS`]
/// exist (the constructor refuses others), so every value has a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NoteDivision {
    denominator: u8,
    feel: Feel,
}

impl NoteDivision {
    /// The plain note lengths offered, longest first.
    pub const DENOMINATORS: [u8; 6] = [1, 2, 4, 8, 16, 32];

    /// A quarter note: the division sync starts from when nothing nearer
    /// is known.
    pub const QUARTER: NoteDivision = NoteDivision { denominator: 4, feel: Feel::Straight };

    /// Every division, from the longest (1/1.) to the shortest (1/32T).
    /// Lengths interleave: a triplet is shorter than the next dotted one
    /// (1/1T = 2⅔ beats < 1/2. = 3 beats).
    pub const ALL: [NoteDivision; 18] = {
        const fn d(denominator: u8, feel: Feel) -> NoteDivision {
            NoteDivision { denominator, feel }
        }
        use Feel::{Dotted as D, Straight as S, Triplet as T};
        [
            d(1, D),
            d(1, S),
            d(2, D),
            d(1, T),
            d(2, S),
            d(4, D),
            d(2, T),
            d(4, S),
            d(8, D),
            d(4, T),
            d(8, S),
            d(16, D),
            d(8, T),
            d(16, S),
            d(32, D),
            d(16, T),
            d(32, S),
            d(32, T),
        ]
    };

    /// `1/denominator` with `feel`; `None` for a denominator not offered.
    pub fn new(denominator: u8, feel: Feel) -> Option<NoteDivision> {
        Self::DENOMINATORS.contains(&denominator).then_some(NoteDivision { denominator, feel })
    }

    pub fn denominator(self) -> u8 {
        self.denominator
    }

    pub fn feel(self) -> Feel {
        self.feel
    }

    /// Length in quarter-note beats (1/4 = 1, 1/8. = 0.75, 1/4T = 2/3).
    pub fn beats(self) -> f64 {
        let plain = 4.0 / f64::from(self.denominator);
        match self.feel {
            Feel::Straight => plain,
            Feel::Dotted => plain * 1.5,
            Feel::Triplet => plain * 2.0 / 3.0,
        }
    }

    /// Length in seconds at `bpm` quarter notes per minute.
    pub fn seconds(self, bpm: f32) -> f64 {
        self.beats() * 60.0 / f64::from(bpm)
    }

    /// The parameter value this division means at `bpm`: its length in
    /// seconds, or one cycle per division in Hz. Not clamped: the caller
    /// clamps into the parameter's range.
    pub fn value(self, unit: SyncUnit, bpm: f32) -> f32 {
        let secs = self.seconds(bpm);
        let v = match unit {
            SyncUnit::Seconds => secs,
            SyncUnit::Hz => 1.0 / secs,
        };
        v as f32
    }

    /// The division whose value at `bpm` is nearest `value` (by ratio),
    /// e.g. to start syncing from what the user hears now.
    /// A value that is not a positive number gives [`NoteDivision::QUARTER`].
    pub fn nearest(unit: SyncUnit, value: f32, bpm: f32) -> NoteDivision {
        if !(value.is_finite() && value > 0.0 && bpm.is_finite() && bpm > 0.0) {
            return Self::QUARTER;
        }
        let distance = |d: &NoteDivision| {
            let r = (f64::from(d.value(unit, bpm)) / f64::from(value)).ln().abs();
            if r.is_finite() { r } else { f64::MAX }
        };
        Self::ALL.iter().copied().min_by(|a, b| distance(a).total_cmp(&distance(b))).unwrap_or(Self::QUARTER)
    }

    /// The next longer division (itself when it is the longest).
    pub fn longer(self) -> NoteDivision {
        let i = self.index();
        Self::ALL[i.saturating_sub(1)]
    }

    /// The next shorter division (itself when it is the shortest).
    pub fn shorter(self) -> NoteDivision {
        let i = self.index();
        Self::ALL[(i + 1).min(Self::ALL.len() - 1)]
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|d| *d == self).unwrap_or(0)
    }

    /// The name shown and stored: `1/8`, `1/8.` (dotted), `1/8T` (triplet).
    pub fn name(self) -> String {
        let suffix = match self.feel {
            Feel::Straight => "",
            Feel::Dotted => ".",
            Feel::Triplet => "T",
        };
        format!("1/{}{suffix}", self.denominator)
    }

    /// Reads a name written by [`NoteDivision::name`].
    pub fn parse(s: &str) -> Option<NoteDivision> {
        let rest = s.strip_prefix("1/")?;
        let (digits, feel) = if let Some(d) = rest.strip_suffix('.') {
            (d, Feel::Dotted)
        } else if let Some(d) = rest.strip_suffix('T') {
            (d, Feel::Triplet)
        } else {
            (rest, Feel::Straight)
        };
        NoteDivision::new(digits.parse().ok()?, feel)
    }
}

impl std::fmt::Display for NoteDivision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

impl Serialize for NoteDivision {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for NoteDivision {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        NoteDivision::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown note division {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_at_120_bpm() {
        let d = |s: &str| NoteDivision::parse(s).unwrap();
        assert_eq!(d("1/4").seconds(120.0), 0.5);
        assert_eq!(d("1/8.").seconds(120.0), 0.375);
        assert!((d("1/4T").seconds(120.0) - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(d("1/1").seconds(60.0), 4.0);
        assert_eq!(d("1/4").value(SyncUnit::Hz, 120.0), 2.0);
        assert_eq!(d("1/4").seconds(90.0), 60.0 / 90.0);
    }

    #[test]
    fn names_round_trip_and_order_is_by_length() {
        for d in NoteDivision::ALL {
            assert_eq!(NoteDivision::parse(&d.name()), Some(d));
        }
        for w in NoteDivision::ALL.windows(2) {
            assert!(w[0].beats() > w[1].beats(), "{} before {}", w[0], w[1]);
        }
        assert_eq!(NoteDivision::parse("1/3"), None);
        assert_eq!(NoteDivision::parse("1/8x"), None);
        assert_eq!(NoteDivision::ALL[0].longer(), NoteDivision::ALL[0]);
        assert_eq!(NoteDivision::QUARTER.shorter().name(), "1/8.");
        assert_eq!(NoteDivision::QUARTER.longer().name(), "1/2T");
        assert_eq!(NoteDivision::ALL.len(), NoteDivision::DENOMINATORS.len() * 3);
    }

    #[test]
    fn nearest_picks_the_closest_length() {
        assert_eq!(NoteDivision::nearest(SyncUnit::Seconds, 0.3, 120.0).name(), "1/4T");
        assert_eq!(NoteDivision::nearest(SyncUnit::Seconds, 0.38, 120.0).name(), "1/8.");
        assert_eq!(NoteDivision::nearest(SyncUnit::Seconds, 0.5, 120.0), NoteDivision::QUARTER);
        assert_eq!(NoteDivision::nearest(SyncUnit::Hz, 2.0, 120.0), NoteDivision::QUARTER);
        assert_eq!(NoteDivision::nearest(SyncUnit::Seconds, 0.0, 120.0), NoteDivision::QUARTER);
    }

    #[test]
    fn reads_its_name() {
        use serde::de::value::{Error, StrDeserializer};
        let read = |s: &str| NoteDivision::deserialize(StrDeserializer::<Error>::new(s));
        assert_eq!(read("1/16T").unwrap().name(), "1/16T");
        assert!(read("1/5").is_err());
    }
}
