//! The instrument filters (`synthdefs/fx/filter/`) offered as effects:
//! the same SynthDefs, ids and parameters.

use super::EffectSpec;
use crate::catalog::filters::{FilterSpec, SPECS};

const fn from_filter(f: FilterSpec) -> EffectSpec {
    EffectSpec {
        id: f.id,
        legacy_name: f.legacy_name,
        synthdef: f.synthdef,
        label: f.label,
        description: f.description,
        params: f.params,
        tail_secs: f.tail_secs,
        gain_stage: false,
    }
}

pub(super) const EFFECTS: &[EffectSpec] = &[
    from_filter(SPECS[0]),
    from_filter(SPECS[1]),
    from_filter(SPECS[2]),
    from_filter(SPECS[3]),
    from_filter(SPECS[4]),
    from_filter(SPECS[5]),
    from_filter(SPECS[6]),
    from_filter(SPECS[7]),
    from_filter(SPECS[8]),
];

const _: () = assert!(EFFECTS.len() == SPECS.len(), "every filter is an effect too");
