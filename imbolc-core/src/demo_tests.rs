//! The demo song: what it promises to show, that the server model builds
//! it without a refusal, and `imbolc demo`'s file handling.

use imbolc_audio::backend::{AudioBackend, ModelBackend, Timing};
use imbolc_audio::graph::{GraphConfig, SignalGraph};
use imbolc_types::{EffectKind, ParamTarget, TICKS_PER_QUARTER};

use super::*;
use crate::persist::load;

#[test]
fn the_demo_shows_instruments_effects_drums_a_reverb_bus_automation_and_eight_bars() {
    let p = try_demo_project().expect("every demo action applies");
    assert_eq!(p, demo_project());
    assert!((110.0..=124.0).contains(&p.tempo));
    let melodic: Vec<_> = p.instruments.values().filter(|i| i.def.drums.is_none()).collect();
    assert!(melodic.len() >= 3);
    assert!(melodic.iter().all(|i| i.def.filter.is_some() || !i.def.effects.is_empty() || !i.mixer.sends.is_empty()));
    assert!(melodic.iter().any(|i| i.def.effects.iter().any(|e| e.kind == EffectKind::DELAY)));
    let kit = p.instruments.values().find(|i| i.def.drums.is_some()).expect("a drum kit");
    let patterns: Vec<_> = p.clips.values().filter(|c| c.drums.is_some()).collect();
    assert!(patterns.iter().all(|c| c.instrument == kit.id && c.drums.as_ref().is_some_and(|d| !d.hits.is_empty())));
    let bus = p.buses.values().next().expect("a bus");
    assert!(bus.effects.iter().any(|e| e.kind == EffectKind::REVERB));
    let senders = p.instruments.values().filter(|i| i.mixer.sends.iter().any(|s| s.bus == bus.id)).count();
    assert!(senders >= 2, "instruments send to the reverb");
    let lane = p.automation.values().next().expect("an automation lane");
    assert!(matches!(lane.target, ParamTarget::Filter { .. }) && lane.points.len() >= 2);
    let end = p.placements.values().map(|pl| pl.start + pl.length).max();
    assert_eq!(end, Some(DEMO_BARS * 4 * TICKS_PER_QUARTER), "eight bars in song mode");
    assert!(p.placements.values().all(|pl| p.clips.contains_key(&pl.clip)));
}

#[test]
fn the_demo_builds_on_the_server_model_without_a_refusal() {
    let (_, ops) = SignalGraph::build(GraphConfig::default(), &demo_project().audio_scene());
    let mut server = ModelBackend::new();
    server.execute(Timing::Now, &ops).expect("model");
    assert!(server.failures().is_empty(), "{:?}", server.failures());
    assert!(server.warnings().is_empty(), "{:?}", server.warnings());
}

#[test]
fn imbolc_demo_writes_a_file_that_loads_back_equal_and_never_overwrites_without_force() {
    let dir = std::env::temp_dir().join(format!("imbolc-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("demo.imbolc");
    let _ = std::fs::remove_file(&path);
    write_demo(&path, false).expect("writes");
    assert_eq!(load(&path).expect("loads").project, demo_project());
    let before = std::fs::read(&path).expect("read");
    let err = write_demo(&path, false).expect_err("refuses to overwrite");
    assert!(matches!(err, DemoError::Exists(_)) && err.to_string().contains("--force"), "{err}");
    assert_eq!(std::fs::read(&path).expect("read"), before, "untouched");
    write_demo(&path, true).expect("--force overwrites");
    assert_eq!(load(&path).expect("loads").project, demo_project());
    let _ = std::fs::remove_dir_all(&dir);
}
