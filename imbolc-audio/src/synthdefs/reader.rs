//! A reader of scsynth's SynthDef2 file format (`.scsyndef`): the def's
//! name, its named controls with defaults, and its UGens. It reads the
//! whole file and checks every index in it, so a corrupt or truncated file
//! is an error, never a panic or a wrong answer.
//!
//! Layout: `SCgf`, version 2, number of defs; per def: name, constants,
//! parameter values, parameter names (name, index), UGens (class, rate,
//! inputs, outputs, special index, inputs as (ugen, output) pairs or
//! (-1, constant), output rates), variants (name, values).

/// The name and controls (name, default) of a SynthDef read from its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct DefSummary {
    pub name: String,
    pub controls: Vec<(String, f32)>,
}

/// Everything Imbolc reads from a SynthDef file.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedDef {
    pub name: String,
    /// Named controls with their defaults (the first value of an array
    /// control), in file order.
    pub controls: Vec<(String, f32)>,
    /// Class names of its UGens, in file order (with repeats).
    pub ugens: Vec<String>,
}

impl ParsedDef {
    /// Whether it has a control named `name`.
    pub fn has_control(&self, name: &str) -> bool {
        self.controls.iter().any(|(n, _)| n == name)
    }
}

/// Why a `.scsyndef` could not be read.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum DefParseError {
    #[error("not a SynthDef2 file")]
    BadHeader,
    #[error("file ends early")]
    Truncated,
    #[error("the file holds {0} SynthDefs; one per file is expected")]
    NotOne(i16),
    #[error("a count or index is out of range ({0})")]
    BadIndex(&'static str),
    #[error("{0} bytes left over after the SynthDef")]
    TrailingBytes(usize),
}

/// Reads the first SynthDef's name and named controls (checking the whole
/// file as [`parse`] does).
///
/// # Errors
/// [`DefParseError`] when the bytes are not one complete SynthDef2 def.
pub fn summarize(bytes: &[u8]) -> Result<DefSummary, DefParseError> {
    let def = parse(bytes)?;
    Ok(DefSummary { name: def.name, controls: def.controls })
}

/// Reads a file holding exactly one SynthDef, checking every count and
/// index against the file.
///
/// # Errors
/// [`DefParseError`] naming what is wrong.
pub fn parse(bytes: &[u8]) -> Result<ParsedDef, DefParseError> {
    let mut r = Reader { bytes, pos: 0 };
    if r.take(4).map_err(|_| DefParseError::Truncated)? != b"SCgf" || r.i32()? != 2 {
        return Err(DefParseError::BadHeader);
    }
    let defs = r.i16()?;
    if defs != 1 {
        return Err(DefParseError::NotOne(defs));
    }
    let name = r.pstring()?;
    let constants = r.count()?;
    r.take(constants.checked_mul(4).ok_or(DefParseError::BadIndex("constants"))?)?;
    let params = r.count()?;
    let values = (0..params).map(|_| r.f32()).collect::<Result<Vec<_>, _>>()?;
    let mut controls = Vec::new();
    for _ in 0..r.count()? {
        let control = r.pstring()?;
        let index = r.count()?;
        controls.push((control, values.get(index).copied().ok_or(DefParseError::BadIndex("parameter name"))?));
    }
    let ugen_count = r.count()?;
    let mut ugens = Vec::new();
    for _ in 0..ugen_count {
        ugens.push(r.pstring()?);
        let _rate = r.take(1)?;
        let inputs = r.count()?;
        let outputs = r.count()?;
        let _special = r.i16()?;
        for _ in 0..inputs {
            let source = r.i32()?;
            let index = r.count()?;
            let ok =
                if source == -1 { index < constants } else { usize::try_from(source).is_ok_and(|s| s < ugen_count) };
            if !ok {
                return Err(DefParseError::BadIndex("UGen input"));
            }
        }
        r.take(outputs)?;
    }
    let variants = r.i16()?;
    for _ in 0..variants {
        r.pstring()?;
        r.take(params.checked_mul(4).ok_or(DefParseError::BadIndex("variants"))?)?;
    }
    match bytes.len() - r.pos {
        0 => Ok(ParsedDef { name, controls, ugens }),
        left => Err(DefParseError::TrailingBytes(left)),
    }
}

/// The same def under another name (the name is the first field after the
/// 10-byte header). Names longer than 255 bytes are cut.
///
/// # Errors
/// [`DefParseError`] when `bytes` is not one readable SynthDef.
pub fn renamed(bytes: &[u8], name: &str) -> Result<Vec<u8>, DefParseError> {
    parse(bytes)?;
    let old_len = usize::from(bytes[10]);
    let mut cut = name.len().min(255);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut out = Vec::with_capacity(bytes.len() + cut);
    out.extend_from_slice(&bytes[..10]);
    out.push(u8::try_from(cut).unwrap_or(u8::MAX));
    out.extend_from_slice(&name.as_bytes()[..cut]);
    out.extend_from_slice(&bytes[11 + old_len..]);
    Ok(out)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DefParseError> {
        let end = self.pos.checked_add(n).ok_or(DefParseError::Truncated)?;
        let slice = self.bytes.get(self.pos..end).ok_or(DefParseError::Truncated)?;
        self.pos = end;
        Ok(slice)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], DefParseError> {
        self.take(N)?.try_into().map_err(|_| DefParseError::Truncated)
    }
    fn i16(&mut self) -> Result<i16, DefParseError> {
        Ok(i16::from_be_bytes(self.array()?))
    }
    fn i32(&mut self) -> Result<i32, DefParseError> {
        Ok(i32::from_be_bytes(self.array()?))
    }
    /// A non-negative count or index.
    fn count(&mut self) -> Result<usize, DefParseError> {
        usize::try_from(self.i32()?).map_err(|_| DefParseError::BadIndex("negative count"))
    }
    fn f32(&mut self) -> Result<f32, DefParseError> {
        Ok(f32::from_be_bytes(self.array()?))
    }
    fn pstring(&mut self) -> Result<String, DefParseError> {
        let len = usize::from(self.take(1)?[0]);
        Ok(String::from_utf8_lossy(self.take(len)?).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::synthdefs::ALL;

    #[test]
    fn every_def_we_compile_reads_whole() {
        for def in ALL {
            let parsed = parse(def.bytes).unwrap_or_else(|e| panic!("{}: {e}", def.name));
            assert_eq!(parsed.name, def.name);
            assert!(!parsed.ugens.is_empty(), "{} has UGens", def.name);
            // The take recorder writes to a file (its `buf`), not a bus.
            let writes = parsed.has_control("out") || parsed.has_control("bus") || parsed.has_control("buf");
            assert!(writes, "{} writes somewhere", def.name);
        }
        let moog = parse(crate::synthdefs::find("imbolc_moog_bass").map_or(&[][..], |d| d.bytes));
        assert!(moog.is_ok_and(|d| d.ugens.iter().any(|u| u == "MoogLadder")), "plugin UGens are named");
    }

    #[test]
    fn garbage_is_rejected_not_panicked_on() {
        assert_eq!(summarize(b"SCg"), Err(DefParseError::Truncated));
        assert_eq!(summarize(b"nope"), Err(DefParseError::BadHeader));
        assert_eq!(summarize(b"SCgf\0\0\0\x01\0\x01"), Err(DefParseError::BadHeader));
        let good = ALL[0].bytes;
        let mut longer = good.to_vec();
        longer.push(0);
        assert_eq!(parse(&longer), Err(DefParseError::TrailingBytes(1)));
    }

    #[test]
    fn a_renamed_def_reads_the_same_but_for_its_name() {
        let saw = crate::synthdefs::find("imbolc_saw").map_or(&[][..], |d| d.bytes);
        let before = parse(saw).unwrap();
        let after = parse(&renamed(saw, "mine-0123abcd").unwrap()).unwrap();
        assert_eq!(after.name, "mine-0123abcd");
        assert_eq!((after.controls, after.ugens), (before.controls, before.ugens));
        assert_eq!(parse(&renamed(saw, &"é".repeat(200)).unwrap()).unwrap().name, "é".repeat(127));
        assert!(renamed(b"junk", "x").is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Every truncation of every def we compile is refused, and every
        /// single-byte change either reads or is refused: never a panic.
        #[test]
        fn damaged_defs_never_panic_and_truncated_ones_never_read(
            which in 0..ALL.len(),
            cut in any::<prop::sample::Index>(),
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
        ) {
            let good = ALL[which].bytes;
            let cut = cut.index(good.len());
            prop_assert!(parse(&good[..cut]).is_err(), "{} cut at {cut} read", ALL[which].name);
            let mut changed = good.to_vec();
            changed[at.index(good.len())] = byte;
            let _ = parse(&changed);
        }
    }
}
