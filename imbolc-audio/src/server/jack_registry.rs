//! JACK's registry of running servers (`/dev/shm/jack-shm-registry`) has
//! eight places. A jackd that is SIGKILLed (a crash, a chaos test, a
//! stop that timed out) keeps its place, and jackd frees a dead server's
//! place only when a new server registers under the *same* name. Imbolc's
//! private servers have unique names, so each killed one would hold a
//! place for good; after eight, every jackd on the machine exits with
//! `Too many servers already active`.
//!
//! [`stale_servers`] reads the registry (read only, no lock: a torn read
//! at worst misses an entry) and lists the names of our user's dead
//! servers; [`super::jack::Jack`] frees each by starting and stopping a
//! jackd under that name, jackd's own way of reclaiming a place.

use std::path::Path;

/// The registry file (JACK's POSIX shared memory segment).
const REGISTRY: &str = "/dev/shm/jack-shm-registry";
/// jackd's words when the registry is full.
pub const REGISTRY_FULL: &str = "Too many servers already active";
/// Places in the registry (`MAX_SERVERS` in jack2's `shm.h`).
const MAX_SERVERS: usize = 8;
/// Bytes before the server table: magic, protocol, type, size, header and
/// entry lengths.
const HEADER: usize = 24;
/// `JACK` in the registry's first four bytes (native endian u32).
const MAGIC: u32 = 0x4a41_434b;

/// Names of dead servers of this user that start with `prefix` and still
/// hold a place in the registry. Empty when the registry is missing or
/// not laid out as jack2 1.9 lays it out.
pub fn stale_servers(prefix: &str) -> Vec<String> {
    let Ok(bytes) = std::fs::read(REGISTRY) else { return Vec::new() };
    #[allow(unsafe_code)]
    // SAFETY: getuid(2) takes no arguments and always succeeds.
    let uid = unsafe { libc::getuid() };
    entries(&bytes)
        .into_iter()
        .filter(|(pid, _)| !Path::new(&format!("/proc/{pid}")).exists())
        .filter_map(|(_, name)| server_name(&name, uid).map(str::to_owned))
        .filter(|name| name.starts_with(prefix))
        .collect()
}

/// The (pid, registered name) of each occupied place.
fn entries(bytes: &[u8]) -> Vec<(u32, String)> {
    let u32_at = |at: usize| bytes.get(at..at + 4).and_then(|b| b.try_into().ok()).map(u32::from_ne_bytes);
    let (Some(magic), Some(size), Some(header_len)) = (u32_at(0), u32_at(12), u32_at(16)) else { return Vec::new() };
    let (size, header_len) = (size as usize, header_len as usize);
    if magic != MAGIC || size != bytes.len() || header_len <= HEADER || header_len > bytes.len() {
        return Vec::new();
    }
    let entry = (header_len - HEADER) / MAX_SERVERS;
    (0..MAX_SERVERS)
        .filter_map(|i| {
            let at = HEADER + i * entry;
            let pid = u32_at(at).filter(|&pid| pid != 0)?;
            let name = bytes.get(at + 4..at + entry)?;
            let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
            Some((pid, String::from_utf8_lossy(&name[..end]).into_owned()))
        })
        .collect()
}

/// The server name in a registered name `jack-UID:NAME:`, for `uid` only.
fn server_name(registered: &str, uid: u32) -> Option<&str> {
    registered.strip_prefix(&format!("jack-{uid}:"))?.strip_suffix(':')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A registry as jack2 1.9.21 writes it: 24-byte header, eight
    /// places of 264 bytes (pid, then a 257-byte name, padded).
    fn registry(places: &[(u32, &str)]) -> Vec<u8> {
        let entry = 264;
        let header_len = HEADER + MAX_SERVERS * entry;
        let size = header_len + 64;
        let mut bytes = vec![0; size];
        for (at, value) in [(0, MAGIC), (8, 1), (12, size as u32), (16, header_len as u32), (20, 268)] {
            bytes[at..at + 4].copy_from_slice(&value.to_ne_bytes());
        }
        for (i, (pid, name)) in places.iter().enumerate() {
            let at = HEADER + i * entry;
            bytes[at..at + 4].copy_from_slice(&pid.to_ne_bytes());
            bytes[at + 4..at + 4 + name.len()].copy_from_slice(name.as_bytes());
        }
        bytes
    }

    #[test]
    fn places_are_read_and_names_are_our_users_only() {
        let bytes = registry(&[(6113, "jack-0:imbolc_test_6110_0:"), (0, ""), (5503, "jack-1000:default:")]);
        let found = entries(&bytes);
        assert_eq!(found, [(6113, "jack-0:imbolc_test_6110_0:".to_owned()), (5503, "jack-1000:default:".to_owned())]);
        assert_eq!(server_name(&found[0].1, 0), Some("imbolc_test_6110_0"));
        assert_eq!(server_name(&found[1].1, 0), None, "another user's server");
    }

    #[test]
    fn a_registry_of_another_layout_gives_nothing() {
        let mut bytes = registry(&[(6113, "jack-0:imbolc_x:")]);
        bytes.truncate(100);
        assert!(entries(&bytes).is_empty(), "size does not match");
        let mut bytes = registry(&[(6113, "jack-0:imbolc_x:")]);
        bytes[0] = 0;
        assert!(entries(&bytes).is_empty(), "no magic");
    }
}
