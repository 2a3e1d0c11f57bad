//! Compact encoding of a clip's notes for binary formats (the project file,
//! checkpoint parts): one byte string of columns (ids, pitches, velocities,
//! starts, lengths, probabilities), ids and starts delta-coded, numbers as
//! LEB128 varints. A note costs about 7 bytes instead of the ~45 of a
//! MessagePack map with field names.
//!
//! Human-readable formats keep the plain map. Reading accepts both the map
//! (files from before this encoding) and the byte string.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserializer, Serialize, Serializer};

use crate::ids::NoteId;
use crate::notes::Note;

/// First byte of the byte string: the column layout below.
const LAYOUT: u8 = 1;

/// Serialises `notes` as columns for binary formats, as a map otherwise.
///
/// # Errors
///
/// Whatever the serializer returns.
pub fn serialize<S: Serializer>(notes: &BTreeMap<NoteId, Note>, s: S) -> Result<S::Ok, S::Error> {
    if s.is_human_readable() {
        return notes.serialize(s);
    }
    s.serialize_bytes(&encode(notes))
}

/// Reads either form.
///
/// # Errors
///
/// A malformed byte string or map.
pub fn deserialize<'de, D: Deserializer<'de>, T: From<BTreeMap<NoteId, Note>>>(d: D) -> Result<T, D::Error> {
    d.deserialize_any(NotesVisitor).map(T::from)
}

struct NotesVisitor;

impl<'de> Visitor<'de> for NotesVisitor {
    type Value = BTreeMap<NoteId, Note>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map of notes by id or a byte string of note columns")
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
        decode(v).map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some((id, note)) = map.next_entry::<NoteId, Note>()? {
            out.insert(id, note);
        }
        Ok(out)
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// The byte string for `notes` (in id order).
pub fn encode(notes: &BTreeMap<NoteId, Note>) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + notes.len() * 8);
    out.push(LAYOUT);
    put_varint(&mut out, notes.len() as u64);
    let mut prev = 0u64;
    for id in notes.keys() {
        put_varint(&mut out, u64::from(id.0) - prev);
        prev = u64::from(id.0);
    }
    out.extend(notes.values().map(|n| n.pitch));
    out.extend(notes.values().map(|n| n.velocity));
    let mut prev = 0i64;
    for n in notes.values() {
        put_varint(&mut out, zigzag(i64::from(n.start) - prev));
        prev = i64::from(n.start);
    }
    for n in notes.values() {
        put_varint(&mut out, u64::from(n.length));
    }
    out.extend(notes.values().map(|n| n.probability));
    out
}

/// Why a byte string is not a column encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(&'static str);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "note columns: {}", self.0)
    }
}

impl std::error::Error for DecodeError {}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, DecodeError> {
        let (&b, rest) = self.bytes.split_first().ok_or(DecodeError("truncated"))?;
        self.bytes = rest;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, DecodeError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(DecodeError("varint too long"))
    }

    fn column(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.bytes.len() < n {
            return Err(DecodeError("truncated"));
        }
        let (col, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(col)
    }
}

fn to_u32(v: i64) -> Result<u32, DecodeError> {
    u32::try_from(v).map_err(|_| DecodeError("value out of range"))
}

/// The notes of a byte string made by [`encode`].
///
/// # Errors
///
/// [`DecodeError`] for an unknown layout, truncation, ids not increasing,
/// or values out of range.
pub fn decode(bytes: &[u8]) -> Result<BTreeMap<NoteId, Note>, DecodeError> {
    let mut r = Reader { bytes };
    if r.byte()? != LAYOUT {
        return Err(DecodeError("unknown layout"));
    }
    let n = usize::try_from(r.varint()?).map_err(|_| DecodeError("count out of range"))?;
    // Each note takes at least 6 bytes: a count beyond that is corrupt
    // (and would otherwise allocate unbounded memory).
    if n > r.bytes.len() / 6 {
        return Err(DecodeError("count larger than the data"));
    }
    let mut ids = Vec::with_capacity(n);
    let mut prev = 0i64;
    for i in 0..n {
        let delta = i64::try_from(r.varint()?).map_err(|_| DecodeError("id out of range"))?;
        if i > 0 && delta == 0 {
            return Err(DecodeError("ids not increasing"));
        }
        prev = prev.checked_add(delta).ok_or(DecodeError("id out of range"))?;
        ids.push(NoteId(to_u32(prev)?));
    }
    let pitches = r.column(n)?;
    let velocities = r.column(n)?;
    let mut starts = Vec::with_capacity(n);
    let mut prev = 0i64;
    for _ in 0..n {
        prev = prev.checked_add(unzigzag(r.varint()?)).ok_or(DecodeError("start out of range"))?;
        starts.push(to_u32(prev)?);
    }
    let mut lengths = Vec::with_capacity(n);
    for _ in 0..n {
        lengths.push(u32::try_from(r.varint()?).map_err(|_| DecodeError("length out of range"))?);
    }
    let probabilities = r.column(n)?;
    if !r.bytes.is_empty() {
        return Err(DecodeError("trailing bytes"));
    }
    Ok((0..n)
        .map(|i| {
            let note = Note {
                pitch: pitches[i],
                velocity: velocities[i],
                start: starts[i],
                length: lengths[i],
                probability: probabilities[i],
            };
            (ids[i], note)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notes(v: &[(u32, u8, u32, u32, u8)]) -> BTreeMap<NoteId, Note> {
        v.iter()
            .map(|&(id, pitch, start, length, probability)| {
                (NoteId(id), Note { pitch, velocity: pitch / 2 + 1, start, length, probability })
            })
            .collect()
    }

    #[test]
    fn round_trips_gaps_and_unordered_starts() {
        let n =
            notes(&[(0, 60, 480, 10, 100), (3, 0, 0, 1, 1), (4, 127, u32::MAX, u32::MAX, 50), (900, 64, 7, 3, 100)]);
        assert_eq!(decode(&encode(&n)), Ok(n));
        assert_eq!(decode(&encode(&BTreeMap::new())), Ok(BTreeMap::new()));
    }

    #[test]
    fn refuses_corrupt_bytes() {
        let n = notes(&[(1, 60, 480, 10, 100), (2, 61, 0, 1, 1)]);
        let good = encode(&n);
        for cut in 0..good.len() {
            assert!(decode(&good[..cut]).is_err(), "truncated at {cut}");
        }
        let mut long = good.clone();
        long.push(0);
        assert!(decode(&long).is_err());
        let mut layout = good;
        layout[0] = 9;
        assert!(decode(&layout).is_err());
        assert!(decode(&[LAYOUT, 0xff, 0xff, 0xff, 0xff, 0x0f]).is_err(), "huge count");
    }

    #[test]
    fn about_seven_bytes_a_note() {
        let n: BTreeMap<NoteId, Note> =
            (0..10_000u32).map(|i| (NoteId(i), Note::new((36 + i % 48) as u8, 100, i * 120, 120))).collect();
        assert!(encode(&n).len() < 8 * 10_000, "{} bytes", encode(&n).len());
    }
}
