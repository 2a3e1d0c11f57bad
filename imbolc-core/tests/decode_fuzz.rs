//! Decoder fuzzing below the checksum (issue 19): the checksum turns away
//! most damaged blobs before the decoder sees them, so these feed the
//! MessagePack decoder directly — random bytes, and valid blobs (the demo
//! song, arbitrary hostile projects) mutated by flips, truncations,
//! insertions, splices and type markers with huge lengths. The decoder
//! must never panic and must give an error or a project; a project it
//! gives is repaired without a panic. A few mutated blobs go through a
//! real file with a matching checksum, where the error is the typed
//! `PersistError::CorruptData`.
//!
//! Bounded: a fixed number of cases per property (a few seconds). A panic
//! found here is fixed in the code and kept below as a regression case.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;
mod hostile;

use common::temp_dir;
use imbolc_core::persist::format::{FORMAT_VERSION, checksum, decode, encode};
use imbolc_core::persist::{self, PersistError, repair};
use proptest::collection::vec;
use proptest::prelude::*;

/// One way to damage a blob.
#[derive(Debug, Clone)]
enum Mutation {
    Flip {
        at: usize,
        bit: u8,
    },
    Set {
        at: usize,
        byte: u8,
    },
    Truncate {
        at: usize,
    },
    Insert {
        at: usize,
        bytes: Vec<u8>,
    },
    /// Copies `len` bytes from `from` over `to` (a field where another is due).
    Splice {
        from: usize,
        to: usize,
        len: usize,
    },
    /// A container or string marker claiming a huge length.
    HugeLength {
        at: usize,
        marker: u8,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<usize>();
    prop_oneof![
        (at, 0u8..8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        (at, any::<u8>()).prop_map(|(at, byte)| Mutation::Set { at, byte }),
        at.prop_map(|at| Mutation::Truncate { at }),
        (at, vec(any::<u8>(), 1..16)).prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (at, any::<usize>(), 1usize..64).prop_map(|(from, to, len)| Mutation::Splice { from, to, len }),
        // array32, map32, str32, bin32, ext32: lengths read from the next four bytes.
        (at, prop::sample::select(vec![0xdd_u8, 0xdf, 0xdb, 0xc6, 0xc9, 0xdc, 0xde, 0xc1]))
            .prop_map(|(at, marker)| Mutation::HugeLength { at, marker }),
    ]
}

fn apply(blob: &mut Vec<u8>, m: &Mutation) {
    if blob.is_empty() {
        return;
    }
    let n = blob.len();
    match m {
        Mutation::Flip { at, bit } => blob[at % n] ^= 1 << bit,
        Mutation::Set { at, byte } => blob[at % n] = *byte,
        Mutation::Truncate { at } => blob.truncate(at % n),
        Mutation::Insert { at, bytes } => {
            let at = at % n;
            blob.splice(at..at, bytes.iter().copied());
        }
        Mutation::Splice { from, to, len } => {
            let (from, to) = (from % n, to % n);
            let len = (*len).min(n - from).min(n - to);
            let part = blob[from..from + len].to_vec();
            blob[to..to + len].copy_from_slice(&part);
        }
        Mutation::HugeLength { at, marker } => {
            let at = at % n;
            let tail = [*marker, 0xff, 0xff, 0xff, 0xf0];
            let end = (at + tail.len()).min(n);
            blob[at..end].copy_from_slice(&tail[..end - at]);
        }
    }
}

/// Decodes `blob` as every format this build reads: no panic, and a
/// project that comes out repairs without a panic.
fn decodes_without_panic(blob: &[u8]) {
    for version in [1, FORMAT_VERSION, FORMAT_VERSION + 1] {
        if let Ok(mut p) = decode(version, blob) {
            repair(&mut p);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(blob in vec(any::<u8>(), 0..600)) {
        decodes_without_panic(&blob);
    }

    #[test]
    fn a_damaged_demo_song_never_panics(mutations in vec(mutation(), 1..5)) {
        let mut blob = encode(&imbolc_core::demo::demo_project()).unwrap();
        for m in &mutations {
            apply(&mut blob, m);
        }
        decodes_without_panic(&blob);
    }

    #[test]
    fn a_damaged_hostile_project_never_panics(p in hostile::project(), mutations in vec(mutation(), 0..4)) {
        let mut blob = encode(&p).unwrap();
        for m in &mutations {
            apply(&mut blob, m);
        }
        decodes_without_panic(&blob);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Through a real file whose checksum matches the damaged blob: the
    /// result is a project or `CorruptData`, and the file is untouched.
    #[test]
    fn a_damaged_blob_in_a_file_is_a_typed_error(mutations in vec(mutation(), 1..4)) {
        let dir = temp_dir("fuzz-file");
        let path = dir.join("f.imbolc");
        persist::save(&path, &imbolc_core::demo::demo_project()).unwrap();
        let mut blob = encode(&imbolc_core::demo::demo_project()).unwrap();
        for m in &mutations {
            apply(&mut blob, m);
        }
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute("UPDATE project SET data = ?1, checksum = ?2 WHERE slot = 'main'", rusqlite::params![blob, checksum(&blob)])
            .unwrap();
        drop(c);
        let before = std::fs::read(&path).unwrap();
        match persist::load(&path) {
            Ok(_) | Err(PersistError::CorruptData { .. }) => {}
            Err(e) => prop_assert!(false, "unexpected error {e:?}"),
        }
        prop_assert_eq!(std::fs::read(&path).unwrap(), before);
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn known_hostile_blobs_give_errors() {
    // Empty, a bare huge-array marker, a map claiming 2^32-1 entries, and
    // a nesting of 100 000 arrays (deeper than the decoder's limit).
    let mut deep = vec![0x91u8; 100_000];
    deep.push(0xc0);
    for blob in [vec![], vec![0xdd, 0xff, 0xff, 0xff, 0xff], vec![0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, b'x'], deep] {
        assert!(decode(FORMAT_VERSION, &blob).is_err());
        decodes_without_panic(&blob);
    }
}
