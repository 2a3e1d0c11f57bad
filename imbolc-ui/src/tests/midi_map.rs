//! MIDI mappings in the editor: shown next to their parameter, removed with
//! `U` on that row (one undo step).

use imbolc_core::Session;
use imbolc_core::session::NullSink;
use imbolc_types::{Action, InstrumentId, MidiCurve, MidiMapping, ParamTarget};

use super::fixture::{demo_project, press, render};
use crate::app::App;
use crate::keys::Keymap;

#[test]
fn a_mapping_shows_next_to_its_parameter_and_u_removes_it() {
    let mut project = demo_project();
    let cutoff = ParamTarget::Filter { instrument: InstrumentId(0), param: "cutoff".into() };
    let mapping =
        MidiMapping { channel: 0, cc: 74, target: cutoff, min: 20.0, max: 20_000.0, curve: MidiCurve::Linear };
    imbolc_core::dispatch(&mut project, Action::MapMidiCc(Box::new(mapping))).unwrap();
    let mut app = App::new(Session::new(project, NullSink), None, Keymap::default(), None);
    press(&mut app, "2");
    let screen = format!("{:?}", render(&app, 120, 40).buffer());
    let shown: Vec<&str> = screen.lines().filter(|l| l.contains("CC74 ch1")).collect();
    assert_eq!(shown.len(), 1, "the mapping is shown once:\n{screen}");
    assert!(shown[0].contains("Cutoff"), "next to the cutoff: {}", shown[0]);

    // U on rows without a mapping changes nothing; on the cutoff it unmaps.
    let mut presses = 0;
    while !app.session().project().midi_mappings.is_empty() && presses < 30 {
        press(&mut app, "U j");
        presses += 1;
    }
    assert!(app.session().project().midi_mappings.is_empty(), "U on the cutoff row removes the mapping");
    press(&mut app, "u");
    assert_eq!(app.session().project().midi_mappings.len(), 1, "one undo brings it back");
}
