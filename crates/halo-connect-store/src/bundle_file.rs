//! Writing the support bundle of `--report FILE`: only to the file the user named, and only over
//! a file that may be replaced. A file that does not exist is created; an existing regular file is
//! replaced only if it is empty (as `mktemp` leaves it) or an earlier bundle (it starts with the
//! bundle's first line), so a mistyped name never destroys another file; a directory, a symbolic
//! link or anything else is refused (`report_file`'s rule). The file is written 0600 by the store's
//! one atomic writer, and no other file in its directory is touched.

use std::path::Path;

use super::error::StoreError;
use super::report_file::{self, ReportKind};

/// Checks, before the run, that `path` may receive the bundle whose first line is `marker`.
pub fn check_report_path(path: &Path, marker: &str) -> Result<(), StoreError> {
    report_file::check_report_path(path, &kind(&|h: &[u8]| h.starts_with(marker.as_bytes())))
}

/// Writes the bundle to `path` (0600, atomically), checking the path again first.
pub fn write_report(path: &Path, text: &str, marker: &str) -> Result<(), StoreError> {
    let is_earlier = |h: &[u8]| h.starts_with(marker.as_bytes());
    report_file::write_report_file(path, text.as_bytes(), &kind(&is_earlier), true, false)
}

fn kind<'a>(is_earlier: &'a dyn Fn(&[u8]) -> bool) -> ReportKind<'a> {
    ReportKind {
        what: "support bundle",
        is_earlier,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARK: &str = "# bundle";

    #[test]
    fn writes_new_and_replaces_only_empty_files_and_earlier_bundles() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("r.md");
        write_report(&fresh, "# bundle\none", MARK).unwrap();
        assert_eq!(std::fs::read_to_string(&fresh).unwrap(), "# bundle\none");
        write_report(&fresh, "# bundle\ntwo", MARK).unwrap();
        assert_eq!(std::fs::read_to_string(&fresh).unwrap(), "# bundle\ntwo");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&fresh).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let empty = dir.path().join("empty");
        std::fs::write(&empty, "").unwrap();
        write_report(&empty, "# bundle\n", MARK).unwrap();

        let other = dir.path().join("notes.txt");
        std::fs::write(&other, "precious").unwrap();
        let e = write_report(&other, "# bundle\n", MARK).unwrap_err();
        assert!(
            e.to_string().contains("not a halo-connect support bundle"),
            "{e}"
        );
        assert_eq!(std::fs::read_to_string(&other).unwrap(), "precious");

        let e = check_report_path(dir.path(), MARK).unwrap_err();
        assert!(e.to_string().contains("directory"), "{e}");
        let e = check_report_path(&dir.path().join("no/such/dir/r.md"), MARK).unwrap_err();
        assert!(e.to_string().contains("directory does not exist"), "{e}");
        #[cfg(unix)]
        {
            let link = dir.path().join("link.md");
            std::os::unix::fs::symlink(&fresh, &link).unwrap();
            let e = check_report_path(&link, MARK).unwrap_err();
            assert!(e.to_string().contains("symbolic link"), "{e}");
        }
        // Nothing else was left in the directory.
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }
}
