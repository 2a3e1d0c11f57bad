//! Key sequences for the transport, the piano roll's editing keys,
//! musical typing, the arrangement, automation, routing and files,
//! asserting the project and the audio requests they leave behind.

use std::time::{Duration, Instant};

use crossterm::event::KeyEventKind;
use imbolc_audio::engine::{TransportCmd, VoiceId};
use imbolc_audio::scheduler::{LoopRegion, PlayMode};
use imbolc_core::Session;
use imbolc_core::persist::BackgroundSaver;
use imbolc_core::session::NullSink;
use imbolc_types::{InstrumentId, Note, OutputTarget, ParamTarget, Project};

use super::fixture::{demo_project, empty_app, key_event, press, script_app, type_text};
use crate::app::App;
use crate::audio::Request;
use crate::commands::PaneKind;
use crate::keys::Keymap;
use crate::modal::Modal;

fn notes_of<S: crate::audio::UiAudio>(app: &App<S>) -> Vec<Note> {
    app.piano_clip().map(|c| c.notes.values().copied().collect()).unwrap_or_default()
}

#[test]
fn space_plays_and_stops_pause_keeps_the_position_and_the_loop_comes_from_the_piano_roll() {
    let (mut app, sink) = script_app(Project::new("t"));
    press(&mut app, "a Enter 3");
    for _ in 0..8 {
        press(&mut app, "a l");
    }
    assert_eq!(notes_of(&app).len(), 8);
    let p = app.session().project();
    assert_eq!(p.placements.len(), 1, "the first note places its clip at the song start");
    assert_eq!(p.placements.values().next().map(|pl| (pl.start, pl.length)), Some((0, 3840)));
    sink.take();

    // A two-bar loop: select from the start over 16 eighths.
    press(&mut app, "0 v");
    for _ in 0..15 {
        press(&mut app, "l");
    }
    press(&mut app, "L");
    let region = LoopRegion { start: 0, end: 3840 };
    assert_eq!(sink.take(), [Request::Transport(TransportCmd::SetLoop(Some(region)))]);
    press(&mut app, "Space");
    assert_eq!(sink.take(), [Request::Transport(TransportCmd::Play)]);
    assert!(app.transport_text().starts_with("▶ 1.1 · 120 bpm · loop 1.1–3.1"), "{}", app.transport_text());
    press(&mut app, "P");
    assert_eq!(sink.take(), [Request::Transport(TransportCmd::Pause)]);
    assert!(app.transport_text().starts_with('‖'));
    // Back to the song start from the pause: play then starts there.
    press(&mut app, "C-a");
    assert_eq!(sink.take(), [Request::Transport(TransportCmd::Seek(0))]);
    assert!(app.transport_text().starts_with('■'), "{}", app.transport_text());
    press(&mut app, "P Space");
    assert_eq!(sink.take(), [Request::Transport(TransportCmd::Play), Request::Transport(TransportCmd::Stop)]);
    press(&mut app, "C-l");
    assert_eq!(sink.take(), [Request::Transport(TransportCmd::SetLoop(None))]);
    press(&mut app, "C-l");
    assert_eq!(sink.take(), [Request::Transport(TransportCmd::SetLoop(Some(region)))]);

    // Tempo: one bpm per key, undoable.
    press(&mut app, "} } {");
    assert!((app.session().project().tempo - 121.0).abs() < 1e-6);
    press(&mut app, "u");
    assert!((app.session().project().tempo - 120.0).abs() < 1e-6, "quick presses merge into one undo step");
    press(&mut app, "T");
    type_text(&mut app, "9x8.5");
    press(&mut app, "Enter");
    assert!((app.session().project().tempo - 98.5).abs() < 1e-6, "letters are not typed");
    press(&mut app, "T");
    type_text(&mut app, "5000");
    press(&mut app, "Enter");
    assert!(app.message().is_some_and(|m| m.is_error() && m.text.contains("not a tempo")));
    assert!((app.session().project().tempo - 98.5).abs() < 1e-6);
}

#[test]
fn placing_a_note_previews_it_briefly() {
    let (mut app, sink) = script_app(Project::new("t"));
    press(&mut app, "a Enter 3");
    sink.take();
    press(&mut app, "k a");
    let on = sink.take();
    assert_eq!(on, [Request::VoiceOn(InstrumentId(0), 61, VoiceId(0))]);
    app.tick(Instant::now());
    assert!(sink.take().is_empty(), "still sounding");
    app.tick(Instant::now() + Duration::from_secs(1));
    assert_eq!(sink.take(), [Request::VoiceOff(VoiceId(0))]);
}

#[test]
fn notes_move_resize_change_velocity_and_copy_cut_paste_with_undo() {
    let mut app = empty_app();
    press(&mut app, "a Enter 3 a l a l a");
    // The cursor is on the third note (start 480): move it right and up.
    press(&mut app, "A-l A-k");
    let n = notes_of(&app);
    assert_eq!(n.iter().map(|n| (n.pitch, n.start)).collect::<Vec<_>>(), [(60, 0), (60, 240), (61, 720)]);
    // The cursor followed the note: make it longer, softer.
    press(&mut app, "> > [");
    let last = notes_of(&app)[2];
    assert_eq!((last.length, last.velocity), (720, 92));
    press(&mut app, "u u u");
    assert_eq!(notes_of(&app)[2].length, 240);

    // Select the first two notes, copy, paste after the end; cut them.
    press(&mut app, "0 j v l y");
    assert!(app.message().is_some_and(|m| m.text == "copied 2 notes"), "{:?}", app.message());
    press(&mut app, "l l l l l l l p");
    let starts: Vec<u32> = notes_of(&app).iter().map(|n| n.start).collect();
    assert_eq!(starts, [0, 240, 720, 1920, 2160]);
    press(&mut app, "0 v l d");
    let starts: Vec<u32> = notes_of(&app).iter().map(|n| n.start).collect();
    assert_eq!(starts, [720, 1920, 2160], "the cut removed the selection");
    press(&mut app, "u");
    assert_eq!(notes_of(&app).len(), 5);

    // Snap a quarter: new notes are a quarter long, the cursor steps a quarter.
    press(&mut app, "v s");
    assert!(app.message().is_some_and(|m| m.text == "snap 1/4"));
    press(&mut app, "0 J a l a");
    let low: Vec<(u32, u32)> = notes_of(&app).iter().filter(|n| n.pitch == 48).map(|n| (n.start, n.length)).collect();
    assert_eq!(low, [(0, 480), (480, 480)]);
    // A note past the clip's two bars grows the clip and its placement.
    press(&mut app, "0 l l l l l l l l a");
    let clip = app.piano_clip().unwrap();
    assert_eq!(clip.length, 5760);
    let placed: Vec<u32> = app.session().project().placements.values().map(|p| p.length).collect();
    assert_eq!(placed, [5760]);
    press(&mut app, "z z Z");
    assert!(app.message().is_some_and(|m| m.text == "one column = 1/16"), "{:?}", app.message());
}

#[test]
fn musical_typing_plays_the_selected_instrument_with_and_without_key_releases() {
    let (mut app, sink) = script_app(demo_project());
    press(&mut app, "M");
    assert!(app.typing_base().is_some());
    sink.take();
    // No release events: each press is a note of fixed length.
    press(&mut app, "a d x g");
    let req = sink.take();
    assert_eq!(
        req,
        [
            Request::VoiceOn(InstrumentId(0), 60, VoiceId(0)),
            Request::VoiceOn(InstrumentId(0), 64, VoiceId(1)),
            Request::VoiceOn(InstrumentId(0), 79, VoiceId(2)),
        ]
    );
    assert_eq!(app.session().project().note_count(), 5, "typing writes nothing");
    app.tick(Instant::now() + Duration::from_secs(1));
    assert_eq!(sink.take().len(), 3, "all released after the fallback length");

    // With releases: held until the key comes up; repeats are ignored.
    app.set_key_releases(true);
    app.handle_event(&key_event('s', KeyEventKind::Press));
    app.handle_event(&key_event('s', KeyEventKind::Repeat));
    app.handle_event(&key_event('s', KeyEventKind::Press));
    app.tick(Instant::now() + Duration::from_secs(1));
    assert_eq!(sink.take(), [Request::VoiceOn(InstrumentId(0), 74, VoiceId(3))]);
    app.handle_event(&key_event('s', KeyEventKind::Release));
    assert_eq!(sink.take(), [Request::VoiceOff(VoiceId(3))]);
    // Esc leaves; `a` is the instrument list's add key again.
    press(&mut app, "Esc");
    assert!(app.typing_base().is_none());
    press(&mut app, "1 a");
    assert!(matches!(app.modal(), Some(Modal::Picker { .. })));
}

#[test]
fn the_arrangement_places_moves_duplicates_and_deletes_clips() {
    let (mut app, sink) = script_app(demo_project());
    let starts = |app: &App<_>| -> Vec<u32> {
        let mut s: Vec<u32> = app.session().project().placements.values().map(|p| p.start).collect();
        s.sort_unstable();
        s
    };
    assert_eq!(starts(&app), [0, 7680]);
    press(&mut app, "6 D");
    assert_eq!(starts(&app), [0, 3840, 7680], "repeated right after itself");
    press(&mut app, "a");
    assert!(app.message().is_some_and(|m| m.text == "Already placed here"), "the cursor followed the copy");
    // One bar of 4/4 is 1920 ticks: four bars on is just past the last placement.
    press(&mut app, "l l l l a");
    assert_eq!(starts(&app), [0, 3840, 7680, 11520], "{:?}", app.message());
    press(&mut app, "A-l x");
    assert_eq!(starts(&app), [0, 3840, 7680], "moved a bar later, then deleted");
    press(&mut app, "u");
    assert_eq!(starts(&app), [0, 3840, 7680, 13440]);
    press(&mut app, "u");
    assert_eq!(starts(&app), [0, 3840, 7680, 11520]);
    sink.take();
    press(&mut app, "m");
    let clip = *app.session().project().clips.keys().next().unwrap();
    assert_eq!(sink.take(), [Request::Transport(TransportCmd::SetMode(PlayMode::Pattern(clip)))]);
    press(&mut app, "m");
    assert_eq!(sink.take(), [Request::Transport(TransportCmd::SetMode(PlayMode::Song))]);

    // A new empty clip for the row's instrument, placed at the cursor and
    // picked for the piano roll; one undo step takes both back.
    let (clips, placements) = (app.session().project().clips.len(), app.session().project().placements.len());
    press(&mut app, "c");
    let p = app.session().project();
    let new = p.clips.values().max_by_key(|c| c.id).unwrap();
    assert_eq!((p.clips.len(), new.notes.len()), (clips + 1, 0), "{:?}", app.message());
    let at = |p: &imbolc_types::Project| p.placements.values().find(|pl| pl.clip == new.id).map(|pl| pl.start);
    assert_eq!(at(p), Some(13440), "placed at the cursor (where A-l left it)");
    assert_eq!(app.piano_clip().map(|c| c.id), Some(new.id), "picked for the piano roll");
    press(&mut app, "u");
    let p = app.session().project();
    assert_eq!((p.clips.len(), p.placements.len()), (clips, placements));
}

#[test]
fn automation_lanes_and_points_are_added_moved_and_deleted() {
    let mut app = App::new(Session::new(demo_project(), NullSink), None, Keymap::default(), None);
    press(&mut app, "7 a");
    let Some(Modal::LanePicker { items, .. }) = app.modal() else { panic!("no lane picker: {:?}", app.modal()) };
    assert_eq!(items[0].0, "pan", "level has a lane already");
    press(&mut app, "Enter");
    let lanes = || app.session().project().automation.values().cloned().collect::<Vec<_>>();
    let lanes_now = lanes();
    assert_eq!(lanes_now.len(), 2);
    assert!(matches!(lanes_now[1].target, ParamTarget::Mixer { .. }));
    // The new lane (pan) is selected: raise at beat 2 twice from its value 0.
    press(&mut app, "l + +");
    let pan = &app.session().project().automation.values().nth(1).unwrap().points;
    assert_eq!(pan.len(), 1);
    assert!((pan[&480] - 0.2).abs() < 1e-5, "{pan:?}");
    press(&mut app, "A-l");
    let pan = &app.session().project().automation.values().nth(1).unwrap().points;
    assert_eq!(pan.keys().copied().collect::<Vec<_>>(), [960]);
    press(&mut app, "x");
    assert!(app.session().project().automation.values().nth(1).unwrap().points.is_empty());
    press(&mut app, "D");
    assert_eq!(app.session().project().automation.len(), 1);
}

#[test]
fn the_mixer_routes_outputs_and_sends_to_buses() {
    let mut app = App::new(Session::new(demo_project(), NullSink), None, Keymap::default(), None);
    let bus = *app.session().project().buses.keys().next().unwrap();
    press(&mut app, "4 o");
    assert_eq!(app.session().project().instruments[0].mixer.output, OutputTarget::Bus(bus));
    press(&mut app, "o w > >");
    let m = &app.session().project().instruments[0].mixer;
    assert_eq!(m.output, OutputTarget::Master);
    assert_eq!(m.sends.len(), 1);
    assert!((m.sends[0].level - 0.6).abs() < 1e-5);
    press(&mut app, "w");
    assert!(app.session().project().instruments[0].mixer.sends.is_empty(), "w again removes it");
}

#[test]
fn save_as_then_open_reads_off_the_ui_thread_and_asks_over_unsaved_changes() {
    let dir = std::env::temp_dir().join(format!("imbolc-ui-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let saver = BackgroundSaver::spawn().unwrap();
    let mut app = App::new(Session::new(demo_project(), NullSink), None, Keymap::default(), Some(saver));
    press(&mut app, "S");
    assert!(matches!(app.modal(), Some(Modal::Path { .. })));
    type_text(&mut app, &format!("{}/first", dir.display()));
    press(&mut app, "Enter");
    let wait = |app: &mut App<NullSink>, done: &dyn Fn(&App<NullSink>) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !done(app) && Instant::now() < deadline {
            app.tick(Instant::now());
            std::thread::sleep(Duration::from_millis(5));
        }
    };
    wait(&mut app, &|a| a.message().is_some_and(|m| m.text.starts_with("saved")));
    let first = dir.join("first.imbolc");
    assert!(first.exists(), "saved with the extension added: {:?}", app.message());
    assert_eq!(app.session().path(), Some(first.as_path()));

    // An edit, then open: asked first; `o` opens anyway, read in the background.
    press(&mut app, "1 d C-o");
    type_text(&mut app, "fi");
    press(&mut app, "Tab");
    let Some(Modal::Path { text, .. }) = app.modal() else { panic!("no prompt") };
    assert_eq!(text, &first.display().to_string(), "Tab completes the project's name");
    press(&mut app, "Enter");
    assert!(matches!(app.modal(), Some(Modal::ConfirmOpen(_))));
    press(&mut app, "o");
    assert!(app.is_loading());
    wait(&mut app, &|a| !a.is_loading());
    assert_eq!(app.session().project(), &demo_project());
    assert!(!app.session().is_dirty());
    assert_eq!(app.pane(), PaneKind::Instruments);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Issue 19: when the engine stops play by itself (a lost server it could
/// not replace), ▶ goes, the reason shows, and Space plays again rather
/// than sending a stop nobody needs.
#[test]
fn a_stop_by_the_engine_shows_with_its_reason_and_space_plays_again() {
    let (mut app, sink) = script_app(Project::new("t"));
    press(&mut app, "Space");
    assert_eq!(sink.take(), [Request::Transport(TransportCmd::Play)]);
    assert!(app.transport_text().starts_with('▶'));
    let fb = imbolc_audio::engine::EngineFeedback {
        stopped: imbolc_audio::engine::EngineStop { count: 1, reason: "play stopped: no server for 12 s".into() },
        ..Default::default()
    };
    app.set_feedback(&fb);
    assert!(app.transport_text().starts_with('■'), "{}", app.transport_text());
    assert!(app.message().is_some_and(|m| m.text.contains("no server")), "{:?}", app.message());
    press(&mut app, "Space");
    assert_eq!(sink.take(), [Request::Transport(TransportCmd::Play)]);
    // The same stop seen again (every frame) changes nothing.
    app.set_feedback(&fb);
    assert!(app.transport_text().starts_with('▶'));
}
