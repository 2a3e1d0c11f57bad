//! Every pane of the demo project rendered on ratatui's `TestBackend`, at
//! 120×40 and 80×24, plus the dialogs. Review changes with `cargo insta
//! review` (or `INSTA_UPDATE=always` and `git diff`).

use super::fixture::{TestApp, demo_app, empty_app, press, render};

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

fn snap(name: &str, app: &TestApp) {
    for (w, h) in SIZES {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(app, w, h));
    }
}

#[test]
fn instruments() {
    snap("instruments", &demo_app());
    snap("instruments_empty", &empty_app());
}

#[test]
fn editor() {
    let mut app = demo_app();
    press(&mut app, "2 j j j");
    snap("editor", &app);
}

#[test]
fn piano_roll() {
    let mut app = demo_app();
    press(&mut app, "3 l l k k k");
    snap("piano_roll", &app);
}

#[test]
fn mixer() {
    let mut app = demo_app();
    press(&mut app, "4");
    snap("mixer", &app);
}

#[test]
fn server() {
    let mut app = demo_app();
    press(&mut app, "5");
    snap("server", &app);
}

#[test]
fn help() {
    let mut app = demo_app();
    press(&mut app, "3 ?");
    snap("help", &app);
}

#[test]
fn dialogs() {
    let mut app = demo_app();
    press(&mut app, "a");
    snap("picker", &app);
    press(&mut app, "Esc :");
    super::fixture::type_text(&mut app, "mute");
    snap("palette", &app);
    press(&mut app, "Esc 4 m q");
    snap("confirm_quit", &app);
}

#[test]
fn status_line_error() {
    let mut app = demo_app();
    app.error("keys.toml: unknown command `nope` (those keep their defaults)");
    snap("status_error", &app);
}

#[test]
fn recovery_prompt() {
    let mut app = super::fixture::demo_app_with_path();
    app.offer_recovery();
    snap("recovery", &app);
}

#[test]
fn piano_roll_editing() {
    // A loop over the first bar, a selection, a zoomed-out grid; the demo
    // feedback has the playhead at 1.3.
    let mut app = demo_app();
    press(&mut app, "3 v l l l l l l l L l l v l l");
    snap("piano_roll_loop", &app);
    press(&mut app, "Z");
    snap("piano_roll_zoomed", &app);
}

#[test]
fn arrangement() {
    let mut app = demo_app();
    press(&mut app, "6 l");
    snap("arrangement", &app);
    snap("arrangement_empty", &{
        let mut a = empty_app();
        press(&mut a, "6");
        a
    });
}

#[test]
fn automation() {
    let mut app = demo_app();
    press(&mut app, "7 l l l l");
    snap("automation", &app);
    press(&mut app, "a");
    snap("lane_picker", &app);
}

#[test]
fn musical_typing_status() {
    let mut app = demo_app();
    press(&mut app, "3 M x");
    snap("typing", &app);
}

#[test]
fn file_prompts() {
    let mut app = super::fixture::demo_app_with_path();
    press(&mut app, "S");
    super::fixture::type_text(&mut app, "song");
    snap("save_as", &app);
    press(&mut app, "Esc 4 m C-o");
    super::fixture::type_text(&mut app, "other.imbolc");
    snap("open_prompt", &app);
    press(&mut app, "Enter");
    snap("confirm_open", &app);
}

#[test]
fn piano_roll_probability() {
    // Three notes; the cursor on the third, lowered to 80 %.
    let mut app = empty_app();
    press(&mut app, "a Enter 3 a l a l a ( (");
    snap("piano_roll_probability", &app);
}
