//! Logging to a file in the user's state directory
//! (`$XDG_STATE_HOME/imbolc/imbolc.log`, else `~/.local/state/imbolc/`):
//! the terminal belongs to the UI.
//!
//! The log rotates by size ([`RotatingFile`]): past [`MAX_LOG_BYTES`] it
//! becomes `imbolc.log.1` (the older ones move up to `.3`, the oldest
//! goes), so a restart loop or a flood of refused MIDI actions cannot fill
//! the disk.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;

/// Size at which the log is rotated.
pub const MAX_LOG_BYTES: u64 = 4 << 20;
/// Rotated logs kept besides the current one.
pub const KEPT_LOGS: usize = 3;

/// Where the log file lives (beside the server logs).
pub fn log_dir() -> PathBuf {
    imbolc_audio::server::process::state_dir()
}

/// Starts logging; keep the guard alive until exit so the log is flushed.
/// Logging is best effort: without a writable directory there is no log.
pub fn init() -> Option<WorkerGuard> {
    let dir = log_dir();
    std::fs::create_dir_all(&dir).ok()?;
    let file = RotatingFile::open(&dir.join("imbolc.log"), MAX_LOG_BYTES, KEPT_LOGS).ok()?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = tracing_subscriber::EnvFilter::try_from_env("IMBOLC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_writer(writer).with_ansi(false).with_env_filter(filter).try_init().ok()?;
    Some(guard)
}

/// A log file that rotates when it passes a size: `NAME` → `NAME.1` →
/// … → `NAME.KEEP`, the oldest removed.
#[derive(Debug)]
pub struct RotatingFile {
    path: PathBuf,
    file: File,
    len: u64,
    max: u64,
    keep: usize,
}

impl RotatingFile {
    /// Opens (appends to) `path`, rotating past `max` bytes and keeping
    /// `keep` old files. A symlink at `path` is not followed.
    ///
    /// # Errors
    /// When the file cannot be opened.
    pub fn open(path: &Path, max: u64, keep: usize) -> io::Result<Self> {
        let file = open_append(path)?;
        let len = file.metadata()?.len();
        Ok(RotatingFile { path: path.to_owned(), file, len, max: max.max(1), keep })
    }

    fn numbered(&self, n: usize) -> PathBuf {
        let mut name = self.path.as_os_str().to_owned();
        name.push(format!(".{n}"));
        PathBuf::from(name)
    }

    fn rotate(&mut self) -> io::Result<()> {
        self.file.flush()?;
        if self.keep == 0 {
            let _ = std::fs::remove_file(&self.path);
        } else {
            let _ = std::fs::remove_file(self.numbered(self.keep));
            for n in (1..self.keep).rev() {
                let _ = std::fs::rename(self.numbered(n), self.numbered(n + 1));
            }
            std::fs::rename(&self.path, self.numbered(1))?;
        }
        self.file = open_append(&self.path)?;
        self.len = 0;
        Ok(())
    }
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).mode(0o600).custom_flags(libc::O_NOFOLLOW).open(path)
}

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.len > 0 && self.len + buf.len() as u64 > self.max {
            self.rotate()?;
        }
        let n = self.file.write(buf)?;
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_rotates_by_size_and_keeps_a_few_files() {
        let dir = std::env::temp_dir().join(format!("imbolc-rotate-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("imbolc.log");
        let mut f = RotatingFile::open(&path, 100, 2).unwrap();
        for i in 0..20 {
            writeln!(f, "line {i:02} of a log that grows without end").unwrap();
        }
        f.flush().unwrap();
        let mut names: Vec<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        assert_eq!(names, vec!["imbolc.log", "imbolc.log.1", "imbolc.log.2"]);
        for name in &names {
            assert!(std::fs::metadata(dir.join(name)).unwrap().len() <= 100, "{name}");
        }
        assert!(std::fs::read_to_string(&path).unwrap().contains("line 19"));
        // Reopening appends to the current file.
        drop(f);
        let mut f = RotatingFile::open(&path, 100, 2).unwrap();
        writeln!(f, "x").unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().ends_with("line 19 of a log that grows without end\nx\n"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
