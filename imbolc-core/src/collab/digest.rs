//! The project digest: a 64-bit hash of its MessagePack encoding
//! (including the id counters, which the next edits depend on). It costs
//! one encoding of the project, so the host sends it every few seconds,
//! not per action.

use std::hash::Hasher;

use imbolc_types::Project;

/// The digest of `project`; equal projects (with equal id counters) have
/// equal digests in every process of the same build.
pub fn digest(project: &Project) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    match rmp_serde::to_vec(project) {
        Ok(bytes) => h.write(&bytes),
        Err(e) => tracing::error!("could not encode the project for its digest: {e}"),
    }
    h.finish()
}
