//! Project files written before the sound catalog became a table hold
//! source, filter and effect kinds as Rust enum variant names ("Saw",
//! "LowPass", "Reverb"). `fixtures/v2_enum_names.imbolc` is the demo song
//! as that build saved it (`imbolc demo`); it still opens, and the next
//! save writes the stable catalog ids instead.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] fns

mod common;

use std::path::PathBuf;

use common::temp_dir;
use imbolc_core::persist;
use imbolc_types::{EffectKind, FilterKind, Project, SourceKind};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v2_enum_names.imbolc")
}

fn instrument<'a>(p: &'a Project, name: &str) -> &'a imbolc_types::InstrumentDef {
    &p.instruments.values().find(|i| i.name == name).unwrap_or_else(|| panic!("no instrument {name}")).def
}

fn assert_demo_kinds(p: &Project) {
    let bass = instrument(p, "bass");
    assert_eq!(bass.source.kind, SourceKind::SAW);
    assert_eq!(bass.filter.as_ref().map(|f| f.kind), Some(FilterKind::LOW_PASS));
    let lead = instrument(p, "lead");
    assert_eq!(lead.source.kind, SourceKind::SQUARE);
    assert_eq!(lead.effects.iter().map(|e| e.kind).collect::<Vec<_>>(), [EffectKind::DELAY]);
    assert_eq!(instrument(p, "pad").source.kind, SourceKind::SINE);
    assert!(instrument(p, "drums").drums.is_some());
    let bus = p.buses.values().next().expect("the reverb bus");
    assert_eq!(bus.effects.iter().map(|e| e.kind).collect::<Vec<_>>(), [EffectKind::REVERB]);
}

#[test]
fn a_file_with_enum_variant_names_opens() {
    let before = std::fs::read(fixture()).expect("fixture is checked in");
    let loaded = persist::load(&fixture()).expect("the old file opens");
    assert_eq!(std::fs::read(fixture()).expect("read"), before, "opening never writes");
    assert_demo_kinds(&loaded.project);
}

#[test]
fn saving_it_again_writes_stable_ids_and_reopens_equal() {
    let p = persist::load(&fixture()).expect("opens").project;
    let dir = temp_dir("legacy-kinds");
    let copy = dir.join("demo.imbolc");
    persist::save(&copy, &p).expect("save");
    let blob = persist::format::encode(&p).expect("encode");
    let has = |needle: &[u8]| blob.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"low_pass") && has(b"square") && !has(b"LowPass") && !has(b"Square"), "new ids are written");
    let again = persist::load(&copy).expect("reopen");
    assert_eq!(again.project, p);
    assert_demo_kinds(&again.project);
    let _ = std::fs::remove_dir_all(dir);
}
