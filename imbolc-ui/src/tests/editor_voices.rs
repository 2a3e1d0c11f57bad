//! The editor's voice and LFO rows edit polyphony, voice mode and the LFO,
//! each key one undo step.

use imbolc_types::InstrumentId;

use super::fixture::{demo_app, press};

#[test]
fn voice_and_lfo_rows_edit_the_instrument_and_undo() {
    let mut app = demo_app();
    let bass = |app: &super::fixture::TestApp| app.session().project().instruments[&InstrumentId(0)].def.clone();
    assert_eq!(bass(&app).voice.polyphony, 32);
    // The saw's three source rows and four envelope rows come first.
    press(&mut app, "2 j j j j j j j l");
    assert_eq!(bass(&app).voice.polyphony, 64, "l raises the polyphony a step");
    press(&mut app, "j l");
    assert!(bass(&app).voice.mono && !bass(&app).voice.legato, "poly → mono");
    press(&mut app, "j j l");
    assert_eq!(bass(&app).voice.bend_range, 3.0, "the bend range grows a semitone");
    press(&mut app, "j l l");
    assert_eq!(bass(&app).voice.glide, 0.02, "glide from off to 20 ms");
    press(&mut app, "j l");
    assert!(bass(&app).lfo.enabled, "the LFO switched on");
    press(&mut app, "j j j j l");
    assert_eq!(bass(&app).lfo.target.as_deref(), Some("cutoff"), "the LFO's target: the filter's first parameter");
    press(&mut app, "u u");
    assert!(!bass(&app).lfo.enabled && bass(&app).lfo.target.is_none(), "two undos take both LFO edits back");
    assert!(bass(&app).voice.mono && bass(&app).voice.glide == 0.02, "and nothing before them");
}
