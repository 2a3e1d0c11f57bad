//! [`OrderedMap`]: a map keyed by id that keeps display order, with O(1)
//! lookup, and whose equality *includes* the order.
//!
//! `IndexMap`'s own `==` ignores order, which would let an undo that restores
//! an instrument at the wrong position pass as exact. Wrapping it keeps the
//! whole `indexmap` API (through `Deref`) while making `==` order-aware.

use std::ops::{Deref, DerefMut};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// An id-keyed map in display order. Equality compares entries in order.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
#[serde(bound(
    serialize = "K: Serialize + std::hash::Hash + Eq, V: Serialize",
    deserialize = "K: Deserialize<'de> + std::hash::Hash + Eq, V: Deserialize<'de>"
))]
pub struct OrderedMap<K, V>(pub IndexMap<K, V>);

impl<K, V> Default for OrderedMap<K, V> {
    fn default() -> Self {
        OrderedMap(IndexMap::default())
    }
}

impl<K: PartialEq, V: PartialEq> PartialEq for OrderedMap<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len() && self.0.iter().eq(other.0.iter())
    }
}

impl<K, V> Deref for OrderedMap<K, V> {
    type Target = IndexMap<K, V>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<K, V> DerefMut for OrderedMap<K, V> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl<K: std::hash::Hash + Eq, V> FromIterator<(K, V)> for OrderedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        OrderedMap(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_sees_order() {
        let a: OrderedMap<u32, u32> = [(1, 1), (2, 2)].into_iter().collect();
        let b: OrderedMap<u32, u32> = [(2, 2), (1, 1)].into_iter().collect();
        assert_ne!(a, b);
        assert_eq!(a, a.clone());
        assert_eq!(a.0, b.0, "IndexMap alone ignores order");
    }
}
