//! Running `scsynth -N` on a score: progress from its `nextOSCPacket`
//! lines, cancel by killing it.
//!
//! scsynth runs in a process group of its own, so a Ctrl-C in the terminal
//! reaches only Imbolc (which cancels, kills it and cleans up) and never
//! leaves scsynth half-stopped with a partial output that looks finished;
//! and it is tied to the thread that waits for it (parent-death signal, as
//! for the live server), so it ends if Imbolc is killed.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::error::RenderError;

/// How often a waiting render checks the cancel flag.
const POLL: Duration = Duration::from_millis(50);
/// Lines of scsynth's output kept for an error message.
const LOG_LINES: usize = 8;

/// One NRT run: the score, where the output goes and its shape.
#[derive(Debug, Clone, Copy)]
pub struct NrtJob<'a> {
    pub scsynth: &'a Path,
    pub score: &'a Path,
    pub output: &'a Path,
    pub rate: u32,
    pub channels: u32,
    /// Seconds the score lasts (for progress).
    pub length: f64,
}

/// Renders `job` to headerless 32-bit float (little-endian), calling
/// `progress` with 0..=1; kills scsynth as soon as `stop()` is true.
///
/// # Errors
/// [`RenderError::ScsynthMissing`], [`RenderError::Scsynth`] (non-zero exit
/// or no output), [`RenderError::Cancelled`] (the child is killed first).
pub fn run(job: &NrtJob<'_>, stop: &dyn Fn() -> bool, progress: &mut dyn FnMut(f64)) -> Result<(), RenderError> {
    let mut cmd = Command::new(job.scsynth);
    cmd.args(["-i", "0", "-o", &job.channels.to_string()])
        .args(["-a", &imbolc_audio::offline::AUDIO_BUSES.to_string(), "-n", "16384", "-m", "65536"])
        .args(["-R", "0", "-D", "0", "-V", "0", "-N"])
        .arg(job.score)
        .arg("_")
        .arg(job.output)
        .args([&job.rate.to_string(), "raw", "float"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = imbolc_audio::server::process::die_with_parent(&mut cmd).spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
            RenderError::ScsynthMissing { program: job.scsynth.display().to_string() }
        }
        _ => RenderError::Io { context: "starting scsynth".into(), source: e },
    })?;
    let (tx, rx) = mpsc::channel::<String>();
    let readers: Vec<_> = [
        child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>),
        child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .map(|stream| {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        })
    })
    .collect();
    drop(tx);

    let mut log: Vec<String> = Vec::new();
    let mut outcome = Ok(());
    loop {
        if stop() {
            // Kill first, then reap: the half-written output is removed by the caller.
            let _ = child.kill();
            outcome = Err(RenderError::Cancelled);
            break;
        }
        match rx.recv_timeout(POLL) {
            Ok(line) => {
                if let Some(secs) = line.strip_prefix("nextOSCPacket ").and_then(|s| s.trim().parse::<f64>().ok()) {
                    if job.length > 0.0 {
                        progress((secs / job.length).clamp(0.0, 1.0));
                    }
                } else {
                    tracing::debug!(target: "scsynth-nrt", "{line}");
                    if log.len() == LOG_LINES {
                        log.remove(0);
                    }
                    log.push(line);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let status = child.wait().map_err(RenderError::io("waiting for scsynth"))?;
    for r in readers {
        let _ = r.join();
    }
    outcome?;
    // Cancelled while scsynth was finishing: its output is not the render's.
    if stop() {
        return Err(RenderError::Cancelled);
    }
    if !status.success() || !job.output.exists() {
        return Err(RenderError::Scsynth { status: status.to_string(), log: log.join(" | ") });
    }
    progress(1.0);
    Ok(())
}
