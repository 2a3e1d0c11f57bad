//! Mixing keys: `i` in the editor keys a sidechain effect (moving the
//! instrument after its key, one undo step), `L` on the master strip turns
//! the limiter off and on.

use imbolc_core::Session;
use imbolc_core::session::NullSink;
use imbolc_types::{Action, ChainOwner, EffectKind, InstrumentId};

use super::fixture::{TestApp, demo_app, demo_project, press};
use crate::app::App;
use crate::keys::Keymap;

#[test]
fn i_keys_the_sidechain_compressor_with_the_next_instrument_and_u_takes_it_back() {
    let mut project = demo_project();
    let owner = ChainOwner::Instrument(InstrumentId(0));
    imbolc_core::dispatch(
        &mut project,
        Action::AddEffect { owner, kind: EffectKind::SIDECHAIN_COMPRESSOR, index: None },
    )
    .unwrap();
    let mut app: TestApp = App::new(Session::new(project, NullSink), None, Keymap::default(), None);
    let bass = |app: &TestApp| app.session().project().instruments[&InstrumentId(0)].def.effects[2].key;
    let order = |app: &TestApp| app.session().project().instruments.keys().map(|i| i.0).collect::<Vec<_>>();
    // The compressor's rows are the last ones.
    press(&mut app, &format!("2 {}", ["j"; 80].join(" ")));
    press(&mut app, "i");
    assert_eq!(bass(&app), Some(ChainOwner::Instrument(InstrumentId(1))), "keyed by the pad");
    assert_eq!(order(&app), vec![1, 0, 2], "the bass moved after its key");
    press(&mut app, "u");
    assert_eq!((bass(&app), order(&app)), (None, vec![0, 1, 2]), "one undo takes key and move back");
}

#[test]
fn l_on_the_master_strip_turns_the_limiter_off_and_undo_turns_it_on() {
    let mut app = demo_app();
    assert!(app.session().project().master.limiter);
    press(&mut app, &format!("4 {}", ["l"; 10].join(" ")));
    press(&mut app, "L");
    assert!(!app.session().project().master.limiter);
    press(&mut app, "u");
    assert!(app.session().project().master.limiter);
}
