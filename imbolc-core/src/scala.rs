//! Scala files: `.scl` scales and `.kbm` keyboard mappings, parsed into
//! [`ScalaTuning`] so the project stores the tuning itself, not a path.
//!
//! `.scl`: lines starting with `!` are comments; the first other line is
//! the description, the next the number of degrees, then one degree per
//! line: cents when it holds a `.` (`701.955`), else a ratio (`3/2`, `2`).
//! `.kbm`: after comments, map size, first key, last key, middle key (degree
//! 0), reference key, reference frequency, formal-octave degree, then one
//! degree (or `x`, silent) per key of the map.

use std::path::Path;

use imbolc_types::tuning::{KeyboardMap, ScalaScale, ScalaTuning};

/// A Scala file that cannot be read, with the line (1-based) at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScalaError {
    #[error("{file}: cannot read: {message}")]
    Read { file: String, message: String },
    #[error("{file} line {line}: {message}")]
    Parse { file: String, line: usize, message: String },
}

fn err(file: &str, line: usize, message: impl Into<String>) -> ScalaError {
    ScalaError::Parse { file: file.to_owned(), line, message: message.into() }
}

/// Non-comment lines with their 1-based numbers.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter(|(_, l)| !l.starts_with('!')).map(|(i, l)| (i + 1, l.trim()))
}

/// The first whitespace-separated word of a line.
fn word(l: &str) -> &str {
    l.split_whitespace().next().unwrap_or("")
}

fn last_line(text: &str) -> usize {
    text.lines().count().max(1)
}

/// One `.scl` degree in cents.
fn degree(file: &str, line: usize, w: &str) -> Result<f64, ScalaError> {
    if w.contains('.') {
        let c: f64 = w.parse().map_err(|_| err(file, line, format!("`{w}` is not a number of cents")))?;
        return if c.is_finite() { Ok(c) } else { Err(err(file, line, "cents must be finite")) };
    }
    let (n, d) = w.split_once('/').unwrap_or((w, "1"));
    let parse = |s: &str| s.parse::<u64>().ok().filter(|&v| v > 0);
    match (parse(n), parse(d)) {
        // Ratios of Scala files fit a double's integer range closely enough
        // for cents.
        #[allow(clippy::cast_precision_loss)]
        (Some(n), Some(d)) => Ok(1200.0 * (n as f64 / d as f64).log2()),
        _ => Err(err(file, line, format!("`{w}` is neither cents (with a `.`) nor a positive ratio"))),
    }
}

/// Parses a `.scl` file's text; `file` names it in errors.
///
/// # Errors
/// [`ScalaError::Parse`] naming the first line that is wrong.
pub fn parse_scl(file: &str, text: &str) -> Result<ScalaScale, ScalaError> {
    let mut it = lines(text);
    let description = it.next().map(|(_, l)| l.to_owned()).ok_or_else(|| err(file, 1, "no description line"))?;
    let (count_line, count) = it.next().ok_or_else(|| err(file, last_line(text), "no degree count"))?;
    let n: usize =
        word(count).parse().map_err(|_| err(file, count_line, format!("`{}` is not a degree count", word(count))))?;
    if n == 0 {
        return Err(err(file, count_line, "a scale needs at least one degree"));
    }
    let mut cents = Vec::with_capacity(n.min(1024));
    for (line, l) in it.by_ref().filter(|(_, l)| !l.is_empty()).take(n) {
        cents.push(degree(file, line, word(l))?);
    }
    if cents.len() < n {
        return Err(err(file, last_line(text), format!("{n} degrees announced, {} found", cents.len())));
    }
    Ok(ScalaScale { description, cents })
}

/// Parses a `.kbm` file's text; `file` names it in errors.
///
/// # Errors
/// [`ScalaError::Parse`] naming the first line that is wrong.
pub fn parse_kbm(file: &str, text: &str) -> Result<KeyboardMap, ScalaError> {
    let mut it = lines(text).filter(|(_, l)| !l.is_empty());
    let end = last_line(text);
    let mut next = |what: &str| it.next().ok_or_else(|| err(file, end, format!("missing the {what}")));
    let int =
        |(line, l): (usize, &str), what: &str, max: u32| -> Result<u32, ScalaError> {
            word(l).parse::<u32>().ok().filter(|&v| v <= max).ok_or_else(|| {
                err(file, line, format!("the {what} must be a whole number 0..={max}, not `{}`", word(l)))
            })
        };
    let key = |l, what| int(l, what, 127).map(|v| u8::try_from(v).unwrap_or(127));
    let size = int(next("map size")?, "map size", 128)?;
    let first_key = key(next("first key")?, "first key")?;
    let last_key = key(next("last key")?, "last key")?;
    let middle_key = key(next("middle key")?, "middle key")?;
    let reference_key = key(next("reference key")?, "reference key")?;
    let (fl, fv) = next("reference frequency")?;
    let reference_freq = word(fv)
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite() && *f > 0.0)
        .ok_or_else(|| err(file, fl, format!("`{}` is not a frequency in Hz", word(fv))))?;
    let octave_degree = int(next("formal octave degree")?, "formal octave degree", 65_535)?;
    let mut mapping = Vec::new();
    for (line, l) in it.take(usize::try_from(size).unwrap_or(0)) {
        let w = word(l);
        if w.eq_ignore_ascii_case("x") {
            mapping.push(None);
        } else {
            let d = w.parse::<u32>().map_err(|_| err(file, line, format!("`{w}` is neither a degree nor `x`")))?;
            mapping.push(Some(d));
        }
    }
    // Keys of the map past the listed ones are silent.
    mapping.resize(usize::try_from(size).unwrap_or(0), None);
    Ok(KeyboardMap { size, first_key, last_key, middle_key, reference_key, reference_freq, octave_degree, mapping })
}

fn read(path: &Path) -> Result<(String, String), ScalaError> {
    let file = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    // Scala files are ASCII by the format; Latin-1 descriptions read lossily.
    let bytes = std::fs::read(path).map_err(|e| ScalaError::Read { file: file.clone(), message: e.to_string() })?;
    Ok((file, String::from_utf8_lossy(&bytes).into_owned()))
}

/// Reads a `.scl` file and, optionally, a `.kbm` mapping.
///
/// # Errors
/// [`ScalaError`]: a file that cannot be read, or the line at fault.
pub fn load(scl: &Path, kbm: Option<&Path>) -> Result<ScalaTuning, ScalaError> {
    let (name, text) = read(scl)?;
    let scale = parse_scl(&name, &text)?;
    let map = match kbm {
        Some(k) => {
            let (kname, ktext) = read(k)?;
            Some(parse_kbm(&kname, &ktext)?)
        }
        None => None,
    };
    Ok(ScalaTuning { name, scale, map })
}

#[cfg(test)]
mod tests;
