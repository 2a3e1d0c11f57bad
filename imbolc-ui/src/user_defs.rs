//! The user's own SynthDefs folder, scanned on a thread of its own:
//! compiling a `.scd` with sclang takes about a second, and the picker must
//! open at once. The folder is scanned at start and again each time the
//! source picker opens (only changed `.scd` files are compiled again); the
//! picker shows what the last scan found and updates when a scan ends.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

use imbolc_audio::synthdefs::custom::{ScanCache, UserDefs, load_user_dir};

/// The last scan's result and the scanner thread.
#[derive(Debug, Default)]
pub struct UserSynthDefs {
    known: Arc<UserDefs>,
    scanner: Option<Scanner>,
    /// A scan was asked for and has not answered yet.
    scanning: bool,
}

#[derive(Debug)]
struct Scanner {
    requests: Sender<()>,
    results: Receiver<UserDefs>,
}

impl UserSynthDefs {
    /// Scans `dir` now (compiling `.scd` files with `sclang` when given),
    /// and again on [`UserSynthDefs::rescan`]. The thread ends when this is
    /// dropped.
    pub fn start(dir: PathBuf, sclang: Option<PathBuf>) -> UserSynthDefs {
        let (requests, wanted) = channel::<()>();
        let (found, results) = channel();
        let spawned = std::thread::Builder::new().name("imbolc-synthdefs".into()).spawn(move || {
            let mut cache = ScanCache::default();
            while wanted.recv().is_ok() {
                // Requests that queued up meanwhile are answered by this scan.
                while wanted.try_recv().is_ok() {}
                if found.send(load_user_dir(&dir, sclang.as_deref(), &mut cache)).is_err() {
                    return;
                }
            }
        });
        let mut defs = UserSynthDefs::default();
        match spawned {
            Ok(_) => {
                defs.scanner = Some(Scanner { requests, results });
                defs.rescan();
            }
            Err(e) => tracing::warn!("cannot start the SynthDef scanner: {e}"),
        }
        defs
    }

    /// Asks for a new scan (nothing when one is under way).
    pub fn rescan(&mut self) {
        if let Some(s) = &self.scanner
            && !self.scanning
        {
            self.scanning = s.requests.send(()).is_ok();
        }
    }

    /// The result of a finished scan, when it differs from the last.
    pub fn poll(&mut self) -> Option<Arc<UserDefs>> {
        let s = self.scanner.as_ref()?;
        match s.results.try_recv() {
            Ok(defs) => {
                self.scanning = false;
                if defs == *self.known {
                    return None;
                }
                self.known = Arc::new(defs);
                Some(self.known.clone())
            }
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                self.scanner = None;
                self.scanning = false;
                None
            }
        }
    }

    /// What the last scan found.
    pub fn known(&self) -> Arc<UserDefs> {
        self.known.clone()
    }
}

/// The status line's note on files a scan refused (none when all were
/// usable).
pub fn refusals_note(defs: &UserDefs) -> Option<String> {
    let (path, why) = defs.refused.first()?;
    let more = match defs.refused.len() - 1 {
        0 => String::new(),
        n => format!(" (and {n} more; see the instrument picker)"),
    };
    Some(format!("SynthDef {} refused: {why}{more}", path.display()))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    #[test]
    fn a_scan_runs_at_start_and_again_when_asked() {
        let dir = std::env::temp_dir().join(format!("imbolc-ui-user-defs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let saw = imbolc_audio::synthdefs::find("imbolc_saw").map(|d| d.bytes).unwrap_or_default();
        std::fs::write(dir.join("mine.scsyndef"), saw).unwrap();
        let mut defs = UserSynthDefs::start(dir.clone(), None);
        let wait = |defs: &mut UserSynthDefs| {
            let until = Instant::now() + Duration::from_secs(10);
            loop {
                if let Some(found) = defs.poll() {
                    return found;
                }
                assert!(Instant::now() < until, "no scan result");
                std::thread::sleep(Duration::from_millis(5));
            }
        };
        assert_eq!(wait(&mut defs).sources.len(), 1);
        std::fs::write(dir.join("junk.scsyndef"), b"junk").unwrap();
        defs.rescan();
        let found = wait(&mut defs);
        assert_eq!((found.sources.len(), found.refused.len()), (1, 1));
        let note = refusals_note(&found).unwrap();
        assert!(note.contains("junk.scsyndef refused: not a readable SynthDef"), "{note}");
        assert_eq!(defs.known(), found);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
