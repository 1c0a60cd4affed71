//! Files a run hands to other tools (`test --junit`, `--summary`, the man pages): written whole or
//! not at all, through a temp file beside the target and a rename, so a CI step that reads one never
//! sees half a document. No lock: each is written by one run, and a later run replaces it whole.

use std::path::Path;

use super::error::StoreError;
use super::fsutil;

/// Writes `bytes` to `path`, creating its directory; on failure `path` is as it was. The file is
/// readable by others (0644 less the umask): a report holds no secret, and a man page must be.
pub fn write_report_file(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    fsutil::create_parent_dir(path)?;
    fsutil::replace_file(path, bytes, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_replaces_the_old_one_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out").join("junit.xml");
        write_report_file(&path, b"old").unwrap();
        write_report_file(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
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
    fn a_report_that_cannot_be_written_is_a_write_error() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, b"x").unwrap();
        // A directory cannot be made under a regular file.
        let err = write_report_file(&blocker.join("junit.xml"), b"x").unwrap_err();
        assert!(matches!(err, StoreError::Write { .. }), "{err:?}");
    }
}
