//! Layers from the keys, on the demo song: the layer prompt links the
//! selected instrument to a lead in one undo step, the instrument list
//! shows the link (snapshot), and deleting the lead unlinks it until undo.

use super::fixture::{TestApp, demo_app, press, render, type_text};

fn snap(name: &str, app: &TestApp) {
    for (w, h) in [(120, 40), (80, 24)] {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(app, w, h));
    }
}

#[test]
fn the_layer_prompt_links_an_instrument_shown_in_the_list_and_undo_unlinks() {
    let mut app = demo_app();
    press(&mut app, "1 Down Y");
    let id = app.selected().unwrap();
    let lead = *app.session().project().instruments.keys().next().unwrap();
    type_text(&mut app, "oct=1 vel=0.8");
    snap("layer_prompt", &app);
    press(&mut app, "Enter");
    let link = |app: &TestApp| app.session().project().instruments.get(&id).unwrap().def.layer;
    let l = link(&app).unwrap();
    assert_eq!((l.lead, l.semitones, l.velocity), (lead, 12, 0.8));
    snap("instruments_with_layer", &app);
    press(&mut app, "u");
    assert_eq!(link(&app), None, "one undo step");
    press(&mut app, "Y");
    type_text(&mut app, "banana");
    press(&mut app, "Enter");
    assert_eq!(link(&app), None, "a wrong word changes nothing");
}
