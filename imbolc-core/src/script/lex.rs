//! Splitting a script line into words, and the typed values words stand
//! for: pitches (`C4`, `Eb2`, `60`), positions (`1.1`, `2.3.120`, `960t`),
//! lengths (`1/8`, `2`, `1/8-40t`), switches (`on`, `off`).

use imbolc_types::{TICKS_PER_QUARTER, Tick, TimeSignature};

use super::ScriptError;

/// The words of `line`: split at blanks, `"…"` keeps blanks (no escapes),
/// `#` outside quotes starts a comment.
///
/// # Errors
/// [`ScriptError::Invalid`] for a quote left open.
pub fn words(line: &str) -> Result<Vec<String>, ScriptError> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut in_word = false;
    for c in line.chars() {
        if quoted {
            if c == '"' {
                quoted = false;
            } else {
                cur.push(c);
            }
        } else if c == '"' {
            quoted = true;
            in_word = true;
        } else if c == '#' {
            break;
        } else if c.is_whitespace() {
            if in_word {
                out.push(std::mem::take(&mut cur));
                in_word = false;
            }
        } else {
            cur.push(c);
            in_word = true;
        }
    }
    if quoted {
        return Err(ScriptError::Invalid("a quote is not closed".into()));
    }
    if in_word {
        out.push(cur);
    }
    Ok(out)
}

fn invalid(what: &str, word: &str) -> ScriptError {
    ScriptError::Invalid(format!("{word:?} is not {what}"))
}

/// A MIDI pitch: a number 0..=127 or a name with octave, C4 = 60
/// (`C4`, `C#4`, `Eb2`, `c-1`).
///
/// # Errors
/// [`ScriptError::Invalid`] when it is neither or out of range.
pub fn pitch(word: &str) -> Result<u8, ScriptError> {
    let bad = || invalid("a pitch (60, C4, Eb2)", word);
    if let Ok(n) = word.parse::<u8>() {
        return if n <= 127 { Ok(n) } else { Err(bad()) };
    }
    let mut chars = word.chars();
    let letter = chars.next().ok_or_else(bad)?;
    let base: i32 = match letter.to_ascii_uppercase() {
        'C' => 0,
        'D' => 2,
        'E' => 4,
        'F' => 5,
        'G' => 7,
        'A' => 9,
        'B' => 11,
        _ => return Err(bad()),
    };
    let rest = chars.as_str();
    let (shift, octave) = match rest.as_bytes().first() {
        Some(b'#') => (1, &rest[1..]),
        Some(b'b') => (-1, &rest[1..]),
        _ => (0, rest),
    };
    let octave: i8 = octave.parse().map_err(|_| bad())?;
    let n = (i32::from(octave) + 1) * 12 + base + shift;
    u8::try_from(n).ok().filter(|n| *n <= 127).ok_or_else(bad)
}

/// Ticks in one beat of `sig` (a quarter in 4/4, an eighth in 6/8).
pub fn beat_ticks(sig: TimeSignature) -> Tick {
    4 * TICKS_PER_QUARTER / Tick::from(sig.denominator.max(1))
}

/// Ticks in one bar of `sig`.
pub fn bar_ticks(sig: TimeSignature) -> Tick {
    beat_ticks(sig) * Tick::from(sig.numerator.max(1))
}

fn number(word: &str, what: &str) -> Result<Tick, ScriptError> {
    word.parse::<Tick>().map_err(|_| invalid(what, word))
}

/// A position from the start (of the song or the clip): `BAR.BEAT.TICK`
/// counted from 1 (ticks from 0; `2` is bar 2, `1.3` beat 3 of bar 1), or
/// `960t` in ticks.
///
/// # Errors
/// [`ScriptError::Invalid`] for anything else, or bar or beat 0.
pub fn position(word: &str, sig: TimeSignature) -> Result<Tick, ScriptError> {
    const WHAT: &str = "a position (BAR.BEAT.TICK from 1.1, or ticks like 960t)";
    if let Some(t) = word.strip_suffix('t') {
        return number(t, WHAT);
    }
    let parts: Vec<&str> = word.split('.').collect();
    if parts.len() > 3 {
        return Err(invalid(WHAT, word));
    }
    let bar = number(parts[0], WHAT)?;
    let beat = parts.get(1).map_or(Ok(1), |b| number(b, WHAT))?;
    let tick = parts.get(2).map_or(Ok(0), |t| number(t, WHAT))?;
    if bar == 0 || beat == 0 {
        return Err(invalid(WHAT, word));
    }
    (bar - 1)
        .checked_mul(bar_ticks(sig))
        .and_then(|t| t.checked_add((beat - 1).checked_mul(beat_ticks(sig))?))
        .and_then(|t| t.checked_add(tick))
        .ok_or_else(|| invalid(WHAT, word))
}

/// A length: terms joined by `+` or `-`, each `N` bars, `Nbeat`, `N/M` of
/// a whole note, or `Nt` ticks (`2`, `1/8`, `3/16`, `1/8-40t`).
///
/// # Errors
/// [`ScriptError::Invalid`] for anything else or a length below one tick.
pub fn length(word: &str, sig: TimeSignature) -> Result<Tick, ScriptError> {
    const WHAT: &str = "a length (2 bars, 1beat, 1/8, 120t, sums like 1/8-40t)";
    let mut total: i64 = 0;
    let mut sign = 1i64;
    let mut rest = word;
    loop {
        let end = rest.find(['+', '-']).unwrap_or(rest.len());
        let term = &rest[..end];
        let ticks = if let Some(t) = term.strip_suffix('t') {
            number(t, WHAT)?
        } else if let Some(b) = term.strip_suffix("beats").or_else(|| term.strip_suffix("beat")) {
            number(b, WHAT)?.saturating_mul(beat_ticks(sig))
        } else if let Some((n, d)) = term.split_once('/') {
            let (n, d) = (number(n, WHAT)?, number(d, WHAT)?);
            let whole = n.checked_mul(4 * TICKS_PER_QUARTER).ok_or_else(|| invalid(WHAT, word))?;
            if d == 0 || !whole.is_multiple_of(d) {
                return Err(invalid(WHAT, word));
            }
            whole / d
        } else {
            number(term, WHAT)?.saturating_mul(bar_ticks(sig))
        };
        total += sign * i64::from(ticks);
        if end == rest.len() {
            break;
        }
        sign = if rest.as_bytes()[end] == b'+' { 1 } else { -1 };
        rest = &rest[end + 1..];
    }
    Tick::try_from(total).ok().filter(|t| *t >= 1).ok_or_else(|| invalid(WHAT, word))
}

/// `on`/`off` (also `yes`/`no`, `true`/`false`).
///
/// # Errors
/// [`ScriptError::Invalid`] for anything else.
pub fn switch(word: &str) -> Result<bool, ScriptError> {
    match word.to_ascii_lowercase().as_str() {
        "on" | "yes" | "true" => Ok(true),
        "off" | "no" | "false" => Ok(false),
        _ => Err(invalid("on or off", word)),
    }
}

/// A number.
///
/// # Errors
/// [`ScriptError::Invalid`] when `word` is not one.
pub fn float(word: &str) -> Result<f32, ScriptError> {
    word.parse::<f32>().ok().filter(|v| v.is_finite()).ok_or_else(|| invalid("a number", word))
}

/// A whole number in a type's range.
///
/// # Errors
/// [`ScriptError::Invalid`] when `word` is not one.
pub fn whole<T: std::str::FromStr>(word: &str) -> Result<T, ScriptError> {
    word.parse::<T>().map_err(|_| invalid("a whole number in range", word))
}
