//! Checkpoints from the keyboard: `C-n` names the current state, `@`
//! lists the checkpoints with what changed since, `Enter` restores one at
//! once (no question: `u` takes it back).

use imbolc_types::Action;

use super::fixture::{demo_app, press, render, type_text};

#[test]
fn name_edit_restore_and_undo_from_the_keyboard() {
    let mut app = demo_app();
    press(&mut app, "C-n");
    type_text(&mut app, "verse done");
    let screen = format!("{:?}", render(&app, 100, 30));
    assert!(screen.contains("New checkpoint") && screen.contains("verse done"), "{screen}");
    press(&mut app, "Enter");
    assert_eq!(app.session().checkpoints().len(), 1);
    assert_eq!(app.session().checkpoints()[0].name, "verse done");
    let at_checkpoint = app.session().project().clone();

    let instrument = *app.session().project().instruments.keys().next().unwrap();
    app.session_mut().dispatch(Action::RemoveInstrument { instrument }).unwrap();
    let before = app.session().project().clone();

    press(&mut app, "@");
    let screen = format!("{:?}", render(&app, 110, 30));
    assert!(screen.contains("Checkpoints") && screen.contains("1 instrument removed"), "{screen}");
    press(&mut app, "Enter");
    assert_eq!(*app.session().project(), at_checkpoint, "Enter restores the checkpoint");
    assert!(app.message().is_some_and(|m| m.text.contains("restored")));

    press(&mut app, "u");
    assert_eq!(*app.session().project(), before, "u takes the restore back");
}

#[test]
fn a_taken_name_is_refused_and_esc_cancels() {
    let mut app = demo_app();
    press(&mut app, "C-n");
    type_text(&mut app, "a");
    press(&mut app, "Enter C-n");
    type_text(&mut app, "a");
    press(&mut app, "Enter");
    assert!(app.message().is_some_and(|m| m.is_error() && m.text.contains("already")));
    press(&mut app, "C-n");
    type_text(&mut app, "b");
    press(&mut app, "Esc");
    assert_eq!(app.session().checkpoints().len(), 1);
    // The list opens empty-handed too and closes with Esc.
    press(&mut app, "@ Esc");
    assert!(render(&app, 80, 24).buffer().content().iter().all(|c| c.symbol() != "▏"));
}

#[test]
fn the_checkpoint_list_snapshot() {
    let mut app = demo_app();
    app.session_mut().checkpoint_at("intro", 1_796_600_000_000).unwrap();
    let clip = *app.session().project().clips.iter().find(|(_, c)| c.drums.is_none()).unwrap().0;
    let note = imbolc_types::Note::new(60, 100, 0, 120);
    app.session_mut().dispatch(Action::AddNote { clip, note }).unwrap();
    app.session_mut().checkpoint_at("verse done", 1_796_610_213_000).unwrap();
    let instrument = *app.session().project().instruments.keys().next().unwrap();
    app.session_mut().dispatch(Action::RemoveInstrument { instrument }).unwrap();
    press(&mut app, "@");
    insta::assert_snapshot!("checkpoint_list_100x20", render(&app, 100, 20));
}
