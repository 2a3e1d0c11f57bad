//! The long chaos soak: many seeds of `imbolc_tests::chaos`, one after
//! another, and how many survived.
//!
//! `cargo run --release -p imbolc-tests --example chaos -- --seeds N
//! [--first S] [--steps K] [--minutes M] [--log FILE]`: `--minutes` starts
//! no new seed after M minutes; `--log` writes the engine's log (a line marks
//! where each seed begins) to FILE, to see what a failed seed went through.

use std::time::Instant;

use imbolc_tests::chaos::run;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The number after `name`, `default` without one; exits on a bad one.
fn arg(args: &[String], name: &str, default: u64) -> u64 {
    let Some(value) = args.iter().position(|a| a == name).and_then(|at| args.get(at + 1)) else { return default };
    value.parse().unwrap_or_else(|_| {
        eprintln!("{name} takes a number, not {value}");
        std::process::exit(2)
    })
}

/// The value after `name`, if any.
fn text_arg<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter().position(|a| a == name).and_then(|at| args.get(at + 1)).map(String::as_str)
}

/// Sends the engine's log to `path` (info and above, or `IMBOLC_LOG`).
fn log_to(path: &str) {
    let file = std::fs::File::create(path).unwrap_or_else(|e| {
        eprintln!("cannot create the log {path}: {e}");
        std::process::exit(2)
    });
    // The same `IMBOLC_LOG` syntax as the binary's log (imbolc-ui's
    // `logging::filter_from_env`): `target=level` pairs and a bare default.
    let filter = std::env::var("IMBOLC_LOG")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .and_then(|s| s.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    let writer = std::sync::Mutex::new(file);
    // The filter alone limits the level (`fmt()` would add an INFO ceiling).
    let lines = tracing_subscriber::fmt::layer().with_writer(writer).with_ansi(false);
    let _ = tracing_subscriber::registry().with(filter).with(lines).try_init();
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(path) = text_arg(&args, "--log") {
        log_to(path);
    }
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
        tracing::info!("chaos seed {seed} begins");
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
