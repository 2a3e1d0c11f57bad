//! Key sequences through the app, without a terminal, asserting the
//! project they leave behind.

use std::time::{Duration, Instant};

use imbolc_core::Session;
use imbolc_core::persist::BackgroundSaver;
use imbolc_core::session::NullSink;
use imbolc_types::{EffectKind, FilterKind, InstrumentId, Note, OutputTarget, Project, SourceKind};

use super::fixture::{demo_app, empty_app, press, type_text};
use crate::app::App;
use crate::commands::PaneKind;
use crate::keys::Keymap;
use crate::modal::Modal;

#[test]
fn a_saw_with_reverb_and_notes_then_undo() {
    let mut app = empty_app();
    // Add an instrument: the picker starts on saw.
    press(&mut app, "a");
    assert!(matches!(app.modal(), Some(Modal::Picker { .. })));
    press(&mut app, "Enter");
    let p = app.session().project();
    assert_eq!(p.instruments.len(), 1);
    let saw = p.instruments.values().next().unwrap();
    assert_eq!((saw.name.as_str(), saw.def.source.kind), ("saw", SourceKind::SAW));
    assert_eq!(app.selected(), Some(saw.id));

    // Add a reverb in the editor: `r` jumps to it in the picker.
    press(&mut app, "2 a r Enter");
    let effects = &app.session().project().instruments[0].def.effects;
    assert_eq!(effects.iter().map(|e| e.kind).collect::<Vec<_>>(), [EffectKind::REVERB]);

    // Eight eighth notes rising from C4 in the piano roll; the first makes the clip.
    press(&mut app, "3");
    for _ in 0..8 {
        press(&mut app, "a l k");
    }
    let clip = app.piano_clip().expect("a clip was created");
    assert_eq!(clip.length, 3840, "two bars of 4/4");
    let notes: Vec<Note> = clip.notes.values().copied().collect();
    assert_eq!(notes.len(), 8);
    for (i, n) in notes.iter().enumerate() {
        let i = u32::try_from(i).unwrap();
        assert_eq!((n.pitch, n.start, n.length), (60 + u8::try_from(i).unwrap(), i * 240, 240));
    }

    // Delete the note under the cursor after moving back onto the last one.
    press(&mut app, "j h x");
    assert_eq!(app.piano_clip().unwrap().notes.len(), 7);
    press(&mut app, "u");
    assert_eq!(app.piano_clip().unwrap().notes.len(), 8, "undo brings the note back");
    press(&mut app, "u u");
    assert_eq!(app.piano_clip().unwrap().notes.len(), 6);
    press(&mut app, "C-r");
    assert_eq!(app.piano_clip().unwrap().notes.len(), 7);
    assert!(app.session().is_dirty());
}

#[test]
fn instruments_are_renamed_duplicated_reordered_and_deleted() {
    let mut app = empty_app();
    press(&mut app, "a Enter a Down Enter");
    let names = |app: &super::fixture::TestApp| -> Vec<String> {
        app.session().project().instruments.values().map(|i| i.name.clone()).collect()
    };
    assert_eq!(names(&app), ["saw", "sine"]);
    assert_eq!(app.selected(), Some(InstrumentId(1)), "a new instrument is selected");

    press(&mut app, "r");
    press(&mut app, "Backspace Backspace Backspace Backspace");
    type_text(&mut app, "pad");
    press(&mut app, "Enter");
    assert_eq!(names(&app), ["saw", "pad"]);

    press(&mut app, "K");
    assert_eq!(names(&app), ["pad", "saw"], "moved up");
    press(&mut app, "D");
    assert_eq!(names(&app), ["pad", "pad copy", "saw"], "the copy goes right after the original");
    press(&mut app, "j d");
    assert_eq!(names(&app), ["pad", "saw"]);
    assert!(app.selected().is_some_and(|id| app.session().project().instruments.contains_key(&id)));
    press(&mut app, "u");
    assert_eq!(names(&app), ["pad", "pad copy", "saw"], "undo restores it in place");
}

#[test]
fn the_editor_sets_params_filter_and_effect_chain() {
    let mut app = demo_app();
    // Bass: amp 0.3 → two steps of 1/50 up.
    press(&mut app, "2 l l");
    let bass = &app.session().project().instruments[0];
    assert!((bass.def.source.params["amp"] - 0.34).abs() < 1e-5, "{}", bass.def.source.params["amp"]);
    // Rows: amp, detune, bright, attack, decay, sustain, release, 5 voice
    // rows, 5 LFO rows, filter, cutoff, resonance, 6 filter envelope and
    // key tracking rows, reverb, 3 params, delay, 3 params.
    press(&mut app, "j j j l");
    let attack = app.session().project().instruments[0].def.amp_env.attack;
    assert!((attack - 0.0125).abs() < 1e-6, "times step by a quarter: {attack}");
    press(&mut app, "j j j j j j j j j j j j j j j h");
    let cutoff = app.session().project().instruments[0].def.filter.as_ref().unwrap().params["cutoff"];
    assert!((cutoff - 2000.0 / 1.1).abs() < 0.1, "frequencies step by ten percent: {cutoff}");
    // The filter envelope's amount steps by a quarter octave.
    press(&mut app, "j j l l");
    let amount = app.session().project().instruments[0].def.filter.as_ref().unwrap().env.amount;
    assert!((amount - 0.5).abs() < 1e-6, "{amount}");
    // Onto the reverb: bypass, then move it after the delay.
    press(&mut app, "j j j j j j b");
    let fx = &app.session().project().instruments[0].def.effects;
    assert_eq!((fx[0].kind, fx[0].enabled), (EffectKind::REVERB, false));
    press(&mut app, "J");
    let fx = &app.session().project().instruments[0].def.effects;
    assert_eq!(fx.iter().map(|e| e.kind).collect::<Vec<_>>(), [EffectKind::DELAY, EffectKind::REVERB]);
    // The cursor followed the reverb: remove it.
    press(&mut app, "x");
    let fx = &app.session().project().instruments[0].def.effects;
    assert_eq!(fx.iter().map(|e| e.kind).collect::<Vec<_>>(), [EffectKind::DELAY]);
    // Filter off and on again.
    press(&mut app, "f");
    assert!(app.session().project().instruments[0].def.filter.is_none());
    press(&mut app, "f");
    assert_eq!(app.session().project().instruments[0].def.filter.as_ref().map(|f| f.kind), Some(FilterKind::LOW_PASS));
}

/// h/l on the filter row step through the filter types: cutoff and
/// resonance keep their values, new parameters start at their defaults,
/// and one undo restores the previous filter.
#[test]
fn the_editor_changes_the_filter_type_keeping_shared_params() {
    let mut app = demo_app();
    let filter = |app: &super::fixture::TestApp| app.session().project().instruments[0].def.filter.clone().unwrap();
    // The cutoff row (see above), one step down, then up onto the filter row.
    press(&mut app, "2 j j j j j j j j j j j j j j j j j j h k");
    let before = filter(&app);
    assert_eq!(before.kind, FilterKind::LOW_PASS);
    press(&mut app, "l");
    let after = filter(&app);
    assert_eq!(after.kind, FilterKind::LOW_PASS.cycle(true));
    assert_eq!(after.params["cutoff"], before.params["cutoff"], "cutoff kept");
    assert_eq!(after.params["resonance"], before.params["resonance"], "resonance kept");
    assert_eq!(after.params["drive"], 0.2, "the ladder's drive starts at its default");
    press(&mut app, "h h");
    assert_eq!(filter(&app).kind, FilterKind::ALL[FilterKind::COUNT - 1], "h wraps to the last type");
    press(&mut app, "u");
    assert_eq!(filter(&app).kind, FilterKind::LOW_PASS, "one undo per change");
    press(&mut app, "u u");
    assert_eq!(filter(&app), before, "back to the low-pass with its values");
}

#[test]
fn the_mixer_sets_level_pan_mute_and_solo() {
    let mut app = demo_app();
    press(&mut app, "4 k k ] ] [ s");
    let bass = &app.session().project().instruments[0].mixer;
    assert!((bass.level - 0.9).abs() < 1e-5);
    assert!((bass.pan - 0.1).abs() < 1e-5);
    assert!(bass.solo);
    assert_eq!(bass.output, OutputTarget::Master);
    // `l` moves to the pad strip and selects it; it is muted: unmute.
    press(&mut app, "l m");
    assert_eq!(app.selected(), Some(InstrumentId(1)));
    assert!(!app.session().project().instruments[1].mixer.mute);
    // Over the lead and the bus to the master: lower it, mute it.
    press(&mut app, "l l l j m");
    let master = &app.session().project().master;
    assert!((master.level - 0.95).abs() < 1e-5);
    assert!(master.mute);
    // A level never leaves its range.
    press(&mut app, "h h h h");
    for _ in 0..50 {
        press(&mut app, "k");
    }
    assert!((app.session().project().instruments[0].mixer.level - 2.0).abs() < 1e-5);
}

#[test]
fn quit_asks_only_when_there_are_unsaved_changes() {
    let mut app = empty_app();
    press(&mut app, "q");
    assert!(app.should_quit(), "a fresh project quits at once");

    let mut app = empty_app();
    press(&mut app, "a Enter q");
    assert!(!app.should_quit());
    assert_eq!(app.modal(), Some(&Modal::ConfirmQuit));
    press(&mut app, "Esc");
    assert!(!app.should_quit() && app.modal().is_none(), "Esc cancels");
    // Save and quit without a file: the error is shown and imbolc stays.
    press(&mut app, "q y");
    assert!(!app.should_quit());
    assert!(app.message().is_some_and(|m| m.is_error() && m.text.contains("no file")));
    press(&mut app, "q n");
    assert!(app.should_quit());
}

#[test]
fn ctrl_s_saves_in_the_background_and_the_file_opens_again() {
    let dir = std::env::temp_dir().join(format!("imbolc-ui-save-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("song.imbolc");
    let saver = BackgroundSaver::spawn().unwrap();
    let session = Session::new(Project::new("song"), NullSink);
    let mut app = App::new(session, Some(path.clone()), Keymap::default(), Some(saver));
    press(&mut app, "a Enter 2 a r Enter 3 a l a l a");
    press(&mut app, "C-s");
    // The save finishes on the saver thread; the app learns of it on a tick.
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.session().is_dirty() && Instant::now() < deadline {
        app.tick(Instant::now());
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(!app.session().is_dirty(), "saved: {:?}", app.message());
    assert!(app.message().is_some_and(|m| !m.is_error() && m.text.starts_with("saved")));
    // Quit with nothing unsaved is immediate.
    press(&mut app, "q");
    assert!(app.should_quit());

    let (reopened, _) = Session::open(&path, NullSink).unwrap();
    assert_eq!(reopened.project(), app.session().project());
    assert_eq!(reopened.project().note_count(), 3);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_palette_runs_commands_by_fuzzy_name() {
    let mut app = demo_app();
    press(&mut app, ":");
    type_text(&mut app, "piano");
    press(&mut app, "Enter");
    assert_eq!(app.pane(), PaneKind::PianoRoll);
    // A pane command from elsewhere switches to its pane first.
    press(&mut app, ":");
    type_text(&mut app, "effect-add");
    press(&mut app, "Enter");
    assert_eq!(app.pane(), PaneKind::Editor);
    assert!(matches!(app.modal(), Some(Modal::Picker { .. })));
    press(&mut app, "Esc");
    assert!(app.modal().is_none());
    // Typing in a dialog never runs commands: `q` is just a letter.
    press(&mut app, ":");
    type_text(&mut app, "q");
    assert!(!app.should_quit());
    press(&mut app, "Esc");
}

#[test]
fn panes_switch_by_number_tab_and_help_returns() {
    let mut app = demo_app();
    press(&mut app, "Tab");
    assert_eq!(app.pane(), PaneKind::Editor);
    press(&mut app, "S-Tab S-Tab");
    assert_eq!(app.pane(), PaneKind::Help);
    press(&mut app, "4 ?");
    assert_eq!(app.pane(), PaneKind::Help);
    press(&mut app, "?");
    assert_eq!(app.pane(), PaneKind::Mixer, "? again goes back");
    press(&mut app, "5 3 1");
    assert_eq!(app.pane(), PaneKind::Instruments);
}

#[test]
fn refused_edits_show_why_and_change_nothing() {
    let mut app = empty_app();
    press(&mut app, "d");
    assert!(app.message().is_some_and(|m| m.text.contains("No instrument")));
    press(&mut app, "3 a");
    assert_eq!(app.session().project(), &Project::new("empty"));
    assert!(!app.session().is_dirty());
    press(&mut app, "u");
    assert!(app.message().is_some_and(|m| m.text == "nothing to undo"));
}

#[test]
fn an_unreadable_file_is_reported_and_never_written() {
    let dir = std::env::temp_dir().join(format!("imbolc-ui-open-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("junk.imbolc");
    let junk = b"this is not a project file".repeat(100);
    std::fs::write(&path, &junk).unwrap();
    let opened = crate::open::open(Some(&path), NullSink, || Ok(NullSink)).unwrap();
    assert!(opened.path.is_none(), "no path: nothing can overwrite the file");
    assert!(opened.problem.as_deref().is_some_and(|p| p.contains("cannot open") && p.contains("untouched")));
    let mut app = App::new(opened.session, opened.path, Keymap::default(), Some(BackgroundSaver::spawn().unwrap()));
    press(&mut app, "a Enter C-s");
    assert!(app.message().is_some_and(|m| m.is_error() && m.text.contains("no file")));
    drop(app);
    assert_eq!(std::fs::read(&path).unwrap(), junk);

    // A missing file: a new project named after it, saved there later.
    let new = dir.join("new song.imbolc");
    let opened = crate::open::open(Some(&new), NullSink, || Ok(NullSink)).unwrap();
    assert_eq!(opened.path.as_deref(), Some(new.as_path()));
    assert_eq!(opened.session.project().name, "new song");
    assert!(!new.exists(), "nothing is written before a save");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_redraw_is_due_only_when_feedback_changes() {
    let mut app = empty_app();
    let mut fb = super::fixture::demo_feedback();
    assert!(app.set_feedback(&fb), "first feedback differs from the default");
    assert!(!app.set_feedback(&fb), "same feedback: nothing to draw");
    let mut meters = fb.meters.clone();
    let reading = imbolc_audio::engine::MeterReading {
        owner: imbolc_types::ChainOwner::Master,
        peak: [0.1, 0.1],
        rms: [0.05, 0.05],
        pre_limit: None,
    };
    meters.record(&reading, 1);
    fb.meters = meters;
    assert!(app.set_feedback(&fb), "a meter moved");
    assert!(!app.tick(Instant::now()), "no save finished, nothing to draw");
}

#[test]
fn a_newer_autosave_copy_is_offered_and_restored_on_r() {
    use imbolc_core::persist::{save, save_recovery};
    let dir = std::env::temp_dir().join(format!("imbolc-ui-recover-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("song.imbolc");
    let saved = Project::new("song");
    let mut autosaved = super::fixture::demo_project();
    autosaved.name = "song".into();
    save(&path, &saved).unwrap();
    save_recovery(&path, &autosaved).unwrap();

    for (keys, expected, dirty) in [("Esc", &saved, false), ("k", &saved, false), ("r", &autosaved, true)] {
        let opened = crate::open::open(Some(&path), NullSink, || Ok(NullSink)).unwrap();
        assert!(opened.recovery && opened.problem.is_none());
        let mut app = App::new(opened.session, opened.path, Keymap::default(), None);
        app.offer_recovery();
        assert_eq!(app.modal(), Some(&Modal::Recovery));
        press(&mut app, keys);
        assert!(app.modal().is_none());
        assert_eq!(app.session().project(), expected, "after {keys}");
        assert_eq!(app.session().is_dirty(), dirty, "after {keys}");
        if dirty {
            assert_eq!(app.selected(), Some(InstrumentId(0)), "the restored project's first instrument");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn tapping_t_sets_the_tempo() {
    let mut app = empty_app();
    press(&mut app, "t");
    std::thread::sleep(Duration::from_millis(300));
    press(&mut app, "t");
    let bpm = app.session().project().tempo;
    // Real time between two key presses: about 200 BPM, give or take the
    // machine's scheduling (never asserted closely).
    assert!(bpm > 20.0 && bpm < 200.5 && bpm != 120.0, "tempo {bpm}");
}

/// Issue 19: what the server refuses is shown, not only logged: a count in
/// the status line, the latest in the server pane and as a message.
#[test]
fn server_refusals_show_in_the_status_line_the_server_pane_and_a_message() {
    let mut app = super::fixture::demo_app();
    let mut fb = super::fixture::demo_feedback();
    fb.refusals = imbolc_audio::engine::Refusals {
        count: 2,
        last: "DelayC_Ctor: alloc failed, increase server's RT memory".into(),
    };
    assert!(app.set_feedback(&fb));
    assert!(app.message().is_some_and(|m| m.text.contains("scsynth refused: DelayC_Ctor")), "{:?}", app.message());
    let text = |app: &super::fixture::TestApp| {
        let backend = super::fixture::render(app, 120, 30);
        backend.buffer().content.iter().map(|c| c.symbol()).collect::<String>()
    };
    assert!(text(&app).contains("⚠ 2 refused"), "{}", text(&app));
    super::fixture::press(&mut app, "5");
    assert!(text(&app).contains("Refused    2 (last: DelayC_Ctor"), "{}", text(&app));
}
