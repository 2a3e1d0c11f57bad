//! The outbox keeps order, coalesces only past coalescible items, and
//! closes at its bound.

use std::sync::Arc;
use std::time::Duration;

use imbolc_types::ParamTarget;

use super::outbox::{Item, Outbox, Pushed};
use super::wire::CoalesceKey;

fn item(key: Option<CoalesceKey>, tag: u8) -> Item {
    Item { key, bytes: Arc::from(vec![tag]) }
}

fn drain(o: &Outbox) -> Vec<u8> {
    let mut out = Vec::new();
    while let Ok(Some(i)) = o.pop(Duration::ZERO) {
        out.push(i.bytes[0]);
    }
    out
}

#[test]
fn latest_value_per_target_wins_when_only_coalescible_items_follow() {
    let o = Outbox::new(100, 1 << 20);
    let tempo = || Some(CoalesceKey::Param(ParamTarget::Tempo));
    let master = || Some(CoalesceKey::Param(ParamTarget::MasterLevel));
    o.push(item(None, 1));
    o.push(item(tempo(), 2));
    o.push(item(master(), 3));
    o.push(item(Some(CoalesceKey::Meters), 4));
    assert_eq!(o.push(item(tempo(), 5)), Pushed::Coalesced);
    assert_eq!(o.push(item(Some(CoalesceKey::Meters), 6)), Pushed::Coalesced);
    assert_eq!(drain(&o), vec![1, 3, 5, 6]);
    assert_eq!(o.stats().dropped, 2);
}

#[test]
fn an_edit_in_between_stops_coalescing() {
    let o = Outbox::new(100, 1 << 20);
    let tempo = || Some(CoalesceKey::Param(ParamTarget::Tempo));
    o.push(item(tempo(), 1));
    o.push(item(None, 2));
    assert_eq!(o.push(item(tempo(), 3)), Pushed::Queued);
    assert_eq!(drain(&o), vec![1, 2, 3]);
}

#[test]
fn the_bound_closes_the_outbox() {
    let o = Outbox::new(3, 1 << 20);
    for i in 0..3 {
        assert_eq!(o.push(item(None, i)), Pushed::Queued);
    }
    assert_eq!(o.push(item(None, 9)), Pushed::Overflow);
    assert!(o.closed().is_some_and(|r| r.contains("fell behind")));
    assert_eq!(o.push(item(None, 10)), Pushed::Closed);
    assert!(o.pop(Duration::ZERO).is_err());
}

#[test]
fn join_codes_are_random_and_forgiving() {
    let a = super::JoinCode::random().unwrap();
    let b = super::JoinCode::random().unwrap();
    assert_ne!(a, b);
    assert_eq!(a.to_string().len(), 39, "{a}");
    let typed = super::JoinCode::parse(&a.to_string().to_lowercase().replace('-', " "));
    assert_eq!(typed.psk(), a.psk());
    assert_ne!(a.psk(), b.psk());
}
