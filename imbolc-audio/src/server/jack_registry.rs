//! JACK's server registry (`/dev/shm/jack-shm-registry`) has room for eight
//! servers. A jackd that dies without unregistering (killed, crashed) keeps
//! its slot until a server of the same name starts again. Our server names
//! are unique (pid and counter), so such slots stay taken, and once eight
//! are, no JACK server can start on the machine at all ("Too many servers
//! already active") — for every user of it, tests and sessions alike.
//!
//! JACK frees a dead entry when a server of that name registers, so a dead
//! slot of ours is reclaimed by starting a jackd of its name and stopping it
//! cleanly. Only names with our prefix are touched, and only when their
//! process is gone.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::jack::is_running;
use super::process::{die_with_parent, signal, wait_timeout};

const REGISTRY: &str = "/dev/shm/jack-shm-registry";
/// Names of JACK servers Imbolc starts begin with this (tests add `_test`).
pub const OWN_PREFIX: &str = "imbolc";

/// Names of registered JACK servers whose name starts with `prefix` and
/// whose process is gone. Reads JACK 2's registry layout (each entry a
/// pid, then `jack-<uid>:<name>:`); an unknown layout yields nothing.
pub fn dead_servers(prefix: &str) -> Vec<String> {
    let Ok(bytes) = std::fs::read(REGISTRY) else { return Vec::new() };
    registered(&bytes)
        .into_iter()
        .filter(|(pid, name)| name.starts_with(prefix) && !runs(*pid))
        .map(|(_, n)| n)
        .collect()
}

/// Whether the registry has an entry for a server named `name`.
pub fn holds(name: &str) -> bool {
    std::fs::read(REGISTRY).is_ok_and(|bytes| registered(&bytes).iter().any(|(_, n)| n == name))
}

fn runs(pid: i32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// (pid, name) of every entry in a registry's bytes.
fn registered(bytes: &[u8]) -> Vec<(i32, String)> {
    let mut names = Vec::new();
    let mut at = 0;
    while let Some(found) = find(&bytes[at..], b"jack-") {
        let start = at + found;
        at = start + 1;
        let Some(pid_bytes) = start.checked_sub(4).and_then(|p| bytes.get(p..start)) else { continue };
        let Ok(pid) = <[u8; 4]>::try_from(pid_bytes).map(i32::from_le_bytes) else { continue };
        let end = bytes[start..].iter().position(|&b| b == 0).map_or(bytes.len(), |n| start + n);
        let Ok(entry) = std::str::from_utf8(&bytes[start..end]) else { continue };
        let Some(name) = entry.split(':').nth(1) else { continue };
        if pid > 0 && !name.is_empty() {
            names.push((pid, name.to_owned()));
        }
    }
    names
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Frees the registry slot of each dead server in `names` (see the module
/// docs). Returns how many were freed.
pub fn reclaim(jackd: &Path, names: &[String]) -> usize {
    let mut freed = 0;
    for name in names {
        let mut command = Command::new(jackd);
        command
            .args(["-n", name, "--no-realtime", "-d", "dummy"])
            .env("JACK_NO_START_SERVER", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let Ok(mut child) = die_with_parent(&mut command).spawn() else { continue };
        let deadline = Instant::now() + Duration::from_secs(5);
        while !is_running(name) && Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let up = is_running(name);
        signal(&child, libc::SIGTERM);
        if !wait_timeout(&mut child, Duration::from_secs(10)) {
            let _ = child.kill();
            let _ = child.wait();
        } else if up {
            freed += 1;
        }
    }
    if freed > 0 {
        tracing::info!("freed {freed} JACK registry slots left by servers that died");
    }
    freed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(pid: i32, name: &str) -> Vec<u8> {
        let mut e = pid.to_le_bytes().to_vec();
        let mut text = format!("jack-0:{name}:").into_bytes();
        text.resize(256, 0);
        e.extend(text);
        e
    }

    #[test]
    fn entries_are_read_with_their_pids_and_garbage_is_skipped() {
        let mut bytes = b"KCAJ\0\0\0\0jack-".to_vec();
        bytes.extend(entry(4242, "imbolc_test_1_0"));
        bytes.extend(entry(0, "free"));
        bytes.extend(entry(7, "someone_else"));
        bytes.extend(b"jack-0:no-end");
        assert_eq!(registered(&bytes), vec![(4242, "imbolc_test_1_0".to_owned()), (7, "someone_else".to_owned())]);
        assert!(runs(std::process::id() as i32));
        assert!(registered(&[0, 1, 2]).is_empty());
    }
}
