//! The chaos soak (issue 19 point 7) in the suite: one seed, a bounded
//! number of steps, against the real stack. See `imbolc_tests::chaos`.
//!
//! `IMBOLC_CHAOS_SEED=N` picks the seed and `IMBOLC_CHAOS_STEPS=K` the
//! length (a failure prints the command that replays it); the example `chaos` runs many seeds.

// Test code: a failed run is a failed test.
#![allow(clippy::panic)]

use imbolc_tests::chaos::{SEED_VAR, STEPS_VAR, run};

/// The seed when `IMBOLC_CHAOS_SEED` is unset.
const DEFAULT_SEED: u64 = 19;
/// Steps of the run when `IMBOLC_CHAOS_STEPS` is unset: under a minute
/// on a loaded two-core machine.
const DEFAULT_STEPS: usize = 4000;

fn from_env<T: std::str::FromStr>(var: &str, default: T) -> T {
    match std::env::var(var) {
        Ok(text) => text.trim().parse().unwrap_or_else(|_| panic!("{var}={text} is not a number")),
        Err(_) => default,
    }
}

#[test]
fn chaos_soak_leaves_no_voice_no_orphan_and_a_project_equal_to_its_replay() {
    let seed = from_env(SEED_VAR, DEFAULT_SEED);
    let steps = from_env(STEPS_VAR, DEFAULT_STEPS);
    match run(seed, steps) {
        Ok(report) => eprintln!("{report}"),
        Err(failure) => panic!("{failure}"),
    }
}
