//! Property: for random action sequences, undo after each action restores
//! the project from before it exactly, and redo re-applies it exactly. A
//! refused action leaves the project unchanged.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] fns

mod common;

use common::{op, to_action};
use imbolc_core::{UndoHistory, dispatch};
use imbolc_types::{AudioDiff, Project};
use proptest::prelude::*;
use std::time::{Duration, Instant};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn undo_restores_and_redo_reapplies(ops in proptest::collection::vec(op(), 1..60)) {
        let mut p = Project::new("prop");
        let mut history = UndoHistory::default();
        let t0 = Instant::now();
        for (i, o) in ops.iter().enumerate() {
            let Some(action) = to_action(&p, o) else { continue };
            let before = p.clone();
            match dispatch(&mut p, action.clone()) {
                Err(_) => {
                    prop_assert_eq!(&p, &before, "a refused action changed the project: {:?}", action);
                    prop_assert_eq!(&p.ids, &before.ids, "a refused action allocated ids");
                }
                Ok(outcome) => {
                    let after = p.clone();
                    let entry = outcome.undo.expect("every edit has an undo entry");
                    // Far apart in time, so nothing coalesces.
                    history.push(entry, t0 + Duration::from_secs(i as u64 * 10));
                    history.undo(&mut p).expect("undo applies").expect("one step");
                    prop_assert_eq!(&p, &before, "undo of {:?}", action);
                    // Counters never go back, so no id is handed out twice.
                    prop_assert_eq!(&p.ids, &after.ids, "undo moved the id counters");
                    history.redo(&mut p).expect("redo applies").expect("one step");
                    prop_assert_eq!(&p, &after, "redo of {:?}", action);
                    prop_assert_eq!(&p.ids, &after.ids, "redo moved the id counters");
                }
            }
        }
        // Unwinding everything gives the empty project back.
        while history.undo(&mut p).expect("undo applies").is_some() {}
        prop_assert_eq!(p, Project::new("prop"));
    }

    #[test]
    fn undoing_an_add_effect_emits_only_effect_removed(ops in proptest::collection::vec(op(), 0..20)) {
        let mut p = Project::new("prop");
        for o in &ops {
            if let Some(a) = to_action(&p, o) { let _ = dispatch(&mut p, a); }
        }
        let owner = imbolc_types::ChainOwner::Master;
        let out = dispatch(&mut p, imbolc_types::Action::AddEffect { owner, kind: imbolc_types::EffectKind::REVERB, index: None }).expect("add");
        let mut h = UndoHistory::default();
        h.push(out.undo.expect("entry"), Instant::now());
        let r = h.undo(&mut p).expect("undo").expect("step");
        prop_assert_eq!(r.diffs.len(), 1);
        let removed = matches!(r.diffs[0], AudioDiff::EffectRemoved { .. });
        prop_assert!(removed, "got {:?}", r.diffs);
    }
}
