//! Tests of the model against scsynth's documented behaviour.

use super::*;

fn g(id: i32, action: AddAction, target: i32) -> ServerOp {
    ServerOp::GroupNew { id: NodeId(id), action, target: NodeId(target) }
}

fn s(id: i32, action: AddAction, target: i32, controls: Vec<(ControlName, f32)>) -> ServerOp {
    ServerOp::SynthNew { def: "imbolc_test", id: NodeId(id), action, target: NodeId(target), controls }
}

fn ids(v: &[i32]) -> Vec<NodeId> {
    v.iter().map(|&i| NodeId(i)).collect()
}

fn model(ops: &[ServerOp]) -> ModelBackend {
    let mut m = ModelBackend::new();
    m.execute(Timing::Now, ops).unwrap();
    m
}

#[test]
fn add_actions_place_nodes_like_scsynth() {
    use AddAction::*;
    let m = model(&[
        g(1, Head, 0),
        s(10, Tail, 1, vec![]),
        s(11, Head, 1, vec![]),
        s(12, After, 11, vec![]),
        s(13, Before, 11, vec![]),
        s(14, Replace, 12, vec![]),
    ]);
    assert_eq!(m.children(NodeId(1)), ids(&[13, 11, 14, 10]));
    assert!(!m.contains(NodeId(12)));
    assert!(m.failures().is_empty());
    assert_eq!(m.message_count(), 6);
    assert_eq!(m.batch_count(), 1);
}

#[test]
fn freeing_a_group_frees_everything_inside() {
    use AddAction::*;
    let mut m = model(&[g(1, Tail, 0), g(2, Tail, 1), s(3, Tail, 2, vec![]), s(4, Tail, 0, vec![])]);
    m.execute(Timing::Now, &[ServerOp::Free { node: NodeId(1) }]).unwrap();
    assert_eq!(m.node_count(), 2, "root and synth 4 remain");
    assert_eq!(m.children(NodeId::ROOT), ids(&[4]));
}

#[test]
fn set_on_a_group_reaches_every_synth_inside_and_unmaps() {
    use AddAction::*;
    let mut m = model(&[
        g(1, Tail, 0),
        g(2, Tail, 1),
        s(3, Tail, 2, vec![("amp", 0.1)]),
        s(4, Tail, 1, vec![("amp", 0.1), ("freq", 1.0)]),
        s(5, Tail, 0, vec![("amp", 0.1)]),
    ]);
    m.execute(
        Timing::Now,
        &[
            ServerOp::Map { node: NodeId(4), control: "freq", bus: Some(3) },
            ServerOp::Set { node: NodeId(1), controls: vec![("amp", 0.9)] },
        ],
    )
    .unwrap();
    assert_eq!(m.synth(NodeId(3)).unwrap().controls["amp"], 0.9);
    assert_eq!(m.synth(NodeId(4)).unwrap().controls["amp"], 0.9);
    assert_eq!(m.synth(NodeId(5)).unwrap().controls["amp"], 0.1);
    assert_eq!(m.synth(NodeId(4)).unwrap().maps["freq"], 3);
    m.execute(Timing::Now, &[ServerOp::Set { node: NodeId(4), controls: vec![("freq", 2.0)] }]).unwrap();
    assert!(m.synth(NodeId(4)).unwrap().maps.is_empty(), "n_set unmaps");
    m.execute(Timing::Now, &[ServerOp::Set { node: NodeId(4), controls: vec![("nope", 2.0)] }]).unwrap();
    assert_eq!(m.warnings().len(), 1);
    assert!(m.failures().is_empty());
}

#[test]
fn moves_and_run_flags() {
    use AddAction::*;
    let mut m = model(&[g(1, Tail, 0), s(2, Tail, 1, vec![]), s(3, Tail, 1, vec![]), s(4, Tail, 1, vec![])]);
    m.execute(
        Timing::Now,
        &[
            ServerOp::Before { node: NodeId(4), target: NodeId(2) },
            ServerOp::After { node: NodeId(2), target: NodeId(3) },
            ServerOp::Run { node: NodeId(3), on: false },
        ],
    )
    .unwrap();
    assert_eq!(m.children(NodeId(1)), ids(&[4, 3, 2]));
    m.execute(Timing::Now, &[ServerOp::Head { group: NodeId(1), node: NodeId(2) }]).unwrap();
    m.execute(Timing::Now, &[ServerOp::Tail { group: NodeId(1), node: NodeId(4) }]).unwrap();
    assert_eq!(m.children(NodeId(1)), ids(&[2, 3, 4]));
    assert!(!m.snapshot()[&NodeId(3)].running);
    assert_eq!(m.last_batch().len(), 1);
}

#[test]
fn unknown_nodes_and_duplicate_ids_are_failures() {
    use AddAction::*;
    let mut m = model(&[g(1, Tail, 0)]);
    m.execute(
        Timing::Now,
        &[
            g(1, Tail, 0),
            s(2, Tail, 99, vec![]),
            s(3, Head, 1, vec![]),
            s(4, Tail, 3, vec![]),
            ServerOp::Free { node: NodeId(99) },
            ServerOp::Set { node: NodeId(99), controls: vec![] },
            ServerOp::Run { node: NodeId(99), on: true },
            ServerOp::After { node: NodeId(1), target: NodeId(3) },
            ServerOp::Free { node: NodeId::ROOT },
        ],
    )
    .unwrap();
    let cmds: Vec<_> = m.failures().iter().map(|f| f.command).collect();
    assert_eq!(cmds, ["/g_new", "/s_new", "/s_new", "/n_free", "/n_set", "/n_run", "/n_after", "/n_free"]);
    assert!(m.failures()[0].message.contains("duplicate"));
    // The refused ops changed nothing.
    assert_eq!(m.children(NodeId(1)), ids(&[3]));
}

#[test]
fn canonical_trees_ignore_node_ids_and_bus_numbers() {
    use AddAction::*;
    let a =
        model(&[g(5, Tail, 0), s(6, Tail, 5, vec![("out", 16.0), ("amp", 0.5)]), s(7, Tail, 5, vec![("bus", 16.0)])]);
    let b = model(&[
        g(50, Tail, 0),
        s(70, Tail, 50, vec![("out", 20.0), ("amp", 0.5)]),
        s(60, Tail, 50, vec![("bus", 20.0)]),
    ]);
    assert_eq!(a.canonical_tree(), b.canonical_tree());
    // Different wiring is not equal.
    let c =
        model(&[g(5, Tail, 0), s(6, Tail, 5, vec![("out", 16.0), ("amp", 0.5)]), s(7, Tail, 5, vec![("bus", 18.0)])]);
    assert_ne!(a.canonical_tree(), c.canonical_tree());
    assert!(a.canonical_tree().to_string().contains("imbolc_test"));
}
