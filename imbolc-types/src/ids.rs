//! Id newtypes. Ids are allocated from counters stored in the project and are
//! never reused, so automation, MIDI mappings and undo can refer to them safely
//! after deletes.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// An instrument of the project.
    InstrumentId
);
id_type!(
    /// One effect slot, wherever its chain is (instrument, bus or master).
    EffectId
);
id_type!(
    /// An aux/return bus of the project (not a server bus index).
    BusId
);
id_type!(
    /// A clip of notes or drum steps.
    ClipId
);
id_type!(
    /// One note inside a clip.
    NoteId
);
id_type!(
    /// An automation lane.
    LaneId
);
id_type!(
    /// One placement of a clip on the arrangement.
    PlacementId
);

/// The next free value of every id kind. Counters only grow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IdCounters {
    pub instrument: u32,
    pub effect: u32,
    pub bus: u32,
    pub clip: u32,
    pub note: u32,
    pub lane: u32,
    pub placement: u32,
}

macro_rules! allocator {
    ($fn_name:ident, $field:ident, $ty:ident) => {
        #[doc = concat!("Allocates a fresh [`", stringify!($ty), "`]; `None` once all are used ")]
        /// (a counter at `u32::MAX`, which only a crafted file holds), so an
        /// id is never handed out twice and the counter never wraps.
        pub fn $fn_name(&mut self) -> Option<$ty> {
            let next = self.$field.checked_add(1)?;
            let id = $ty(self.$field);
            self.$field = next;
            Some(id)
        }
    };
}

impl IdCounters {
    allocator!(next_instrument, instrument, InstrumentId);
    allocator!(next_effect, effect, EffectId);
    allocator!(next_bus, bus, BusId);
    allocator!(next_clip, clip, ClipId);
    allocator!(next_note, note, NoteId);
    allocator!(next_lane, lane, LaneId);
    allocator!(next_placement, placement, PlacementId);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_never_repeat_an_id() {
        let mut c = IdCounters::default();
        let a = c.next_effect();
        let b = c.next_effect();
        assert_ne!(a, b);
        assert_eq!(c.next_instrument(), Some(InstrumentId(0)));
        assert_eq!(c.next_instrument(), Some(InstrumentId(1)));
    }

    #[test]
    fn a_counter_at_the_top_refuses_instead_of_wrapping() {
        let mut c = IdCounters { clip: u32::MAX - 1, note: u32::MAX, ..IdCounters::default() };
        assert_eq!(c.next_clip(), Some(ClipId(u32::MAX - 1)));
        assert_eq!(c.next_clip(), None);
        assert_eq!(c.next_note(), None);
        assert_eq!(c.note, u32::MAX, "a refused allocation leaves the counter");
    }
}
