//! Filters for the instrument's filter slot (an in-place processor after
//! the voices). One SynthDef per entry under `synthdefs/fx/`.

use super::ParamSpec;
use super::kind::catalog_kind;
use super::param::p;

/// Groups of filters, in picker order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilterFamily {
    /// Low-, high-, band-pass and notch responses.
    Pass,
}

impl FilterFamily {
    /// Every family, in picker order.
    pub const ALL: [FilterFamily; 1] = [FilterFamily::Pass];

    /// Heading in the picker and the docs.
    pub fn label(self) -> &'static str {
        match self {
            FilterFamily::Pass => "Pass filters",
        }
    }
}

/// Everything the rest of Imbolc knows about a filter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FilterSpec {
    /// Stable id stored in project files.
    pub id: &'static str,
    /// The enum variant name files written before the table existed used.
    pub legacy_name: Option<&'static str>,
    /// Processor SynthDef: reads and `ReplaceOut`s its `bus`.
    pub synthdef: &'static str,
    pub label: &'static str,
    /// One line for the picker and the docs.
    pub description: &'static str,
    pub params: &'static [ParamSpec],
}

pub(super) const LOW_PASS_PARAMS: &[ParamSpec] =
    &[p("cutoff", "Cutoff", 2000.0, 20.0, 20000.0, "Hz").exp(), p("resonance", "Resonance", 0.2, 0.0, 1.0, "")];

const PASS: &[FilterSpec] = &[FilterSpec {
    id: "low_pass",
    legacy_name: Some("LowPass"),
    synthdef: "imbolc_lpf",
    label: "low-pass",
    description: "Resonant low-pass (12 dB/octave)",
    params: LOW_PASS_PARAMS,
}];

/// The filter tables, one per family, in [`FilterFamily::ALL`] order.
const TABLES: &[(FilterFamily, &[FilterSpec])] = &[(FilterFamily::Pass, PASS)];

catalog_kind!(
    /// A handle to an entry of the filter catalog.
    FilterKind,
    FilterSpec,
    FilterFamily,
    TABLES,
    "filter"
);

impl FilterKind {
    pub const LOW_PASS: FilterKind = FilterKind::at("low_pass");
}
