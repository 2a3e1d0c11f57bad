//! Validate-and-repair of a decoded project: the one place where a project
//! that did not come from dispatch (a file, a recovery copy, a render's
//! input) is brought back to the invariants listed on [`Project`], so
//! nothing after it (dispatch, the engine, the offline planner) meets a
//! value dispatch would have refused.
//!
//! What is repaired, in order:
//! - `ids`: each map key equals the id inside it (the key wins: it is what
//!   every reference is looked up by); effect ids are unique (a lane or
//!   mapping naming a renumbered effect follows it).
//! - `refs`: dangling references dropped (clips of missing instruments,
//!   placements of missing clips, automation and mappings of missing
//!   targets, sends and outputs to missing buses, sidechain and vocoder
//!   keys naming a missing instrument or bus).
//! - `values`: tempo, meter, every parameter (catalog ranges), levels,
//!   pans, sends, envelope times, LFO, polyphony, drum pads and patterns,
//!   notes, clip and placement lengths, automation points and MIDI
//!   mappings; NaN and infinity become the default; a clip generator with
//!   a parameter out of range is dropped (the clip keeps its notes).
//! - `ids` last: every id counter is above the largest id of its kind still
//!   in use (a counter cannot pass `u32::MAX`: allocation then refuses, see
//!   `IdCounters`).
//!
//! Nothing is repaired silently: each fix is a [`Repair`] in the returned
//! [`Repairs`], whose [`Repairs::line`] is the one line the user sees and
//! whose details go to the log. A project dispatch produced needs no
//! repair (a property test checks it), so a valid file is left exactly as
//! it was read.

mod ids;
mod refs;
mod values;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt::Display;

use imbolc_types::Project;

/// What kind of fix a [`Repair`] is; the summary line counts them by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RepairKind {
    Tempo,
    Meter,
    DanglingClip,
    DanglingPlacement,
    DanglingAutomation,
    DanglingMapping,
    DanglingRoute,
    /// A sidechain or vocoder key naming a chain that is missing (or that
    /// cannot be a key): cleared, so the effect keys with its own signal.
    DanglingKey,
    Length,
    Note,
    Value,
    AutomationPoint,
    Structure,
    KeyMismatch,
    DuplicateId,
    IdCounter,
    /// Not a repair of the project: a sample file that is missing or not
    /// a regular file, or a stored sample the file lacks, so its pad stays
    /// silent (found by [`super::load`]).
    SilentSample,
    /// A pad of an old project named a sample file: it was imported into
    /// the project's sample store.
    ImportedSample,
}

impl RepairKind {
    /// The summary of `count` fixes of this kind (`detail` is the first
    /// one's, shown for the one-of-a-kind project values).
    fn summary(self, count: usize, detail: &str) -> String {
        let n = |one: &str, many: &str| format!("{count} {}", if count == 1 { one } else { many });
        match self {
            RepairKind::Tempo => format!("tempo {detail}"),
            RepairKind::Meter => format!("meter {detail}"),
            RepairKind::DanglingClip => n("dangling clip removed", "dangling clips removed"),
            RepairKind::DanglingPlacement => n("dangling placement removed", "dangling placements removed"),
            RepairKind::DanglingAutomation => {
                n("automation lane of a missing target removed", "automation lanes of missing targets removed")
            }
            RepairKind::DanglingMapping => {
                n("MIDI mapping of a missing target removed", "MIDI mappings of missing targets removed")
            }
            RepairKind::DanglingRoute => {
                n("send or output to a missing bus fixed", "sends or outputs to missing buses fixed")
            }
            RepairKind::DanglingKey => {
                n("sidechain key of a missing chain cleared", "sidechain keys of missing chains cleared")
            }
            RepairKind::Length => n("length fixed", "lengths fixed"),
            RepairKind::Note => n("note fixed", "notes fixed"),
            RepairKind::Value => n("value brought into range", "values brought into range"),
            RepairKind::AutomationPoint => n("automation point fixed", "automation points fixed"),
            RepairKind::Structure => n("other fix", "other fixes"),
            RepairKind::KeyMismatch => n("id matched to its key", "ids matched to their keys"),
            RepairKind::DuplicateId => n("duplicate id renumbered", "duplicate ids renumbered"),
            RepairKind::IdCounter => n("id counter raised", "id counters raised"),
            // One is named (the path and why); more are counted, each is in the log.
            RepairKind::SilentSample if count == 1 => format!("a sample pad is silent: {detail}"),
            RepairKind::SilentSample => n(
                "sample missing or not a regular file (pad silent)",
                "samples missing or not regular files (pads silent)",
            ),
            RepairKind::ImportedSample => {
                n("sample file imported into the project", "sample files imported into the project")
                    + " (save to keep it)"
            }
        }
    }
}

/// One fix: its kind and where and what it was ("instrument 3 level: 1e30 → 2").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    pub kind: RepairKind,
    pub detail: String,
}

/// Every fix made to one project, in the order made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Repairs {
    items: Vec<Repair>,
}

impl Repairs {
    /// Records one fix.
    pub fn push(&mut self, kind: RepairKind, detail: impl Into<String>) {
        self.items.push(Repair { kind, detail: detail.into() });
    }

    /// True when nothing was repaired (the project was valid).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Every fix, for the log.
    pub fn details(&self) -> &[Repair] {
        &self.items
    }

    /// Number of fixes of `kind`.
    pub fn count(&self, kind: RepairKind) -> usize {
        self.items.iter().filter(|r| r.kind == kind).count()
    }

    /// The fixes counted by kind, most important first: "2 dangling clips
    /// removed, tempo 0.01 → 20". `None` when nothing was repaired.
    pub fn summary(&self) -> Option<String> {
        let mut by_kind: BTreeMap<RepairKind, (usize, &str)> = BTreeMap::new();
        for r in &self.items {
            by_kind.entry(r.kind).or_insert((0, r.detail.as_str())).0 += 1;
        }
        let parts: Vec<String> = by_kind.iter().map(|(k, (n, first))| k.summary(*n, first)).collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    /// The one line shown on open (status line, `imbolc render`'s stderr):
    /// "repaired on open: 2 dangling clips removed, tempo 0.01 → 20".
    pub fn line(&self) -> Option<String> {
        self.summary().map(|s| format!("repaired on open: {s}"))
    }

    /// Writes every fix to the log, naming `source` (the file).
    pub fn log(&self, source: &dyn Display) {
        for r in &self.items {
            tracing::warn!("repaired on open of {source}: {:?}: {}", r.kind, r.detail);
        }
    }
}

/// Brings `project` back to the invariants dispatch keeps, and says what
/// it changed. Idempotent: repairing a repaired project changes nothing.
pub fn repair(project: &mut Project) -> Repairs {
    let mut out = Repairs::default();
    ids::match_keys(project, &mut out);
    ids::unique_effects(project, &mut out);
    refs::drop_dangling(project, &mut out);
    values::project_values(project, &mut out);
    refs::frozen_clips(project, &mut out);
    values::automation_and_mappings(project, &mut out);
    ids::counters(project, &mut out);
    out
}

/// A number as a person reads it: `0.01`, `120`, `1e-30`, `NaN`, `inf`.
pub(crate) fn num(v: f32) -> String {
    if v.is_finite() && v != 0.0 && !(1e-4..1e7).contains(&v.abs()) { format!("{v:e}") } else { format!("{v}") }
}

/// `v` brought into `lo..=hi`; NaN and infinities become `default`.
pub(crate) fn clamp_or(v: f32, (lo, hi): (f32, f32), default: f32) -> f32 {
    if v.is_finite() { v.clamp(lo, hi) } else { default }
}

/// Brings `*slot` into `range` (NaN and infinity: `default`), recording why.
pub(crate) fn clamp_slot(
    slot: &mut f32,
    range: (f32, f32),
    default: f32,
    kind: RepairKind,
    what: impl Display,
    out: &mut Repairs,
) {
    let fixed = clamp_or(*slot, range, default);
    set_f32(slot, fixed, kind, what, out);
}

/// Sets `*slot` to `fixed` when it differs (NaN-aware), recording why.
pub(crate) fn set_f32(slot: &mut f32, fixed: f32, kind: RepairKind, what: impl Display, out: &mut Repairs) {
    if slot.to_bits() != fixed.to_bits() {
        out.push(kind, format!("{what}: {} → {}", num(*slot), num(fixed)));
        *slot = fixed;
    }
}
