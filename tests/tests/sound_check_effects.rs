//! The effect sound check (see `imbolc_tests::sound_check::effect`): every
//! effect and filter of the catalog processes the test signal and passes
//! every measurement; CPU per instance and latency go into docs/sounds.md.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use imbolc_tests::sound_check::{self, EffectUnderTest, Failure, ParamRange};
use imbolc_tests::sound_docs::{self, EffectFigures};
use imbolc_types::catalog::EffectKind;

fn workers() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

fn catalog() -> Vec<EffectUnderTest> {
    EffectKind::ALL
        .iter()
        .map(|&k| EffectUnderTest::from_catalog(k).unwrap_or_else(|| panic!("{} has no compiled SynthDef", k.id())))
        .collect()
}

#[test]
fn every_effect_and_filter_passes_the_sound_check() {
    let effects = catalog();
    let started = std::time::Instant::now();
    let (reports, distinct) = sound_check::check_all_effects(&effects, workers());
    for r in &reports {
        println!(
            "{:<16} gain {:>+6.1} dB  tail {:>5.2} s  latency {:>6.1} ms  failures {}",
            r.id,
            r.gain_db,
            r.tail_secs,
            r.latency_ms,
            r.failures.len()
        );
    }
    println!("{} effects checked in {:.1} s", reports.len(), started.elapsed().as_secs_f64());
    let cpu_started = std::time::Instant::now();
    let cpu = sound_check::cpu_all_effects(&effects, workers());
    println!("CPU of {} effects measured in {:.1} s", cpu.len(), cpu_started.elapsed().as_secs_f64());
    let mut figures = BTreeMap::new();
    let mut errors = Vec::new();
    for ((fx, report), c) in effects.iter().zip(&reports).zip(cpu) {
        match c {
            Ok(cpu) => {
                figures.insert(fx.id.clone(), EffectFigures { cpu, latency_ms: report.latency_ms });
            }
            Err(f) => errors.push(f.to_string()),
        }
    }
    let mut ranked: Vec<(&String, &EffectFigures)> = figures.iter().collect();
    ranked.sort_by(|a, b| b.1.cpu.total_cmp(&a.1.cpu));
    for (id, f) in ranked.iter().take(5) {
        println!("most expensive: {id} {:.2}% of a core per instance", f.cpu * 100.0);
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(sound_docs::PATH);
    let page = std::fs::read_to_string(&path).unwrap_or_default();
    if std::env::var_os("IMBOLC_UPDATE_SOUNDS").is_some() {
        std::fs::write(&path, sound_docs::render(&sound_docs::cpu_figures(&page), &figures)).unwrap();
    }
    let failures: Vec<String> =
        reports.iter().flat_map(|r| r.failures.iter()).chain(&distinct).map(Failure::to_string).chain(errors).collect();
    assert!(failures.is_empty(), "{} sound check failures:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(reports.len(), EffectKind::COUNT, "every effect was checked");
    let page = std::fs::read_to_string(&path).unwrap_or_default();
    let recorded = sound_docs::effect_figures(&page);
    let hint = "run `IMBOLC_UPDATE_SOUNDS=1 cargo test -p imbolc-tests --test sound_check_effects`";
    for kind in EffectKind::ALL {
        assert!(recorded.contains_key(kind.id()), "docs/sounds.md has no figures for effect {}: {hint}", kind.id());
    }
    assert!(
        page == sound_docs::render(&sound_docs::cpu_figures(&page), &recorded),
        "docs/sounds.md is out of date: {hint}"
    );
}

fn fixture(id: &str, bytes: &[u8]) -> EffectUnderTest {
    EffectUnderTest {
        id: id.to_owned(),
        synthdef: format!("imbolc_test_fx_{id}"),
        bytes: bytes.to_vec(),
        params: vec![ParamRange { id: "tone".to_owned(), default: 0.5, min: 0.0, max: 1.0 }],
        tail_secs: 0.5,
        gain_stage: false,
        enabled_by: Vec::new(),
    }
}

macro_rules! fixture {
    ($id:literal) => {
        fixture($id, include_bytes!(concat!("../synthdefs/compiled/imbolc_test_fx_", $id, ".scsyndef")))
    };
}

/// Each faulty effect fixture is reported under its own name at the point
/// where it fails, and the healthy one passes.
#[test]
fn the_effect_harness_reports_each_fault_with_its_effect_and_point() {
    let effects = [
        fixture!("good"),
        fixture!("copy"),
        fixture!("dead_param"),
        fixture!("hum"),
        fixture!("hot"),
        fixture!("long"),
    ];
    let (reports, distinct) = sound_check::check_all_effects(&effects, workers());
    let all: Vec<&Failure> = reports.iter().flat_map(|r| &r.failures).chain(&distinct).collect();
    let text = all.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("\n");
    let has = |id: &str, point: &str| all.iter().any(|f| f.subject == id && f.point.contains(point));
    assert!(!all.iter().any(|f| f.subject == "good"), "the healthy effect passes:\n{text}");
    assert!(has("copy", "distinct"), "duplicate:\n{text}");
    assert!(has("dead_param", "parameter tone"), "dead parameter:\n{text}");
    assert!(!has("dead_param", "bypass"), "bypass of dead_param works:\n{text}");
    assert!(has("hum", "silence") && has("hum", "tail"), "hum:\n{text}");
    assert!(has("hot", "peak"), "too hot:\n{text}");
    assert!(has("long", "tail") && !has("long", "silence"), "long tail:\n{text}");
}
