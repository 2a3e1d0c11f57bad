//! Differential property against the audio graph: for random action
//! sequences, the diffs of each edit, of its undo and of its redo, applied
//! incrementally to a `SignalGraph` driving a `ModelBackend`, leave the same
//! node tree as building the resulting project from scratch.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] fns

mod common;

use std::time::{Duration, Instant};

use common::{op, to_action};
use imbolc_audio::backend::{AudioBackend, CanonicalTree, ModelBackend, Timing};
use imbolc_audio::graph::{GraphConfig, SignalGraph};
use imbolc_core::{UndoHistory, dispatch};
use imbolc_types::{AudioDiff, Project};
use proptest::prelude::*;

/// A graph and the model server it drives.
struct Audio {
    graph: SignalGraph,
    model: ModelBackend,
}

impl Audio {
    fn new(p: &Project) -> Audio {
        let (graph, ops) = SignalGraph::build(GraphConfig::default(), &p.audio_scene());
        let mut model = ModelBackend::new();
        model.execute(Timing::Now, &ops).expect("build executes");
        Audio { graph, model }
    }

    fn apply(&mut self, diffs: &[AudioDiff]) -> Result<(), TestCaseError> {
        for d in diffs {
            let ops = self.graph.apply(d).map_err(|e| TestCaseError::fail(format!("graph refused {d:?}: {e}")))?;
            self.model.execute(Timing::Now, &ops).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert!(
                self.model.failures().is_empty(),
                "server failures after {:?}: {:?}",
                d,
                self.model.failures()
            );
        }
        Ok(())
    }

    fn tree(&self) -> CanonicalTree {
        self.model.canonical_tree()
    }
}

fn fresh_tree(p: &Project) -> CanonicalTree {
    Audio::new(p).tree()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn undo_and_redo_diffs_match_a_fresh_build(ops in proptest::collection::vec(op(), 1..40)) {
        let mut p = Project::new("graph");
        let mut audio = Audio::new(&p);
        let mut history = UndoHistory::default();
        let t0 = Instant::now();
        for (i, o) in ops.iter().enumerate() {
            let Some(action) = to_action(&p, o) else { continue };
            let Ok(outcome) = dispatch(&mut p, action.clone()) else { continue };
            audio.apply(&outcome.diffs)?;
            prop_assert_eq!(audio.tree(), fresh_tree(&p), "after {:?}", action);
            history.push(outcome.undo.expect("entry"), t0 + Duration::from_secs(i as u64 * 10));

            let undone = history.undo(&mut p).expect("undo").expect("step");
            audio.apply(&undone.diffs)?;
            prop_assert_eq!(audio.tree(), fresh_tree(&p), "after undoing {:?}", action);

            let redone = history.redo(&mut p).expect("redo").expect("step");
            audio.apply(&redone.diffs)?;
            prop_assert_eq!(audio.tree(), fresh_tree(&p), "after redoing {:?}", action);
        }
    }
}
