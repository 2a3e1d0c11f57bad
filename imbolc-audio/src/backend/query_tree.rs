//! Parsing scsynth's `/g_queryTree.reply` into a [`CanonicalTree`], so a
//! test against a real server can compare its tree with the model's
//! (`server == model.canonical_tree().ignoring_run_state()`).
//!
//! Reply layout (query with flag 1 to get controls): `flag, groupID,
//! numChildren`, then depth-first per node `id, numChildren` (-1 for a
//! synth) and, for a synth, `defName` and with flag 1 `numControls` and
//! `name, value` pairs, where a mapped value is a string `c<bus>` (`a<bus>`
//! for an audio-rate mapping).

use rosc::OscType;

use super::canonical::{CanonicalKind, CanonicalNode, CanonicalTree, RawControl, Renumber, synth_kind};

/// A `/g_queryTree.reply` that does not have the documented layout. The
/// reply is from a server we do not understand: report it, do not retry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryTreeError {
    #[error("reply ends early at argument {0}")]
    Truncated(usize),
    #[error("argument {0} has an unexpected type")]
    UnexpectedType(usize),
    #[error("node count {0} is negative or too large")]
    BadCount(i32),
}

struct Cursor<'a> {
    args: &'a [OscType],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn next(&mut self) -> Result<&'a OscType, QueryTreeError> {
        let a = self.args.get(self.pos).ok_or(QueryTreeError::Truncated(self.pos))?;
        self.pos += 1;
        Ok(a)
    }

    fn int(&mut self) -> Result<i32, QueryTreeError> {
        match self.next()? {
            OscType::Int(i) => Ok(*i),
            _ => Err(QueryTreeError::UnexpectedType(self.pos - 1)),
        }
    }

    fn string(&mut self) -> Result<&'a str, QueryTreeError> {
        match self.next()? {
            OscType::String(s) => Ok(s),
            _ => Err(QueryTreeError::UnexpectedType(self.pos - 1)),
        }
    }

    fn count(&mut self) -> Result<usize, QueryTreeError> {
        let n = self.int()?;
        // Every child takes at least two arguments: a count beyond that is
        // corrupt, and checking it bounds the work on hostile input.
        match usize::try_from(n) {
            Ok(c) if c <= self.args.len() => Ok(c),
            _ => Err(QueryTreeError::BadCount(n)),
        }
    }

    fn control(&mut self) -> Result<RawControl, QueryTreeError> {
        match self.next()? {
            OscType::Float(f) => Ok(RawControl::Value(*f)),
            OscType::Int(i) => Ok(RawControl::Value(*i as f32)),
            OscType::String(s) => {
                let bus = s.get(1..).and_then(|n| n.parse::<u32>().ok());
                bus.map(RawControl::Mapped).ok_or(QueryTreeError::UnexpectedType(self.pos - 1))
            }
            _ => Err(QueryTreeError::UnexpectedType(self.pos - 1)),
        }
    }
}

impl CanonicalTree {
    /// Parses the arguments of a `/g_queryTree.reply` (query root group 0
    /// with flag 1 to compare with [`super::ModelBackend::canonical_tree`]).
    /// Every node is marked running (the reply has no run state).
    ///
    /// # Errors
    /// [`QueryTreeError`] when the reply does not have the documented
    /// layout.
    pub fn from_query_tree(args: &[OscType]) -> Result<CanonicalTree, QueryTreeError> {
        let mut c = Cursor { args, pos: 0 };
        let with_controls = c.int()? != 0;
        let _group = c.int()?;
        let children = c.count()?;
        let mut nodes = vec![CanonicalNode { depth: 0, running: true, kind: CanonicalKind::Group }];
        let mut buses = Renumber::default();
        // Children still to read at each open depth.
        let mut open = vec![children];
        while let Some(left) = open.last_mut() {
            if *left == 0 {
                open.pop();
                continue;
            }
            *left -= 1;
            let depth = open.len();
            let _id = c.int()?;
            let n = c.int()?;
            if n < 0 {
                let def = c.string()?;
                let mut controls = Vec::new();
                if with_controls {
                    let count = c.count()?;
                    for _ in 0..count {
                        let name = c.string()?;
                        controls.push((name, c.control()?));
                    }
                }
                let kind = synth_kind(def, controls.into_iter(), &mut buses);
                nodes.push(CanonicalNode { depth, running: true, kind });
            } else {
                nodes.push(CanonicalNode { depth, running: true, kind: CanonicalKind::Group });
                let count = usize::try_from(n).map_err(|_| QueryTreeError::BadCount(n))?;
                if count > args.len() {
                    return Err(QueryTreeError::BadCount(n));
                }
                open.push(count);
            }
        }
        Ok(CanonicalTree { nodes })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{AddAction, AudioBackend, ModelBackend, NodeId, ServerOp, Timing};

    fn i(v: i32) -> OscType {
        OscType::Int(v)
    }
    fn s(v: &str) -> OscType {
        OscType::String(v.into())
    }
    fn f(v: f32) -> OscType {
        OscType::Float(v)
    }

    #[test]
    fn a_reply_parses_to_the_models_canonical_tree() {
        let mut model = ModelBackend::new();
        let ops = [
            ServerOp::GroupNew { id: NodeId(1000), action: AddAction::Tail, target: NodeId(0) },
            ServerOp::SynthNew {
                def: "imbolc_lpf",
                id: NodeId(1001),
                action: AddAction::Tail,
                target: NodeId(1000),
                controls: vec![("bus", 16.0), ("cutoff", 500.0)],
            },
            ServerOp::Map { node: NodeId(1001), control: "cutoff", bus: Some(4) },
            ServerOp::Run { node: NodeId(1001), on: false },
            ServerOp::GroupNew { id: NodeId(1002), action: AddAction::Tail, target: NodeId(0) },
        ];
        model.execute(Timing::Now, &ops).unwrap();
        let reply = [
            i(1),
            i(0),
            i(2),
            i(1000),
            i(1),
            i(1001),
            i(-1),
            s("imbolc_lpf"),
            i(2),
            s("bus"),
            f(16.0),
            s("cutoff"),
            s("c4"),
            i(1002),
            i(0),
        ];
        let tree = CanonicalTree::from_query_tree(&reply).unwrap();
        assert_eq!(tree, model.canonical_tree().ignoring_run_state());
        assert_ne!(tree, model.canonical_tree(), "run state differs");
    }

    #[test]
    fn malformed_replies_are_errors_not_panics() {
        assert_eq!(CanonicalTree::from_query_tree(&[]), Err(QueryTreeError::Truncated(0)));
        assert_eq!(CanonicalTree::from_query_tree(&[i(1), i(0), i(1), i(5)]), Err(QueryTreeError::Truncated(4)));
        assert_eq!(CanonicalTree::from_query_tree(&[i(1), i(0), i(-3)]), Err(QueryTreeError::BadCount(-3)));
        assert_eq!(CanonicalTree::from_query_tree(&[i(1), s("x")]), Err(QueryTreeError::UnexpectedType(1)));
        let huge = [i(1), i(0), i(1), i(7), i(i32::MAX)];
        assert_eq!(CanonicalTree::from_query_tree(&huge), Err(QueryTreeError::BadCount(i32::MAX)));
    }
}
