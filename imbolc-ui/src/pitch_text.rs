//! The key/tuning prompt (`key-tuning`, `instrument-key-tuning`): words in
//! any order change the settings they name and keep the rest.
//!
//! - a root: `C`, `F#`, `Bb` …
//! - a scale: `major`, `minor`, `dorian`, `phrygian`, `lydian`,
//!   `mixolydian`, `locrian`, `harmonic-minor`, `melodic-minor`,
//!   `major-pentatonic`, `minor-pentatonic`, `blues`, `chromatic`;
//! - a tuning: `12-tet`, `5-limit`, `7-limit`, `pythagorean`;
//! - `a4=432` (Hz);
//! - `lock` / `unlock` (scale lock);
//! - a Scala file `NAME.scl`, optionally with `NAME.kbm` (read now and
//!   stored in the project);
//! - `project` (instrument prompt only): follow the project's settings.

use std::path::Path;

use imbolc_types::tuning::{A4_RANGE, PITCH_CLASS_NAMES};
use imbolc_types::{PitchSettings, Scale, TuningSystem};

/// What the prompt asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum PitchEdit {
    Set(PitchSettings),
    /// The instrument follows the project again.
    FollowProject,
}

pub(crate) fn root(w: &str) -> Option<u8> {
    let mut chars = w.chars();
    let letter = chars.next()?.to_ascii_uppercase();
    let base = PITCH_CLASS_NAMES.iter().position(|n| n.len() == 1 && n.starts_with(letter))?;
    let shift: i32 = match chars.as_str() {
        "" => 0,
        "#" | "s" => 1,
        "b" => -1,
        _ => return None,
    };
    u8::try_from((i32::try_from(base).ok()? + shift).rem_euclid(12)).ok()
}

pub(crate) fn scale(w: &str) -> Option<Scale> {
    Some(match w {
        "chromatic" => Scale::Chromatic,
        "major" | "ionian" => Scale::Major,
        "minor" | "aeolian" => Scale::Minor,
        "dorian" => Scale::Dorian,
        "phrygian" => Scale::Phrygian,
        "lydian" => Scale::Lydian,
        "mixolydian" => Scale::Mixolydian,
        "locrian" => Scale::Locrian,
        "harmonic-minor" | "harmonic" => Scale::HarmonicMinor,
        "melodic-minor" | "melodic" => Scale::MelodicMinor,
        "major-pentatonic" | "pentatonic" => Scale::MajorPentatonic,
        "minor-pentatonic" => Scale::MinorPentatonic,
        "blues" => Scale::Blues,
        _ => return None,
    })
}

fn tuning(w: &str) -> Option<TuningSystem> {
    Some(match w {
        "12-tet" | "12tet" | "equal" | "et" => TuningSystem::Equal,
        "5-limit" | "just" | "ji" => TuningSystem::Just5,
        "7-limit" => TuningSystem::Just7,
        "pythagorean" | "pyth" => TuningSystem::Pythagorean,
        _ => return None,
    })
}

/// Applies the prompt's words to `current`. `instrument`: the prompt is an
/// instrument's (so `project` is allowed).
///
/// # Errors
/// A message naming the word (or the Scala file line) that is wrong.
pub fn parse(text: &str, current: &PitchSettings, instrument: bool) -> Result<PitchEdit, String> {
    let mut s = current.clone();
    let (mut scl, mut kbm) = (None, None);
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() {
        return Err("type a key, scale, tuning, a4=Hz or a .scl file".into());
    }
    for w in words {
        let lower = w.to_ascii_lowercase();
        if lower == "project" && instrument {
            return Ok(PitchEdit::FollowProject);
        } else if lower.ends_with(".scl") {
            scl = Some(w);
        } else if lower.ends_with(".kbm") {
            kbm = Some(w);
        } else if let Some(hz) = lower.strip_prefix("a4=") {
            let hz: f32 = hz.parse().map_err(|_| format!("`{w}`: A4 must be a number of Hz"))?;
            if !(A4_RANGE.0..=A4_RANGE.1).contains(&hz) {
                return Err(format!("A4 must be {}..={} Hz", A4_RANGE.0, A4_RANGE.1));
            }
            s.a4 = hz;
        } else if lower == "lock" || lower == "unlock" {
            s.lock = lower == "lock";
        } else if let Some(sc) = scale(&lower) {
            s.key.scale = sc;
        } else if let Some(t) = tuning(&lower) {
            s.tuning = t;
        } else if let Some(r) = root(w) {
            s.key.root = r;
        } else {
            return Err(format!("`{w}` is not a root, scale, tuning, a4=Hz, lock or a .scl/.kbm file"));
        }
    }
    match (scl, kbm) {
        (Some(scl), kbm) => {
            let t = imbolc_core::scala::load(Path::new(scl), kbm.map(Path::new)).map_err(|e| e.to_string())?;
            s.tuning = TuningSystem::Scala(Box::new(t));
        }
        (None, Some(_)) => return Err("a .kbm mapping needs its .scl scale in the same prompt".into()),
        (None, None) => {}
    }
    Ok(PitchEdit::Set(s))
}

#[cfg(test)]
mod tests {
    use imbolc_types::Key;

    use super::*;

    #[test]
    fn words_change_what_they_name_and_keep_the_rest() {
        let cur = PitchSettings::default();
        let PitchEdit::Set(s) = parse("D dorian 5-limit", &cur, false).unwrap() else { panic!() };
        assert_eq!(s.key, Key::new(2, Scale::Dorian));
        assert_eq!(s.tuning, TuningSystem::Just5);
        let PitchEdit::Set(t) = parse("Bb a4=432 lock", &s, false).unwrap() else { panic!() };
        assert_eq!((t.key.root, t.key.scale, t.a4, t.lock), (10, Scale::Dorian, 432.0, true));
        let PitchEdit::Set(t) = parse("f# harmonic-minor pyth", &cur, false).unwrap() else { panic!() };
        assert_eq!((t.key.root, t.key.scale, t.tuning), (6, Scale::HarmonicMinor, TuningSystem::Pythagorean));
        assert_eq!(parse("project", &cur, true).unwrap(), PitchEdit::FollowProject);
        assert!(parse("project", &cur, false).is_err());
        assert!(parse("H major", &cur, false).unwrap_err().contains("`H`"));
        assert!(parse("a4=1000", &cur, false).is_err());
        assert!(parse("x.kbm", &cur, false).is_err());
        assert!(parse("", &cur, false).is_err());
    }

    #[test]
    fn a_scala_file_is_read_and_a_bad_one_names_its_line() {
        let dir = std::env::temp_dir().join(format!("imbolc-pitch-text-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("fifths.scl");
        std::fs::write(&good, "fifths\n2\n3/2\n2/1\n").unwrap();
        let bad = dir.join("bad.scl");
        std::fs::write(&bad, "bad\n2\n3/2\nnope\n").unwrap();
        let cur = PitchSettings::default();
        let PitchEdit::Set(s) = parse(good.to_str().unwrap(), &cur, false).unwrap() else { panic!() };
        assert!(matches!(&s.tuning, TuningSystem::Scala(t) if t.name == "fifths.scl" && t.scale.len() == 2));
        let e = parse(bad.to_str().unwrap(), &cur, false).unwrap_err();
        assert!(e.starts_with("bad.scl line 4:"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
