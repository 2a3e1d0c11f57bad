//! Freezing an instrument, with a real `scsynth -N`: the frozen project's
//! render equals the unfrozen one (null below −90 dB in float), the frozen
//! instrument's nodes run fewer UGens (on a live private scsynth, its
//! `/status` count drops to the frozen graph's), and unfreezing (undo)
//! gives back the exact project.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::Once;
use std::sync::atomic::AtomicBool;

use imbolc_audio::backend::ServerOp;
use imbolc_audio::graph::{GraphConfig, SignalGraph};
use imbolc_core::{UndoHistory, dispatch, render};
use imbolc_types::{Action, ChainOwner, EffectKind, FilterDef, FilterKind, InstrumentId, Note, Project, SourceKind};

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("imbolc-freeze-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn cache() {
    static INIT: Once = Once::new();
    INIT.call_once(|| imbolc_audio::sample_cache::set_cache_dir(Some(tempdir("cache"))));
}

fn apply(p: &mut Project, a: Action) {
    dispatch(p, a).unwrap();
}

/// A saw lead with a filter, a low-pass and a delay, a sine pad and a
/// drum kit playing a pattern.
fn song() -> Project {
    let mut p = Project::new("freeze");
    for (source, name) in [(SourceKind::SAW, "lead"), (SourceKind::SINE, "pad")] {
        apply(&mut p, Action::AddInstrument { source, name: name.into() });
    }
    let lead = InstrumentId(0);
    apply(&mut p, Action::SetFilter { instrument: lead, filter: Some(FilterDef::new(FilterKind::LOW_PASS)) });
    for kind in [EffectKind::LOW_PASS, EffectKind::DELAY] {
        apply(&mut p, Action::AddEffect { owner: ChainOwner::Instrument(lead), kind, index: None });
    }
    apply(&mut p, Action::AddDrumKit { name: "kit".into() });
    apply(
        &mut p,
        Action::AddDrumPattern {
            instrument: InstrumentId(2),
            name: String::new(),
            steps: 16,
            resolution: imbolc_types::StepResolution::Sixteenth,
        },
    );
    let pattern = *p.clips.keys().next_back().unwrap();
    for step in [0u8, 4, 8, 12, 14] {
        apply(&mut p, Action::ToggleDrumStep { clip: pattern, key: (step, step % 3) });
    }
    apply(&mut p, Action::AddPlacement { clip: pattern, start: 0, length: 3840 });
    for (i, inst) in [(0u32, lead), (1, InstrumentId(1))] {
        apply(&mut p, Action::AddClip { instrument: inst, name: String::new(), length: 3840 });
        let clip = *p.clips.keys().next_back().unwrap();
        let notes = (0..8).map(|k| Note::new(60 + 7 * i as u8 + (k % 4) as u8, 100, k * 480, 300)).collect();
        apply(&mut p, Action::AddNotes { clip, notes });
        apply(&mut p, Action::AddPlacement { clip, start: 0, length: 3840 });
    }
    p
}

fn master(p: &Project, dir: &Path) -> Vec<f32> {
    let o = render::RenderOptions {
        out_dir: dir.to_owned(),
        format: render::SampleFormat::Float32,
        tail: render::Tail::Secs(1.0),
        force: true,
        ..render::RenderOptions::default()
    };
    render::render(p, &o, &AtomicBool::new(false), &mut |_| {}).unwrap();
    let mut r = hound::WavReader::open(dir.join("master.wav")).unwrap();
    r.samples::<f32>().map(|s| s.unwrap()).collect()
}

/// UGens the graph of `p` runs (the voices of notes aside): the sum over
/// its synths of their SynthDefs' UGen counts.
fn ugens(p: &Project) -> usize {
    let (_, ops) = SignalGraph::build(GraphConfig::default(), &p.audio_scene());
    ops.iter()
        .filter_map(|op| match op {
            ServerOp::SynthNew { def, .. } => imbolc_audio::synthdefs::find(def),
            _ => None,
        })
        .map(|d| imbolc_audio::synthdefs::reader::parse(d.bytes).unwrap().ugens.len())
        .sum()
}

#[test]
fn a_frozen_instrument_sounds_the_same_and_runs_fewer_ugens_and_unfreezes_exactly() {
    cache();
    let dir = tempdir("null");
    let mut p = song();
    let before = p.clone();
    let want = master(&p, &dir);
    let action = imbolc_core::freeze::freeze_action(&p, InstrumentId(0), PathBuf::from("scsynth")).unwrap();
    let out = dispatch(&mut p, action).unwrap();
    assert!(p.instruments[&InstrumentId(0)].def.frozen.is_some());
    // The kit too: its steps must not play besides its frozen audio.
    let kit = imbolc_core::freeze::freeze_action(&p, InstrumentId(2), "scsynth".into()).unwrap();
    let kit_undo = dispatch(&mut p, kit).unwrap().undo.unwrap();
    let got = master(&p, &dir);
    assert!(got.len() >= want.len());
    let diff = want.iter().zip(&got).fold(0.0f64, |m, (a, b)| m.max(f64::from((a - b).abs())));
    let level = want.iter().fold(0.0f64, |m, a| m.max(f64::from(a.abs())));
    let null_db = 20.0 * (diff.max(1e-12) / level).log10();
    println!("freeze null: {null_db:.1} dB below the peak ({diff:e} abs)");
    assert!(level > 0.05, "the song sounds");
    assert!(null_db < -90.0, "frozen render differs: {null_db} dB");

    let (unfrozen, frozen) = (ugens(&before), ugens(&p));
    println!("UGens without voices: unfrozen {unfrozen}, frozen {frozen}");
    assert!(frozen < unfrozen, "{frozen} vs {unfrozen}");

    let mut h = UndoHistory::default();
    let t0 = std::time::Instant::now();
    h.push(out.undo.unwrap(), t0);
    h.push(kit_undo, t0 + std::time::Duration::from_secs(10));
    h.undo(&mut p).unwrap().unwrap();
    h.undo(&mut p).unwrap().unwrap();
    assert_eq!(p, before, "unfreeze gives back the project");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_servers_ugen_count_drops_to_the_frozen_graphs_when_an_instrument_is_frozen() {
    use imbolc_audio::server::JackMode;
    use imbolc_audio::status::ServerState;
    use imbolc_tests::engine::{tapped_engine, wait_feedback};
    use imbolc_types::AudioDiff;

    cache();
    let p = song();
    let mut frozen = p.clone();
    let action = imbolc_core::freeze::freeze_action(&p, InstrumentId(0), PathBuf::from("scsynth")).unwrap();
    dispatch(&mut frozen, action).unwrap();
    let (want_before, want_after) = (ugens(&p), ugens(&frozen));

    let tag = format!("freeze-{}", std::process::id());
    let (mut audio, _tap, _) = tapped_engine(&tag, JackMode::Dummy);
    let server_ugens = |f: &imbolc_audio::engine::EngineFeedback| match &f.server {
        ServerState::Running { stats, .. } => stats.ugens as usize,
        _ => 0,
    };
    // The server's own count (its /status reply) reaches the graph's.
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(p.audio_scene()))]).unwrap();
    let wait = std::time::Duration::from_secs(30);
    wait_feedback(&mut audio, wait, |f| server_ugens(f) == want_before);
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(frozen.audio_scene()))]).unwrap();
    wait_feedback(&mut audio, wait, |f| server_ugens(f) == want_after);
    println!("server UGens: unfrozen {want_before}, frozen {want_after}");
    audio.shutdown();
}
