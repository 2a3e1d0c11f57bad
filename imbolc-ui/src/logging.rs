//! Logging to a file in the user's state directory
//! (`$XDG_STATE_HOME/imbolc/imbolc.log`, else `~/.local/state/imbolc/`):
//! the terminal belongs to the UI.

use std::path::PathBuf;

use tracing_appender::non_blocking::WorkerGuard;

/// Where the log file lives.
pub fn log_dir() -> PathBuf {
    std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
        .unwrap_or_else(std::env::temp_dir)
        .join("imbolc")
}

/// Starts logging; keep the guard alive until exit so the log is flushed.
/// Logging is best effort: without a writable directory there is no log.
pub fn init() -> Option<WorkerGuard> {
    let dir = log_dir();
    std::fs::create_dir_all(&dir).ok()?;
    let (writer, guard) = tracing_appender::non_blocking(tracing_appender::rolling::never(&dir, "imbolc.log"));
    let filter = tracing_subscriber::EnvFilter::try_from_env("IMBOLC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_writer(writer).with_ansi(false).with_env_filter(filter).try_init().ok()?;
    Some(guard)
}
