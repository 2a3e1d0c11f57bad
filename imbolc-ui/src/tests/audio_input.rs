//! Audio input instruments by keys: `i` in the instrument list adds one,
//! the editor's input rows change its source and gain with `h`/`l`, `m`
//! turns monitoring off and on, and undo takes each change back.

use imbolc_types::{AudioInputDef, InputSource};

use super::fixture::{TestApp, demo_app, empty_app, press, render};
use crate::commands::PaneKind;

fn input(app: &TestApp) -> Option<AudioInputDef> {
    let id = app.selected()?;
    app.session().project().instruments.get(&id)?.def.input
}

#[test]
fn i_adds_an_audio_input_and_selects_it() {
    let mut app = empty_app();
    press(&mut app, "1 i");
    let id = app.selected().expect("the new input is selected");
    let inst = &app.session().project().instruments[&id];
    assert_eq!(inst.name, "input");
    assert_eq!(inst.def.input, Some(AudioInputDef::default()));
    press(&mut app, "i");
    let second = app.selected().expect("a second input");
    assert_eq!(app.session().project().instruments[&second].name, "input 2");
    press(&mut app, "u");
    assert_eq!(app.session().project().instruments.len(), 1, "undo removes it");
}

#[test]
fn editor_rows_change_source_and_gain_and_m_toggles_monitoring() {
    let mut app = demo_app();
    press(&mut app, "1 i 2");
    assert_eq!(app.pane(), PaneKind::Editor);
    press(&mut app, "l");
    assert_eq!(input(&app).map(|i| i.source), Some(InputSource::Hardware { first: 2 }));
    press(&mut app, "h h");
    let buses: Vec<_> = app.session().project().buses.keys().copied().collect();
    let last = buses.last().map_or(InputSource::Hardware { first: 6 }, |b| InputSource::Bus(*b));
    assert_eq!(input(&app).map(|i| i.source), Some(last), "h from 1-2 wraps to the last choice");
    press(&mut app, "j l l +");
    assert_eq!(input(&app).map(|i| i.gain_db), Some(1.5));
    press(&mut app, "-");
    assert_eq!(input(&app).map(|i| i.gain_db), Some(1.0));
    press(&mut app, "m");
    assert_eq!(input(&app).map(|i| i.monitor), Some(false));
    press(&mut app, "m");
    assert_eq!(input(&app).map(|i| i.monitor), Some(true));
    press(&mut app, "u u");
    assert_eq!(input(&app).map(|i| (i.monitor, i.gain_db)), Some((true, 1.0)), "undo: off, then on again");
    press(&mut app, "u");
    assert_eq!(input(&app).map(|i| i.gain_db), Some(1.5));
}

#[test]
fn m_on_an_instrument_that_plays_notes_says_what_it_is_for() {
    let mut app = demo_app();
    press(&mut app, "2 m");
    assert!(app.message().is_some_and(|m| m.text.contains("audio input")), "{:?}", app.message());
}

#[test]
fn audio_input_snapshot() {
    let mut app = demo_app();
    press(&mut app, "1 i");
    insta::assert_snapshot!("audio_input_list_80x24", render(&app, 80, 24));
    press(&mut app, "2 l j + m");
    insta::assert_snapshot!("audio_input_editor_80x24", render(&app, 80, 24));
}
