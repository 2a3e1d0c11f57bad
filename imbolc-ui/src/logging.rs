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
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

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
    subscriber(writer, filter_from_env()).try_init().ok()?;
    Some(guard)
}

/// Plain-text lines to `writer`, as many as `filter` lets through. The
/// filter is the only level limit (`fmt()`'s builder would add its own
/// `INFO` ceiling under it, hiding the debug lines `IMBOLC_LOG` asks for).
fn subscriber<W>(writer: W, filter: Targets) -> impl tracing::Subscriber + Send + Sync + 'static
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::registry()
        .with(filter)
        .with(tracing_subscriber::fmt::layer().with_writer(writer).with_ansi(false))
}

/// What to log: `IMBOLC_LOG` as comma-separated `target=level` pairs and
/// an optional bare default level (`warn`, `info,imbolc_ui::midi=debug`),
/// else (unset or unreadable) `info`. Targets are module paths matched by
/// prefix; span and field filters are not supported.
pub fn filter_from_env() -> Targets {
    std::env::var("IMBOLC_LOG")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO))
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
    fn imbolc_log_directives_set_levels_per_module() {
        use tracing::Level;
        let filter: Targets = "info,imbolc_ui::midi=debug".parse().unwrap();
        assert!(filter.would_enable("imbolc_ui::midi::ports", &Level::DEBUG));
        assert!(!filter.would_enable("imbolc_ui::main", &Level::DEBUG));
        assert!(filter.would_enable("imbolc_core::persist", &Level::INFO));
        let filter: Targets = "warn".parse().unwrap();
        assert!(!filter.would_enable("imbolc_audio", &Level::INFO));
        assert!(filter.would_enable("imbolc_audio", &Level::WARN));
    }

    #[test]
    fn a_module_asked_for_at_debug_logs_its_debug_lines_and_the_rest_stays_at_info() {
        let path = std::env::temp_dir().join(format!("imbolc-log-filter-{}", std::process::id()));
        let file = File::create(&path).unwrap();
        let filter = "info,imbolc_ui::midi=debug".parse().unwrap();
        tracing::subscriber::with_default(subscriber(std::sync::Mutex::new(file), filter), || {
            tracing::debug!(target: "imbolc_ui::midi", "midi detail");
            tracing::debug!(target: "imbolc_ui::run", "run detail");
            tracing::info!(target: "imbolc_ui::run", "run news");
        });
        let log = std::fs::read_to_string(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        assert!(log.contains("midi detail"), "{log}");
        assert!(!log.contains("run detail"), "{log}");
        assert!(log.contains("run news"), "{log}");
    }

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
