//! Starts a test server, prints `scsynth=<pid> jackd=<pid>` and waits to be
//! killed. The tests kill it with SIGKILL and check its servers die with it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;

fn main() {
    let server = imbolc_tests::ScServer::start();
    let scsynth = server.server.scsynth_pid().unwrap();
    let jackd = server.server.jack().and_then(|j| j.pid()).unwrap();
    println!("scsynth={scsynth} jackd={jackd}");
    std::io::stdout().flush().unwrap();
    loop {
        std::thread::park();
    }
}
