//! Format 1 → current: the checked-in fixture `tests/fixtures/v1.imbolc`
//! (format 1's own table and blob layout, as `write_v1_file` below writes it)
//! opens, migrates, and is rewritten in the current format on the next save.
//! `IMBOLC_REGENERATE_FIXTURES=1` makes the fixture test rewrite the file.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] fns

mod common;

use std::path::PathBuf;

use common::temp_dir;
use imbolc_core::persist::format::v1::{ClipV1, NoteV1, ProjectV1};
use imbolc_core::persist::{self, FORMAT_VERSION};
use imbolc_types::{
    Bus, BusId, ClipId, EffectId, EffectKind, EffectSlot, IdCounters, Instrument, InstrumentDef, InstrumentId,
    MasterSettings, MixerSettings, Note, NoteId, SourceKind,
};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v1.imbolc")
}

/// A source with the parameters format 1 stored (sources have gained
/// parameters since; the file keeps what it had).
fn source_as_in_v1(kind: SourceKind, params: &[(&str, f32)]) -> InstrumentDef {
    let mut def = InstrumentDef::new(kind);
    def.source.params = params.iter().map(|&(id, v)| (id.to_owned(), v)).collect();
    def
}

fn v1_project() -> ProjectV1 {
    let mut lead = source_as_in_v1(SourceKind::SAW, &[("amp", 0.3), ("detune", 0.1)]);
    lead.effects.push(EffectSlot::new(EffectId(0), EffectKind::DELAY));
    ProjectV1 {
        name: "old song".into(),
        bpm: 98.0,
        instruments: vec![
            Instrument { id: InstrumentId(0), name: "lead".into(), def: lead, mixer: MixerSettings::default() },
            Instrument {
                id: InstrumentId(1),
                name: "bass".into(),
                def: source_as_in_v1(SourceKind::SQUARE, &[("amp", 0.3), ("width", 0.5)]),
                mixer: MixerSettings { level: 0.5, ..MixerSettings::default() },
            },
        ],
        buses: vec![Bus { id: BusId(0), name: "verb".into(), effects: vec![], mixer: MixerSettings::default() }],
        master: MasterSettings { level: 0.9, mute: false, ..MasterSettings::default() },
        clips: vec![ClipV1 {
            id: ClipId(0),
            instrument: InstrumentId(0),
            length: 1920,
            notes: (0..8)
                .map(|i| NoteV1 { id: NoteId(i), pitch: 60 + i as u8, velocity: 100, start: i * 240, length: 240 })
                .collect(),
        }],
        ids: IdCounters { instrument: 2, effect: 1, bus: 1, clip: 1, note: 8, ..IdCounters::default() },
    }
}

/// Writes a project file as format 1 did.
fn write_v1_file(path: &std::path::Path) {
    let _ = std::fs::remove_file(path);
    let c = rusqlite::Connection::open(path).expect("create");
    let data = rmp_serde::to_vec_named(&v1_project()).expect("encode v1");
    c.execute_batch(&format!(
        "PRAGMA application_id = {};
         CREATE TABLE project (id INTEGER PRIMARY KEY, name TEXT, bpm REAL, created INTEGER, updated INTEGER,
                               format_version INTEGER, data BLOB);",
        imbolc_core::persist::file::APPLICATION_ID
    ))
    .expect("schema");
    c.execute(
        "INSERT INTO project (name, bpm, created, updated, format_version, data) VALUES (?1, ?2, ?3, ?3, 1, ?4)",
        rusqlite::params!["old song", 98.0, 1_700_000_000_000i64, data],
    )
    .expect("insert");
}

fn project_row(path: &std::path::Path) -> (String, f64, i64, Vec<u8>) {
    let c = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    c.query_row("SELECT name, bpm, format_version, data FROM project", [], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })
    .expect("one project row")
}

/// The checked-in fixture holds what format 1 wrote for `v1_project()`, so
/// the migration tests below test real format-1 data. Its blob is compared
/// decoded: format 1 wrote source and effect kinds as enum variant names
/// ("Saw", "Delay"), which this build reads but writes as catalog ids.
#[test]
fn the_fixture_is_what_format_1_wrote() {
    let fresh = if std::env::var_os("IMBOLC_REGENERATE_FIXTURES").is_some() {
        fixture()
    } else {
        temp_dir("v1-fixture").join("v1.imbolc")
    };
    write_v1_file(&fresh);
    let (old, new) = (project_row(&fixture()), project_row(&fresh));
    assert_eq!((&old.0, old.1, old.2), (&new.0, new.1, new.2));
    let decode = |blob: &[u8]| rmp_serde::from_slice::<ProjectV1>(blob).expect("a format-1 blob");
    assert_eq!(decode(&old.3), v1_project());
    assert_eq!(decode(&old.3), decode(&new.3));
    assert!(old.3.windows(3).any(|w| w == b"Saw"), "the fixture has the old enum names");
    assert_eq!(project_row(&fixture()).2, 1, "the fixture is format 1");
}

#[test]
fn v1_fixture_opens_and_migrates() {
    let before = std::fs::read(fixture()).expect("fixture is checked in");
    let loaded = persist::load(&fixture()).expect("v1 opens");
    assert_eq!(std::fs::read(fixture()).expect("read"), before, "opening never writes");
    assert_eq!(loaded.meta.format_version, 1);
    let p = loaded.project;
    assert_eq!(p.name, "old song");
    assert_eq!(p.tempo, 98.0);
    let order: Vec<_> = p.instruments.keys().copied().collect();
    assert_eq!(order, vec![InstrumentId(0), InstrumentId(1)]);
    assert_eq!(p.instruments[&InstrumentId(1)].mixer.level, 0.5);
    assert_eq!(p.instruments[&InstrumentId(0)].def.effects.len(), 1);
    let clip = &p.clips[&ClipId(0)];
    assert_eq!(clip.notes.len(), 8);
    assert_eq!(clip.notes[&NoteId(3)], Note::new(63, 100, 720, 240));
    assert_eq!(p.ids.note, 8);
    let mut expected = persist::format::v1::migrate(v1_project());
    imbolc_core::sources::repair(&mut expected);
    assert_eq!(p, expected, "migrated, and sources given the parameters they gained since");

    // Saving a copy rewrites it in the current format, keeping `created`.
    let dir = temp_dir("migrate");
    let copy = dir.join("old.imbolc");
    std::fs::copy(fixture(), &copy).expect("copy");
    persist::save(&copy, &p).expect("save migrates");
    let again = persist::load(&copy).expect("reopen");
    assert_eq!(again.meta.format_version, FORMAT_VERSION);
    assert_eq!(again.meta.created_ms, 1_700_000_000_000);
    assert_eq!(again.project, p);
}
