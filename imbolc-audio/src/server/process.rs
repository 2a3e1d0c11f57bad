//! Starting and stopping the external processes (jackd, scsynth) so that none
//! outlives Imbolc, even when Imbolc is killed.

use std::fs::File;
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

/// Spawns `command` tied to this thread ([`die_with_parent`]), with no
/// input, its output in the file `log`, and `env` added to its environment.
///
/// # Errors
/// [`ServerError::Io`] if the log cannot be created, [`ServerError::Spawn`]
/// if the program cannot be run.
pub fn spawn_logged(
    program: &'static str,
    command: &mut Command,
    log: &Path,
    env: &[(String, String)],
) -> Result<Child, ServerError> {
    let out = File::create(log)?;
    command.envs(env.iter().map(|(k, v)| (k, v))).stdin(Stdio::null()).stdout(out.try_clone()?).stderr(out);
    die_with_parent(command).spawn().map_err(|source| ServerError::Spawn {
        program,
        path: PathBuf::from(command.get_program()),
        source,
    })
}

/// The last `lines` lines of a log file joined with " | ", for errors.
pub fn log_tail(log: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let mut tail: Vec<&str> = text.lines().rev().take(lines).collect();
    tail.reverse();
    tail.join(" | ")
}
