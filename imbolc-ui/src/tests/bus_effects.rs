//! Bus and master effect chains from the mixer: `e` on a bus or the master
//! strip opens the editor on that chain, where the instrument editor's
//! effect keys work alike (add, parameter steps, bypass, move, tempo sync,
//! remove, the EQ curve). Each key is one undo step and sends one diff
//! that names only the chain's owner.

use imbolc_types::{AudioDiff, BusId, ChainOwner, EffectKind, EffectSlot, InstrumentId, ParamTarget};

use super::fixture::{TestApp, demo_app, demo_project, press, render, script_app};
use crate::audio::ScriptSink;
use crate::commands::PaneKind;

const VERB: ChainOwner = ChainOwner::Bus(BusId(0));

fn bus_chain(app: &crate::app::App<ScriptSink>) -> Vec<EffectSlot> {
    app.session().project().buses[&BusId(0)].effects.clone()
}

/// The owner a diff acts on, for the diffs these keys may send.
fn owner_of(d: &AudioDiff) -> Option<ChainOwner> {
    match d {
        AudioDiff::EffectAdded { owner, .. }
        | AudioDiff::EffectRemoved { owner, .. }
        | AudioDiff::EffectMoved { owner, .. }
        | AudioDiff::EffectToggled { owner, .. }
        | AudioDiff::EffectSyncChanged { owner, .. }
        | AudioDiff::EffectKeySet { owner, .. } => Some(*owner),
        AudioDiff::ParamSet { target: ParamTarget::Effect { owner, .. }, .. } => Some(*owner),
        _ => None,
    }
}

/// Presses `keys`, then checks one undo step and one diff on `owner`.
fn one_edit(app: &mut crate::app::App<ScriptSink>, sink: &ScriptSink, keys: &str, owner: ChainOwner) -> AudioDiff {
    let before = app.session().history().len();
    press(app, keys);
    assert_eq!(app.session().history().len(), before + 1, "`{keys}`: one undo step");
    let diffs = sink.take_diffs();
    assert_eq!(diffs.len(), 1, "`{keys}`: one diff, got {diffs:?}");
    assert_eq!(owner_of(&diffs[0]), Some(owner), "`{keys}`: {diffs:?}");
    diffs.into_iter().next().unwrap_or_else(|| unreachable!())
}

#[test]
fn e_on_the_bus_strip_edits_its_chain_one_undo_step_and_one_diff_per_key() {
    let (mut app, sink) = script_app(demo_project());
    // Strips: bass, pad, lead, verb, master.
    press(&mut app, "4 l l l e");
    assert_eq!(app.pane(), PaneKind::Editor);
    let screen = format!("{:?}", render_script(&app));
    assert!(screen.contains("Effects · Bus verb"), "{screen}");
    assert!(screen.contains("none (a adds one)"), "{screen}");
    sink.take_diffs();

    let added = one_edit(&mut app, &sink, "a d e l a y Enter", VERB);
    assert!(matches!(added, AudioDiff::EffectAdded { .. }), "{added:?}");
    one_edit(&mut app, &sink, "a r e v e r b Enter", VERB);
    let chain = bus_chain(&app);
    assert_eq!(chain.iter().map(|e| e.kind).collect::<Vec<_>>(), [EffectKind::DELAY, EffectKind::REVERB]);
    assert!(app.session().project().instruments[&InstrumentId(0)].def.effects.len() == 2, "the bass is untouched");

    // A new effect takes the cursor (the reverb's header): up to the
    // delay's header, bypass it, then its time (first param) up.
    press(&mut app, &["k"; 40][..=EffectKind::DELAY.params().len()].join(" "));
    one_edit(&mut app, &sink, "b", VERB);
    assert!(!bus_chain(&app)[0].enabled);
    let time = bus_chain(&app)[0].params["time"];
    one_edit(&mut app, &sink, "j l", VERB);
    assert!(bus_chain(&app)[0].params["time"] > time);
    // Tempo sync of the time, then back to free.
    one_edit(&mut app, &sink, "s", VERB);
    assert!(bus_chain(&app)[0].sync.contains_key("time"));
    one_edit(&mut app, &sink, "s", VERB);
    // Move the delay after the reverb: the cursor follows it.
    let moved = one_edit(&mut app, &sink, "J", VERB);
    assert!(matches!(moved, AudioDiff::EffectMoved { .. }), "{moved:?}");
    assert_eq!(bus_chain(&app).iter().map(|e| e.kind).collect::<Vec<_>>(), [EffectKind::REVERB, EffectKind::DELAY]);
    let removed = one_edit(&mut app, &sink, "x", VERB);
    assert!(matches!(removed, AudioDiff::EffectRemoved { .. }), "the moved delay: {removed:?}");
    assert_eq!(bus_chain(&app).iter().map(|e| e.kind).collect::<Vec<_>>(), [EffectKind::REVERB]);

    // Every step undoes by itself.
    press(&mut app, "u");
    assert_eq!(bus_chain(&app).len(), 2);
    press(&mut app, "u u u u u u u");
    assert!(bus_chain(&app).is_empty(), "all undone");
    // No filter slot here.
    press(&mut app, "f");
    assert!(app.message().is_some_and(|m| m.text.contains("Only instruments have a filter")));
}

#[test]
fn the_master_chain_takes_an_eq_and_draws_its_curve() {
    let mut app = demo_app();
    press(&mut app, "4 l l l l e");
    press(&mut app, "a 1 2 - b a n d Enter");
    let master = &app.session().project().master_effects;
    assert_eq!(master.iter().map(|e| e.kind).collect::<Vec<_>>(), [EffectKind::EQ12]);
    // The new EQ took the cursor to its header; past it, band 6 gain up a
    // few steps: the curve moves.
    press(&mut app, "j");
    let eq_rows = EffectKind::EQ12.params();
    let gain = eq_rows.iter().position(|p| p.id == "b6_gain").unwrap();
    press(&mut app, &["j"; 40][..gain].join(" "));
    press(&mut app, "l l l l l");
    assert!(app.session().project().master_effects[0].params["b6_gain"] > 0.0);
    insta::assert_snapshot!(screen_text(&app, 100, 40));
}

#[test]
fn two_or_selecting_an_instrument_goes_back_and_e_on_an_instrument_strip_opens_it() {
    let mut app = demo_app();
    press(&mut app, "4 l l l l e");
    assert!(screen_text(&app, 100, 30).contains("Effects · Master"));
    press(&mut app, "a d e l a y Enter 4");
    assert!(screen_text(&app, 100, 30).contains("fx 1 (e)"), "the master strip counts its effects");
    press(&mut app, "2");
    assert!(screen_text(&app, 100, 30).contains("Editor · lead"), "moving over the strips selected the lead");
    press(&mut app, "4 l l l l e 4 h h h e");
    assert_eq!(app.pane(), PaneKind::Editor);
    assert_eq!(app.selected(), Some(InstrumentId(1)), "the pad, selected");
    assert!(screen_text(&app, 100, 30).contains("Editor · pad"));
}

#[test]
fn i_keys_a_bus_compressor_with_an_instrument_then_none() {
    let (mut app, sink) = script_app(demo_project());
    press(&mut app, "4 l l l e a s i d e c h a i n Enter");
    assert_eq!(bus_chain(&app)[0].kind, EffectKind::SIDECHAIN_COMPRESSOR);
    sink.take_diffs();
    let keyed = one_edit(&mut app, &sink, "i", VERB);
    assert!(matches!(keyed, AudioDiff::EffectKeySet { .. }), "{keyed:?}");
    assert_eq!(bus_chain(&app)[0].key, Some(ChainOwner::Instrument(InstrumentId(0))));
    press(&mut app, "i i i");
    assert_eq!(bus_chain(&app)[0].key, None, "after the last instrument (no earlier bus): none");
}

fn render_script(app: &crate::app::App<ScriptSink>) -> String {
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
    term.draw(|f| app.draw(f)).unwrap();
    buffer_text(term.backend().buffer())
}

fn screen_text(app: &TestApp, width: u16, height: u16) -> String {
    buffer_text(render(app, width, height).buffer())
}

fn buffer_text(buf: &ratatui::buffer::Buffer) -> String {
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_owned()).collect::<String>() + "\n")
        .collect()
}

#[test]
fn the_master_chain_shows_the_limiter_ceiling_and_h_l_step_it_half_a_db() {
    let mut app = demo_app();
    press(&mut app, "4 l l l l e");
    assert!(screen_text(&app, 100, 30).contains("Limiter (the last stage)"));
    let history = app.session().history().len();
    press(&mut app, "h h");
    assert_eq!(app.session().project().master.limiter_ceiling_db, -2.0);
    assert_eq!(app.session().history().len(), history + 1, "quick steps of one value: one undo step");
    press(&mut app, "l l l l l");
    assert_eq!(app.session().project().master.limiter_ceiling_db, 0.0, "clamped at 0 dBFS");
    press(&mut app, "u");
    assert_eq!(app.session().project().master.limiter_ceiling_db, -1.0);
}

#[test]
fn the_automation_pane_adds_a_limiter_ceiling_lane_shown_with_every_instrument() {
    let mut app = demo_app();
    press(&mut app, "7 a");
    let crate::modal::Modal::LanePicker { items, .. } = app.modal().unwrap() else { panic!("the lane picker") };
    let at = items.iter().position(|(_, t)| *t == ParamTarget::MasterLimiterCeiling).expect("offered");
    assert_eq!(items[at].0, "limiter ceiling");
    press(&mut app, &format!("{} Enter", ["Down"; 200][..at].join(" ")));
    let lanes: Vec<_> = app.session().project().automation.values().map(|l| l.target.clone()).collect();
    assert!(lanes.contains(&ParamTarget::MasterLimiterCeiling), "{lanes:?}");
    // The second lane (after the bass's level): lower its point at the cursor.
    press(&mut app, "j -");
    let lane = app.session().project().automation.values().find(|l| l.target == ParamTarget::MasterLimiterCeiling);
    let points: Vec<f32> = lane.unwrap().points.values().copied().collect();
    assert_eq!(points.len(), 1, "one point added");
    assert!(points[0] < -1.0, "below the ceiling it had: {points:?}");
    // Shown with another instrument too.
    press(&mut app, "1 j 7");
    assert!(screen_text(&app, 120, 30).contains("limiter ceiling"));
}
