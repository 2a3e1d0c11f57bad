//! Writes the corpus of impossible project files (`imbolc_tests::corpus`)
//! into a folder, to try them by hand: `imbolc FILE` in a terminal, or
//! `imbolc render FILE --out DIR`.
//!
//! `cargo run -p imbolc-tests --example write_corpus -- DIR`

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: write_corpus DIR");
        return ExitCode::from(2);
    };
    for (case, path) in imbolc_tests::corpus::write_corpus(std::path::Path::new(&dir)) {
        println!("{}  {}", path.display(), case.what);
    }
    ExitCode::SUCCESS
}
