//! The views of sound by keys: `V` opens them on the selected instrument
//! and they follow the selection; `m` watches the master, `b` the aux
//! buses in turn, `i` the selection again; leaving the pane (`Esc`, or any
//! other pane) closes them, so the engine runs no tap. A server restart
//! tells the new engine again.

use std::time::Instant;

use imbolc_types::{BusId, ChainOwner, InstrumentId};

use super::fixture::{demo_project, press, script_app};
use crate::audio::Request;
use crate::commands::PaneKind;

#[test]
fn the_views_follow_the_selection_or_the_chosen_target_and_close_with_the_pane() {
    let (mut app, sink) = script_app(demo_project());
    let tick = |app: &mut crate::app::App<_>| {
        app.tick(Instant::now());
    };
    tick(&mut app);
    assert!(sink.take().is_empty(), "no view asked for before the pane opens");
    press(&mut app, "V");
    tick(&mut app);
    assert_eq!(app.pane(), PaneKind::Views);
    let first = app.selected().unwrap();
    assert_eq!(sink.take(), vec![Request::View(Some(ChainOwner::Instrument(first)))]);
    tick(&mut app);
    assert!(sink.take().is_empty(), "told once");

    press(&mut app, "1");
    tick(&mut app);
    press(&mut app, "j");
    press(&mut app, "V");
    tick(&mut app);
    let second = app.selected().unwrap();
    assert_ne!(first, second);
    assert_eq!(
        sink.take(),
        vec![Request::View(None), Request::View(Some(ChainOwner::Instrument(second)))],
        "another pane closes the view; back on it, it follows the new selection"
    );

    press(&mut app, "m");
    press(&mut app, "b");
    press(&mut app, "b");
    press(&mut app, "i");
    let verb = BusId(0);
    assert_eq!(
        sink.take(),
        vec![
            Request::View(Some(ChainOwner::Master)),
            Request::View(Some(ChainOwner::Bus(verb))),
            Request::View(Some(ChainOwner::Instrument(second))),
        ],
        "the only bus twice is one request; i follows the selection again"
    );
    assert_ne!(second, InstrumentId(99));
    press(&mut app, "Esc");
    tick(&mut app);
    assert_eq!(app.pane(), PaneKind::Mixer);
    assert_eq!(sink.take(), vec![Request::View(None)]);
}

#[test]
fn the_pane_shows_what_it_watches() {
    let (mut app, _sink) = script_app(demo_project());
    press(&mut app, "V");
    press(&mut app, "m");
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 24)).unwrap();
    term.draw(|f| app.draw(f)).unwrap();
    let buf = term.backend().buffer().clone();
    let text: String = (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_owned()).collect::<String>() + "\n")
        .collect();
    assert!(text.contains("Views: master"), "{text}");
    assert!(text.contains("integrated   -inf LUFS"), "{text}");
}
