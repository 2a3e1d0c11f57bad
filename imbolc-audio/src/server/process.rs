//! Starting and stopping the external processes (jackd, scsynth) so that none
//! outlives Imbolc, even when Imbolc is killed.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::error::ServerError;

/// Finds `program` on `PATH`.
///
/// # Errors
/// [`ServerError::NotInstalled`] naming the Debian package to install.
pub fn find_program(program: &'static str, package: &'static str) -> Result<PathBuf, ServerError> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
        .ok_or(ServerError::NotInstalled { program, package })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Asks the kernel to send SIGTERM to the child when the thread that spawned
/// it exits (the parent dying, killed or not, ends that thread too). So spawn
/// from a thread that lives as long as the server should.
#[allow(unsafe_code)]
pub fn die_with_parent(command: &mut Command) -> &mut Command {
    // SAFETY: the closure runs in the forked child before exec and only calls
    // prctl and getppid, both async-signal-safe; it touches no Rust state.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The parent may have died between fork and prctl.
            if libc::getppid() == 1 {
                return Err(std::io::Error::other("parent exited during spawn"));
            }
            Ok(())
        })
    }
}

/// Sends `signal` to a child we started. Never used on processes we did not
/// start: other sessions run their own servers on the same machine.
pub fn signal(child: &Child, signal: libc::c_int) {
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        #[allow(unsafe_code)]
        // SAFETY: kill(2) with a pid we own; no memory is involved.
        unsafe {
            libc::kill(pid, signal);
        }
    }
}

/// Waits up to `timeout` for the child to exit; true when it has.
pub fn wait_timeout(child: &mut Child, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(_)) | Err(_) => return true,
            Ok(None) if Instant::now() >= deadline => return false,
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// Stops a child: SIGTERM, then SIGKILL after `grace`, and reaps it.
pub fn terminate(child: &mut Child, grace: Duration) {
    if matches!(child.try_wait(), Ok(Some(_))) {
        return;
    }
    signal(child, libc::SIGTERM);
    if !wait_timeout(child, grace) {
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// The user's state folder for Imbolc: `$XDG_STATE_HOME/imbolc`, else
/// `~/.local/state/imbolc`. Logs go here, never to predictable names in a
/// shared folder such as `/tmp`.
pub fn state_dir() -> PathBuf {
    std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
        .unwrap_or_else(std::env::temp_dir)
        .join("imbolc")
}

/// Creates a new log file `NAME.log` (or `NAME-1.log`, …) in
/// [`state_dir`], readable by the user only. Opened with `O_EXCL` and
/// `O_NOFOLLOW`: an existing file or a planted symlink is never followed,
/// truncated or written; another name is taken instead.
///
/// # Errors
/// The I/O error when the folder cannot be made or no name is free.
pub fn create_log(name: &str) -> std::io::Result<(File, PathBuf)> {
    create_log_in(&state_dir(), name)
}

/// [`create_log`] in `dir`.
///
/// # Errors
/// As [`create_log`].
pub fn create_log_in(dir: &Path, name: &str) -> std::io::Result<(File, PathBuf)> {
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    let mut last = None;
    for n in 0..32 {
        let file = if n == 0 { format!("{name}.log") } else { format!("{name}-{n}.log") };
        let path = dir.join(file);
        let opened =
            OpenOptions::new().write(true).create_new(true).mode(0o600).custom_flags(libc::O_NOFOLLOW).open(&path);
        match opened {
            Ok(f) => return Ok((f, path)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free log name")))
}

/// Spawns `command` tied to this thread ([`die_with_parent`]), with no
/// input, its output in a new log file named after `log_name` (see
/// [`create_log`]), and `env` added to its environment. Returns the child
/// and its log's path.
///
/// # Errors
/// [`ServerError::Io`] if the log cannot be created, [`ServerError::Spawn`]
/// if the program cannot be run.
pub fn spawn_logged(
    program: &'static str,
    command: &mut Command,
    log_name: &str,
    env: &[(String, String)],
) -> Result<(Child, PathBuf), ServerError> {
    let (out, log) = create_log(log_name)?;
    command.envs(env.iter().map(|(k, v)| (k, v))).stdin(Stdio::null()).stdout(out.try_clone()?).stderr(out);
    let spawned = die_with_parent(command).spawn();
    match spawned {
        Ok(child) => Ok((child, log)),
        Err(source) => {
            let _ = std::fs::remove_file(&log);
            Err(ServerError::Spawn { program, path: PathBuf::from(command.get_program()), source })
        }
    }
}

/// The last `lines` lines of a log file joined with " | ", for errors.
pub fn log_tail(log: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let mut tail: Vec<&str> = text.lines().rev().take(lines).collect();
    tail.reverse();
    tail.join(" | ")
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_log_never_follows_or_truncates_what_is_already_there() {
        let dir = std::env::temp_dir().join(format!("imbolc-log-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let victim = dir.join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        std::os::unix::fs::symlink(&victim, dir.join("scsynth.log")).unwrap();
        std::fs::write(dir.join("scsynth-1.log"), b"older log").unwrap();
        let (mut f, path) = create_log_in(&dir, "scsynth").unwrap();
        assert_eq!(path, dir.join("scsynth-2.log"));
        f.write_all(b"hello").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious", "the symlink was not followed");
        assert_eq!(std::fs::read(dir.join("scsynth-1.log")).unwrap(), b"older log");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
