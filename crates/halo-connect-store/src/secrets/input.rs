//! `--client-secret-file`: reads a secret from a private, small, UTF-8 file.

use std::path::Path;

use zeroize::Zeroizing;

use super::super::fsutil;
use super::file::check_private;
use super::StoreError;
use halo_connect_core::secret::Secret;

/// The largest secret file read (a secret is short; this stops `/dev/zero` and the like).
const MAX_SECRET_FILE: u64 = 64 * 1024;

/// Reads a secret for `--client-secret-file`: refuses a file readable by group or others (unix),
/// a file that is not UTF-8 text or larger than 64 KiB, and one that is empty after trimming the
/// trailing newline and whitespace (leading characters are kept as they are).
pub fn read_secret_file(path: &Path) -> Result<Secret, StoreError> {
    // The open never waits for a writer (a FIFO), and the open handle is what is checked.
    let file = fsutil::open_regular(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidInput => StoreError::BadSecretFile {
            path: path.to_path_buf(),
            reason: if path.is_dir() {
                "it is a directory"
            } else {
                "it is not a regular file (a pipe or a device)"
            },
        },
        _ => fsutil::read_error(path, e),
    })?;
    check_private(path, &file)?;
    let mut bytes = Zeroizing::new(Vec::new());
    fsutil::read_capped(
        path,
        file,
        MAX_SECRET_FILE,
        "it is larger than 64 KiB",
        &mut bytes,
    )
    .map_err(|e| match e {
        StoreError::Read { cause, .. } if cause.kind() == std::io::ErrorKind::InvalidData => {
            StoreError::BadSecretFile {
                path: path.to_path_buf(),
                reason: "it is larger than 64 KiB",
            }
        }
        e => e,
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|_| StoreError::BadSecretFile {
        path: path.to_path_buf(),
        reason: "it is not UTF-8 text",
    })?;
    let trimmed = text.trim_end();
    if trimmed.trim_start().is_empty() {
        return Err(StoreError::EmptySecretFile {
            path: path.to_path_buf(),
        });
    }
    Ok(Secret::new(trimmed))
}
