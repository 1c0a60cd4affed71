//! Writing the support bundle of `--report FILE`: only to the file the user named, and only over
//! a file that may be replaced. A file that does not exist is created; an existing regular file is
//! replaced only if it is empty (as `mktemp` leaves it) or an earlier bundle (it starts with the
//! bundle's first line), so a mistyped name never destroys another file; a directory, a symbolic
//! link or anything else is refused. The file is written 0600, atomically (a temporary file
//! beside it, fsync, rename), and no other file in its directory is touched.

use std::io::{Read, Write};
use std::path::Path;

use super::error::{StoreError, WriteStep};

/// Checks, before the run, that `path` may receive the bundle whose first line is `marker`.
pub fn check_report_path(path: &Path, marker: &str) -> Result<(), StoreError> {
    let refuse = |reason: &'static str| StoreError::ReportRefused {
        path: path.to_path_buf(),
        reason,
    };
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let dir = parent(path);
            return if dir.is_dir() {
                Ok(())
            } else {
                Err(refuse("its directory does not exist"))
            };
        }
        Err(e) => {
            return Err(StoreError::Read {
                path: path.to_path_buf(),
                cause: e,
            })
        }
    };
    if meta.file_type().is_symlink() {
        return Err(refuse("it is a symbolic link; name the file itself"));
    }
    if meta.is_dir() {
        return Err(refuse("it is a directory; name a file in it"));
    }
    if !meta.is_file() {
        return Err(refuse("it is not a regular file"));
    }
    if meta.len() == 0 {
        return Ok(());
    }
    let mut head = vec![0u8; marker.len()];
    let read = std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok();
    if read && head == marker.as_bytes() {
        return Ok(());
    }
    Err(refuse(
        "it exists and is not a halo-connect support bundle, so halo-connect will not write over it; name a new file or remove this one",
    ))
}

/// Writes the bundle to `path` (0600, atomically), checking the path again first.
pub fn write_report(path: &Path, text: &str, marker: &str) -> Result<(), StoreError> {
    check_report_path(path, marker)?;
    let fail = |step: WriteStep| {
        move |cause: std::io::Error| StoreError::Write {
            path: path.to_path_buf(),
            step,
            cause,
        }
    };
    // tempfile creates the file 0600 and removes it if anything below fails.
    let mut tmp = tempfile::Builder::new()
        .prefix(".halo-connect-report.")
        .suffix(".tmp")
        .tempfile_in(parent(path))
        .map_err(fail(WriteStep::CreateTemp))?;
    tmp.write_all(text.as_bytes())
        .map_err(fail(WriteStep::WriteTemp))?;
    tmp.as_file()
        .sync_all()
        .map_err(fail(WriteStep::SyncTemp))?;
    tmp.persist(path)
        .map_err(|e| fail(WriteStep::Replace)(e.error))?;
    Ok(())
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
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
