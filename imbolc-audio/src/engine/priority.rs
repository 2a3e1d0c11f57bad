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

/// How the audio thread is scheduled, for the server pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scheduling {
    /// Not decided yet (the thread is starting), or not asked for.
    #[default]
    Normal,
    /// `SCHED_FIFO` at this priority.
    Realtime { priority: i32 },
    /// Realtime was refused with this `errno`.
    Refused { errno: i32 },
}

impl std::fmt::Display for Scheduling {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scheduling::Normal => write!(f, "normal"),
            Scheduling::Realtime { priority } => write!(f, "realtime (SCHED_FIFO {priority})"),
            Scheduling::Refused { errno } if *errno == libc::EPERM => {
                write!(f, "normal (realtime not permitted: no rtprio limit)")
            }
            Scheduling::Refused { errno } => {
                write!(f, "normal: realtime refused ({})", std::io::Error::from_raw_os_error(*errno))
            }
        }
    }
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
    let scheduling = if result == 0 {
        Scheduling::Realtime { priority: AUDIO_THREAD_PRIORITY }
    } else {
        Scheduling::Refused { errno: std::io::Error::last_os_error().raw_os_error().unwrap_or(0) }
    };
    tracing::info!("audio thread: {scheduling}");
    scheduling
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
            refused @ Scheduling::Refused { .. } => {
                assert!(refused.to_string().contains("not permitted"), "{refused}");
                assert_eq!(policy(), libc::SCHED_OTHER);
            }
            Scheduling::Normal => unreachable!("promote_current_thread always decides"),
        })
        .join()
        .unwrap_or_else(|_| panic!("the promoted thread's checks failed"));
    }
}
