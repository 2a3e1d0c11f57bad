//! Users' own SynthDefs as instrument sources: read from
//! `$XDG_CONFIG_HOME/imbolc/synthdefs/` (`.scsyndef` as is, `.scd` compiled
//! with sclang when it is installed), checked for the voice controls, and
//! turned into a [`CustomSource`] whose bytes the project keeps.
//!
//! On the server a custom def is loaded under its name plus a hash of its
//! bytes ([`server_def`]), so two versions of one def (an instrument made
//! before the user edited the file, one made after) each play their own,
//! and no user def can replace a built-in one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime};

use imbolc_types::catalog::{REQUIRED_VOICE_CONTROLS, VOICE_CONTROLS};
use imbolc_types::custom::{CustomParam, CustomSource, intern};

use super::reader::{DefParseError, parse, renamed};

/// The largest def that still loads with one `/d_recv` datagram.
pub const MAX_DEF_BYTES: usize = 60_000;

/// Why a user's SynthDef cannot be a source.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum CustomDefError {
    /// The file is not a readable SynthDef: recompile or replace it.
    #[error("not a readable SynthDef: {0}")]
    Unreadable(#[from] DefParseError),
    /// The def lacks voice controls an instrument needs: add them.
    #[error(
        "SynthDef {name} lacks the voice control{} {}: a source needs {}",
        if missing.len() > 1 { "s" } else { "" },
        missing.join(", "),
        REQUIRED_VOICE_CONTROLS.join(", ")
    )]
    MissingControls { name: String, missing: Vec<&'static str> },
    /// Too large to send to scsynth in one datagram: simplify it.
    #[error("SynthDef {name} is {len} bytes; at most {MAX_DEF_BYTES} load")]
    TooBig { name: String, len: usize },
    /// The file could not be read from disk.
    #[error("cannot read it: {0}")]
    Io(String),
    /// sclang could not compile the `.scd`: fix the source.
    #[error("sclang could not compile it: {0}")]
    Compile(String),
}

/// Checks `bytes` (one compiled SynthDef) as a source: it must read whole
/// and have `out`, `freq` and `gate`. Its other controls become parameters
/// (`amp` among them when it has one).
///
/// # Errors
/// [`CustomDefError`] naming what is wrong.
pub fn custom_source(bytes: Vec<u8>) -> Result<CustomSource, CustomDefError> {
    let def = parse(&bytes)?;
    let missing: Vec<&'static str> = REQUIRED_VOICE_CONTROLS.iter().copied().filter(|c| !def.has_control(c)).collect();
    if !missing.is_empty() {
        return Err(CustomDefError::MissingControls { name: def.name, missing });
    }
    if bytes.len() > MAX_DEF_BYTES {
        return Err(CustomDefError::TooBig { name: def.name, len: bytes.len() });
    }
    let is_voice = |name: &str| name != "amp" && VOICE_CONTROLS.contains(&name);
    let voice_controls = def.controls.iter().filter(|(n, _)| is_voice(n)).map(|(n, _)| n.clone()).collect();
    let mut params: Vec<CustomParam> = Vec::new();
    for (name, default) in &def.controls {
        if !is_voice(name) && !params.iter().any(|p| p.id == *name) {
            params.push(CustomParam::from_default(name, *default));
        }
    }
    Ok(CustomSource { name: def.name, bytes, params, voice_controls, broken: None })
}

/// A custom def as loaded on the server: renamed `<name>-<hash of its
/// bytes>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerDef {
    pub name: &'static str,
    pub bytes: Arc<[u8]>,
}

/// The def to `/d_recv` for `custom`, or why it cannot play.
///
/// # Errors
/// The reason it is broken, as text for the user.
pub fn server_def(custom: &CustomSource) -> Result<ServerDef, String> {
    if let Some(why) = &custom.broken {
        return Err(why.clone());
    }
    let name = format!("{}-{:016x}", custom.name, fnv1a(&custom.bytes));
    let bytes = renamed(&custom.bytes, &name).map_err(|e| CustomDefError::from(e).to_string())?;
    let name = parse(&bytes).map_err(|e| e.to_string())?.name;
    Ok(ServerDef { name: intern(&name), bytes: bytes.into() })
}

/// FNV-1a, 64 bits: the same on every machine, unlike `std`'s hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// What the user's synthdefs folder holds.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct UserDefs {
    pub sources: Vec<CustomSource>,
    /// Files that could not be used, with the reason (shown to the user).
    pub refused: Vec<(PathBuf, CustomDefError)>,
}

/// `$XDG_CONFIG_HOME/imbolc/synthdefs` (or `~/.config/imbolc/synthdefs`).
pub fn user_dir() -> Option<PathBuf> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("imbolc").join("synthdefs"))
}

/// What earlier scans found per file, so a rescan compiles only `.scd`
/// files that changed (sclang takes about a second per file).
#[derive(Debug, Default)]
pub struct ScanCache {
    files: HashMap<PathBuf, (FileStamp, Result<CustomSource, CustomDefError>)>,
}

/// When a file was last changed, and its length.
type FileStamp = (Option<SystemTime>, u64);

fn stamp(path: &Path) -> Option<FileStamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok(), meta.len()))
}

/// Reads every `.scsyndef` in `dir` and compiles every `.scd` with `sclang`
/// (when given; otherwise `.scd` files are skipped). A missing folder is
/// empty. Files are taken in name order; of two defs with one name the
/// first is kept.
pub fn load_user_dir(dir: &Path, sclang: Option<&Path>, cache: &mut ScanCache) -> UserDefs {
    let mut out = UserDefs::default();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    files.sort();
    cache.files.retain(|path, _| files.contains(path));
    for path in files {
        let scd = match path.extension().and_then(|e| e.to_str()) {
            Some("scsyndef") => false,
            Some("scd") if sclang.is_some() => true,
            _ => continue,
        };
        let Some(now) = stamp(&path) else { continue };
        let result = match cache.files.get(&path) {
            Some((then, result)) if *then == now => result.clone(),
            _ => {
                let bytes = match (scd, sclang) {
                    (true, Some(sclang)) => compile_scd(sclang, &path),
                    _ => std::fs::read(&path).map_err(|e| CustomDefError::Io(e.to_string())),
                };
                let result = bytes.and_then(custom_source);
                cache.files.insert(path.clone(), (now, result.clone()));
                result
            }
        };
        match result {
            Ok(source) if out.sources.iter().any(|s| s.name == source.name) => {}
            Ok(source) => out.sources.push(source),
            Err(e) => out.refused.push((path, e)),
        }
    }
    out
}

/// sclang on `PATH`, if installed.
pub fn find_sclang() -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join("sclang")).find(|p| p.is_file())
}

/// How long sclang may take to compile one file.
const SCLANG_TIMEOUT: Duration = Duration::from_secs(90);

/// The script sclang runs: evaluate the file named by `IMBOLC_SCD`, write
/// the SynthDef's bytes to `IMBOLC_OUT`, say how it went and exit (sclang
/// never exits by itself). Paths travel in the environment, so no quoting.
const COMPILE_SCRIPT: &str = r#"(
var def = try { thisProcess.interpreter.executeFile("IMBOLC_SCD".getenv) } { |e| e.reportError; nil };
if(def.isKindOf(SynthDef)) {
    var f = File("IMBOLC_OUT".getenv, "wb");
    f.write(def.asBytes); f.close;
    "IMBOLC-OK".postln; 0.exit
} {
    "IMBOLC-FAILED the file does not evaluate to one SynthDef".postln; 1.exit
};
)
"#;

/// Compiles one `.scd` (which must evaluate to a SynthDef) with headless
/// sclang and returns the def's bytes.
///
/// # Errors
/// [`CustomDefError::Compile`] with sclang's complaint.
pub fn compile_scd(sclang: &Path, scd: &Path) -> Result<Vec<u8>, CustomDefError> {
    static RUN: AtomicU32 = AtomicU32::new(0);
    let fail = |m: String| CustomDefError::Compile(m);
    let run = RUN.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("imbolc-sclang-{}-{run}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| fail(e.to_string()))?;
    let result = compile_in(sclang, scd, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn compile_in(sclang: &Path, scd: &Path, dir: &Path) -> Result<Vec<u8>, CustomDefError> {
    let fail = |m: String| CustomDefError::Compile(m);
    let out = dir.join("def.scsyndef");
    let script = dir.join("build.scd");
    std::fs::write(&script, COMPILE_SCRIPT).map_err(|e| fail(e.to_string()))?;
    let log = dir.join("log.txt");
    let log_file = std::fs::File::create(&log).map_err(|e| fail(e.to_string()))?;
    let scd = std::path::absolute(scd).map_err(|e| fail(e.to_string()))?;
    let mut child = Command::new(sclang)
        .arg(&script)
        .env("IMBOLC_SCD", &scd)
        .env("IMBOLC_OUT", &out)
        .env("QT_QPA_PLATFORM", "offscreen")
        .env("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")
        .stdin(Stdio::null())
        .stdout(log_file.try_clone().map_err(|e| fail(e.to_string()))?)
        .stderr(log_file)
        .spawn()
        .map_err(|e| fail(format!("cannot run sclang: {e}")))?;
    let deadline = Instant::now() + SCLANG_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    match status {
        Some(s) if s.success() => std::fs::read(&out).map_err(|e| fail(e.to_string())),
        Some(_) => {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            let why: Vec<&str> =
                text.lines().filter(|l| l.contains("ERROR") || l.contains("IMBOLC-FAILED")).map(str::trim).collect();
            Err(fail(if why.is_empty() { "sclang failed".to_owned() } else { why.join(" ") }))
        }
        None => Err(fail(format!("sclang did not finish within {} s", SCLANG_TIMEOUT.as_secs()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin(name: &str) -> Vec<u8> {
        super::super::find(name).map(|d| d.bytes.to_vec()).unwrap_or_default()
    }

    #[test]
    fn a_voice_reads_as_a_source_and_a_processor_is_refused_by_name() {
        let saw = custom_source(builtin("imbolc_saw")).unwrap();
        let ids: Vec<&str> = saw.params.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["amp", "detune", "bright"]);
        assert!(saw.has_voice_control("bend") && !saw.has_voice_control("amp"));
        let err = custom_source(builtin("imbolc_lpf")).expect_err("a processor is no voice");
        assert!(err.to_string().contains("lacks the voice controls out, freq, gate"), "{err}");
        assert!(matches!(custom_source(b"junk".to_vec()), Err(CustomDefError::Unreadable(_))));
    }

    #[test]
    fn on_the_server_a_def_is_named_by_its_content() {
        let saw = custom_source(builtin("imbolc_saw")).unwrap();
        let a = server_def(&saw).unwrap();
        assert!(a.name.starts_with("imbolc_saw-") && a.name != "imbolc_saw");
        assert_eq!(parse(&a.bytes).unwrap().name, a.name);
        assert_eq!(server_def(&saw).unwrap(), a, "the same bytes give the same name");
        let square = CustomSource { bytes: builtin("imbolc_square"), ..saw.clone() };
        assert_ne!(server_def(&square).unwrap().name, a.name);
        let broken = CustomSource { broken: Some("gone".into()), ..saw };
        assert_eq!(server_def(&broken), Err("gone".to_owned()));
    }

    #[test]
    fn the_folder_scan_reads_defs_refuses_others_and_reuses_what_it_read() {
        let dir = std::env::temp_dir().join(format!("imbolc-user-defs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.scsyndef"), builtin("imbolc_saw")).unwrap();
        std::fs::write(dir.join("b.scsyndef"), builtin("imbolc_lpf")).unwrap();
        std::fs::write(dir.join("c.scsyndef"), builtin("imbolc_saw")).unwrap();
        std::fs::write(dir.join("notes.txt"), "not a def").unwrap();
        std::fs::write(dir.join("d.scd"), "not compiled without sclang").unwrap();
        let mut cache = ScanCache::default();
        let found = load_user_dir(&dir, None, &mut cache);
        assert_eq!(found.sources.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["imbolc_saw"]);
        assert_eq!(found.refused.len(), 1);
        assert_eq!(found.refused[0].0, dir.join("b.scsyndef"));
        assert_eq!(cache.files.len(), 3);
        std::fs::remove_file(dir.join("a.scsyndef")).unwrap();
        assert_eq!(load_user_dir(&dir, None, &mut cache), found, "c.scsyndef holds the same def");
        assert_eq!(cache.files.len(), 2, "removed files are forgotten");
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(load_user_dir(&dir, None, &mut cache), UserDefs::default());
    }
}
