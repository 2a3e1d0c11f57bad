//! Automation lanes: a breakpoint curve of values over time for one
//! [`ParamTarget`], linear between points.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::LaneId;
use crate::notes::Tick;
use crate::param::ParamTarget;

/// One lane of automation. Points are keyed by tick, so there is at most one
/// value per tick and they are always in time order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutomationLane {
    pub id: LaneId,
    pub target: ParamTarget,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub points: BTreeMap<Tick, f32>,
}

fn yes() -> bool {
    true
}
