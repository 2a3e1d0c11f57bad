//! The editor syncs an effect's time to the tempo with `s`, steps the note
//! division with `h`/`l` and frees it with `s` again, each one undo step.

use imbolc_types::{EffectSlot, InstrumentId, NoteDivision};

use super::fixture::{empty_app, press};

fn delay(app: &super::fixture::TestApp) -> EffectSlot {
    app.session().project().instruments[&InstrumentId(0)].def.effects[0].clone()
}

#[test]
fn s_syncs_the_delay_time_and_h_l_step_the_division() {
    let mut app = empty_app();
    press(&mut app, "a Enter 2 a d e l a y Enter");
    assert_eq!(delay(&app).kind.id(), "delay");
    // The last rows are the delay's time, feedback and mix.
    press(&mut app, &["j"; 80].join(" "));
    press(&mut app, "k k s");
    // 0.3 s at 120 BPM is nearest a quarter-note triplet (0.333 s).
    assert_eq!(delay(&app).sync.get("time").map(|d| d.name()), Some("1/4T".to_owned()));
    let name = |app: &super::fixture::TestApp| delay(app).sync.get("time").map(|d| d.name());
    press(&mut app, "l");
    assert_eq!(name(&app).as_deref(), Some("1/8."), "l: the next longer division (0.75 beat)");
    press(&mut app, "l");
    assert_eq!(delay(&app).sync.get("time"), Some(&NoteDivision::QUARTER));
    press(&mut app, "h h");
    assert_eq!(name(&app).as_deref(), Some("1/4T"), "h: shorter");
    press(&mut app, "s");
    assert!(delay(&app).sync.is_empty(), "s again frees it");
    assert_eq!(delay(&app).params["time"], 0.3, "at the value it had");
    press(&mut app, "u u");
    assert_eq!(name(&app).as_deref(), Some("1/8."), "two undos, two steps back");
    let history = app.session().history().len();
    press(&mut app, "j s");
    assert_eq!(delay(&app).sync.len(), 1, "feedback cannot follow the tempo");
    assert_eq!(app.session().history().len(), history, "and s on it is no edit");
}
