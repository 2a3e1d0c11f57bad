//! The arpeggiator, groove and chord prompts (`arp-settings`, `groove`,
//! `chord`): words
//! in any order change what they name and keep the rest.
//!
//! Arpeggiator: `up`, `down`, `up-down`, `random`, `as-played`; a rate
//! (`1/16`, `1/8T`, `1/8.`); `oct=2` (1–4); `gate=0.5` (0.05–1); `latch` /
//! `nolatch`; `seed=7`; `off`.
//!
//! Chord: a shape (`major`, `minor`, `7`, `maj7`, `m7`, `sus2`, `sus4`,
//! `power`, `octave`, `diatonic`); `inv=1` (0–3); `spread=1` (0–2); `off`.
//!
//! Groove: `swing=0.33` (0–0.5); the swung division `1/8` or `1/16`;
//! `ms=10` (timing humanize, 0–50 ms); `vel=8` (velocity humanize, 0–64);
//! `seed=7`; `off`.

use imbolc_types::NoteDivision;
use imbolc_types::transform::{ArpMode, ArpSettings, ChordSettings, ChordShape, GrooveSettings, NoteTransforms};

/// Which prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    Arp,
    Groove,
    Chord,
    /// The layer link (see [`crate::layer_text`]; not a transform).
    Layer,
    /// A clip's generator (see [`crate::generate_text`]).
    Generator(imbolc_types::ClipId),
}

impl Prompt {
    pub fn title(self) -> &'static str {
        match self {
            Prompt::Arp => " Arpeggiator ",
            Prompt::Groove => " Groove ",
            Prompt::Chord => " Chord ",
            Prompt::Layer => " Layer ",
            Prompt::Generator(_) => " Generator ",
        }
    }

    pub fn hint(self) -> &'static str {
        match self {
            Prompt::Arp => " e.g. up-down 1/16 oct=2 gate=0.5 latch · off · Enter sets",
            Prompt::Groove => " e.g. swing=0.33 1/8 ms=10 vel=8 seed=1 · off · Enter sets",
            Prompt::Chord => " e.g. m7 inv=1 spread=1 · major minor 7 maj7 sus2 sus4 power octave diatonic · off",
            Prompt::Layer => crate::layer_text::HINT,
            Prompt::Generator(_) => crate::generate_text::HINT,
        }
    }

    /// Applies the prompt's words to `t`.
    ///
    /// # Errors
    /// A message naming the word that is wrong.
    pub fn parse(self, text: &str, t: &NoteTransforms) -> Result<NoteTransforms, String> {
        match self {
            Prompt::Arp => parse_arp(text, t),
            Prompt::Groove => parse_groove(text, t),
            Prompt::Chord => parse_chord(text, t),
            Prompt::Layer => Err("the layer prompt sets a link, not transforms".into()),
            Prompt::Generator(_) => Err("a generator prompt edits a clip".to_owned()),
        }
    }
}

/// Applies chord words to `t`.
///
/// # Errors
/// A message naming the word that is wrong.
pub fn parse_chord(text: &str, t: &NoteTransforms) -> Result<NoteTransforms, String> {
    let mut c = t.chord.unwrap_or_default();
    for w in text.split_whitespace() {
        let lower = w.to_ascii_lowercase();
        if lower == "off" {
            return Ok(NoteTransforms { chord: None, ..t.clone() });
        }
        if let Some(s) = ChordShape::ALL.iter().find(|s| s.name() == lower) {
            c.shape = *s;
        } else if let Some(v) = lower.strip_prefix("inv=") {
            c.inversion = value(v, "inversion")?;
        } else if let Some(v) = lower.strip_prefix("spread=") {
            c.spread = value(v, "spread")?;
        } else {
            return Err(format!("`{w}` is not a chord shape, inv=, spread= or off"));
        }
    }
    if !c.is_valid() {
        return Err("inversion must be 0–3 and spread 0–2".into());
    }
    Ok(NoteTransforms { chord: Some(c), ..t.clone() })
}

fn value<T: std::str::FromStr>(w: &str, what: &str) -> Result<T, String> {
    w.parse().map_err(|_| format!("`{w}` is not a valid {what}"))
}

/// Applies arpeggiator words to `t` (an arpeggiator with defaults when it
/// has none).
///
/// # Errors
/// A message naming the word that is wrong.
pub fn parse_arp(text: &str, t: &NoteTransforms) -> Result<NoteTransforms, String> {
    let mut a = t.arp.unwrap_or_default();
    for w in text.split_whitespace() {
        let lower = w.to_ascii_lowercase();
        if lower == "off" {
            return Ok(NoteTransforms { arp: None, ..t.clone() });
        }
        if let Some(m) = ArpMode::ALL.iter().find(|m| m.name() == lower) {
            a.mode = *m;
        } else if let Some(d) = NoteDivision::parse(w) {
            a.rate = d;
        } else if let Some(v) = lower.strip_prefix("oct=") {
            a.octaves = value(v, "octave count")?;
        } else if let Some(v) = lower.strip_prefix("gate=") {
            a.gate = value(v, "gate")?;
        } else if let Some(v) = lower.strip_prefix("seed=") {
            a.seed = value(v, "seed")?;
        } else if lower == "latch" || lower == "nolatch" {
            a.latch = lower == "latch";
        } else {
            return Err(format!("`{w}` is not a mode, rate, oct=, gate=, latch, seed= or off"));
        }
    }
    if !a.is_valid() {
        return Err("octaves must be 1–4 and gate 0.05–1".into());
    }
    Ok(NoteTransforms { arp: Some(a), ..t.clone() })
}

/// Applies groove words to `t`.
///
/// # Errors
/// A message naming the word that is wrong.
pub fn parse_groove(text: &str, t: &NoteTransforms) -> Result<NoteTransforms, String> {
    let mut g = t.groove.unwrap_or_default();
    for w in text.split_whitespace() {
        let lower = w.to_ascii_lowercase();
        if lower == "off" {
            return Ok(NoteTransforms { groove: None, ..t.clone() });
        }
        if let Some(d) = NoteDivision::parse(w) {
            g.swing_division = d;
        } else if let Some(v) = lower.strip_prefix("swing=") {
            g.swing = value(v, "swing")?;
        } else if let Some(v) = lower.strip_prefix("ms=") {
            g.timing_ms = value(v, "timing")?;
        } else if let Some(v) = lower.strip_prefix("vel=") {
            g.velocity = value(v, "velocity")?;
        } else if let Some(v) = lower.strip_prefix("seed=") {
            g.seed = value(v, "seed")?;
        } else {
            return Err(format!("`{w}` is not swing=, a division, ms=, vel=, seed= or off"));
        }
    }
    if !g.is_valid() {
        return Err("swing must be 0–0.5, ms 0–50 and vel 0–64".into());
    }
    Ok(NoteTransforms { groove: Some(g), ..t.clone() })
}

/// `arp up 1/16 ×2 gate 0.5` / `groove swing 0.33 of 1/16 ±10 ms ±8`.
pub fn summary(t: &NoteTransforms) -> String {
    let arp = t.arp.map_or_else(
        || "arp off".to_owned(),
        |a| {
            let latch = if a.latch { " latch" } else { "" };
            format!("arp {} {} ×{} gate {}{latch}", a.mode.name(), a.rate.name(), a.octaves, a.gate)
        },
    );
    let groove = t.groove.map_or_else(
        || "groove off".to_owned(),
        |g: GrooveSettings| {
            format!("groove swing {} of {} ±{} ms ±{}", g.swing, g.swing_division.name(), g.timing_ms, g.velocity)
        },
    );
    let chord = t.chord.map_or_else(
        || "chord off".to_owned(),
        |c: ChordSettings| format!("chord {} inv {} spread {}", c.shape.name(), c.inversion, c.spread),
    );
    format!("{chord} · {arp} · {groove}")
}

/// The arpeggiator on with its defaults, or off.
pub fn toggle_arp(t: &NoteTransforms) -> NoteTransforms {
    NoteTransforms { arp: if t.arp.is_some() { None } else { Some(ArpSettings::default()) }, ..t.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arp_and_groove_words() {
        let t = NoteTransforms::default();
        let a = parse_arp("down 1/8T oct=2 gate=0.25 latch seed=3", &t).unwrap().arp.unwrap();
        assert_eq!(
            (a.mode, a.rate.name(), a.octaves, a.gate, a.latch, a.seed),
            (ArpMode::Down, "1/8T".into(), 2, 0.25, true, 3)
        );
        assert!(parse_arp("oct=9", &t).is_err());
        assert!(parse_arp("sideways", &t).unwrap_err().contains("`sideways`"));
        let on = toggle_arp(&t);
        assert!(on.arp.is_some());
        assert_eq!(parse_arp("off", &on).unwrap().arp, None);
        let g = parse_groove("swing=0.33 1/8 ms=10 vel=8", &t).unwrap().groove.unwrap();
        assert_eq!((g.swing, g.swing_division.name(), g.timing_ms, g.velocity), (0.33, "1/8".into(), 10.0, 8));
        assert!(parse_groove("swing=0.9", &t).is_err());
        assert!(summary(&on).starts_with("chord off · arp up 1/16 ×1 gate 0.5 · groove off"));
        let c = Prompt::Chord.parse("m7 inv=1 spread=1", &t).unwrap().chord.unwrap();
        assert_eq!((c.shape, c.inversion, c.spread), (ChordShape::Min7, 1, 1));
        assert!(Prompt::Chord.parse("inv=7", &t).is_err());
    }
}
