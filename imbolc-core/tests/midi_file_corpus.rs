//! Every file of the corpus (`tests/fixtures/midi/`, written by abc2midi
//! and LilyPond) is imported, exported, and the export checked against the
//! original with a small reader of its own (not midly, not the importer):
//! note count, pitch (drums through the GM drum map), channel → one
//! instrument each, start and length within 1 tick after rescaling to 480
//! ticks per quarter, velocity, tempo map and time signature.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::Path;

use imbolc_core::midi_file::{ExportOptions, export, gm, new_project};

/// A note as the test reader sees it: (pitch, velocity, start, end) in file ticks.
type RawNote = (u8, u8, u64, u64);

#[derive(Debug, Default)]
struct Raw {
    format: u16,
    tpq: u16,
    /// Notes per (track, channel).
    parts: BTreeMap<(usize, u8), Vec<RawNote>>,
    /// (tick, µs per quarter).
    tempo: Vec<(u64, u32)>,
    time_sig: Option<(u8, u8)>,
}

fn be(b: &[u8]) -> u64 {
    b.iter().fold(0, |a, &x| (a << 8) | u64::from(x))
}

fn varlen(d: &[u8], i: &mut usize) -> u64 {
    let mut v = 0;
    loop {
        let b = d[*i];
        *i += 1;
        v = (v << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            return v;
        }
    }
}

/// A plain SMF reader: chunks, delta times, running status, meta and
/// SysEx skipped, notes paired oldest first, notes left open closed at the
/// track's end.
fn read(bytes: &[u8]) -> Raw {
    assert_eq!(&bytes[..4], b"MThd");
    let mut raw = Raw { format: be(&bytes[8..10]) as u16, tpq: be(&bytes[12..14]) as u16, ..Raw::default() };
    let mut pos = 8 + be(&bytes[4..8]) as usize;
    let mut track = 0;
    while pos + 8 <= bytes.len() {
        let len = be(&bytes[pos + 4..pos + 8]) as usize;
        let d = &bytes[pos + 8..pos + 8 + len];
        pos += 8 + len;
        let (mut i, mut now, mut status) = (0usize, 0u64, 0u8);
        let mut open: HashMap<(u8, u8), VecDeque<(u64, u8)>> = HashMap::new();
        while i < d.len() {
            now += varlen(d, &mut i);
            if d[i] & 0x80 != 0 {
                status = d[i];
                i += 1;
            }
            match status {
                0xff => {
                    let kind = d[i];
                    i += 1;
                    let n = varlen(d, &mut i) as usize;
                    let body = &d[i..i + n];
                    i += n;
                    if kind == 0x51 {
                        raw.tempo.push((now, be(body) as u32));
                    } else if kind == 0x58 && raw.time_sig.is_none() {
                        raw.time_sig = Some((body[0], 1 << body[1]));
                    }
                }
                0xf0 | 0xf7 => {
                    let n = varlen(d, &mut i) as usize;
                    i += n;
                }
                s => {
                    let ch = s & 0x0f;
                    let n = if matches!(s & 0xf0, 0xc0 | 0xd0) { 1 } else { 2 };
                    let (a, b) = (d[i], if n == 2 { d[i + 1] } else { 0 });
                    i += n;
                    let on = s & 0xf0 == 0x90 && b > 0;
                    let off = s & 0xf0 == 0x80 || (s & 0xf0 == 0x90 && b == 0);
                    if on {
                        open.entry((ch, a)).or_default().push_back((now, b));
                    } else if off && let Some((start, vel)) = open.get_mut(&(ch, a)).and_then(VecDeque::pop_front) {
                        raw.parts.entry((track, ch)).or_default().push((a, vel, start, now));
                    }
                }
            }
        }
        for ((ch, key), q) in open {
            for (start, vel) in q {
                raw.parts.entry((track, ch)).or_default().push((key, vel, start, now));
            }
        }
        track += 1;
    }
    raw
}

/// Notes of a part on 480 ticks per quarter, drums as kit pads, sorted.
fn normalised(notes: &[RawNote], tpq: u16, drums: bool) -> Vec<(u8, u8, f64, f64)> {
    let scale = 480.0 / f64::from(tpq);
    let mut out: Vec<_> = notes
        .iter()
        .map(|&(p, v, s, e)| {
            let pitch = if drums { gm::pad_for_drum_note(p).unwrap_or(6) } else { p };
            let (s, e) = (s as f64 * scale, e as f64 * scale);
            (pitch, v, s, (e - s).max(1.0))
        })
        .collect();
    out.sort_by(|a, b| (a.2, a.0).partial_cmp(&(b.2, b.0)).unwrap());
    out
}

/// Distinct tempo changes as (tick on 480, BPM), a leading 120 BPM implied.
fn tempo_map(raw: &Raw) -> Vec<(f64, f64)> {
    let mut t: Vec<(u64, u32)> = raw.tempo.clone();
    t.sort_by_key(|x| x.0);
    let mut out: Vec<(f64, f64)> = Vec::new();
    if t.first().is_none_or(|x| x.0 > 0) {
        out.push((0.0, 120.0));
    }
    for (tick, us) in t {
        let bpm = 60e6 / f64::from(us);
        let tick = tick as f64 * 480.0 / f64::from(raw.tpq);
        if out.last().is_some_and(|l| l.0 == tick) {
            out.pop();
        }
        if out.last().is_none_or(|l| (l.1 - bpm).abs() > 0.01) {
            out.push((tick, bpm));
        }
    }
    out
}

fn check(name: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/midi").join(name);
    let bytes = std::fs::read(&path).unwrap();
    let original = read(&bytes);
    let (project, summary) = new_project(&bytes, name).unwrap();
    let (out, _) = export(&project, &ExportOptions::default()).unwrap();
    let exported = read(&out);
    assert_eq!(exported.format, 1, "{name}");
    assert_eq!(exported.tpq, 480, "{name}");

    let count = |r: &Raw| r.parts.values().map(Vec::len).sum::<usize>();
    assert_eq!(count(&exported), count(&original), "{name}: note count");
    assert_eq!(summary.notes, count(&original), "{name}");
    assert_eq!(exported.parts.len(), original.parts.len(), "{name}: one instrument per track and channel");
    assert_eq!(project.instruments.len(), original.parts.len(), "{name}");

    // Each original part matches exactly one exported track, drums on channel 10 both sides.
    let mut theirs: Vec<(bool, Vec<_>)> =
        original.parts.iter().map(|(&(_, ch), n)| (ch == 9, normalised(n, original.tpq, ch == 9))).collect();
    let mut ours: Vec<(bool, Vec<_>)> =
        exported.parts.iter().map(|(&(_, ch), n)| (ch == 9, normalised(n, exported.tpq, ch == 9))).collect();
    let key = |p: &(bool, Vec<(u8, u8, f64, f64)>)| (p.0, p.1.len(), p.1.first().map(|n| (n.2 as u64, n.0)));
    theirs.sort_by_key(key);
    ours.sort_by_key(key);
    for ((d1, a), (d2, b)) in theirs.iter().zip(&ours) {
        assert_eq!(d1, d2, "{name}: drums stay on channel 10");
        assert_eq!(a.len(), b.len(), "{name}: notes of one part");
        for (x, y) in a.iter().zip(b) {
            assert_eq!((x.0, x.1), (y.0, y.1), "{name}: pitch and velocity of {x:?} vs {y:?}");
            assert!((x.2 - y.2).abs() <= 1.0, "{name}: start {x:?} vs {y:?}");
            assert!((x.3 - y.3).abs() <= 1.0, "{name}: length {x:?} vs {y:?}");
        }
    }
    let (t1, t2) = (tempo_map(&original), tempo_map(&exported));
    assert_eq!(t1.len(), t2.len(), "{name}: tempo map {t1:?} vs {t2:?}");
    for (a, b) in t1.iter().zip(&t2) {
        assert!((a.0 - b.0).abs() <= 1.0 && (a.1 - b.1).abs() < 0.01, "{name}: tempo {a:?} vs {b:?}");
    }
    assert_eq!(exported.time_sig, original.time_sig.or(Some((4, 4))), "{name}: time signature");
}

#[test]
fn abc2midi_format_0_tune() {
    check("horses.mid");
}

#[test]
fn abc2midi_tune_with_a_drum_voice() {
    check("boys.mid");
}

#[test]
fn abc2midi_drum_map_on_channel_10() {
    check("drums.mid");
}

#[test]
fn abc2midi_accompaniment_and_tempo_changes() {
    check("tempo.mid");
}

#[test]
fn lilypond_score_at_384_ticks_with_drums_and_tempo_changes() {
    check("song.mid");
}

#[test]
fn the_corpus_has_what_the_brief_asks() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/midi");
    let all: Vec<Raw> = ["horses.mid", "boys.mid", "drums.mid", "tempo.mid", "song.mid"]
        .iter()
        .map(|f| read(&std::fs::read(dir.join(f)).unwrap()))
        .collect();
    assert!(all.iter().any(|r| r.format == 0) && all.iter().any(|r| r.format == 1));
    assert!(all.iter().any(|r| r.parts.len() >= 3), "several tracks");
    assert!(all.iter().any(|r| r.parts.keys().any(|k| k.1 == 9)), "drums on channel 10");
    assert!(all.iter().any(|r| tempo_map(r).len() >= 3), "tempo changes");
    assert!(all.iter().any(|r| r.tpq != 480), "another resolution");
}
