//! A thread that keeps one scsynth running for the application: it boots the
//! server in the background (so the UI is up at once), publishes its state,
//! restarts it when it is lost, and shuts it down on request.
//!
//! The server's child processes are tied to this thread's life, so it lives
//! until [`Supervisor::shutdown`] (or drop).

use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, bounded, unbounded};

use crate::server::{Server, ServerConfig, ServerEvent};
use crate::status::{ServerState, StatusInput, StatusOutput, status_channel};

/// Pause before restarting a lost server, so a crash loop cannot spin.
const RESTART_DELAY: Duration = Duration::from_millis(500);

/// Handle to the supervisor thread.
#[derive(Debug)]
pub struct Supervisor {
    stop: Sender<()>,
    thread: Option<JoinHandle<()>>,
}

impl Supervisor {
    /// Starts the thread; the returned reader shows its progress.
    ///
    /// # Errors
    /// [`std::io::Error`] if the thread cannot be spawned.
    pub fn spawn(config: ServerConfig) -> std::io::Result<(Supervisor, StatusOutput)> {
        let (input, output) = status_channel();
        let (stop, stopped) = bounded(1);
        let thread = std::thread::Builder::new().name("scsynth-supervisor".into()).spawn(move || run(&config, input, &stopped))?;
        Ok((Supervisor { stop, thread: Some(thread) }, output))
    }

    /// Stops the server and waits for its processes to end.
    pub fn shutdown(mut self) {
        self.stop_thread();
    }

    fn stop_thread(&mut self) {
        let _ = self.stop.try_send(());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        self.stop_thread();
    }
}

fn run(config: &ServerConfig, input: StatusInput, stopped: &Receiver<()>) {
    // The monitor thread publishes through the same writer, hence the mutex;
    // only writers take it, the UI's reader never blocks.
    let status = Arc::new(Mutex::new(input));
    let publish = |status: &Arc<Mutex<StatusInput>>, state: ServerState| {
        status.lock().unwrap_or_else(PoisonError::into_inner).write(state);
    };
    loop {
        publish(&status, ServerState::Booting);
        let (lost_tx, lost_rx) = unbounded();
        let handler_status = Arc::clone(&status);
        let driver = std::sync::OnceLock::<String>::new();
        let driver = Arc::new(driver);
        let handler_driver = Arc::clone(&driver);
        let handler = Box::new(move |event: ServerEvent| match event {
            ServerEvent::Status(stats) => {
                let driver = handler_driver.get().cloned().unwrap_or_default();
                publish(&handler_status, ServerState::Running { stats, driver });
            }
            ServerEvent::Lost(reason) => {
                publish(&handler_status, ServerState::Lost { reason: reason.clone() });
                let _ = lost_tx.send(reason);
            }
            ServerEvent::Message(_) => {}
        });
        let server = match Server::start(config, handler) {
            Ok(server) => server,
            Err(e) => {
                tracing::error!("scsynth failed to start: {e}");
                publish(&status, ServerState::Failed { reason: e.to_string() });
                let _ = stopped.recv();
                return;
            }
        };
        let _ = driver.set(server.jack().driver().to_owned());
        tracing::info!("scsynth running on {:?} (JACK {})", server.addr().ok(), server.jack().name());
        crossbeam_channel::select! {
            recv(stopped) -> _ => {
                server.shutdown();
                publish(&status, ServerState::Stopped);
                return;
            }
            recv(lost_rx) -> reason => {
                tracing::warn!("scsynth lost: {}", reason.unwrap_or_default());
                server.shutdown();
            }
        }
        match stopped.recv_timeout(RESTART_DELAY) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}
