//! Users' own SynthDefs end to end: a fixture `.scd` in a synthdefs folder
//! is compiled with sclang, played by a real scsynth, saved in a project
//! and rendered after the folder is gone; a def without `gate` is refused
//! by name; a project whose stored def is corrupt still opens (and
//! renders), that instrument marked broken.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use imbolc_audio::server::JackMode;
use imbolc_audio::synthdefs::custom::{CustomDefError, ScanCache, custom_source, find_sclang, load_user_dir};
use imbolc_core::render::{self, RenderOptions};
use imbolc_core::{dispatch, persist};
use imbolc_tests::engine::{scsynth_port, tapped_engine, wait_feedback};
use imbolc_tests::recording::{DiskRecorder, RealtimeJack, onsets, read_channel};
use imbolc_tests::sound_check::analysis::partial_near;
use imbolc_types::{Action, AudioDiff, CustomSource, InstrumentId, Note, Project, SourceKind, TICKS_PER_QUARTER};

const WAIT: Duration = Duration::from_secs(5);
const C4: f64 = 261.625_565;
const BAR: u32 = TICKS_PER_QUARTER * 4;

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("imbolc-custom-defs-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("synthdefs/user").join(name)
}

fn sclang() -> PathBuf {
    find_sclang().expect("sclang is missing: install supercollider-language (make test does)")
}

/// A song of one instrument holding C4 for bars 1–2, its source `custom`
/// (or a saw, then made custom by the caller).
fn song(custom: CustomSource) -> Project {
    let mut p = Project::new("custom");
    dispatch(&mut p, Action::AddCustomInstrument { source: Box::new(custom), name: "mine".into() }).unwrap();
    add_held_c4(&mut p, InstrumentId(0));
    p
}

fn add_held_c4(p: &mut Project, instrument: InstrumentId) {
    dispatch(p, Action::AddClip { instrument, name: "held".into(), length: 2 * BAR }).unwrap();
    let clip = *p.clips.keys().last().unwrap();
    dispatch(p, Action::AddNotes { clip, notes: vec![Note::new(60, 110, 0, 2 * BAR)] }).unwrap();
    dispatch(p, Action::AddPlacement { clip, start: 0, length: 2 * BAR }).unwrap();
}

/// Peak of `samples` in dBFS.
fn peak_db(samples: &[f32]) -> f64 {
    20.0 * f64::from(samples.iter().fold(0.0f32, |m, x| m.max(x.abs()))).max(1e-12).log10()
}

/// Cents off C4 of the strongest partial near it in the held part of the
/// note starting at `onset` (samples at `rate`).
fn c4_cents(samples: &[f32], onset: i64, rate: f64) -> f64 {
    let onset = usize::try_from(onset).unwrap();
    let (a, b) = (onset + (0.3 * rate) as usize, onset + (1.5 * rate) as usize);
    partial_near(&samples[a.min(samples.len())..b.min(samples.len())], C4).expect("a partial near C4").cents
}

/// Plays `project` on a real scsynth (the engine on a realtime dummy JACK)
/// and records it: the left channel at 48 kHz.
fn play_live(project: &Project, dir: &Path) -> Vec<f32> {
    let tag = format!("custom-defs-{}", std::process::id());
    let jack = RealtimeJack::start(&tag);
    let (mut audio, _tap, up) = tapped_engine(&tag, JackMode::Existing(jack.name.clone()));
    let port = scsynth_port(up.scsynth_pid.expect("the engine reports scsynth's pid"));
    audio.send_diffs(vec![AudioDiff::SceneLoaded(Box::new(project.audio_scene()))]).unwrap();
    audio.request_tree().unwrap().recv_timeout(WAIT).expect("the scene is on the server");
    let recorder = DiskRecorder::start(port, 2_100_000_000, 1000, &dir.join("live.wav"));
    audio.play().unwrap();
    wait_feedback(&mut audio, WAIT, |f| f.transport.voices > 0);
    // One bar (2 s at 120 BPM) of the held note, by the transport.
    wait_feedback(&mut audio, 4 * WAIT, |f| f.transport.tick >= BAR);
    audio.stop().unwrap();
    wait_feedback(&mut audio, WAIT, |f| f.transport.voices == 0);
    recorder.wait_written_past_now();
    let path = recorder.finish();
    audio.shutdown();
    drop(jack);
    read_channel(&path, 0)
}

#[test]
fn a_users_scd_compiles_plays_is_saved_and_renders_without_its_folder() {
    let dir = tempdir("play");
    let folder = dir.join("config/imbolc/synthdefs");
    std::fs::create_dir_all(&folder).unwrap();
    for name in ["my_fm.scd", "no_gate.scd"] {
        std::fs::copy(fixture(name), folder.join(name)).unwrap();
    }
    let found = load_user_dir(&folder, Some(&sclang()), &mut ScanCache::default());
    let names: Vec<&str> = found.sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["my_fm"], "refused: {:?}", found.refused);
    let mine = found.sources[0].clone();
    let params: Vec<&str> = mine.params.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(params, ["amp", "timbre"]);
    assert!(mine.has_voice_control("bend") && mine.timbre_param().is_some());
    assert_eq!(found.refused.len(), 1);
    let (path, why) = &found.refused[0];
    assert_eq!(path, &folder.join("no_gate.scd"));
    assert_eq!(why, &CustomDefError::MissingControls { name: "no_gate".into(), missing: vec!["gate"] });
    assert!(why.to_string().contains("SynthDef no_gate lacks the voice control gate"), "{why}");

    // Played by a real scsynth, in tune.
    let project = song(mine);
    let live = play_live(&project, &dir);
    let onset = *onsets(&live, 1440).first().expect("the custom voice sounds live");
    let cents = c4_cents(&live, onset, 48_000.0);
    println!("live: peak {:.1} dBFS, C4 {cents:+.2} cents", peak_db(&live));
    assert!(peak_db(&live) > -40.0 && cents.abs() <= 15.0, "live C4 {cents:+.1} cents");

    // Saved; the folder removed (the project alone must suffice); rendered.
    let file = dir.join("custom.imbolc");
    persist::save(&file, &project).unwrap();
    std::fs::remove_dir_all(dir.join("config")).unwrap();
    let loaded = persist::load(&file).unwrap().project;
    assert_eq!(loaded.instruments[&InstrumentId(0)].def.source, project.instruments[&InstrumentId(0)].def.source);
    let out = dir.join("out");
    let opts = RenderOptions { out_dir: out.clone(), ..RenderOptions::default() };
    let summary = render::render_file(&file, &opts, &AtomicBool::new(false), &mut |_| {}, &mut |_| {}).unwrap();
    let master = read_channel(&summary.files[0].path, 0);
    let rate = f64::from(summary.rate);
    let onset = *onsets(&master, 1440).first().expect("the custom voice sounds in the render");
    let cents = c4_cents(&master, onset, rate);
    println!("render: peak {:.1} dBFS, C4 {cents:+.2} cents", peak_db(&master));
    assert!(peak_db(&master) > -40.0 && cents.abs() <= 15.0, "rendered C4 {cents:+.1} cents");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_project_whose_custom_def_is_corrupt_opens_and_renders_with_it_marked_broken() {
    let dir = tempdir("corrupt");
    let saw = imbolc_audio::synthdefs::find("imbolc_saw").unwrap().bytes.to_vec();
    let mut mine = custom_source(saw).unwrap();
    mine.bytes.truncate(mine.bytes.len() / 2);
    let mut project = song(mine);
    dispatch(&mut project, Action::AddInstrument { source: SourceKind::SINE, name: "sine".into() }).unwrap();
    add_held_c4(&mut project, InstrumentId(1));
    let file = dir.join("corrupt.imbolc");
    persist::save(&file, &project).unwrap();

    let loaded = persist::load(&file).expect("a broken custom def never stops a project from opening").project;
    let custom = loaded.instruments[&InstrumentId(0)].def.source.custom.as_ref().expect("still the user's def");
    let why = custom.broken.as_deref().expect("marked broken");
    assert!(why.contains("not a readable SynthDef"), "{why}");
    assert_eq!(loaded.instruments.len(), 2);

    // The rest of the song still renders.
    let opts = RenderOptions { out_dir: dir.join("out"), ..RenderOptions::default() };
    let summary = render::render_file(&file, &opts, &AtomicBool::new(false), &mut |_| {}, &mut |_| {}).unwrap();
    let master = read_channel(&summary.files[0].path, 0);
    assert!(peak_db(&master) > -40.0, "the sine plays: {:.1} dBFS", peak_db(&master));
    let _ = std::fs::remove_dir_all(&dir);
}
