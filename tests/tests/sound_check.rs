//! The sound check (see `imbolc_tests::sound_check`): every source of the
//! catalog renders its phrase and passes every measurement, and the harness
//! itself catches each kind of fault it exists for.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use imbolc_tests::sound_check::{self, Failure, ParamRange, SourceReport, SourceUnderTest};
use imbolc_types::catalog::SourceKind;

fn workers() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

#[test]
fn every_source_passes_the_sound_check() {
    let sources: Vec<SourceUnderTest> = SourceKind::ALL
        .iter()
        .map(|&k| SourceUnderTest::from_catalog(k).unwrap_or_else(|| panic!("{} has no compiled SynthDef", k.id())))
        .collect();
    let started = std::time::Instant::now();
    let (reports, distinct) = sound_check::check_all(&sources, workers());
    for r in &reports {
        let cents: Vec<String> = r.cents.iter().map(|c| format!("{c:+.1}")).collect();
        println!(
            "{:<16} peak {:>6.1} dBFS  cents [{}]  failures {}",
            r.id,
            r.peak_db,
            cents.join(" "),
            r.failures.len()
        );
    }
    println!("{} sources checked in {:.1} s", reports.len(), started.elapsed().as_secs_f64());
    let failures: Vec<String> =
        reports.iter().flat_map(|r| r.failures.iter()).chain(&distinct).map(Failure::to_string).collect();
    assert!(failures.is_empty(), "{} sound check failures:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(reports.len(), SourceKind::COUNT, "every source was checked");
}

fn fixture(id: &str, bytes: &[u8]) -> SourceUnderTest {
    let range = |id: &str, default, min, max| ParamRange { id: id.to_owned(), default, min, max };
    SourceUnderTest {
        id: id.to_owned(),
        synthdef: format!("imbolc_test_{id}"),
        bytes: bytes.to_vec(),
        params: vec![range("amp", 0.3, 0.0, 1.0), range("tone", 0.3, 0.0, 1.0)],
        pitched: true,
        envelope: [0.01, 0.2, 0.7, 0.3],
    }
}

macro_rules! fixture {
    ($id:literal) => {
        fixture($id, include_bytes!(concat!("../synthdefs/compiled/imbolc_test_", $id, ".scsyndef")))
    };
}

fn failures_of<'a>(reports: &'a [SourceReport], id: &str) -> Vec<&'a Failure> {
    reports.iter().filter(|r| r.id == id).flat_map(|r| &r.failures).collect()
}

/// Each faulty fixture is reported under its own name at the point where
/// it fails, and the healthy one passes.
#[test]
fn the_harness_reports_each_fault_with_its_source_and_failing_point() {
    let sources = [
        fixture!("good"),
        fixture!("copy"),
        fixture!("silent"),
        fixture!("nan"),
        fixture!("dead_param"),
        fixture!("endless"),
        fixture!("unseeded"),
    ];
    let (reports, distinct) = sound_check::check_all(&sources, workers());
    let all: Vec<String> = reports.iter().flat_map(|r| &r.failures).chain(&distinct).map(Failure::to_string).collect();
    let all = all.join("\n");
    let has = |id: &str, point: &str, detail: &str| {
        failures_of(&reports, id)
            .iter()
            .chain(distinct.iter().filter(|f| f.subject == id).collect::<Vec<_>>().iter())
            .any(|f| f.point.contains(point) && f.detail.contains(detail))
    };
    assert!(failures_of(&reports, "good").is_empty(), "the healthy voice passes:\n{all}");
    assert!(has("silent", "C2 vel 30", "needs above -50 dBFS"), "silent:\n{all}");
    assert!(has("nan", "C4 vel 127", "not finite"), "NaN:\n{all}");
    assert!(has("dead_param", "parameter tone", "changes the note by 0.00 dB"), "dead parameter:\n{all}");
    assert!(!has("dead_param", "parameter amp", ""), "amp of dead_param works:\n{all}");
    assert!(has("endless", "held C4", "never ends"), "endless (node):\n{all}");
    assert!(has("endless", "held C4", "after note-off"), "endless (sound):\n{all}");
    assert!(has("unseeded", "reproducibility", "differ"), "unseeded noise:\n{all}");
    assert!(has("copy", "distinct", "sounds like good"), "duplicate:\n{all}");
    assert!(!distinct.iter().any(|f| f.subject == "good"), "the original is not blamed:\n{all}");
}

/// CPU per voice of every source (32 voices rendered), and docs/sounds.md
/// generated from the catalog with those figures.
/// `IMBOLC_UPDATE_SOUNDS=1` rewrites the page with the figures measured now.
#[test]
fn cpu_per_voice_is_measured_and_docs_sounds_md_matches_the_catalog() {
    let sources: Vec<SourceUnderTest> =
        SourceKind::ALL.iter().filter_map(|&k| SourceUnderTest::from_catalog(k)).collect();
    let measured = sound_check::cpu_all(&sources, workers());
    let mut cpu = std::collections::BTreeMap::new();
    let mut errors = Vec::new();
    for (src, m) in sources.iter().zip(measured) {
        match m {
            Ok(c) => {
                cpu.insert(src.id.clone(), c);
            }
            Err(f) => errors.push(f.to_string()),
        }
    }
    assert!(errors.is_empty(), "CPU renders failed:\n{}", errors.join("\n"));
    let mut ranked: Vec<(&String, &f64)> = cpu.iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(a.1));
    for (id, c) in ranked.iter().take(3) {
        println!("most expensive: {id} {:.2}% of a core per voice", **c * 100.0);
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(imbolc_tests::sound_docs::PATH);
    if std::env::var_os("IMBOLC_UPDATE_SOUNDS").is_some() {
        let page = std::fs::read_to_string(&path).unwrap_or_default();
        let fx = imbolc_tests::sound_docs::effect_figures(&page);
        std::fs::write(&path, imbolc_tests::sound_docs::render(&cpu, &fx)).unwrap();
    }
    let page = std::fs::read_to_string(&path).unwrap_or_default();
    let recorded = imbolc_tests::sound_docs::cpu_figures(&page);
    let recorded_fx = imbolc_tests::sound_docs::effect_figures(&page);
    let hint = "run `IMBOLC_UPDATE_SOUNDS=1 cargo test -p imbolc-tests --test sound_check cpu`";
    for kind in SourceKind::ALL {
        assert!(recorded.contains_key(kind.id()), "docs/sounds.md has no CPU figure for {}: {hint}", kind.id());
    }
    assert!(page == imbolc_tests::sound_docs::render(&recorded, &recorded_fx), "docs/sounds.md is out of date: {hint}");
}
