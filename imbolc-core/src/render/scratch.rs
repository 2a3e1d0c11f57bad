//! A render's temporary files: named after the process that writes them
//! (`.imbolc-render-PID-N-…`), removed when the render ends however it
//! ends ([`Scratch`] deletes them on drop), and swept by a later render
//! into the same folder when their process is gone (a SIGKILL gives no
//! chance to clean up).
//!
//! Also the disk space check: a render needs room for scsynth's raw output
//! and every file at once (the raw output is removed only at the end).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::error::RenderError;

/// Start of every temporary file name of a render.
const PREFIX: &str = ".imbolc-render-";

/// Renders started by this process, so two in a row never share names.
static RENDERS: AtomicU64 = AtomicU64::new(0);

/// The temporary files of one render; deleted when dropped.
#[derive(Debug)]
pub(super) struct Scratch {
    dir: PathBuf,
    /// `.imbolc-render-PID-N-`
    stem: String,
    paths: Vec<PathBuf>,
}

impl Scratch {
    /// Temporary files in `dir` for a new render of this process.
    pub fn new(dir: &Path) -> Self {
        let n = RENDERS.fetch_add(1, Ordering::Relaxed);
        let stem = format!("{PREFIX}{}-{n}-", std::process::id());
        Scratch { dir: dir.to_owned(), stem, paths: Vec::new() }
    }

    /// A new temporary file path ending in `suffix`, deleted with the rest.
    pub fn file(&mut self, suffix: &str) -> PathBuf {
        let path = self.dir.join(format!("{}{suffix}", self.stem));
        self.paths.push(path.clone());
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for p in &self.paths {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// The process id in a temporary file name of a render, if it is one.
fn owner_pid(name: &str) -> Option<u32> {
    name.strip_prefix(PREFIX)?.split('-').next()?.parse().ok()
}

/// Whether process `pid` exists (Linux `/proc`).
fn alive(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

/// Removes temporary render files in `dir` whose process is gone (left by
/// a render that was killed outright). Files of a running render, of this
/// process or another, are left alone. Returns how many were removed.
pub(super) fn sweep_stale(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(owner_pid) else { continue };
        if !alive(pid) && std::fs::remove_file(entry.path()).is_ok() {
            tracing::info!("removed {} left by an interrupted render", entry.path().display());
            removed += 1;
        }
    }
    removed
}

/// Bytes free for this user in the file system holding `dir`.
///
/// # Errors
/// The `statvfs` failure (the folder is missing or unreadable).
pub(super) fn free_bytes(dir: &Path) -> std::io::Result<u64> {
    let st = rustix::fs::statvfs(dir).map_err(std::io::Error::from)?;
    Ok(st.f_bavail.saturating_mul(st.f_frsize))
}

/// Refuses a render that needs more than the free space in `dir`.
///
/// # Errors
/// [`RenderError::NoSpace`] with both figures.
pub(super) fn check_space(dir: &Path, needed: u64) -> Result<(), RenderError> {
    match free_bytes(dir) {
        Ok(free) if free < needed => Err(RenderError::NoSpace { dir: dir.to_owned(), needed, free }),
        Ok(_) => Ok(()),
        // Unknown: the render goes on and a full disk is reported as the I/O error it is.
        Err(e) => {
            tracing::warn!("cannot tell the free space in {}: {e}", dir.display());
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_files_of_a_dead_process_go_and_live_ones_stay() {
        let dir = std::env::temp_dir().join(format!("imbolc-scratch-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // A pid above the kernel's limit is never alive.
        let dead = dir.join(format!("{PREFIX}4194305-0-0.raw"));
        let ours = dir.join(format!("{PREFIX}{}-9-0.raw", std::process::id()));
        let other = dir.join("master.wav");
        for p in [&dead, &ours, &other] {
            std::fs::write(p, b"x").unwrap();
        }
        assert_eq!(sweep_stale(&dir), 1);
        assert!(!dead.exists() && ours.exists() && other.exists());
        let path = {
            let mut s = Scratch::new(&dir);
            let p = s.file("0.raw");
            std::fs::write(&p, b"x").unwrap();
            p
        };
        assert!(!path.exists(), "dropped with its scratch");
        assert!(free_bytes(&dir).unwrap() > 0);
        assert!(matches!(check_space(&dir, u64::MAX), Err(RenderError::NoSpace { .. })));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
