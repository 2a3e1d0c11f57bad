//! The piano roll's probability keys: `(` and `)` change the chance of
//! the note under the cursor (or of the selection) in 10 % steps, one
//! undoable edit per press, shown in the pane title.

use imbolc_types::Note;

use super::fixture::{TestApp, empty_app, press, render};

fn probabilities(app: &TestApp) -> Vec<u8> {
    app.piano_clip().map(|c| c.notes.values().map(|n: &Note| n.probability).collect()).unwrap_or_default()
}

#[test]
fn probability_keys_step_the_note_under_the_cursor_and_undo() {
    let mut app = empty_app();
    press(&mut app, "a Enter 3 a l a l a");
    assert_eq!(probabilities(&app), [100, 100, 100], "new notes always play");
    // The cursor stays on the third note: two steps down.
    press(&mut app, "( (");
    assert_eq!(probabilities(&app), [100, 100, 80]);
    let screen = format!("{}", render(&app, 120, 40));
    assert!(screen.contains("vel 100 len 1/8 80%"), "the title shows it:\n{screen}");
    press(&mut app, "u");
    assert_eq!(probabilities(&app), [100, 100, 90], "one press is one undo step");
    press(&mut app, "C-r");
    assert_eq!(probabilities(&app), [100, 100, 80]);
    press(&mut app, ") ) )");
    assert_eq!(probabilities(&app), [100, 100, 100], "never above 100 %");
    assert!(app.message().is_some_and(|m| m.text == "Already at 100 %"), "{:?}", app.message());
}

#[test]
fn probability_keys_act_on_the_selection_and_stop_at_ten_percent() {
    let mut app = empty_app();
    press(&mut app, "a Enter 3 a l a l a");
    // Select the first two notes.
    press(&mut app, "0 v l");
    for _ in 0..12 {
        press(&mut app, "(");
    }
    assert_eq!(probabilities(&app), [10, 10, 100], "the selection only, down to 10 %");
    press(&mut app, ")");
    assert_eq!(probabilities(&app), [20, 20, 100]);
    press(&mut app, "u");
    assert_eq!(probabilities(&app), [10, 10, 100]);
    press(&mut app, "u");
    assert_eq!(probabilities(&app), [20, 20, 100], "presses that changed nothing left no undo step");
    // With nothing under the cursor and no selection: a message, no edit.
    press(&mut app, "v l l l l (");
    assert_eq!(probabilities(&app), [20, 20, 100]);
    assert!(app.message().is_some_and(|m| m.text.starts_with("No note here")), "{:?}", app.message());
}
