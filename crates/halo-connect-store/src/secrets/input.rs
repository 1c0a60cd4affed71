//! `--client-secret-file`: reads a secret from a private, small, UTF-8 file.

use std::fs::File;
use std::io::Read;
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
    // Checked before opening: opening a FIFO for reading would block until a writer came.
    let meta = std::fs::metadata(path).map_err(|e| fsutil::read_error(path, e))?;
    if !meta.is_file() && !meta.is_dir() {
        return Err(StoreError::BadSecretFile {
            path: path.to_path_buf(),
            reason: "it is not a regular file (a pipe or a device)",
        });
    }
    let file = File::open(path).map_err(|e| fsutil::read_error(path, e))?;
    check_private(path, &file)?;
    let meta = file.metadata().map_err(|e| fsutil::read_error(path, e))?;
    if meta.is_dir() {
        return Err(StoreError::BadSecretFile {
            path: path.to_path_buf(),
            reason: "it is a directory",
        });
    }
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_SECRET_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fsutil::read_error(path, e))?;
    if bytes.len() as u64 > MAX_SECRET_FILE {
        return Err(StoreError::BadSecretFile {
            path: path.to_path_buf(),
            reason: "it is larger than 64 KiB",
        });
    }
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
