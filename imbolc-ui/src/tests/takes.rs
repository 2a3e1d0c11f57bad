//! Performance takes by keys: `C-t` starts recording the master into the
//! take folder and shows the elapsed time and the file in the status line;
//! `C-t` again stops it; the take is finished when the engine reports the
//! file closed. `take-folder` (palette only) sets the folder, saved in the
//! project and undoable. Failures (a file as folder, the server refusing
//! the file, a take cut short) end in a message; nothing else changes.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use imbolc_audio::backend::Timetag;
use imbolc_audio::engine::{ActiveTake, EngineFeedback, MeterReading, RECORD_METER};
use imbolc_audio::take::{RecordSource, Take};

use super::fixture::{demo_feedback, demo_project, press, script_app, type_text};
use crate::app::App;
use crate::audio::{Request, ScriptSink};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("imbolc-ui-takes-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn status_line(app: &App<ScriptSink>) -> String {
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 20)).unwrap();
    term.draw(|f| app.draw(f)).unwrap();
    let buf = term.backend().buffer().clone();
    (0..buf.area.width).map(|x| buf[(x, buf.area.height - 1)].symbol().to_owned()).collect()
}

/// Runs `take-folder` from the palette and types `folder` over the default.
fn set_folder(app: &mut App<ScriptSink>, folder: &str) {
    // The prompt starts at the current folder and a slash.
    let current = app.session().project().take_folder.as_ref().map_or("takes/".len(), |f| f.chars().count() + 1);
    press(app, ":");
    type_text(app, "take-folder");
    press(app, "Enter");
    let shown = app.modal().map(|m| format!("{m:?}")).unwrap_or_default();
    assert!(shown.contains("TakeFolder"), "the folder prompt opens: {shown}");
    for _ in 0..current {
        press(app, "Backspace");
    }
    type_text(app, folder);
    press(app, "Enter");
}

fn write_wav(path: &Path, frames: u32) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 48_000,
        bits_per_sample: 24,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for _ in 0..frames * 2 {
        w.write_sample(0).unwrap();
    }
    w.finalize().unwrap();
}

/// The feedback of a take that ended (the `n`th).
fn ended(n: u64, last: Result<Take, String>) -> EngineFeedback {
    let mut f = demo_feedback();
    f.recording.ended = n;
    f.recording.last = Some(last);
    f
}

fn take(path: &Path, frames: u64, cut_short: Option<&str>) -> Take {
    Take {
        path: path.to_owned(),
        source: RecordSource::Master,
        start: Timetag { seconds: 1, fraction: 0 },
        song_start: None,
        frames,
        latency_frames: 0,
        cut_short: cut_short.map(str::to_owned),
    }
}

#[test]
fn ctrl_t_records_the_master_into_the_take_folder_with_time_and_file_in_the_status_line() {
    let dir = temp_dir("toggle");
    let folder = dir.join("my takes");
    let (mut app, sink) = script_app(demo_project());
    app.set_feedback(&demo_feedback());
    set_folder(&mut app, &folder.to_string_lossy());
    assert_eq!(app.session().project().take_folder.as_deref(), Some(&*folder.to_string_lossy()));
    press(&mut app, "u");
    assert_eq!(app.session().project().take_folder, None, "undo takes the folder back");
    press(&mut app, "C-r");

    press(&mut app, "C-t");
    let path = folder.join("take-001.wav");
    assert_eq!(sink.take(), vec![Request::Record(Some(path.clone()))]);
    assert!(folder.is_dir(), "the folder is made");
    let mut f = demo_feedback();
    f.recording.active = Some(ActiveTake {
        path: path.clone(),
        source: RecordSource::Master,
        start: Timetag { seconds: 1, fraction: 0 },
        closing: false,
    });
    app.set_feedback(&f);
    let line = status_line(&app);
    assert!(line.contains("● REC 0:00 take-001.wav"), "{line}");
    app.tick(Instant::now() + Duration::from_secs(65));
    let line = status_line(&app);
    assert!(line.contains("● REC 1:05 take-001.wav"), "{line}");
    // The recorder's level meter.
    let reading = MeterReading { owner: RECORD_METER, peak: [0.5, 0.25], rms: [0.3, 0.1], pre_limit: None };
    f.meters.record(&reading, f.generation);
    app.set_feedback(&f);
    let line = status_line(&app);
    assert!(line.contains("● REC 1:05 take-001.wav -6 dB"), "{line}");

    press(&mut app, "C-t");
    assert_eq!(sink.take(), vec![Request::Record(None)]);
    assert!(status_line(&app).contains("finishing"));
    // The server closed the file: 1.5 s of audio, cut at the stop.
    write_wav(&path, 96_000);
    app.set_feedback(&ended(1, Ok(take(&path, 72_000, None))));
    app.tick(Instant::now());
    let message = app.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(
        message.contains("take saved") && message.contains("take-001.wav") && message.contains("0:01"),
        "{message}"
    );
    assert_eq!(hound::WavReader::open(&path).unwrap().duration(), 72_000, "cut at the stop");
    assert!(!status_line(&app).contains("REC"));

    // The next take gets the next name; quitting during it stops it
    // first, and quits (asking, as the project changed) once it is done.
    press(&mut app, "C-t");
    assert_eq!(sink.take(), vec![Request::Record(Some(folder.join("take-002.wav")))]);
    press(&mut app, "q");
    assert_eq!(sink.take(), vec![Request::Record(None)]);
    assert!(!app.should_quit() && app.modal().is_none(), "not before the file is finished");
    write_wav(&folder.join("take-002.wav"), 4_800);
    app.set_feedback(&ended(2, Ok(take(&folder.join("take-002.wav"), 4_800, None))));
    app.tick(Instant::now());
    assert!(matches!(app.modal(), Some(crate::modal::Modal::ConfirmQuit)), "{:?}", app.modal());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_take_that_fails_or_is_cut_short_says_why_and_changes_nothing_else() {
    let dir = temp_dir("fail");
    let (mut app, sink) = script_app(demo_project());
    app.set_feedback(&demo_feedback());
    let plain = dir.join("plain");
    std::fs::write(&plain, b"x").unwrap();

    // A file as folder: refused at the prompt, and at C-t when it became one.
    set_folder(&mut app, &plain.to_string_lossy());
    assert!(app.message().is_some_and(|m| m.is_error() && m.text.contains("is not a folder")));
    assert_eq!(app.session().project().take_folder, None);
    set_folder(&mut app, &dir.join("later").to_string_lossy());
    std::fs::write(dir.join("later"), b"x").unwrap();
    let before = app.session().project().clone();
    press(&mut app, "C-t");
    assert!(app.message().is_some_and(|m| m.is_error() && m.text.contains("is not a folder")), "{:?}", app.message());
    assert_eq!(sink.take(), vec![], "nothing asked of the engine");
    assert_eq!(*app.session().project(), before, "the project is unchanged");

    // The server refuses the file.
    set_folder(&mut app, &dir.join("takes").to_string_lossy());
    press(&mut app, "C-t");
    app.set_feedback(&ended(1, Err("cannot write the take x: File could not be opened".into())));
    app.tick(Instant::now());
    assert!(app.message().is_some_and(|m| m.is_error() && m.text.contains("take failed: cannot write")));

    // The server lost mid-take: the file is kept, repaired, and that is said.
    press(&mut app, "C-t");
    let path = dir.join("takes").join("take-001.wav");
    write_wav(&path, 4_800);
    app.set_feedback(&ended(2, Ok(take(&path, 0, Some("the audio server stopped during the take")))));
    app.tick(Instant::now());
    let message = app.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(message.contains("take-001.wav (0:00) kept: the audio server stopped"), "{message}");
    assert_eq!(hound::WavReader::open(&path).unwrap().duration(), 4_800);

    // The server restarted by the user mid-take: the file is kept.
    press(&mut app, "C-t");
    let path = dir.join("takes").join("take-002.wav");
    write_wav(&path, 4_800);
    let mut bytes = std::fs::read(&path).unwrap();
    let data = bytes.windows(4).position(|w| w == b"data").unwrap();
    bytes[data + 4..data + 8].copy_from_slice(&0u32.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    app.restarted();
    let message = app.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(message.contains("take-002.wav kept: the server was restarted"), "{message}");
    assert_eq!(hound::WavReader::open(&path).unwrap().duration(), 4_800, "the header is repaired");
    assert!(!status_line(&app).contains("REC"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn with_an_audio_track_selected_the_take_records_inputs_onto_it_where_played() {
    super::fixture::temp_cache();
    let dir = temp_dir("onto-track");
    let (mut app, sink) = script_app(demo_project());
    app.set_feedback(&demo_feedback());
    set_folder(&mut app, &dir.to_string_lossy());
    press(&mut app, "1 A");
    let track = app.selected().expect("the new audio track");
    assert!(app.session().project().instruments[&track].def.audio_track);
    sink.take();
    press(&mut app, "C-t");
    let path = dir.join("take-001.wav");
    assert_eq!(sink.take(), vec![Request::Record(Some(path.clone()))]);
    press(&mut app, "C-t");
    write_wav(&path, 48_000);
    let played = Take {
        source: RecordSource::Input { channel: 0 },
        song_start: Some(1920.5),
        latency_frames: 256,
        ..take(&path, 48_000, None)
    };
    app.set_feedback(&ended(1, Ok(played)));
    app.tick(Instant::now());
    let project = app.session().project();
    let clip = project.clips.values().find(|c| c.instrument == track).expect("the take is a clip on the track");
    let region = clip.audio.as_ref().expect("an audio clip");
    let placed: Vec<u32> = project.placements.values().filter(|p| p.clip == clip.id).map(|p| p.start).collect();
    assert_eq!(placed, [1921], "on the tick after where it started");
    assert!(region.offset > 256.0 / 48_000.0, "past the latency: {}", region.offset);
    let message = app.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(message.contains("take placed on the track"), "{message}");
    press(&mut app, "u");
    assert!(app.session().project().clips.values().all(|c| c.instrument != track), "one undo step");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The screen as text.
fn screen(app: &App<ScriptSink>) -> String {
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 20)).unwrap();
    term.draw(|f| app.draw(f)).unwrap();
    let buf = term.backend().buffer().clone();
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_owned()).collect::<String>() + "\n")
        .collect()
}

#[test]
fn o_picks_the_audio_tracks_input_shown_in_the_list_and_the_take_records_it() {
    let dir = temp_dir("track-input");
    let (mut app, sink) = script_app(demo_project());
    app.set_feedback(&demo_feedback());
    set_folder(&mut app, &dir.to_string_lossy());
    press(&mut app, "1 A");
    let track = app.selected().expect("the new audio track");
    assert!(screen(&app).contains("audio ← in 1-2"), "inputs 1-2 at first:\n{}", screen(&app));
    press(&mut app, "o");
    assert!(screen(&app).contains("audio ← in 3-4"), "{}", screen(&app));
    press(&mut app, "u");
    assert!(screen(&app).contains("audio ← in 1-2"), "one undo step back");
    press(&mut app, "o");
    sink.take_sources();
    press(&mut app, "C-t");
    assert_eq!(sink.take_sources(), vec![RecordSource::Input { channel: 2 }], "the take records inputs 3-4");
    let status = status_line(&app);
    assert!(status.contains("→ audio (in 3-4)"), "the status line says where and what: {status}");
    press(&mut app, "C-t");
    app.set_feedback(&ended(1, Err("stopped".into())));
    app.tick(Instant::now());
    // Round to the master: past the other pairs, the buses and instruments.
    let project = app.session().project();
    let steps = project.buses.len() + project.instruments.len() - 1 + 3;
    for _ in 0..steps {
        press(&mut app, "o");
    }
    assert_eq!(app.session().project().instruments[&track].def.record_input, imbolc_types::TrackInput::Master);
    assert!(screen(&app).contains("audio ← master"), "{}", screen(&app));
    press(&mut app, "C-t");
    assert_eq!(sink.take_sources(), vec![RecordSource::Master]);
    // A track that plays notes has no input to pick.
    press(&mut app, "k");
    press(&mut app, "o");
    let message = app.message().map(|m| m.text.clone()).unwrap_or_default();
    assert!(message.contains("not an audio track"), "{message}");
    std::fs::remove_dir_all(&dir).unwrap();
}
