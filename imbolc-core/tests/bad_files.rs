//! Bad files: each kind gives its typed error from `load` (and from `save`
//! over it), and the file is left byte-identical with nothing beside it.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] fns

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{build_project, temp_dir};
use imbolc_core::persist::{self, PersistError};
use imbolc_types::Project;
use rusqlite::Connection;

fn good_file(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    persist::save(&path, &build_project(4, 2, 2000)).expect("save a good file");
    path
}

fn sql(path: &Path, statements: &str) {
    let c = Connection::open(path).expect("open for fixture");
    c.execute_batch(statements).expect("fixture sql");
}

fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<_> =
        fs::read_dir(dir).expect("dir").map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

/// Loads and saves over `path`, checks both errors with `check`, and that
/// the bytes and the directory are unchanged.
fn assert_refused(path: &Path, check: impl Fn(&PersistError) -> bool) {
    let dir = path.parent().expect("parent");
    let before = fs::read(path).expect("read");
    let files = listing(dir);
    let err = persist::load(path).expect_err("load must fail");
    assert!(check(&err), "load of {}: unexpected error {err:?}", path.display());
    let err = persist::save(path, &Project::new("over")).expect_err("save over it must fail");
    assert!(check(&err), "save over {}: unexpected error {err:?}", path.display());
    let err = persist::save_recovery(path, &Project::new("over")).expect_err("recovery over it must fail");
    assert!(check(&err), "recovery over {}: unexpected error {err:?}", path.display());
    assert_eq!(fs::read(path).expect("read"), before, "{} was modified", path.display());
    assert_eq!(listing(dir), files, "files appeared beside {}", path.display());
}

#[test]
fn empty_file() {
    let dir = temp_dir("bad-empty");
    let path = dir.join("empty.imbolc");
    fs::write(&path, b"").expect("write");
    assert_refused(&path, |e| matches!(e, PersistError::NotSqlite { .. }));
}

#[test]
fn random_bytes() {
    let dir = temp_dir("bad-random");
    let path = dir.join("random.imbolc");
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let bytes: Vec<u8> = (0..10_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    fs::write(&path, bytes).expect("write");
    assert_refused(&path, |e| matches!(e, PersistError::NotSqlite { .. }));
}

#[test]
fn text_file() {
    let dir = temp_dir("bad-text");
    let path = dir.join("notes.imbolc");
    fs::write(&path, "These are my song notes, not a project.\n".repeat(50)).expect("write");
    assert_refused(&path, |e| matches!(e, PersistError::NotSqlite { .. }));
}

#[test]
fn truncated_sqlite() {
    let dir = temp_dir("bad-truncated");
    let path = good_file(&dir, "cut.imbolc");
    let bytes = fs::read(&path).expect("read");
    assert!(bytes.len() > 3 * 4096, "fixture spans several pages");
    fs::write(&path, &bytes[..bytes.len() / 2]).expect("truncate");
    assert_refused(&path, |e| matches!(e, PersistError::CorruptDatabase { .. }));
}

#[test]
fn sqlite_without_our_table() {
    let dir = temp_dir("bad-foreign");
    let path = dir.join("other.imbolc");
    sql(&path, "CREATE TABLE songs (id INTEGER PRIMARY KEY, title TEXT); INSERT INTO songs (title) VALUES ('x');");
    assert_refused(&path, |e| matches!(e, PersistError::NotAProject { .. }));
}

#[test]
fn sqlite_with_a_project_table_of_another_app() {
    let dir = temp_dir("bad-lookalike");
    let path = dir.join("lookalike.imbolc");
    sql(
        &path,
        "CREATE TABLE project (slot TEXT, format_version INTEGER, data BLOB); INSERT INTO project VALUES ('main', 2, x'00');",
    );
    assert_refused(&path, |e| matches!(e, PersistError::NotAProject { .. }));
}

#[test]
fn blob_of_garbage() {
    let dir = temp_dir("bad-garbage");
    let path = good_file(&dir, "garbage.imbolc");
    // Garbage with a matching checksum, so the decoder itself must refuse.
    let garbage = vec![0xc1u8; 64];
    let sum = imbolc_core::persist::format::checksum(&garbage);
    let c = Connection::open(&path).expect("open");
    c.execute("UPDATE project SET data = ?1, checksum = ?2 WHERE slot = 'main'", rusqlite::params![garbage, sum])
        .expect("update");
    drop(c);
    assert_refused(&path, |e| matches!(e, PersistError::CorruptData { .. }));
}

#[test]
fn flipped_bit_fails_the_checksum() {
    let dir = temp_dir("bad-bitflip");
    let path = good_file(&dir, "flip.imbolc");
    sql(
        &path,
        "UPDATE project SET data = CAST(substr(data, 1, 100) || x'FF' || substr(data, 102) AS BLOB) WHERE slot = 'main';",
    );
    assert_refused(&path, |e| matches!(e, PersistError::CorruptData { detail, .. } if detail.contains("checksum")));
}

#[test]
fn future_format_version() {
    let dir = temp_dir("bad-future");
    let path = good_file(&dir, "future.imbolc");
    sql(&path, "UPDATE project SET format_version = 99;");
    assert_refused(&path, |e| {
        matches!(e, PersistError::FormatTooNew { found: 99, supported: persist::FORMAT_VERSION, .. })
    });
}

#[test]
fn read_only_file_on_save() {
    let dir = temp_dir("bad-readonly-file");
    let path = good_file(&dir, "locked.imbolc");
    let before = fs::read(&path).expect("read");
    let mut perms = fs::metadata(&path).expect("meta").permissions();
    perms.set_readonly(true);
    fs::set_permissions(&path, perms.clone()).expect("chmod");
    let err = persist::save(&path, &Project::new("over")).expect_err("must refuse");
    assert!(matches!(err, PersistError::ReadOnly { .. }), "{err:?}");
    let err = persist::save_recovery(&path, &Project::new("over")).expect_err("must refuse");
    assert!(matches!(err, PersistError::ReadOnly { .. }), "{err:?}");
    assert_eq!(fs::read(&path).expect("read"), before);
    assert_eq!(listing(&dir), vec!["locked.imbolc".to_owned()]);
    // Still opens read-only.
    persist::load(&path).expect("a read-only project still opens");
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    fs::set_permissions(&path, perms).expect("chmod back");
}

/// Makes a directory immutable (`chattr +i`) until dropped: root ignores
/// permission bits, so this is how a root test gets a read-only location.
struct Immutable(std::path::PathBuf);

impl Immutable {
    fn lock(dir: &std::path::Path) -> Immutable {
        let locked = std::process::Command::new("chattr").arg("+i").arg(dir).status().is_ok_and(|s| s.success());
        assert!(locked, "running as root: locking the directory needs chattr (e2fsprogs) on ext4/xfs");
        Immutable(dir.to_path_buf())
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr").arg("-i").arg(&self.0).status();
    }
}

#[cfg(unix)]
#[test]
fn read_only_directory_on_save() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("bad-readonly-dir");
    let path = good_file(&dir, "in-locked-dir.imbolc");
    let before = fs::read(&path).expect("read");
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o555)).expect("chmod dir");
    let probe = dir.join(".probe");
    let writable = fs::write(&probe, b"x").is_ok();
    let _ = fs::remove_file(&probe);
    // Root ignores the permission bits: lock the directory another way.
    let lock = writable.then(|| Immutable::lock(&dir));
    let err = persist::save(&path, &Project::new("over")).expect_err("must fail");
    assert!(matches!(err, PersistError::Io { .. }), "{err:?}");
    assert_eq!(fs::read(&path).expect("read"), before);
    assert_eq!(listing(&dir), vec!["in-locked-dir.imbolc".to_owned()]);
    drop(lock);
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).expect("chmod back");
}

#[test]
fn missing_file_is_an_io_error() {
    let dir = temp_dir("bad-missing");
    let err = persist::load(&dir.join("nope.imbolc")).expect_err("must fail");
    assert!(
        matches!(&err, PersistError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound),
        "{err:?}"
    );
}
