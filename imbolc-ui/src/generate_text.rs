//! The generator prompt (`generator-settings`): words in any order change
//! what they name and keep the rest.
//!
//! - the algorithm: `euclid`, `markov`, `lsystem` (its defaults when it
//!   changes);
//! - shared: `step=1/16` (a note division), `base=60` (MIDI note), `vel=100`,
//!   `gate=90` (%), `seed=7`, `key=D` (root), a scale name (`dorian`);
//! - Euclidean: `5/16` (pulses/steps), `rot=2`, `fixed` / `walk` / `random`;
//! - Markov: `len=32` (steps), `rest=10` (%), `dur=1,1,2` (steps),
//!   `C>E=3` (weight from C to E; 0 forbids it), `table` (back to steps in
//!   the key's scale);
//! - L-system: `axiom=A`, `A=A+B` (a rule; `A=` removes it), `n=3`
//!   (iterations).

use imbolc_types::NoteDivision;
use imbolc_types::generate::{Algorithm, Euclid, EuclidPitch, Generator, LSystem, Markov};

use crate::pitch_text::{root, scale};

fn value<T: std::str::FromStr>(w: &str, what: &str) -> Result<T, String> {
    w.parse().map_err(|_| format!("`{w}` is not a valid {what}"))
}

/// Applies the prompt's words to `g`.
///
/// # Errors
/// A message naming the word that is wrong (values are checked by
/// dispatch, which names the range).
pub fn parse(text: &str, g: &Generator) -> Result<Generator, String> {
    let mut g = g.clone();
    for w in text.split_whitespace() {
        word(&mut g, w)?;
    }
    Ok(g)
}

fn word(g: &mut Generator, w: &str) -> Result<(), String> {
    let key = g.key;
    match (w, &mut g.algorithm) {
        ("euclid", a) if !matches!(a, Algorithm::Euclid(_)) => *a = Algorithm::Euclid(Euclid::default()),
        ("markov", a) if !matches!(a, Algorithm::Markov(_)) => *a = Algorithm::Markov(Markov::in_key(key)),
        ("lsystem", a) if !matches!(a, Algorithm::LSystem(_)) => *a = Algorithm::LSystem(LSystem::default()),
        ("euclid" | "markov" | "lsystem", _) => {}
        ("fixed", Algorithm::Euclid(e)) => e.pitch = EuclidPitch::Fixed,
        ("walk", Algorithm::Euclid(e)) => e.pitch = EuclidPitch::Walk,
        ("random", Algorithm::Euclid(e)) => e.pitch = EuclidPitch::Random,
        ("table", Algorithm::Markov(m)) => m.table = Markov::in_key(key).table,
        _ => return setting(g, w),
    }
    Ok(())
}

fn setting(g: &mut Generator, w: &str) -> Result<(), String> {
    if let Some(s) = scale(w) {
        g.key.scale = s;
        return Ok(());
    }
    let Some((name, v)) = w.split_once(['=', '/']) else { return Err(format!("`{w}`: no such word")) };
    let slash = w.contains('/') && !w.contains('=');
    match (name, &mut g.algorithm) {
        (_, Algorithm::Euclid(e)) if slash => {
            e.pulses = value(name, "pulse count")?;
            e.steps = value(v, "step count")?;
            e.rotation = e.rotation.min(e.steps.saturating_sub(1));
        }
        ("step", _) => {
            let d = NoteDivision::parse(v).ok_or_else(|| format!("`{v}` is not a note division (1/16, 1/8T)"))?;
            let ticks = d.beats() * f64::from(imbolc_types::TICKS_PER_QUARTER);
            // A division of a whole note at 480 ticks per quarter: small.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let ticks = ticks.round() as u32;
            g.step = ticks;
        }
        ("base", _) => g.base = value(v, "MIDI note")?,
        ("vel", _) => g.velocity = value(v, "velocity")?,
        ("gate", _) => g.gate = value(v, "gate %")?,
        ("seed", _) => g.seed = value(v, "seed")?,
        ("key", _) => g.key.root = root(v).ok_or_else(|| format!("`{v}` is not a root (C, F#, Bb)"))?,
        ("rot", Algorithm::Euclid(e)) => e.rotation = value(v, "rotation")?,
        ("len", Algorithm::Markov(m)) => m.steps = value(v, "step count")?,
        ("rest", Algorithm::Markov(m)) => m.rest = value(v, "rest %")?,
        ("dur", Algorithm::Markov(m)) => {
            m.lengths = v.split(',').map(|d| value(d, "duration")).collect::<Result<_, _>>()?;
        }
        (from, Algorithm::Markov(m)) if from.contains('>') => {
            let (a, b) = from.split_once('>').unwrap_or_default();
            let pc = |s: &str| root(s).ok_or_else(|| format!("`{s}` is not a pitch class (C, F#, Bb)"));
            let (a, b) = (usize::from(pc(a)?), usize::from(pc(b)?));
            if let Some(cell) = m.table.get_mut(a).and_then(|row| row.get_mut(b)) {
                *cell = value(v, "weight (0..=255)")?;
            }
        }
        ("axiom", Algorithm::LSystem(l)) => l.axiom = v.to_owned(),
        ("n", Algorithm::LSystem(l)) => l.iterations = value(v, "iteration count")?,
        (symbol, Algorithm::LSystem(l)) if symbol.chars().count() == 1 => {
            let c = symbol.chars().next().unwrap_or('A');
            l.rules.retain(|(k, _)| *k != c);
            if !v.is_empty() {
                l.rules.push((c, v.to_owned()));
            }
        }
        _ => return Err(format!("`{w}` does not apply to {}", g.algorithm.name())),
    }
    Ok(())
}

/// The prompt's example line.
pub const HINT: &str =
    " e.g. euclid 5/16 rot=2 walk · markov len=32 rest=10 C>E=3 · lsystem axiom=A A=A+B n=3 · seed=7";

#[cfg(test)]
mod tests {
    use imbolc_types::{Key, Scale};

    use super::*;

    #[test]
    fn words_change_what_they_name() {
        let g = Generator::new(Algorithm::Euclid(Euclid::default()), Key::new(0, Scale::Major));
        let e = parse("3/8 rot=1 walk seed=9 step=1/8 key=D dorian", &g).expect("euclid words");
        assert_eq!(
            e.algorithm,
            Algorithm::Euclid(Euclid { pulses: 3, steps: 8, rotation: 1, pitch: EuclidPitch::Walk })
        );
        assert_eq!((e.seed, e.step, e.key), (9, 240, Key::new(2, Scale::Dorian)));
        let m = parse("markov len=32 rest=0 dur=1,2 C>E=7", &g).expect("markov words");
        let Algorithm::Markov(mm) = &m.algorithm else { panic!("markov") };
        assert_eq!((mm.steps, mm.rest, mm.lengths.clone(), mm.table[0][4]), (32, 0, vec![1, 2], 7));
        let l = parse("lsystem axiom=AB B=A-A A= n=2", &g).expect("lsystem words");
        let Algorithm::LSystem(ll) = &l.algorithm else { panic!("lsystem") };
        assert_eq!((ll.axiom.as_str(), ll.rules.clone(), ll.iterations), ("AB", vec![('B', "A-A".to_owned())], 2));
        assert!(parse("rot=1", &m).is_err(), "rot is Euclidean");
        assert!(parse("bogus", &g).is_err());
    }
}
