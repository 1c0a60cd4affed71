//! Files a run hands to people and other tools (`test --junit`, `--summary`, the `--report` support
//! bundle, the man pages): written whole or not at all by the store's one atomic writer, and only
//! over a file that may be replaced. A report replaces nothing but a missing file, an empty one (as
//! `mktemp` leaves it) or an earlier report of its own kind, recognised by how it begins, so a
//! mistyped path never destroys `config.toml` or any other file; a symbolic link, a directory, a
//! FIFO or a device is refused. Man pages, which a packager writes into a directory of their own,
//! replace earlier files of the same name.

use std::io::Read;
use std::path::Path;

use super::error::StoreError;
use super::fsutil::{self, Mode, Replace};

/// A kind of report: its name in messages, and how an earlier one begins.
#[derive(Clone, Copy)]
pub struct ReportKind<'a> {
    /// "JUnit report", "job summary", "support bundle".
    pub what: &'static str,
    /// Whether a file beginning with these bytes (at most 1 KiB) is an earlier report.
    pub is_earlier: &'a dyn Fn(&[u8]) -> bool,
}

/// How much of an existing file is read to recognise an earlier report.
const HEAD: u64 = 1024;

/// Checks that `path` may receive a report of `kind` (its directory exists, and what is there may
/// be replaced).
pub fn check_report_path(path: &Path, kind: &ReportKind) -> Result<(), StoreError> {
    let refuse = |reason: String| StoreError::ReportRefused {
        what: kind.what,
        path: path.to_path_buf(),
        reason,
    };
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            return if dir.is_dir() {
                Ok(())
            } else {
                Err(refuse("its directory does not exist".into()))
            };
        }
        Err(cause) => {
            return Err(StoreError::Read {
                path: path.to_path_buf(),
                cause,
            })
        }
    };
    if meta.file_type().is_symlink() {
        return Err(refuse("it is a symbolic link; name the file itself".into()));
    }
    if meta.is_dir() {
        return Err(refuse("it is a directory; name a file in it".into()));
    }
    if !meta.is_file() {
        return Err(refuse("it is not a regular file".into()));
    }
    if meta.len() == 0 {
        return Ok(());
    }
    let mut head = Vec::new();
    let read = fsutil::open_regular(path)
        .and_then(|f| f.take(HEAD).read_to_end(&mut head))
        .is_ok();
    if read && (kind.is_earlier)(&head) {
        return Ok(());
    }
    Err(refuse(format!(
        "it exists and is not a halo-connect {}, so halo-connect will not write over it; name a new file, or remove this one if it is not needed",
        kind.what
    )))
}

/// Writes a report of `kind` to `path` (0600 when `private`, else 0644 less the umask), after
/// checking the path; `create_dir` makes a missing directory first (0700).
pub fn write_report_file(
    path: &Path,
    bytes: &[u8],
    kind: &ReportKind,
    private: bool,
    create_dir: bool,
) -> Result<(), StoreError> {
    if create_dir {
        fsutil::create_parent_dir(path)?;
    }
    check_report_path(path, kind)?;
    let mode = if private { Mode::Private } else { Mode::Shared };
    fsutil::write_atomic(path, bytes, mode, Replace::Always)
}

/// Writes a man page (0644 less the umask), creating its directory, over any earlier file.
pub fn write_man_page(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    fsutil::create_parent_dir(path)?;
    fsutil::write_atomic(path, bytes, Mode::Shared, Replace::Always)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn junit() -> ReportKind<'static> {
        ReportKind {
            what: "JUnit report",
            is_earlier: &|head: &[u8]| head.starts_with(b"<r>"),
        }
    }

    #[test]
    fn a_report_replaces_only_an_earlier_one_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out").join("junit.xml");
        write_report_file(&path, b"<r>old", &junit(), false, true).unwrap();
        write_report_file(&path, b"<r>new", &junit(), false, true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"<r>new");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec!["junit.xml"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // What any plain new file gets here (0666 less the umask), at most 0644.
            let plain = dir.path().join("plain");
            std::fs::write(&plain, b"x").unwrap();
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), mode(&plain) & 0o644);
        }
    }

    #[test]
    fn any_other_file_is_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.toml");
        std::fs::write(&config, "[profiles.a]\n").unwrap();
        let e = write_report_file(&config, b"<r>", &junit(), false, true).unwrap_err();
        assert!(
            e.to_string().contains("is not a halo-connect JUnit report"),
            "{e}"
        );
        assert_eq!(std::fs::read(&config).unwrap(), b"[profiles.a]\n");
        let empty = dir.path().join("empty");
        std::fs::write(&empty, "").unwrap();
        write_report_file(&empty, b"<r>", &junit(), false, true).unwrap();
        let e = check_report_path(dir.path(), &junit()).unwrap_err();
        assert!(e.to_string().contains("directory"), "{e}");
        #[cfg(unix)]
        {
            let link = dir.path().join("link.xml");
            std::os::unix::fs::symlink(&empty, &link).unwrap();
            let e = check_report_path(&link, &junit()).unwrap_err();
            assert!(e.to_string().contains("symbolic link"), "{e}");
        }
    }

    #[test]
    fn a_report_that_cannot_be_written_is_a_write_error() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, b"x").unwrap();
        // A directory cannot be made under a regular file.
        let err = write_man_page(&blocker.join("x.1"), b"x").unwrap_err();
        assert!(matches!(err, StoreError::Write { .. }), "{err:?}");
    }
}
