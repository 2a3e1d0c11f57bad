//! Allocators for server resources the graph owns: node ids (never reused)
//! and bus indices (reused through a free list).

use std::collections::BTreeSet;

use crate::backend::NodeId;

/// Hands out node ids from a counter. Ids are never reused within a
/// session, so a late notification about a freed node cannot be mistaken
/// for a newer one.
#[derive(Debug, Clone)]
pub struct NodeIds {
    next: i32,
}

impl NodeIds {
    pub fn new(first: i32) -> Self {
        NodeIds { next: first }
    }

    /// A fresh id.
    pub fn next_id(&mut self) -> NodeId {
        let id = NodeId(self.next);
        // 2^31 nodes at 1000 per second is 24 days of continuous churn; wrap
        // rather than panic, skipping the ids below the root.
        self.next = self.next.checked_add(1).unwrap_or(1);
        id
    }
}

/// Allocates blocks of `width` consecutive bus indices (2 for a stereo audio
/// bus, 1 for a control bus) above a first private index.
///
/// Invariant: every index in `free` is below `next` and not in use. The
/// lowest free block is reused first, so the highest index in use stays as
/// low as the peak number of live buses allows: churn never grows it.
#[derive(Debug, Clone)]
pub struct BusAllocator {
    first: u32,
    width: u32,
    next: u32,
    free: BTreeSet<u32>,
}

impl BusAllocator {
    /// Buses start at `first` (scsynth's first private bus is the number of
    /// hardware outputs plus inputs).
    pub fn new(first: u32, width: u32) -> Self {
        BusAllocator { first, width: width.max(1), next: first, free: BTreeSet::new() }
    }

    /// The first index of a free block.
    pub fn alloc(&mut self) -> u32 {
        if let Some(b) = self.free.pop_first() {
            return b;
        }
        let b = self.next;
        self.next = self.next.saturating_add(self.width);
        b
    }

    /// Returns a block; freeing an index that is not allocated is ignored.
    pub fn free(&mut self, bus: u32) {
        if bus >= self.first && bus < self.next && (bus - self.first).is_multiple_of(self.width) {
            self.free.insert(bus);
        }
    }

    /// One past the highest index ever handed out.
    pub fn high_water(&self) -> u32 {
        self.next
    }

    /// Frees everything (used when the graph is rebuilt from scratch).
    pub fn reset(&mut self) {
        self.next = self.first;
        self.free.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freed_buses_are_reused_lowest_first() {
        let mut a = BusAllocator::new(16, 2);
        let (x, y, z) = (a.alloc(), a.alloc(), a.alloc());
        assert_eq!((x, y, z), (16, 18, 20));
        a.free(20);
        a.free(16);
        assert_eq!(a.alloc(), 16);
        assert_eq!(a.alloc(), 20);
        assert_eq!(a.high_water(), 22);
    }

    #[test]
    fn node_ids_only_grow() {
        let mut ids = NodeIds::new(1000);
        assert_eq!(ids.next_id(), NodeId(1000));
        assert_eq!(ids.next_id(), NodeId(1001));
    }
}
