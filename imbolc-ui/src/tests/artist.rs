//! The project's artist (the tag of rendered FLAC, Ogg and MP3 files) is
//! set from the palette (`artist-set`), one undo step, and shown in a
//! dialog pre-filled with the current artist.

use super::fixture::{demo_app, press, render, type_text};
use crate::modal::Modal;

#[test]
fn the_palette_sets_the_artist_in_one_undo_step() {
    let mut app = demo_app();
    assert_eq!(app.session().project().artist, "");
    press(&mut app, ":");
    type_text(&mut app, "artist-set");
    press(&mut app, "Enter");
    assert!(matches!(app.modal(), Some(Modal::Artist { .. })));
    type_text(&mut app, "Brigid & the Fires");
    let screen = format!("{:?}", render(&app, 100, 30));
    assert!(screen.contains("Artist") && screen.contains("Brigid & the Fires"), "{screen}");
    press(&mut app, "Enter");
    assert!(app.modal().is_none());
    assert_eq!(app.session().project().artist, "Brigid & the Fires");

    // The dialog starts from the current artist; Backspace edits it.
    press(&mut app, ":");
    type_text(&mut app, "artist-set");
    press(&mut app, "Enter");
    assert_eq!(app.modal(), Some(&Modal::Artist { text: "Brigid & the Fires".into() }));
    for _ in 0.." & the Fires".len() {
        press(&mut app, "Backspace");
    }
    press(&mut app, "Enter");
    assert_eq!(app.session().project().artist, "Brigid");

    press(&mut app, "u");
    assert_eq!(app.session().project().artist, "Brigid & the Fires", "undo gives the old artist back");
    press(&mut app, "u");
    assert_eq!(app.session().project().artist, "");
}
