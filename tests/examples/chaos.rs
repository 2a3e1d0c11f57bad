//! The long chaos soak: many seeds of `imbolc_tests::chaos`, one after
//! another, and how many survived.
//!
//! `cargo run --release -p imbolc-tests --example chaos -- --seeds N
//! [--first S] [--steps K] [--minutes M]`: `--minutes` starts no new seed
//! after M minutes.

use std::time::Instant;

use imbolc_tests::chaos::run;

/// The number after `name`, `default` without one; exits on a bad one.
fn arg(args: &[String], name: &str, default: u64) -> u64 {
    let Some(value) = args.iter().position(|a| a == name).and_then(|at| args.get(at + 1)) else { return default };
    value.parse().unwrap_or_else(|_| {
        eprintln!("{name} takes a number, not {value}");
        std::process::exit(2)
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seeds = arg(&args, "--seeds", 10);
    let first = arg(&args, "--first", 1000);
    let steps = arg(&args, "--steps", 4000) as usize;
    let minutes = arg(&args, "--minutes", u64::MAX / 60);
    let began = Instant::now();
    let mut tried = 0;
    let (mut survived, mut total_steps, mut longest) = (0u64, 0usize, None::<(u64, f64)>);
    let mut failures = Vec::new();
    for seed in first..first + seeds {
        if began.elapsed().as_secs() >= minutes * 60 {
            break;
        }
        tried += 1;
        match run(seed, steps) {
            Ok(report) => {
                println!("ok   {report}");
                survived += 1;
                total_steps += report.steps;
                let secs = report.elapsed.as_secs_f64();
                if longest.is_none_or(|(_, s)| secs > s) {
                    longest = Some((seed, secs));
                }
            }
            Err(failure) => {
                println!("FAIL {failure}");
                failures.push(seed);
            }
        }
    }
    println!(
        "{survived} of {tried} seeds survived ({total_steps} steps, {:.0} s in all); longest run: {}; failed seeds: {failures:?}",
        began.elapsed().as_secs_f64(),
        longest.map_or("none".to_owned(), |(seed, secs)| format!("seed {seed}, {secs:.1} s"))
    );
    if !failures.is_empty() {
        std::process::exit(1);
    }
}
