//! Where the control socket lives: `$XDG_RUNTIME_DIR/imbolc/control.sock`,
//! else `/tmp/imbolc-UID/control.sock`; the folder is private (0700, the
//! user's own), the socket 0600.

use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Why the control socket is not listening.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// The folder belongs to someone else or is open to others.
    #[error("{0} is not a private folder of this user: {1}")]
    NotPrivate(PathBuf, String),
    /// Another imbolc answers on this socket.
    #[error("{0} is in use by another imbolc")]
    InUse(PathBuf),
    /// The file system refused.
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
}

/// The uid this process runs as.
pub fn own_uid() -> u32 {
    rustix::process::getuid().as_raw()
}

/// The folder of the control socket, from the environment.
pub fn socket_dir() -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir.join("imbolc"),
        _ => std::env::temp_dir().join(format!("imbolc-{}", own_uid())),
    }
}

/// Where a TUI started now listens (when no other imbolc holds it; a
/// second one listens at `control-PID.sock` beside it).
pub fn socket_path() -> PathBuf {
    socket_dir().join("control.sock")
}

/// Makes `dir` (0700) or checks that it is `owner`'s own and closed to
/// others; a folder of `owner`'s that others could read is closed.
///
/// # Errors
/// [`ControlError::NotPrivate`] for a folder of someone else's or a
/// symbolic link; [`ControlError::Io`] when it cannot be made.
pub fn private_dir(dir: &Path, owner: u32) -> Result<(), ControlError> {
    if let Some(parent) = dir.parent()
        && !parent.exists()
    {
        std::fs::create_dir_all(parent).map_err(|e| ControlError::Io(parent.to_owned(), e))?;
    }
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(ControlError::Io(dir.to_owned(), e)),
    }
    let meta = std::fs::symlink_metadata(dir).map_err(|e| ControlError::Io(dir.to_owned(), e))?;
    if !meta.is_dir() {
        return Err(ControlError::NotPrivate(dir.to_owned(), "not a folder".into()));
    }
    if meta.uid() != owner {
        return Err(ControlError::NotPrivate(dir.to_owned(), format!("owned by uid {}", meta.uid())));
    }
    if meta.mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| ControlError::Io(dir.to_owned(), e))?;
    }
    Ok(())
}
