//! Realtime scheduling for the audio thread. A live note waits for the
//! audio thread to wake up; under the normal scheduler that wake-up can
//! take several milliseconds while other threads (the UI, compilers, a
//! busy scsynth) hold the cores. `SCHED_FIFO` makes it run as soon as it
//! is woken.
//!
//! The priority is the lowest realtime one, so JACK's and scsynth's audio
//! callbacks (higher realtime priorities) still come first, and
//! `SCHED_RESET_ON_FORK` keeps it to this thread: the servers and threads
//! it starts run normally. Without permission (no `rtprio` limit for the
//! user) the thread stays normal and says why.

/// How the audio thread is scheduled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheduling {
    /// Not decided yet (the thread is starting), or not asked for.
    Normal,
    /// `SCHED_FIFO` at this priority.
    Realtime { priority: i32 },
    /// Realtime was refused; the reason, for the server pane.
    Refused { reason: String },
}

/// The realtime priority asked for: the lowest, below any audio callback.
pub const AUDIO_THREAD_PRIORITY: i32 = 1;

/// Moves the calling thread to `SCHED_FIFO` at [`AUDIO_THREAD_PRIORITY`],
/// with `SCHED_RESET_ON_FORK`.
pub fn promote_current_thread() -> Scheduling {
    let param = libc::sched_param { sched_priority: AUDIO_THREAD_PRIORITY };
    // SAFETY: sched_setscheduler(2) on the calling thread (pid 0) with a
    // valid, initialised sched_param that outlives the call.
    #[allow(unsafe_code)]
    let result = unsafe { libc::sched_setscheduler(0, libc::SCHED_FIFO | libc::SCHED_RESET_ON_FORK, &param) };
    if result == 0 {
        tracing::info!("audio thread: SCHED_FIFO priority {AUDIO_THREAD_PRIORITY}");
        return Scheduling::Realtime { priority: AUDIO_THREAD_PRIORITY };
    }
    let error = std::io::Error::last_os_error();
    let reason = if error.raw_os_error() == Some(libc::EPERM) {
        "realtime scheduling not permitted (give your user an rtprio limit, e.g. the `audio` group)".to_owned()
    } else {
        format!("realtime scheduling failed: {error}")
    };
    tracing::warn!("audio thread stays at normal priority: {reason}");
    Scheduling::Refused { reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The policy of the calling thread, from the kernel.
    fn policy() -> libc::c_int {
        // SAFETY: sched_getscheduler(2) on the calling thread; no memory.
        #[allow(unsafe_code)]
        unsafe {
            libc::sched_getscheduler(0)
        }
    }

    #[test]
    fn a_promoted_thread_is_fifo_and_what_it_starts_is_not() {
        std::thread::spawn(|| match promote_current_thread() {
            Scheduling::Realtime { priority } => {
                assert_eq!(priority, AUDIO_THREAD_PRIORITY);
                assert_eq!(policy() & !libc::SCHED_RESET_ON_FORK, libc::SCHED_FIFO);
                let child = std::thread::spawn(policy).join().unwrap_or(-1);
                assert_eq!(child, libc::SCHED_OTHER, "threads it starts run normally");
                let shell = std::process::Command::new("sh")
                    .args(["-c", "chrt -p $$"])
                    .output()
                    .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                    .unwrap_or_default();
                assert!(shell.contains("SCHED_OTHER"), "processes it starts run normally: {shell}");
            }
            Scheduling::Refused { reason } => {
                assert!(reason.contains("not permitted"), "{reason}");
                assert_eq!(policy(), libc::SCHED_OTHER);
            }
            Scheduling::Normal => unreachable!("promote_current_thread always decides"),
        })
        .join()
        .unwrap_or_else(|_| panic!("the promoted thread's checks failed"));
    }
}
