//! Named checkpoints: a copy of the project's state under a name
//! ("verse done"), listed with when it was made and what changed since,
//! and restored as one undoable edit ([`imbolc_types::Action::RestoreCheckpoint`]).
//!
//! - [`Checkpoint`]: the name, the time and the state. The state is shared
//!   (`Arc`): a save clones the list without copying projects.
//! - `changes`: [`Changes`], the short summary of what differs between a
//!   checkpoint and now ("3 notes added, 1 instrument removed"), from a
//!   comparison by id that skips equal clips and instruments.
//! - Storage in the project file: `crate::persist` (tables `checkpoint` and
//!   `checkpoint_part`, parts deduplicated by hash).

use std::sync::Arc;

use imbolc_types::Project;

mod changes;

pub use changes::Changes;

/// One named state of the project.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    pub name: String,
    /// Unix time in milliseconds.
    pub created_ms: i64,
    pub project: Arc<Project>,
}

impl Checkpoint {
    /// A checkpoint of `project` made at `created_ms`.
    pub fn new(name: impl Into<String>, project: Project, created_ms: i64) -> Self {
        Checkpoint { name: name.into(), created_ms, project: Arc::new(project) }
    }

    /// What differs between this checkpoint and `now`.
    pub fn changes_to(&self, now: &Project) -> Changes {
        Changes::between(&self.project, now)
    }
}

/// Why a checkpoint could not be made or restored. Nothing changes then.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// A checkpoint needs a name that is not blank.
    #[error("a checkpoint needs a name")]
    EmptyName,
    /// Names are unique within a project (they name rows in the file).
    #[error("there is already a checkpoint named {0:?}")]
    Exists(String),
    /// No checkpoint has this name.
    #[error("no checkpoint named {0:?}")]
    Unknown(String),
}

/// Checks `name` can name a new checkpoint among `existing`; returns it
/// trimmed.
///
/// # Errors
///
/// [`CheckpointError::EmptyName`] or [`CheckpointError::Exists`].
pub fn check_name(existing: &[Checkpoint], name: &str) -> Result<String, CheckpointError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(CheckpointError::EmptyName);
    }
    if existing.iter().any(|c| c.name == name) {
        return Err(CheckpointError::Exists(name.to_owned()));
    }
    Ok(name.to_owned())
}

/// "2026-12-07 02:23 UTC" for a Unix time in milliseconds (UTC, so the
/// list reads the same on every machine and in tests).
pub fn format_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", rem / 3600, rem % 3600 / 60)
}

/// Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// well-known algorithm, written out here).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// One line per checkpoint: name, time and what changed since, oldest
/// first (for `checkpoints` in scripts and the REPL).
pub fn list(checkpoints: &[Checkpoint], now: &Project) -> String {
    if checkpoints.is_empty() {
        return "no checkpoints".into();
    }
    let lines: Vec<String> = checkpoints
        .iter()
        .map(|c| format!("{:?}  {}  since: {}", c.name, format_time(c.created_ms), c.changes_to(now)))
        .collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_utc_dates() {
        assert_eq!(format_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_time(1_796_610_213_000), "2026-12-07 02:23 UTC");
        assert_eq!(format_time(951_782_400_000), "2000-02-29 00:00 UTC");
    }

    #[test]
    fn names_are_trimmed_unique_and_not_blank() {
        let cp = Checkpoint::new("verse", Project::new("p"), 0);
        assert_eq!(check_name(&[], "  a b "), Ok("a b".into()));
        assert_eq!(check_name(&[], "  "), Err(CheckpointError::EmptyName));
        assert_eq!(check_name(&[cp], "verse"), Err(CheckpointError::Exists("verse".into())));
    }
}
