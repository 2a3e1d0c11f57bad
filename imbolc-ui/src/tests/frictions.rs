//! Frictions found in a keys-only pass: help closes with `Esc` and `q`
//! (which then does not quit), undo and redo say what they did, `8` shows
//! an existing kit, a drum step's chance to play has keys, and a new note
//! keeps the cursor so the next key edits it.

use imbolc_types::DrumPattern;

use super::fixture::{TestApp, demo_app, empty_app, press, render};
use crate::commands::PaneKind;

fn text(app: &TestApp) -> String {
    app.message().map(|m| m.text.clone()).unwrap_or_default()
}

#[test]
fn help_closes_with_esc_and_q_back_to_its_pane() {
    let mut app = demo_app();
    press(&mut app, "4 ?");
    assert_eq!(app.pane(), PaneKind::Help);
    press(&mut app, "Esc");
    assert_eq!(app.pane(), PaneKind::Mixer);
    press(&mut app, "? q");
    assert_eq!(app.pane(), PaneKind::Mixer);
    assert!(!app.should_quit(), "q in help closes help only");
}

#[test]
fn undo_and_redo_say_what_they_did() {
    let mut app = empty_app();
    press(&mut app, "a Enter 3 a");
    press(&mut app, "u");
    assert_eq!(text(&app), "undid: add notes");
    press(&mut app, "C-r");
    assert_eq!(text(&app), "redid: add notes");
    // The first note's clip and placement went with it, in one step.
    press(&mut app, "u");
    assert_eq!(text(&app), "undid: add notes");
    assert!(app.session().project().clips.is_empty() && app.session().project().placements.is_empty());
    press(&mut app, "u");
    assert_eq!(text(&app), "undid: add instrument");
    press(&mut app, "u");
    assert_eq!(text(&app), "nothing to undo");
}

#[test]
fn a_new_note_keeps_the_cursor_so_the_next_key_edits_it() {
    let mut app = empty_app();
    press(&mut app, "a Enter 3 a >");
    let clip = app.piano_clip().expect("a clip");
    let lengths: Vec<u32> = clip.notes.values().map(|n| n.length).collect();
    assert_eq!(lengths, [480], "> lengthened the new note: {}", text(&app));
}

fn pattern(app: &TestApp) -> Option<&DrumPattern> {
    let kit = app.selected()?;
    app.session().project().clips.values().filter(|c| c.instrument == kit).find_map(|c| c.drums.as_ref())
}

#[test]
fn the_drum_pane_shows_the_kit_and_steps_change_their_chance() {
    let mut app = demo_app();
    press(&mut app, "8 a");
    let kit = app.selected().expect("a kit");
    // Back on another instrument, 8 goes to the kit instead of offering a new one.
    press(&mut app, "1 k 8");
    assert_eq!(app.selected(), Some(kit));
    press(&mut app, "Enter ( ( (");
    let step = pattern(&app).and_then(|p| p.hits.values().next().copied()).expect("a step");
    assert_eq!(step.probability, 70);
    press(&mut app, "u");
    assert_eq!(pattern(&app).and_then(|p| p.hits.values().next()).map(|s| s.probability), Some(80));
    press(&mut app, ") ) ) )");
    assert_eq!(pattern(&app).and_then(|p| p.hits.values().next()).map(|s| s.probability), Some(100));
}

#[test]
fn a_new_drum_pattern_is_placed_so_song_mode_plays_it_and_the_grid_shows_the_playhead() {
    let mut app = empty_app();
    press(&mut app, "8 a Enter");
    let kit = app.selected().expect("a kit");
    let project = app.session().project();
    let clip = project.clips.values().find(|c| c.instrument == kit).expect("a pattern clip");
    let placed: Vec<(u32, u32)> =
        project.placements.values().filter(|p| p.clip == clip.id).map(|p| (p.start, p.length)).collect();
    assert_eq!(placed, [(0, clip.length)], "placed at the playhead's bar");
    // A second step adds no second placement.
    press(&mut app, "l Enter");
    assert_eq!(app.session().project().placements.len(), 1);

    let mut feedback = super::fixture::demo_feedback();
    feedback.transport.tick = 5 * 120;
    app.set_feedback(&feedback);
    let screen = format!("{}", render(&app, 120, 40));
    let header = screen.lines().find(|l| l.contains('▼')).expect("a playhead in the header");
    let column = header.chars().position(|c| c == '▼').unwrap();
    let grid = screen.lines().find(|l| l.contains("kick")).unwrap();
    let first = grid.chars().position(|c| c == '█').unwrap();
    assert_eq!(column, first + 5 * 2, "the playhead is on step 6:\n{screen}");
}

#[test]
fn curve_shapes_cycle_per_segment_and_undo() {
    let mut app = demo_app();
    // The demo's first instrument has a level lane; its first point's segment.
    press(&mut app, "1 7");
    let lane = |app: &TestApp| app.session().project().automation.values().next().cloned().expect("a lane");
    let first = *lane(&app).points.keys().next().expect("a point");
    let before = lane(&app).curve_at(first);
    let beats = first / imbolc_types::TICKS_PER_QUARTER;
    press(&mut app, &"l ".repeat(beats as usize));
    press(&mut app, "c");
    let after = lane(&app).curve_at(first);
    assert_ne!(before, after, "{}", text(&app));
    press(&mut app, "c c c");
    assert_eq!(lane(&app).curve_at(first), before, "four presses go round");
    press(&mut app, "u");
    assert_ne!(lane(&app).curve_at(first), before, "each press is one undo step");
    let screen = format!("{}", render(&app, 120, 40));
    assert!(screen.contains(lane(&app).curve_at(first).label()), "the title names the curve:\n{screen}");
}

#[test]
fn knob_moves_while_playing_are_recorded_into_a_lane_as_one_undo_step() {
    let mut app = demo_app();
    press(&mut app, "7 r");
    assert!(text(&app).contains("armed"), "{}", text(&app));
    let screen = format!("{}", render(&app, 120, 40));
    assert!(screen.contains("● auto"), "the status line shows it:\n{screen}");
    let lanes_before = app.session().project().automation.len();
    // Pan has no lane yet: moving it while playing records one.
    press(&mut app, "Space 4 ] ]");
    let mut feedback = super::fixture::demo_feedback();
    feedback.transport.tick = 2400;
    app.set_feedback(&feedback);
    press(&mut app, "]");
    press(&mut app, "Space");
    assert!(text(&app).contains("recorded automation"), "{}", text(&app));
    let project = app.session().project();
    assert_eq!(project.automation.len(), lanes_before + 1, "a pan lane was made");
    let pan = project.automation.values().last().expect("the pan lane");
    assert!(pan.points.len() >= 2, "{:?}", pan.points);
    assert!(pan.points.contains_key(&2400), "the move at the playhead: {:?}", pan.points);
    press(&mut app, "u");
    assert_eq!(app.session().project().automation.len(), lanes_before, "one undo takes the whole pass back");
    assert_eq!(text(&app), "undid: record automation");
}

#[test]
fn the_palette_finds_commands_by_other_words_and_shows_the_whole_help() {
    let first = |q: &str| crate::palette::matches(q).first().map(|c| c.name);
    assert_eq!(first("export"), Some("render"));
    assert_eq!(first("curve"), Some("curve-shape"));
    let mut app = demo_app();
    press(&mut app, ":");
    super::fixture::type_text(&mut app, "curve");
    let screen = format!("{}", render(&app, 80, 24));
    // The help is wrapped under the list, not cut at the palette's edge.
    assert!(screen.contains("point at or before the cursor"), "{screen}");
}

/// The screen at 80×24, for snapshots of the fixed frictions.
fn narrow(app: &TestApp) -> ratatui::backend::TestBackend {
    render(app, 80, 24)
}

#[test]
fn small_frictions_fixed() {
    // Dotted lengths are named as such.
    let mut app = empty_app();
    press(&mut app, "a Enter 3 a > >");
    let screen = format!("{}", narrow(&app));
    assert!(screen.contains("len 1/4."), "a dotted quarter:\n{screen}");
    // Copy and paste end the selection.
    press(&mut app, "v y");
    assert!(app.piano_roll_selection().is_none(), "copy ends the selection");

    // A pad switched to another voice gets a name of its own.
    let mut app = demo_app();
    press(&mut app, "8 a v");
    let kit = app.selected().expect("a kit");
    let names: Vec<String> = app.session().project().instruments[&kit]
        .def
        .drums
        .as_ref()
        .unwrap()
        .pads
        .iter()
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(names[0], "snare 2", "{names:?}");

    // Duplicating says what is not copied.
    press(&mut app, "1 D");
    assert!(text(&app).contains("clips and lanes stay with the original"), "{}", text(&app));

    // A send reads whole at 80 columns.
    let mut app = demo_app();
    press(&mut app, "4 w");
    insta::assert_snapshot!("friction_mixer_send_80x24", narrow(&app));
}

#[test]
fn the_piano_roll_opens_where_the_notes_are() {
    let mut app = empty_app();
    press(&mut app, "a Enter 3 J J a l a 1 3");
    let screen = format!("{}", narrow(&app));
    assert!(screen.contains("C2"), "the cursor's octave is in view:\n{screen}");
    insta::assert_snapshot!("friction_piano_roll_low_notes_80x24", narrow(&app));
}

#[test]
fn a_long_message_takes_the_whole_status_line_at_80_columns() {
    let mut app = demo_app();
    app.error("cannot load pad 3: /home/someone/samples/a very long folder name/kick.wav is not a sound file");
    insta::assert_snapshot!("friction_status_message_80x24", narrow(&app));
}

#[test]
fn c_g_shows_the_message_history_in_full() {
    let mut app = demo_app();
    for n in 0..60 {
        app.inform(format!("message {n}"));
    }
    app.error("cannot load pad 3: /home/someone/samples/a very long folder name/kick.wav is not a sound file");
    assert_eq!(app.message_history().count(), crate::app::MESSAGE_HISTORY);
    press(&mut app, "C-g");
    let screen = format!("{}", narrow(&app));
    assert!(screen.contains("kick.wav is not a"), "the last message, wrapped in full:\n{screen}");
    assert!(screen.contains("message 59") && !screen.contains("message 9 "), "newest in view:\n{screen}");
    insta::assert_snapshot!("friction_messages_80x24", narrow(&app));
    press(&mut app, "j");
    assert!(app.modal().is_none(), "any key closes it");
}

#[test]
fn a_line_of_the_panes_keys_shows_and_c_k_hides_it() {
    let mut app = demo_app();
    press(&mut app, "3");
    let screen = format!("{}", narrow(&app));
    assert!(screen.contains(" a add · x delete · K octave-up"), "{screen}");
    press(&mut app, "C-k");
    let screen = format!("{}", narrow(&app));
    assert!(!screen.contains("x delete"), "{screen}");
}

#[test]
fn arrangement_bar_numbers_past_nine_read_whole() {
    let mut app = demo_app();
    press(&mut app, "6");
    let screen = format!("{}", render(&app, 120, 40));
    let header = screen.lines().nth(2).unwrap_or_default().to_owned();
    for n in ["9", "10", "11", "12"] {
        assert!(header.split_whitespace().any(|w| w == n), "bar {n} in the header: {header:?}");
    }
}

#[test]
fn the_selected_lane_is_drawn_four_rows_high_with_its_range() {
    let mut app = demo_app();
    press(&mut app, "1 7");
    let screen = format!("{}", narrow(&app));
    let lines: Vec<&str> = screen.lines().collect();
    let at = lines.iter().position(|l| l.contains("level")).expect("the lane");
    assert!(lines[at + 1].contains("top 2") && lines[at + 3].contains("bottom 0"), "{screen}");
    assert!(lines[at + 3].contains('█') && lines[at + 2].contains('●'), "the curve over the rows:\n{screen}");
}

/// A fill is a copy of the pattern: `C` in the arrangement copies the
/// selected clip, the drum pane then edits the copy (not the first
/// pattern), and `a` places it; picking another row goes back to it.
#[test]
fn a_copied_pattern_is_edited_and_placed_as_a_fill() {
    let mut app = empty_app();
    press(&mut app, "8 a Enter");
    let kit = app.selected().expect("a kit");
    let clips = |app: &TestApp| -> Vec<(String, usize)> {
        let p = app.session().project();
        let steps = |c: &imbolc_types::Clip| c.drums.as_ref().map_or(0, |d| d.hits.len());
        p.clips.values().filter(|c| c.instrument == kit).map(|c| (c.name.clone(), steps(c))).collect()
    };
    let first = clips(&app)[0].0.clone();
    assert_eq!(first, "pattern 0");
    press(&mut app, "6 C");
    assert!(text(&app).contains("edit it in the drum pane (8)"), "{}", text(&app));
    press(&mut app, "8 l l Enter");
    let now = clips(&app);
    assert_eq!(now, [(first.clone(), 1), ("pattern 1".to_owned(), 2)], "the copy got the new step");
    let screen = format!("{:?}", render(&app, 100, 30).buffer());
    assert!(screen.contains("pattern 1"), "the drum pane names the copy");

    // Placed in bar 2.
    press(&mut app, "6 l a");
    let p = app.session().project();
    let copy = p.clips.values().find(|c| c.name == "pattern 1").expect("copy").id;
    assert!(p.placements.values().any(|pl| pl.clip == copy && pl.start == 1920), "placed at bar 2");
    press(&mut app, "k 8 h h Enter");
    assert_eq!(clips(&app)[0].1, 0, "back on the first pattern, Enter cleared its step");
    press(&mut app, "u u u u");
    assert_eq!(clips(&app), [(first, 1)], "each edit is one undo step: the copy goes");
}

/// The lane picker filters as the other pickers do: `cutoff` leaves the
/// filter's cutoff, Enter automates it.
#[test]
fn typing_in_the_lane_picker_filters_it() {
    let mut app = demo_app();
    press(&mut app, "7 a");
    super::fixture::type_text(&mut app, "cutoff");
    let screen = format!("{}", render(&app, 80, 24));
    assert!(screen.contains("filter cutoff") && !screen.contains("resonance"), "{screen}");
    press(&mut app, "Enter");
    let lanes: Vec<_> = app.session().project().automation.values().map(|l| l.target.clone()).collect();
    assert!(
        lanes.iter().any(|t| matches!(t, imbolc_types::ParamTarget::Filter { param, .. } if param == "cutoff")),
        "{lanes:?}"
    );
}

/// At 80 columns a message sits after the name and the transport, which
/// stay in view; the server state is cut with `…` to make room.
#[test]
fn a_message_leaves_the_transport_in_view_at_80_columns() {
    let mut app = demo_app();
    app.inform("recording after 1 bar(s) of count-in".to_owned());
    let screen = format!("{}", render(&app, 80, 24));
    let status = screen.lines().rev().find(|l| l.contains("count-in")).expect("the message");
    assert!(status.contains("■ 1.3 · 120 bpm") && status.contains("scsynth: ") && status.contains('…'), "{status}");
}

/// Every pane reached by its key in an empty project says what to do
/// next (a key to press), instead of showing an empty frame.
#[test]
fn empty_panes_say_what_to_do_next() {
    for key in ["1", "2", "3", "4", "6", "7", "8", "9"] {
        let mut app = empty_app();
        press(&mut app, key);
        let screen = format!("{}", render(&app, 80, 24));
        let body: String = screen.lines().skip(1).take(4).collect();
        let hint = ["Press a", "instrument list (1)", "piano roll (3)"].iter().any(|h| body.contains(h));
        assert!(hint, "pane {key} says nothing about what to do:\n{screen}");
    }
}
