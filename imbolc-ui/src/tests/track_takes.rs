//! Takes onto audio tracks by keys, on a scripted audio side: a take over
//! the loop region is one take per pass (`n` in the arrangement picks
//! another, one undo step); `C-p` punches into the loop region; `C-y`
//! puts performance takes on a new audio track; a take cut short is kept
//! as a clip and a refused one changes nothing.

use std::path::{Path, PathBuf};
use std::time::Instant;

use imbolc_audio::backend::Timetag;
use imbolc_audio::engine::EngineFeedback;
use imbolc_audio::take::{RecordSource, Take};
use imbolc_types::{InstrumentId, Project};

use super::fixture::{demo_feedback, press, script_app, temp_cache};
use crate::app::App;
use crate::audio::ScriptSink;

const SPT: f64 = 0.5 / 480.0;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("imbolc-ui-track-takes-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `seconds` of a quiet stereo sine at 48 kHz.
fn write_wav(path: &Path, seconds: f64) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 48_000,
        bits_per_sample: 24,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..(seconds * 48_000.0) as u32 {
        let s = ((f64::from(i) * 0.05).sin() * 100_000.0) as i32;
        w.write_sample(s).unwrap();
        w.write_sample(s).unwrap();
    }
    w.finalize().unwrap();
}

/// An app on an empty project taking into `dir`, with one audio track
/// selected.
fn app_with_track(dir: &Path) -> (App<ScriptSink>, ScriptSink, InstrumentId) {
    temp_cache();
    let mut p = Project::new("track takes");
    p.take_folder = Some(dir.to_string_lossy().into_owned());
    let (mut app, sink) = script_app(p);
    app.set_feedback(&demo_feedback());
    press(&mut app, "1 A");
    let track = app.selected().expect("the new audio track");
    (app, sink, track)
}

fn take(path: &Path, song_start: f64, cut_short: Option<&str>) -> Take {
    Take {
        path: path.to_owned(),
        source: RecordSource::Input { channel: 0 },
        start: Timetag { seconds: 1, fraction: 0 },
        song_start: Some(song_start),
        frames: 0,
        latency_frames: 0,
        cut_short: cut_short.map(str::to_owned),
    }
}

fn ended(n: u64, last: Result<Take, String>) -> EngineFeedback {
    let mut f = demo_feedback();
    f.recording.ended = n;
    f.recording.last = Some(last);
    f
}

/// `C-t` twice, then the engine reports the take ended as `last`.
fn record(app: &mut App<ScriptSink>, n: u64, last: Result<Take, String>) {
    press(app, "C-t");
    press(app, "C-t");
    app.set_feedback(&ended(n, last));
    app.tick(Instant::now());
}

fn message(app: &App<ScriptSink>) -> String {
    app.message().map(|m| m.text.clone()).unwrap_or_default()
}

fn clip_region(app: &App<ScriptSink>, track: InstrumentId) -> (u32, u32, imbolc_types::AudioRegion) {
    let p = app.session().project();
    let clip = p.clips.values().find(|c| c.instrument == track).expect("a clip on the track");
    let pl = p.placements.values().find(|pl| pl.clip == clip.id).expect("placed");
    (pl.start, pl.length, clip.audio.clone().expect("audio"))
}

#[test]
fn a_take_over_the_loop_is_one_take_per_pass_and_n_picks_another_in_one_undo_step() {
    let dir = temp_dir("passes");
    let (mut app, _sink, track) = app_with_track(&dir);
    app.set_loop_for_test(Some((960, 1920)), true);
    // Started at tick 800: 160 ticks to the loop's start, 3 whole passes.
    let path = dir.join("take-001.wav");
    write_wav(&path, (160.0 + 960.0 * 3.0 + 960.0) * SPT + 0.1);
    record(&mut app, 1, Ok(take(&path, 800.0, None)));
    let (start, length, region) = clip_region(&app, track);
    assert_eq!((start, length), (960, 960), "the clip sits on the loop region");
    assert_eq!(region.takes.len(), 4, "{:?}", region.takes);
    assert_eq!(region.offset, region.takes[3], "the last pass plays");
    assert!(message(&app).contains("4 takes"), "{}", message(&app));
    assert_eq!(app.session().undo_label(), Some("add audio clip"), "one undo step");

    press(&mut app, "6 n");
    let (_, _, picked) = clip_region(&app, track);
    assert_eq!(picked.offset, region.takes[0], "n goes round to the first pass");
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 20)).unwrap();
    term.draw(|f| app.draw(f)).unwrap();
    let screen: String = term.backend().buffer().content().iter().map(ratatui::buffer::Cell::symbol).collect();
    assert!(screen.contains("take 1/4"), "the title says which take plays:\n{screen}");
    press(&mut app, "n");
    assert_eq!(clip_region(&app, track).2.offset, region.takes[1]);
    press(&mut app, "u");
    assert_eq!(clip_region(&app, track).2.offset, region.takes[0], "one undo step per pick");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn punch_keeps_only_the_loop_region() {
    let dir = temp_dir("punch");
    let (mut app, _sink, track) = app_with_track(&dir);
    app.set_loop_for_test(Some((960, 1920)), false);
    press(&mut app, "C-p");
    assert!(message(&app).contains("punch on"), "{}", message(&app));
    let path = dir.join("take-001.wav");
    write_wav(&path, 3.0);
    record(&mut app, 1, Ok(take(&path, 0.0, None)));
    let (start, length, region) = clip_region(&app, track);
    assert_eq!((start, length), (960, 960));
    assert!((region.offset - 960.0 * SPT).abs() < 1e-9, "the audio played at the punch-in");
    press(&mut app, "C-p");
    assert!(message(&app).contains("punch off"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn c_y_puts_a_performance_take_on_a_new_audio_track_in_one_undo_step() {
    let dir = temp_dir("new-track");
    temp_cache();
    let mut p = Project::new("performance");
    p.take_folder = Some(dir.to_string_lossy().into_owned());
    let (mut app, _sink) = script_app(p);
    app.set_feedback(&demo_feedback());
    press(&mut app, "C-y");
    assert!(message(&app).contains("new audio track"), "{}", message(&app));
    let path = dir.join("take-001.wav");
    write_wav(&path, 1.0);
    let master = Take { source: RecordSource::Master, ..take(&path, 480.0, None) };
    record(&mut app, 1, Ok(master));
    let p = app.session().project();
    let (id, track) = p.instruments.iter().next().expect("a new track");
    assert!(track.def.audio_track && track.name == "take-001", "{track:?}");
    assert_eq!(clip_region(&app, *id).0, 480, "where the song was when the take started");
    press(&mut app, "u");
    let p = app.session().project();
    assert!(p.instruments.is_empty() && p.clips.is_empty(), "one undo step takes both back");
    // Off again: a take is a file only.
    press(&mut app, "C-y");
    let path = dir.join("take-002.wav");
    write_wav(&path, 1.0);
    record(&mut app, 2, Ok(Take { source: RecordSource::Master, ..take(&path, 0.0, None) }));
    assert!(app.session().project().instruments.is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_track_take_cut_short_is_kept_as_a_clip_and_a_refused_one_changes_nothing() {
    let dir = temp_dir("failures");
    let (mut app, _sink, track) = app_with_track(&dir);
    let before = app.session().project().clone();
    record(&mut app, 1, Err("input channels 3-4 are missing: the server has 2 inputs".into()));
    assert!(message(&app).contains("input channels 3-4 are missing"), "{}", message(&app));
    assert_eq!(*app.session().project(), before, "nothing changed");

    let path = dir.join("take-001.wav");
    write_wav(&path, 1.5);
    let lost = "the audio server stopped during the take; the audio up to then is kept";
    record(&mut app, 2, Ok(take(&path, 960.0, Some(lost))));
    let (start, _, region) = clip_region(&app, track);
    assert_eq!(start, 960);
    assert!((region.remaining_secs() - 1.5).abs() < 1e-3, "all that was recorded");
    assert!(message(&app).contains("take placed on the track"), "{}", message(&app));
    assert!(
        app.message_history().any(|m| m.text.contains("kept: the audio server stopped")),
        "the loss was said: {:?}",
        app.message_history().map(|m| m.text.clone()).collect::<Vec<_>>()
    );
    assert_eq!(app.session().undo_label(), Some("add audio clip"), "one undo step");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn c_b_sets_the_count_in_and_a_take_onto_a_track_counts_in_from_stopped() {
    use crate::audio::Request;
    use imbolc_audio::engine::TransportCmd;
    let dir = temp_dir("count-in");
    let (mut app, sink, _track) = app_with_track(&dir);
    let mut stopped = demo_feedback();
    stopped.transport.playing = false;
    app.set_feedback(&stopped);
    press(&mut app, "C-b");
    assert_eq!(app.session().project().count_in_bars, 1);
    assert!(message(&app).contains("count-in: 1 bar"), "{}", message(&app));
    press(&mut app, "u");
    assert_eq!(app.session().project().count_in_bars, 0, "one undo step");
    press(&mut app, "C-b C-b");
    assert_eq!(app.session().project().count_in_bars, 2);
    sink.take();
    press(&mut app, "C-t");
    assert_eq!(
        sink.take(),
        vec![
            Request::Transport(TransportCmd::SetCountIn(2)),
            Request::Transport(TransportCmd::Play),
            Request::Transport(TransportCmd::SetCountIn(0)),
            Request::Record(Some(dir.join("take-001.wav"))),
        ],
        "count in, play, and the recorder starts with the song (the engine times it)"
    );
    press(&mut app, "C-b");
    assert_eq!(app.session().project().count_in_bars, 0, "off after 2 bars");
    std::fs::remove_dir_all(&dir).unwrap();
}
