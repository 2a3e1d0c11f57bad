//! Generator clips from the keys, on the demo song: `E` attaches and
//! cycles a generator on the piano roll's clip, `W` types its parameters,
//! `Y` captures its notes; each is one undo step, and the piano roll and
//! the prompt render (snapshots).

use imbolc_types::generate::{Algorithm, EuclidPitch};

use super::fixture::{TestApp, demo_app, press, render, type_text};

fn snap(name: &str, app: &TestApp) {
    for (w, h) in [(120, 40), (80, 24)] {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(app, w, h));
    }
}

fn generator_clip(app: &TestApp) -> (imbolc_types::ClipId, Option<imbolc_types::Generator>) {
    let id = app.selected().unwrap();
    let p = app.session().project();
    let clip = p.clips.values().find(|c| c.instrument == id && c.drums.is_none() && c.audio.is_none()).unwrap().id;
    (clip, p.generators.get(&clip).cloned())
}

#[test]
fn e_attaches_w_sets_y_captures_and_undo_restores_the_clip() {
    let mut app = demo_app();
    press(&mut app, "3");
    let before = app.session().project().clone();
    press(&mut app, "E");
    let (clip, g) = generator_clip(&app);
    assert!(matches!(g.unwrap().algorithm, Algorithm::Euclid(_)));
    assert_eq!(app.session().project().clips[&clip].notes.len(), 5, "5 pulses of 16");
    press(&mut app, "W");
    type_text(&mut app, "3/8 rot=1 walk seed=4");
    snap("generator_prompt", &app);
    press(&mut app, "Enter");
    let Some(Algorithm::Euclid(e)) = generator_clip(&app).1.map(|g| g.algorithm) else { panic!("euclid") };
    assert_eq!((e.pulses, e.steps, e.rotation, e.pitch), (3, 8, 1, EuclidPitch::Walk));
    snap("piano_roll_generator", &app);
    // Hand edits are refused: the notes are the generator's.
    let notes = app.session().project().clips[&clip].notes.clone();
    press(&mut app, "x");
    assert_eq!(app.session().project().clips[&clip].notes, notes);
    let clips = app.session().project().clips.len();
    press(&mut app, "Y");
    let p = app.session().project();
    assert_eq!(p.clips.len(), clips + 1);
    let captured = p.clips.values().last().unwrap();
    assert!(!p.generators.contains_key(&captured.id));
    let values = |c: &imbolc_types::Clip| c.notes.values().copied().collect::<Vec<_>>();
    assert_eq!(values(captured), values(&p.clips[&clip]));
    // Undo: capture, settings, attach; the project is as it was.
    press(&mut app, "u u u");
    assert_eq!(*app.session().project(), before);
}

#[test]
fn e_cycles_through_the_algorithms_and_off_keeps_the_notes() {
    let mut app = demo_app();
    press(&mut app, "3 E E");
    assert!(matches!(generator_clip(&app).1.unwrap().algorithm, Algorithm::Markov(_)));
    press(&mut app, "E");
    assert!(matches!(generator_clip(&app).1.unwrap().algorithm, Algorithm::LSystem(_)));
    let (clip, _) = generator_clip(&app);
    let notes = app.session().project().clips[&clip].notes.clone();
    assert!(!notes.is_empty());
    press(&mut app, "E");
    assert_eq!(generator_clip(&app).1, None);
    assert_eq!(app.session().project().clips[&clip].notes, notes);
}
