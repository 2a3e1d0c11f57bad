//! Key, tuning, scale lock, arpeggiator, chord and groove from the keys,
//! on the demo song: each prompt sets what it names in one undo step, the
//! piano roll's cursor steps through a locked scale, and the dialogs and
//! the locked piano roll render (snapshots).

use imbolc_types::transform::{ArpMode, ChordShape};
use imbolc_types::{Scale, TuningSystem};

use super::fixture::{TestApp, demo_app, press, render, type_text};

fn snap(name: &str, app: &TestApp) {
    for (w, h) in [(120, 40), (80, 24)] {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(app, w, h));
    }
}

#[test]
fn the_key_prompt_sets_key_tuning_and_lock_in_one_undo_step() {
    let mut app = demo_app();
    press(&mut app, "#");
    type_text(&mut app, "D dorian 5-limit a4=432 lock");
    snap("key_tuning_prompt", &app);
    press(&mut app, "Enter");
    let p = app.session().project().pitch.clone();
    assert_eq!((p.key.root, p.key.scale, p.tuning, p.a4, p.lock), (2, Scale::Dorian, TuningSystem::Just5, 432.0, true));
    press(&mut app, "u");
    assert_eq!(app.session().project().pitch, imbolc_types::PitchSettings::default());
}

#[test]
fn scale_lock_steps_the_piano_roll_cursor_through_the_scale() {
    let mut app = demo_app();
    press(&mut app, "#");
    type_text(&mut app, "C major");
    press(&mut app, "Enter G 3");
    snap("piano_roll_locked", &app);
    // The cursor starts on C4: up goes to D4, E4, F4.
    press(&mut app, "0 k k k a");
    let id = app.selected().unwrap();
    let clip = app.session().project().clips.values().find(|c| c.instrument == id).unwrap();
    assert!(clip.notes.values().any(|n| n.pitch == 65 && n.start == 0), "a note on F4");
    press(&mut app, "G");
    assert!(!app.session().project().pitch.lock);
}

#[test]
fn arpeggiator_chord_and_groove_prompts_set_the_instrument_transforms() {
    let mut app = demo_app();
    press(&mut app, "1 p");
    let id = app.selected().unwrap();
    let t = |app: &TestApp| app.session().project().instruments.get(&id).unwrap().def.transforms.clone();
    assert_eq!(t(&app).arp.unwrap().mode, ArpMode::Up);
    press(&mut app, "O");
    type_text(&mut app, "up-down 1/8T oct=2");
    snap("arp_prompt", &app);
    press(&mut app, "Enter n");
    type_text(&mut app, "m7 inv=1");
    press(&mut app, "Enter g");
    type_text(&mut app, "swing=0.25 ms=5");
    press(&mut app, "Enter");
    let now = t(&app);
    assert_eq!((now.arp.unwrap().mode, now.arp.unwrap().octaves), (ArpMode::UpDown, 2));
    assert_eq!(now.chord.unwrap().shape, ChordShape::Min7);
    assert_eq!(now.groove.unwrap().swing, 0.25);
    press(&mut app, "u u u u");
    assert!(t(&app).is_empty(), "four undo steps");
}
